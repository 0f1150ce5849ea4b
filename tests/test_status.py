import datetime as dt

import pytest

from kpidesign.model import Actual, Thresholds
from kpidesign.status import Status, current_value, latest_actuals, status, status_word

UP = Thresholds(direction="higher_is_better", green=100, yellow=80)
DOWN = Thresholds(direction="lower_is_better", green=10, yellow=20)


@pytest.mark.parametrize(
    "value, expected",
    [(120, Status.GREEN), (100, Status.GREEN), (99.999, Status.YELLOW), (80, Status.YELLOW), (79.99, Status.RED), (-5, Status.RED)],
)
def test_higher_is_better_edges(value, expected):
    assert status(value, UP) is expected


@pytest.mark.parametrize(
    "value, expected",
    [(5, Status.GREEN), (10, Status.GREEN), (10.001, Status.YELLOW), (20, Status.YELLOW), (20.01, Status.RED)],
)
def test_lower_is_better_edges(value, expected):
    assert status(value, DOWN) is expected


def test_no_threshold_or_no_value_is_never_green():
    assert status(50, Thresholds()) is Status.NONE
    assert status(None, UP) is Status.NONE
    assert status(50, Thresholds(green=40)) is Status.GREEN
    assert status(30, Thresholds(green=40)) is Status.RED


@pytest.mark.parametrize(
    "value, thresholds, word",
    [
        (None, Thresholds(green=10, yellow=5), "no_data"),  # thresholds waiting for a value
        (12, Thresholds(), "none"),  # a value, but nothing to judge it by
        (None, Thresholds(), "none"),  # neither: the threshold is the design's gap, so that is what is said
        (7, Thresholds(green=10, yellow=5), "yellow"),
    ],
)
def test_status_word_tells_no_data_from_no_threshold(value, thresholds, word):
    assert status_word(value, thresholds) == word


def test_latest_actual_and_fallback(ec):
    ws = ec.model_copy(update={"actuals": [Actual(kpi="customers", date=dt.date(2026, 9, 1), value=1), Actual(kpi="customers", date=dt.date(2026, 10, 1), value=2)]})
    latest = latest_actuals(ws)
    assert latest == {"customers": 2}
    assert current_value(ws.node("customers"), latest) == (2, "actual")
    assert current_value(ws.node("items"), latest) == (2, "baseline")
