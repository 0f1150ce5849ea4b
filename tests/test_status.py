import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign.model import Actual, Direction, Thresholds, Workshop
from kpidesign.status import Band, Status, band_text, bands, status, status_word

UP = Thresholds(direction="higher_is_better", green=100, yellow=80)
DOWN = Thresholds(direction="lower_is_better", green=10, yellow=20)


@pytest.mark.parametrize(
    "value, expected",
    [(120, Status.GREEN), (100, Status.GREEN), (99.999, Status.YELLOW), (80, Status.YELLOW), (79.99, Status.RED), (-5, Status.RED)],
)
def test_higher_is_better_edges(value: float, expected: Status) -> None:
    assert status(value, UP) is expected


@pytest.mark.parametrize(
    "value, expected",
    [(5, Status.GREEN), (10, Status.GREEN), (10.001, Status.YELLOW), (20, Status.YELLOW), (20.01, Status.RED)],
)
def test_lower_is_better_edges(value: float, expected: Status) -> None:
    assert status(value, DOWN) is expected


def test_no_threshold_or_no_value_is_never_green() -> None:
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
def test_status_word_tells_no_data_from_no_threshold(value: float | None, thresholds: Thresholds, word: str) -> None:
    assert status_word(value, thresholds) == word


def test_one_rule_everywhere_status_comes_from_actuals_alone(ec: Workshop) -> None:
    """The dashboard, the share view, the Excel thresholds sheet and `kpidesign status` say the same: a KPI with thresholds
    but nothing measured is "no data", never green on its baseline; a parent without actuals is judged on what its
    children's actuals compute (#20 item 3)."""
    import io

    import openpyxl

    from kpidesign import monitor, tree
    from kpidesign.io.excel import to_xlsx
    from kpidesign.io.excel_labels import choice_code

    ws = tree.update_node(ec, "customers", thresholds={"direction": "higher_is_better", "green": 30000, "yellow": 20000})
    ws = tree.update_node(
        ws, "items", thresholds={"direction": "higher_is_better", "green": 1, "yellow": 0.5}
    )  # baseline 2: "green" on a plan
    ws = tree.update_node(ws, "new_customers", thresholds={"direction": "higher_is_better", "green": 20000, "yellow": 16000})
    ws = ws.model_copy(
        update={
            "actuals": [
                Actual(kpi="new_customers", date=dt.date(2026, 10, 1), value=15000),
                Actual(kpi="existing_customers", date=dt.date(2026, 10, 1), value=20000),
            ]
        }
    )
    words = monitor.status_words(ws)
    assert words["items"] == "no_data" and words["new_customers"] == "red" and words["customers"] == "green"  # 35,000 computed
    assert words["sales"] == "none"  # no thresholds
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(ws, "en")), read_only=True).worksheets[2]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {k: choice_code("status", rows[k][7]) for k in words} == words  # the Excel thresholds sheet says the same, in words
    assert rows["items"][9] == "green" and rows["items"][8] == 2  # the baseline's band apart, labelled as the plan's


# the bands read back beside the thresholds: which values are green, yellow, red


def read_back(thresholds: Thresholds) -> list[Band]:
    found = bands(thresholds)
    assert found is not None
    return found


def test_bands_read_back_in_each_direction() -> None:
    lower = Thresholds(direction=Direction.LOWER_IS_BETTER, green=45, yellow=60)
    assert [(b.status.value, band_text(b, "")) for b in read_back(lower)] == [("green", "≤45"), ("yellow", ">45〜60"), ("red", ">60")]
    higher = Thresholds(direction=Direction.HIGHER_IS_BETTER, green=0.06, yellow=0.05)
    assert [band_text(b, "%") for b in read_back(higher)] == ["≥6%", "5%〜<6%", "<5%"]
    assert [b.status.value for b in read_back(Thresholds(green=10))] == ["green", "red"]
    assert bands(Thresholds()) is None
    assert bands(Thresholds(direction=Direction.LOWER_IS_BETTER, green=60, yellow=45)) is None  # wrong order: said elsewhere


@given(
    st.sampled_from(list(Direction)),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    st.none() | st.floats(-1e6, 1e6, allow_nan=False),
)
def test_every_value_falls_in_exactly_the_band_of_its_status(direction: Direction, green: float, gap: float, value: float | None) -> None:
    yellow = green - gap if direction is Direction.HIGHER_IS_BETTER else green + gap
    th = Thresholds(direction=direction, green=green, yellow=yellow)
    found = bands(th)
    assert found is not None
    for v in (value, green, yellow):
        if v is None:
            continue
        holding = [b.status for b in found if b.contains(v)]
        assert holding == [status(v, th)], (v, th, found)
