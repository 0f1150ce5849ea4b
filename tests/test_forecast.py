"""Is the target reachable: a clean line is projected exactly, verdicts follow the interval and the direction, bad data says why."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kpidesign import forecast as fc
from kpidesign.model import Actual, Direction, Node, Thresholds, Workshop
from kpidesign.observations import series_by_kpi

START = dt.date(2026, 1, 5)


def ws_with(
    values: list[float],
    target: float | None = 200,
    deadline: dt.date | None = START + dt.timedelta(weeks=30),
    direction: Direction = Direction.HIGHER_IS_BETTER,
    step: int = 7,
    dates: list[dt.date] | None = None,
) -> Workshop:
    dates = dates or [START + dt.timedelta(days=step * i) for i in range(len(values))]
    nodes = [
        Node(id="kgi", name="KGI", deadline=deadline, formula="x"),
        Node(id="x", parent="kgi", name="X", target=target, thresholds=Thresholds(direction=direction)),
    ]
    return Workshop(title="t", nodes=nodes, actuals=[Actual(kpi="x", date=d, value=v) for d, v in zip(dates, values)])


def one(ws: Workshop) -> fc.Forecast:
    return next(f for f in fc.forecasts(ws) if f.kpi == "x")


def codes(f: fc.Forecast) -> list[str]:
    return [x.code for x in f.findings]


def test_a_clean_line_is_projected_on_the_line() -> None:
    # 100, 105, …, 155 weekly (12 points, last at week 11); deadline at week 30: 100 + 5 × 30 = 250, no scatter, no width
    f = one(ws_with([100 + 5 * i for i in range(12)], target=240))
    assert f.projected == pytest.approx(250) and f.low == pytest.approx(250) and f.high == pytest.approx(250)
    assert f.verdict is fc.Verdict.ON_TRACK and f.at == START + dt.timedelta(weeks=30)
    assert f.periods_left == 19 and f.needed_per_period == pytest.approx((240 - 155) / 19)
    assert f.slope_per_period == pytest.approx(5) and f.n == 12 and f.findings == []
    assert one(ws_with([100 + 5 * i for i in range(12)], target=260)).verdict is fc.Verdict.OFF_TRACK


def test_lower_is_better_turns_the_verdict_around() -> None:
    values: list[float] = [300 - 5 * i for i in range(12)]  # falls to 150 at week 30
    assert one(ws_with(values, target=160, direction=Direction.LOWER_IS_BETTER)).verdict is fc.Verdict.ON_TRACK
    assert one(ws_with(values, target=140, direction=Direction.LOWER_IS_BETTER)).verdict is fc.Verdict.OFF_TRACK
    assert one(ws_with(values, target=140, direction=Direction.HIGHER_IS_BETTER)).verdict is fc.Verdict.ON_TRACK


def test_interval_matches_the_ols_prediction_interval_and_sets_at_risk() -> None:
    rng = np.random.default_rng(4)
    values = [100 + 5 * i + float(e) for i, e in enumerate(rng.normal(0, 8, 20))]
    f = one(ws_with(values, target=250))
    x, y = np.arange(20.0), np.array(values)
    res = stats.linregress(x, y)
    resid = y - (res.intercept + res.slope * x)
    s = np.sqrt(resid @ resid / 18)
    half = stats.t.ppf(0.9, 18) * s * np.sqrt(1 + 1 / 20 + (30 - x.mean()) ** 2 / ((x - x.mean()) @ (x - x.mean())))
    assert f.projected is not None and f.low is not None and f.high is not None
    assert f.projected == pytest.approx(res.intercept + res.slope * 30)
    assert f.low == pytest.approx(f.projected - half) and f.high == pytest.approx(f.projected + half)
    assert f.low < f.projected < f.high and f.method == "linear"
    assert one(ws_with(values, target=f.projected)).verdict is fc.Verdict.AT_RISK
    assert one(ws_with(values, target=f.low - 1)).verdict is fc.Verdict.ON_TRACK
    assert one(ws_with(values, target=f.high + 1)).verdict is fc.Verdict.OFF_TRACK


def test_a_wandering_series_is_projected_as_a_random_walk_with_drift() -> None:
    rng = np.random.default_rng(8)
    values = list(100 + np.cumsum(0.5 + rng.normal(0, 2, 20)))
    f = one(ws_with(values, target=120))  # deadline at week 30, latest at week 19: h = 11
    y = np.array(values)
    drift = (y[-1] - y[0]) / 19
    s2 = ((np.diff(y) - drift) ** 2).sum() / 18
    half = stats.t.ppf(0.9, 18) * np.sqrt(s2 * (11 + 11 * 11 / 19))
    assert f.method == "random_walk" and f.slope_per_period == pytest.approx(drift)
    assert f.projected is not None and f.projected == pytest.approx(y[-1] + 11 * drift)
    assert f.low == pytest.approx(f.projected - half) and f.high == pytest.approx(f.projected + half)
    x = np.arange(20.0)
    line = stats.linregress(x, y)
    resid = y - (line.intercept + line.slope * x)
    assert resid[1:] @ resid[:-1] / (resid @ resid) > 1.645 / np.sqrt(20)  # why: the residuals linger


def test_only_the_recent_window_is_used() -> None:
    values = [1000.0] * 30 + [100 + 5 * i for i in range(fc.WINDOW)]  # an old regime, then a clean line
    f = one(ws_with(values, deadline=START + dt.timedelta(weeks=70)))
    assert f.n == fc.WINDOW and f.slope_per_period == pytest.approx(5)
    assert f.projected == pytest.approx(100 + 5 * (70 - 30))


def test_one_observation_and_too_few() -> None:
    f = one(ws_with([100]))
    assert f.verdict is None and f.projected is None and "forecast_too_few" in codes(f) and f.latest == 100
    assert "forecast_too_few" in codes(one(ws_with([1, 2, 3, 4, 5])))
    assert one(ws_with([1, 2, 3, 4, 5, 6])).verdict is not None


def test_no_target_and_no_deadline_are_reasons() -> None:
    assert codes(one(ws_with(list(range(10)), target=None))) == ["forecast_no_target"]
    f = one(ws_with(list(range(10)), deadline=None))
    assert f.verdict is None and codes(f) == ["forecast_no_deadline"] and f.at is None


def test_a_passed_deadline() -> None:
    f = one(ws_with(list(range(10)), deadline=START + dt.timedelta(weeks=5)))
    assert f.verdict is None and codes(f) == ["forecast_deadline_passed"]


def test_gaps_are_handled_by_the_dates_and_said() -> None:
    weeks = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12]  # weeks 5–7 missing
    f = one(ws_with([100 + 5 * w for w in weeks], dates=[START + dt.timedelta(weeks=w) for w in weeks]))
    assert f.projected == pytest.approx(100 + 5 * 30) and f.verdict is fc.Verdict.ON_TRACK
    assert codes(f) == ["forecast_gaps"] and f.findings[0].params["missing"] == 3


def test_duplicate_dates_keep_the_last_entry_and_say_so() -> None:
    ws = ws_with([100 + 5 * i for i in range(12)])
    ws = ws.model_copy(update={"actuals": [Actual(kpi="x", date=START, value=999)] + ws.actuals})
    f = one(ws)
    assert f.projected == pytest.approx(250) and codes(f) == ["data_duplicate_dates"]


def test_mixed_frequencies_are_refused() -> None:
    dates = [START + dt.timedelta(days=30 * i) for i in range(8)] + [START + dt.timedelta(days=30 * 7 + d) for d in (7, 14, 21)]
    f = one(ws_with([float(i) for i in range(11)], dates=dates))
    assert f.verdict is None and "forecast_mixed_frequencies" in codes(f)


def test_kpi_deadline_wins_over_the_kgis_and_every_number_is_finite_or_none() -> None:
    ws = ws_with([100 + 5 * i for i in range(12)])
    ws = ws.model_copy(update={"nodes": [ws.nodes[0], ws.nodes[1].model_copy(update={"deadline": START + dt.timedelta(weeks=20)})]})
    f = one(ws)
    assert f.at == START + dt.timedelta(weeks=20) and f.projected == pytest.approx(200)
    huge = one(ws_with([1e300 * (i % 2) - 5e299 for i in range(12)], target=1))
    for v in (huge.projected, huge.low, huge.high, huge.needed_per_period):
        assert v is None or np.isfinite(v)


def test_judge() -> None:
    up, down = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    assert fc.judge(up, 10, 10, 12) is fc.Verdict.ON_TRACK  # the pessimistic end meets it exactly
    assert fc.judge(up, 11, 10, 12) is fc.Verdict.AT_RISK
    assert fc.judge(up, 13, 10, 12) is fc.Verdict.OFF_TRACK
    assert fc.judge(down, 12, 10, 12) is fc.Verdict.ON_TRACK
    assert fc.judge(down, 9, 10, 12) is fc.Verdict.OFF_TRACK


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 700), st.floats(-1e12, 1e12, allow_nan=False)), max_size=60), st.integers(-100, 900))
def test_any_series_gives_finite_numbers_or_a_reason(rows: list[tuple[int, float]], deadline_day: int) -> None:
    ws = ws_with(
        [v for _, v in rows], dates=[START + dt.timedelta(days=d) for d, _ in rows], deadline=START + dt.timedelta(days=deadline_day)
    )
    stored = [*ws.actuals, Actual(kpi="deleted", date=START, value=1.0)]  # every stored actual, a deleted KPI's too
    kept = series_by_kpi(stored)
    assert fc.forecasts(ws, kept) == fc.forecasts(ws)  # the series kept per revision of the actuals: the same forecasts
    for f in fc.forecasts(ws, kept):
        for v in (f.projected, f.low, f.high, f.needed_per_period):
            assert v is None or np.isfinite(v)
        assert f.verdict is not None or f.findings  # no verdict without a reason
        if f.verdict is not None:
            assert f.low is not None and f.projected is not None and f.high is not None
            assert f.low <= f.projected <= f.high


# periods left are counted on the calendar of the series' cadence (months, quarters, weeks, days), not in average lengths


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def month_ends_to(last: dt.date, n: int = 8, months: int = 1) -> list[dt.date]:
    """n month-end dates, `months` apart, the last of them `last` (itself a month end)."""
    return [month_end(last.year, last.month - months * (n - 1 - i)) for i in range(n)]


def left(dates: list[dt.date], deadline: dt.date) -> int | None:
    return one(ws_with([100 + i for i in range(len(dates))], target=1000, dates=dates, deadline=deadline)).periods_left


def test_a_monthly_series_ending_31_december_has_three_months_left_to_31_march() -> None:
    assert left(month_ends_to(dt.date(2026, 12, 31)), dt.date(2027, 3, 31)) == 3
    f = one(ws_with([100 + i for i in range(8)], target=1000, dates=month_ends_to(dt.date(2026, 12, 31)), deadline=dt.date(2027, 3, 31)))
    assert f.needed_per_period == pytest.approx((1000 - 107) / 3)


def test_months_left_at_february_and_leap_years() -> None:
    assert left(month_ends_to(dt.date(2027, 1, 31)), dt.date(2027, 2, 28)) == 1  # February's end is its 28th
    assert left(month_ends_to(dt.date(2028, 1, 31)), dt.date(2028, 2, 29)) == 1  # and 29th in a leap year
    assert left(month_ends_to(dt.date(2027, 11, 30)), dt.date(2028, 2, 29)) == 3
    assert left(month_ends_to(dt.date(2028, 2, 29)), dt.date(2028, 3, 31)) == 1  # the end of February is followed by 31 March
    assert left(month_ends_to(dt.date(2026, 12, 31)), dt.date(2027, 3, 15)) == 2  # March's observation comes after the deadline
    firsts = [dt.date(2026, m, 1) for m in range(3, 13)]
    assert left(firsts, dt.date(2027, 3, 1)) == 3 and left(firsts, dt.date(2027, 2, 28)) == 2
    fifteenths = [dt.date(2026, m, 15) for m in range(3, 13)]
    assert left(fifteenths, dt.date(2027, 2, 15)) == 2 and left(fifteenths, dt.date(2027, 2, 14)) == 1


def test_quarters_years_weeks_and_days_left() -> None:
    assert left(month_ends_to(dt.date(2026, 12, 31), months=3), dt.date(2027, 12, 31)) == 4
    assert left(month_ends_to(dt.date(2026, 12, 31), months=3), dt.date(2027, 6, 30)) == 2
    assert left([dt.date(2019 + i, 12, 31) for i in range(8)], dt.date(2029, 12, 31)) == 3
    assert left([dt.date(2020 + i, 2, 28) for i in range(8)], dt.date(2028, 2, 29)) == 1  # a yearly series in February
    mondays = [START + dt.timedelta(weeks=i) for i in range(8)]
    assert left(mondays, mondays[-1] + dt.timedelta(weeks=3)) == 3 and left(mondays, mondays[-1] + dt.timedelta(days=20)) == 2
    days = [START + dt.timedelta(days=i) for i in range(8)]
    assert left(days, days[-1] + dt.timedelta(days=31)) == 31


@settings(max_examples=60, deadline=None)
@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(1, 40), st.sampled_from([1, 3, 12]))
def test_month_ends_to_a_month_end_k_periods_later_leave_k_periods(year: int, month: int, k: int, months: int) -> None:
    last = month_end(year, month)
    dates = month_ends_to(last, months=months)
    deadline = month_end(last.year, last.month + k * months)
    assert left(dates, deadline) == k
    assert left(dates, deadline - dt.timedelta(days=1)) == max(1, k - 1)  # one day short: the k-th observation is not in


@settings(max_examples=60, deadline=None)
@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(1, 28), st.integers(1, 40), st.integers(0, 27))
def test_same_day_of_month_k_months_later_plus_less_than_a_month_leaves_k(year: int, month: int, day: int, k: int, extra: int) -> None:
    dates = [dt.date(year + (month - 1 - i) // 12, (month - 1 - i) % 12 + 1, day) for i in reversed(range(8))]
    m = month - 1 + k
    deadline = dt.date(year + m // 12, m % 12 + 1, day) + dt.timedelta(days=extra)
    assert left(dates, deadline) == k
