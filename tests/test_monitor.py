import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import edits, monitor
from kpidesign.model import Actual, Alert, AlertLevel, Frequency, Workshop
from kpidesign.status import Status
from kpidesign.values import format_change
from tests.conftest import build_ec

D = dt.date(2026, 10, 1)
EC = build_ec()


def with_actuals(ws: Workshop, *rows: tuple[str, dt.date, float, float | None]) -> Workshop:
    return ws.model_copy(
        update={"actuals": [Actual(kpi=k, date=d, value=v, **({"market": m} if m is not None else {})) for k, d, v, m in rows]}
    )


@pytest.fixture
def weekly(ec: Workshop) -> Workshop:
    ws = edits.set_field(ec, "new_customers", "frequency", "weekly")
    ws = edits.set_field(ws, "new_customers", "green", "20000")
    return edits.set_field(ws, "new_customers", "yellow", "16000")


def test_latest_actual_wins_and_status(weekly: Workshop) -> None:
    ws = with_actuals(weekly, ("new_customers", D, 17000, None), ("new_customers", D + dt.timedelta(days=7), 15000, None))
    r = monitor.readings(ws)["new_customers"]
    assert (r.value, r.basis, r.date, r.status) == (15000, "actual", D + dt.timedelta(days=7), Status.RED)


def test_parents_are_computed_when_all_inputs_are_known(ec: Workshop) -> None:
    ws = with_actuals(ec, ("new_customers", D, 16000, None), ("existing_customers", D, 26000, None))
    now = monitor.readings(ws)
    assert now["customers"].value == 42000 and now["customers"].basis == "computed"
    assert now["sales"].value is None and now["sales"].status is Status.NONE  # avg_spend and frequency have no actuals
    ws = with_actuals(ec, ("new_customers", D, 16000, None))
    assert monitor.readings(ws)["customers"].value is None  # never mixed with planned numbers


def test_no_threshold_is_never_green(ec: Workshop) -> None:
    ws = with_actuals(ec, ("items", D, 99, None))
    assert monitor.readings(ws)["items"].status is Status.NONE


def test_prior_period_across_a_gap_says_no_data(weekly: Workshop) -> None:
    weeks = [0, 1, 2, 3, 5]  # weekly data, as stated, the week before the latest missing
    ws = with_actuals(weekly, *(("new_customers", D + dt.timedelta(weeks=w), 100 + w, None) for w in weeks))
    c = monitor.compare(ws, "new_customers")["prior_period"]
    assert c.other is None and c.delta is None and c.date is None  # no silent comparison with 2 weeks ago
    ws = with_actuals(weekly, ("new_customers", D, 100, None), ("new_customers", D + dt.timedelta(days=8), 130, None))
    c = monitor.compare(ws, "new_customers")["prior_period"]
    assert c.other == 100 and c.delta == 30 and c.ratio == pytest.approx(0.3)


def test_prior_year_target_and_market(weekly: Workshop) -> None:
    ws = with_actuals(weekly, ("new_customers", D - dt.timedelta(days=367), 80, None), ("new_customers", D, 120, 150))
    c = monitor.compare(ws, "new_customers")
    assert c["prior_year"].other == 80 and c["prior_year"].ratio == pytest.approx(0.5)
    assert c["target"].other == 20000 and c["target"].delta == 120 - 20000
    assert c["market"].other == 150 and c["market"].ratio == pytest.approx(-0.2)
    assert monitor.compare(weekly, "new_customers")["prior_period"].other is None


def test_monthly_prior_period_tolerance(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "frequency", "monthly")
    ws = with_actuals(ws, ("customers", dt.date(2026, 9, 1), 10, None), ("customers", dt.date(2026, 10, 1), 11, None))
    assert monitor.compare(ws, "customers")["prior_period"].other == 10


@given(
    st.lists(st.tuples(st.integers(0, 800), st.floats(-1e6, 1e6, allow_nan=False)), max_size=12),
    st.sampled_from(["daily", "weekly", "monthly", "quarterly", "yearly"]),
)
def test_the_overviews_prior_period_is_the_comparisons_own(rows: list[tuple[int, float]], frequency: str) -> None:
    ws = with_actuals(
        edits.set_field(EC, "customers", "frequency", frequency), *(("customers", D + dt.timedelta(days=d), v, None) for d, v in rows)
    )
    idx = monitor.index(ws)
    kept = monitor.PriorPeriods(idx)
    assert (
        monitor.prior_period(ws, "customers", idx)
        == monitor.compare(ws, "customers", idx)["prior_period"]
        == monitor.prior_period(ws, "customers")
        == kept.of(ws.node("customers"))
    )
    assert kept.of(ws.node("customers")) is kept.of(ws.node("customers"))  # worked out once, then kept


def test_kept_prior_periods_follow_the_frequency_a_version_states(weekly: Workshop) -> None:
    """One set of actuals read by two versions that state different frequencies: each gets its own comparison."""
    weekly = with_actuals(weekly, *(("new_customers", D + dt.timedelta(weeks=w), 100.0 + w, None) for w in range(10)))
    kept = monitor.PriorPeriods(monitor.index(weekly))
    monthly = edits.set_field(weekly, "new_customers", "frequency", "monthly")
    for ws in (weekly, monthly, weekly):
        assert kept.of(ws.node("new_customers")) == monitor.prior_period(ws, "new_customers")
    assert kept.of(weekly.node("new_customers")) != kept.of(monthly.node("new_customers"))
    assert kept == monitor.PriorPeriods(monitor.index(weekly))  # equal by their actuals, whatever they have kept


def test_alerts_fire_on_their_level(weekly: Workshop) -> None:
    ws = weekly.model_copy(
        update={
            "monitoring": weekly.monitoring.model_copy(
                update={
                    "alerts": [
                        Alert(kpi="new_customers", when="red", channel="slack", to="#a"),
                        Alert(kpi="new_customers", when="yellow", channel="email", to="x@example.com"),
                    ]
                }
            )
        }
    )
    red = with_actuals(ws, ("new_customers", D, 1000, None))
    assert [f.alert.to for f in monitor.firing(red)] == ["#a", "x@example.com"]
    yellow = with_actuals(ws, ("new_customers", D, 17000, None))
    assert [f.alert.to for f in monitor.firing(yellow)] == ["x@example.com"]
    green = with_actuals(ws, ("new_customers", D, 25000, None))
    assert monitor.firing(green) == [] and monitor.firing(ws) == []
    assert monitor.firing(red)[0].key == ("new_customers", "red", D.isoformat(), "slack", "#a")


def test_series_keeps_one_value_per_date(ec: Workshop) -> None:
    ws = with_actuals(ec, ("items", D, 1, None), ("items", D, 2, None), ("items", D - dt.timedelta(days=1), 3, None))
    assert [a.value for a in monitor.series(ws, "items")] == [3, 2]


def _near_by_scan(points: list[Actual], when: dt.date, tolerance: int, before: dt.date) -> Actual | None:
    earlier = [a for a in points if a.date < before]
    best = min(earlier, key=lambda a: abs((a.date - when).days), default=None)
    return best if best is not None and abs((best.date - when).days) <= tolerance else None


@given(
    offsets=st.sets(st.integers(0, 800), max_size=40),
    when=st.integers(-30, 830),
    before=st.integers(0, 900),
    tolerance=st.integers(0, 60),
)
def test_nearest_point_by_bisection_is_the_one_a_full_scan_finds(offsets: set[int], when: int, before: int, tolerance: int) -> None:
    points = [Actual(kpi="k", date=D + dt.timedelta(days=o), value=o) for o in sorted(offsets)]
    args = (D + dt.timedelta(days=when), tolerance, D + dt.timedelta(days=before))
    assert monitor._near(points, *args) == _near_by_scan(points, *args)


@given(
    st.lists(
        st.tuples(st.sampled_from(["new_customers", "existing_customers", "gone"]), st.integers(0, 6), st.integers(-5, 5)), max_size=30
    )
)
def test_readings_from_an_index_of_every_stored_actual_are_the_readings_of_the_version(rows: list[tuple[str, int, int]]) -> None:
    # the dashboard indexes every stored actual once per revision, a deleted KPI's too; the version's readings stay the same
    stored = [Actual(kpi=k, date=D + dt.timedelta(days=7 * d), value=v) for k, d, v in rows]
    attached = build_ec().model_copy(update={"actuals": [a for a in stored if a.kpi != "gone"]})
    assert monitor.readings(attached, monitor.index_of(stored)) == monitor.readings(attached)


@pytest.mark.parametrize("level", list(AlertLevel))
def test_every_alert_level_says_when_it_fires(level: AlertLevel) -> None:
    assert monitor.threshold_status(level) in {Status.RED, Status.YELLOW, Status.NONE}


# the prior period follows the data when the KPI's stated frequency has no observation


def monthly_points(kpi: str, values: list[float], first: dt.date = dt.date(2025, 1, 31)) -> list[tuple[str, dt.date, float, None]]:
    """Month-end observations from `first` on."""
    out: list[tuple[str, dt.date, float, None]] = []
    d = first
    for v in values:
        out.append((kpi, d, v, None))
        d = (d + dt.timedelta(days=1)).replace(day=28) + dt.timedelta(days=4)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return out


def test_a_daily_kpi_with_monthly_data_is_compared_with_the_previous_month(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "frequency", "daily")
    ws = with_actuals(ws, *monthly_points("customers", [0.2 + 0.001 * i for i in range(23)] + [0.21]))
    c = monitor.compare(ws, "customers")["prior_period"]
    assert c.other == pytest.approx(0.222) and c.date == dt.date(2026, 11, 30) and c.period is Frequency.MONTHLY and c.from_data
    assert c.delta == pytest.approx(0.21 - 0.222)
    assert monitor.prior_period(ws, "customers") == c


def test_a_weekly_kpi_with_october_and_november_is_compared_with_october(weekly: Workshop) -> None:
    ws = with_actuals(weekly, ("new_customers", dt.date(2026, 10, 31), 100, None), ("new_customers", dt.date(2026, 11, 30), 120, None))
    c = monitor.compare(ws, "new_customers")["prior_period"]
    assert (c.other, c.date, c.period, c.from_data) == (100, dt.date(2026, 10, 31), Frequency.MONTHLY, True)
    assert c.ratio == pytest.approx(0.2)


def test_the_stated_frequency_comes_first_and_says_its_period(weekly: Workshop) -> None:
    ws = with_actuals(weekly, *(("new_customers", D + dt.timedelta(weeks=w), 100 + w, None) for w in range(4)))
    c = monitor.compare(ws, "new_customers")["prior_period"]
    assert (c.other, c.date, c.period, c.from_data) == (102, D + dt.timedelta(weeks=2), Frequency.WEEKLY, False)


def test_irregular_data_are_compared_with_the_observation_before_named_by_its_date(weekly: Workshop) -> None:
    ws = with_actuals(weekly, ("new_customers", D, 100, None), ("new_customers", D + dt.timedelta(days=21), 130, None))
    c = monitor.compare(ws, "new_customers")["prior_period"]
    assert (c.other, c.date, c.period, c.from_data) == (100, D, None, True)
    assert monitor.compare(with_actuals(weekly, ("new_customers", D, 1, None)), "new_customers")["prior_period"].other is None


def test_a_rate_changes_in_points_and_a_count_in_percent() -> None:
    assert format_change(0.18 - 0.21, 0.18 / 0.21 - 1, "%") == "-3 pt"
    assert format_change(0.0125, 0.0625, "%") == "+1.25 pt"
    assert format_change(0.0, 0.0, "%") == "±0 pt"
    assert format_change(20, 0.2, "件") == "+20.0%"
    assert format_change(None, None, "%") is None
    assert format_change(5, None, "件") is None  # no ratio to zero


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_rates_change_in_points_reads_back_as_the_difference(before: float, after: float) -> None:
    text = format_change(after - before, None, "%")
    assert text is not None and text.endswith(" pt")
    shown = 0.0 if text.startswith("±") else float(text[:-3])
    assert shown / 100 == pytest.approx(after - before, abs=0.00005 + 1e-12)
