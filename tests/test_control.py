"""The individuals control chart: hand-computed limits, points beyond them, runs of eight, and series too short to judge."""

from __future__ import annotations

import datetime as dt

import pytest

from kpidesign import control
from kpidesign.control import Signal
from kpidesign.model import Actual

BASE = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11]  # mean 11.5; moving ranges 2,1,2,1,2,1,2,1,1 -> mean 13/9


def test_limits_by_hand() -> None:
    lim = control.limits(BASE)
    assert lim is not None
    assert lim.centre == pytest.approx(11.5) and lim.mean_moving_range == pytest.approx(13 / 9)
    assert lim.upper == pytest.approx(11.5 + 2.66 * 13 / 9) and lim.lower == pytest.approx(11.5 - 2.66 * 13 / 9) and lim.n == 10
    assert control.limits([5]) is None


def test_a_point_in_the_limits_is_in_control() -> None:
    r = control.check(BASE + [12.5])
    assert not r.out_of_control and r.signals == () and r.judged and r.latest == 12.5
    assert r.limits == control.limits(BASE)  # the baseline is every point before the latest when there are fewer than 20


@pytest.mark.parametrize("latest, signal", [(15.5, Signal.ABOVE_UPPER), (7.5, Signal.BELOW_LOWER)])
def test_a_point_beyond_a_limit(latest: float, signal: Signal) -> None:
    # limits 11.5 ± 3.84 = 7.66 .. 15.34
    r = control.check(BASE + [latest])
    assert r.out_of_control and r.signals == (signal,)


def test_a_run_of_eight_on_one_side() -> None:
    run = [12, 12.5, 13, 12, 12.2, 12.8, 12.1, 12.4]  # all above 11.5, all inside the limits
    r = control.check(BASE + run, baseline=len(BASE))
    assert r.out_of_control and r.signals == (Signal.RUN_ABOVE,)
    assert not control.check(BASE + run[:-1], baseline=len(BASE)).out_of_control  # seven is not a run yet
    below = [11, 10.5, 11.2, 10.9, 11.1, 10.2, 11.4, 11]
    assert control.check(BASE + below, baseline=len(BASE)).signals == (Signal.RUN_BELOW,)
    broken = run[:4] + [11.5] + run[5:]  # a point on the centre breaks the run
    assert not control.check(BASE + broken, baseline=len(BASE)).out_of_control


def test_baseline_window_is_fixed_on_the_first_points() -> None:
    series = BASE * 2 + [100.0] * 5 + [12]  # a shift after 20 points does not move the limits
    r = control.check(series, baseline=20)
    assert r.limits is not None and r.limits.n == 20 and r.limits.centre == pytest.approx(11.5) and not r.out_of_control
    assert control.check(series[:-1], baseline=20).signals == (Signal.ABOVE_UPPER,)


def test_too_few_and_not_finite() -> None:
    assert control.check([1, 2, 3, 4, 5, 6, 7, 8]).signals == (Signal.TOO_FEW,)  # 7 baseline points < 8
    assert control.check([1, 2, 3, 4, 5, 6, 7, 8, 9]).judged
    assert control.check([]).signals == (Signal.TOO_FEW,)
    r = control.check(BASE + [float("nan")])
    assert not r.out_of_control and r.signals == (Signal.NOT_FINITE,) and not r.judged


def test_no_variation_in_the_baseline() -> None:
    assert control.check([5.0] * 10 + [5.0]).signals == ()
    assert control.check([5.0] * 10 + [5.1]).signals == (Signal.ABOVE_UPPER,)


def test_on_actuals_sorted_by_date_one_per_date() -> None:
    start = dt.date(2026, 1, 5)
    actuals = [Actual(kpi="k", date=start + dt.timedelta(weeks=i), value=v) for i, v in enumerate(BASE + [20])]
    actuals.reverse()
    actuals.append(Actual(kpi="k", date=start, value=10))  # a repeated date: the last entry wins, not a new point
    r = control.check_actuals(actuals)
    assert r.latest == 20 and r.signals == (Signal.ABOVE_UPPER,) and r.limits is not None and r.limits.n == 10
    assert control.check_actuals([]).signals == (Signal.TOO_FEW,)
