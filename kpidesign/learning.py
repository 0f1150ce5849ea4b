"""The learning loop as the dashboard shows it: which two dates to compare, the waterfall of a change, a projection's
path to the deadline, and the counts of forecast verdicts (pure: the screens in ui/ only draw what these return)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kpidesign.explain import Explanation
from kpidesign.forecast import Forecast, Verdict, forecast
from kpidesign.model import Frequency, Node, Workshop
from kpidesign.monitor import PERIOD
from kpidesign.observations import Series
from kpidesign.tree import descendants


class Period(StrEnum):
    """How the two dates of a "why did it move?" are chosen."""

    LAST = "last"  # the node's last two observations
    PRIOR = "prior"  # the latest date and one period before it
    YEAR = "year"  # the latest date and one year before it
    CUSTOM = "custom"  # two dates chosen


def latest_date(ws: Workshop, node: str, series: Mapping[str, Series]) -> dt.date | None:
    """The latest date with an actual for the node or any node below it (None when there is none)."""
    ids = {node} | descendants(ws, node)
    return max((series[i].dates[-1] for i in ids if i in series and series[i].dates), default=None)


def default_period(node: str, series: Mapping[str, Series]) -> Period:
    """The node's last two observations when it has two, else the latest period."""
    s = series.get(node)
    return Period.LAST if s is not None and len(s) >= 2 else Period.PRIOR


def comparison_dates(
    ws: Workshop, node: str, period: Period, series: Mapping[str, Series], chosen: tuple[dt.date, dt.date] | None = None
) -> tuple[dt.date, dt.date] | None:
    """The (from, to) dates a period stands for; None when there are no actuals to compare (or no dates chosen)."""
    if period is Period.CUSTOM:
        return None if chosen is None else (min(chosen), max(chosen))
    s = series.get(node)
    if period is Period.LAST:
        return (s.dates[-2], s.dates[-1]) if s is not None and len(s) >= 2 else None
    end = latest_date(ws, node, series)
    if end is None:
        return None
    if period is Period.YEAR:
        return year_before(end), end
    days = s.period_days if s is not None and s.period_days else PERIOD[ws.node(node).definition.frequency or Frequency.MONTHLY][0]
    return end - dt.timedelta(days=round(days)), end


def year_before(date: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return date.replace(year=date.year - 1)
    except ValueError:
        return date.replace(year=date.year - 1, day=28)


@dataclass(frozen=True)
class Step:
    """One bar of a waterfall: a total ('from', 'to', drawn from the axis) or a contribution ('up', 'down') from start to end."""

    node: str | None  # None for the two totals
    kind: str  # "from" | "to" | "up" | "down"
    start: float
    end: float

    @property
    def amount(self) -> float:
        """The bar's length: the total itself, or the contribution (negative for 'down')."""
        return self.end - self.start


def waterfall(e: Explanation) -> list[Step]:
    """from → each direct child's contribution, largest first → to; empty when the change cannot be split."""
    if e.value_from is None or e.value_to is None or e.change is None:
        return []
    direct = sorted((c for c in e.contributions if c.parent == e.node), key=lambda c: -abs(c.contribution))
    if not direct:
        return []
    steps = [Step(None, "from", 0.0, e.value_from)]
    running = e.value_from
    for c in direct:
        steps.append(Step(c.node, "up" if c.contribution >= 0 else "down", running, running + c.contribution))
        running += c.contribution
    steps.append(Step(None, "to", 0.0, e.value_to))
    return steps


def contributions(e: Explanation) -> dict[str, float]:
    """Every node below the explained one with its contribution (for colouring the tree)."""
    return {c.node: c.contribution for c in e.contributions}


def projection(
    node: Node, s: Series | None, deadline: dt.date | None, points: int = 12
) -> tuple[Forecast, list[tuple[dt.date, float, float, float]]]:
    """The forecast at the deadline and its path: (date, projected, low, high) from the latest actual (no width there)
    to the deadline, at up to `points` dates between; no path when the KPI cannot be projected."""
    final = forecast(node, s, deadline)
    if final.projected is None or final.low is None or final.high is None or s is None or deadline is None or final.latest is None:
        return final, []
    last = s.dates[-1]
    path = [(last, final.latest, final.latest, final.latest)]
    span = (deadline - last).days
    count = max(1, min(points, final.periods_left or 1))
    for i in range(1, count):
        when = last + dt.timedelta(days=round(span * i / count))
        f = forecast(node, s, when)
        if f.projected is not None and f.low is not None and f.high is not None and when > path[-1][0]:
            path.append((when, f.projected, f.low, f.high))
    path.append((deadline, final.projected, final.low, final.high))
    return final, path


def verdict_counts(found: list[Forecast]) -> Counter[str]:
    """How many KPIs are on track, at risk and off track."""
    return Counter(f.verdict.value for f in found if isinstance(f.verdict, Verdict))
