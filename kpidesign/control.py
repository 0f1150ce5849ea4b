"""The data's own limits: an individuals (XmR) control chart, and whether the latest point is out of control.

Limits come from a baseline window, the first ``baseline`` points of the series (at most all but the latest, at least
``MIN_BASELINE``; a series shorter than ``baseline + 1`` gets temporary limits from every point before the latest,
recent ones included, as the method allows until 20 points are in): centre = their mean, limits = centre ± 2.66 × their mean moving range (2.66 = 3 / d₂, d₂ = 1.128
for ranges of two consecutive points). Fixed on an early stretch, the limits are not pulled along by the shift they are
meant to catch. The latest point is out of control when it lies beyond a limit, or when it ends a run of ``run``
(8) points strictly on one side of the centre (a point on the centre line breaks a run). A baseline without any
variation has its limits on the centre: any other value is beyond them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from kpidesign.model import Actual
from kpidesign.observations import series_of

SIGMA_FACTOR = 2.66
BASELINE = 20
MIN_BASELINE = 8
RUN = 8


class Signal(StrEnum):
    """Why a point is out of control, or why it cannot be judged."""

    ABOVE_UPPER = "above_upper"
    BELOW_LOWER = "below_lower"
    RUN_ABOVE = "run_above"
    RUN_BELOW = "run_below"
    TOO_FEW = "too_few"
    NOT_FINITE = "not_finite"


@dataclass(frozen=True)
class Limits:
    """An individuals chart's centre line and natural process limits, from a baseline of n points."""

    centre: float
    lower: float
    upper: float
    mean_moving_range: float
    n: int


@dataclass(frozen=True)
class ControlResult:
    """Whether the latest point is out of control, the signals that say so, and the limits used (None if too few points)."""

    out_of_control: bool
    signals: tuple[Signal, ...]
    limits: Limits | None
    latest: float | None

    @property
    def judged(self) -> bool:
        """False when the series could not be judged (too few points, values not finite)."""
        return self.limits is not None


def limits(values: Sequence[float]) -> Limits | None:
    """Centre ± 2.66 × mean moving range over the values; None with fewer than two."""
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    mr = math.fsum(abs(b - a) for a, b in pairwise(values)) / (len(values) - 1)
    return Limits(centre, centre - SIGMA_FACTOR * mr, centre + SIGMA_FACTOR * mr, mr, len(values))


def check(values: Sequence[float], baseline: int = BASELINE, run: int = RUN) -> ControlResult:
    """Is the latest value out of control against limits from the first `baseline` values (and a run of `run`)?"""
    if any(not math.isfinite(v) for v in values):
        return ControlResult(False, (Signal.NOT_FINITE,), None, values[-1] if values else None)
    window = list(values[: min(baseline, len(values) - 1)])
    if len(window) < MIN_BASELINE:
        return ControlResult(False, (Signal.TOO_FEW,), None, values[-1] if values else None)
    lim = limits(window)
    assert lim is not None
    latest = values[-1]
    signals: list[Signal] = []
    if latest > lim.upper:
        signals.append(Signal.ABOVE_UPPER)
    elif latest < lim.lower:
        signals.append(Signal.BELOW_LOWER)
    tail = values[-run:]
    if len(tail) == run:
        if all(v > lim.centre for v in tail):
            signals.append(Signal.RUN_ABOVE)
        elif all(v < lim.centre for v in tail):
            signals.append(Signal.RUN_BELOW)
    return ControlResult(bool(signals), tuple(signals), lim, latest)


def check_actuals(actuals: list[Actual], baseline: int = BASELINE, run: int = RUN) -> ControlResult:
    """As check, on one KPI's actuals in date order (one per date, the last entry wins; non-finite values left out)."""
    if not actuals:
        return ControlResult(False, (Signal.TOO_FEW,), None, None)
    s = series_of(actuals[0].kpi, actuals)
    return check(list(s.values), baseline, run)
