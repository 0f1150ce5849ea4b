"""Monitoring on real numbers: each KPI's value now, red/yellow/green, comparisons, and the alerts that fire.

A KPI's value is its latest actual; a KPI without one but with a formula is computed from its
children's values when all of them are known. Comparisons look for the observation one period
(by the KPI's update frequency) or one year earlier, within a tolerance. When the stated frequency has
no observation one period back (a KPI stated daily whose data come monthly), the prior period follows
the data: one period of the data's own rhythm back (the median spacing of its dates), or, for dates
with no regular rhythm, the observation before, and the comparison says so (its period and date). A gap
in data whose rhythm is the stated one is "no data", never a silent comparison with an older point.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import assert_never

from kpidesign import analysis, control
from kpidesign.model import Actual, Alert, AlertLevel, Frequency, Node, Workshop
from kpidesign.observations import frequency_of_spacing
from kpidesign.status import Status, StatusWord, status, status_word

PERIOD = {
    Frequency.DAILY: (1, 0),
    Frequency.WEEKLY: (7, 3),
    Frequency.MONTHLY: (30, 12),
    Frequency.QUARTERLY: (91, 30),
    Frequency.YEARLY: (365, 60),
}
YEAR_TOLERANCE = {Frequency.DAILY: 1, Frequency.WEEKLY: 4, Frequency.MONTHLY: 16, Frequency.QUARTERLY: 45, Frequency.YEARLY: 60}
SEVERITY = {Status.RED: 2, Status.YELLOW: 1, Status.GREEN: 0, Status.NONE: -1}


def threshold_status(level: AlertLevel) -> Status:
    """The least severe status at which an alert of this level fires (OUT_OF_CONTROL: none, it reads the data's own limits)."""
    match level:
        case AlertLevel.RED:
            return Status.RED
        case AlertLevel.YELLOW:
            return Status.YELLOW
        case AlertLevel.OUT_OF_CONTROL:
            return Status.NONE
        case _:  # a new level must say when it fires (mypy checks that every member is handled)
            assert_never(level)


@dataclass(frozen=True)
class Reading:
    """A KPI now: value, where it comes from ('actual', 'computed' or None), its date and status."""

    kpi: str
    value: float | None
    basis: str | None
    date: dt.date | None
    status: Status


Index = dict[str, list[Actual]]


def index(ws: Workshop) -> Index:
    """Every KPI's actuals, oldest first, one per date (the last entered wins), in one pass."""
    return index_of(ws.actuals)


def index_of(actuals: list[Actual]) -> Index:
    """As index, for a list of actuals (e.g. every revision's list, shared by the versions of a workshop)."""
    by_kpi: dict[str, dict[dt.date, Actual]] = {}
    for a in actuals:
        by_kpi.setdefault(a.kpi, {})[a.date] = a
    return {kpi: [dates[d] for d in sorted(dates)] for kpi, dates in by_kpi.items()}


def series(ws: Workshop, kpi: str, idx: Index | None = None) -> list[Actual]:
    """A KPI's actuals, oldest first (one per date: the last entered wins)."""
    return (idx if idx is not None else index(ws)).get(kpi, [])


def status_words(ws: Workshop, now: dict[str, Reading] | None = None) -> dict[str, StatusWord]:
    """Every KPI's status word from actuals alone: its latest actual, else computed from its children's actuals, against
    its thresholds (NO_DATA with thresholds but nothing measured, NONE without thresholds). The one rule of the
    dashboard, the share view, the Excel export, `kpidesign status` and the alerts: a baseline is a plan, never a status."""
    now = readings(ws) if now is None else now
    nodes = {n.id: n for n in ws.nodes}
    return {k: status_word(r.value, nodes[k].thresholds) for k, r in now.items()}


def readings(ws: Workshop, idx: Index | None = None) -> dict[str, Reading]:
    """Every KPI's reading: latest actual, else computed from children through its formula (idx: the actuals indexed)."""
    latest = {kpi: points[-1] for kpi, points in (idx if idx is not None else index(ws)).items() if points}
    model = analysis.TreeModel(ws)
    values: dict[str, float | None] = {}
    basis: dict[str, str | None] = {}
    dates: dict[str, dt.date | None] = {}
    for node_id in model.order:  # children before parents
        if node_id in latest:
            values[node_id], basis[node_id], dates[node_id] = latest[node_id].value, "actual", latest[node_id].date
            continue
        f = model.formula.get(node_id)
        inputs = list(f.names) if f else []
        if f and all(values.get(i) is not None for i in inputs):
            values[node_id] = f.evaluate(values)
            basis[node_id] = "computed" if values[node_id] is not None else None
            dates[node_id] = min((d for i in inputs if (d := dates.get(i))), default=None)
        else:
            values[node_id], basis[node_id], dates[node_id] = None, None, None
    nodes = {n.id: n for n in ws.nodes}
    return {i: Reading(i, values[i], basis[i], dates[i], status(values[i], nodes[i].thresholds)) for i in model.order}


@dataclass(frozen=True)
class Comparison:
    """One comparison of the latest value: the other value, the difference and the ratio (None: no data); for the prior
    period and year, the date of the value compared with, and for the prior period its period (None: irregular data,
    the observation before) and whether it follows the data because the stated frequency had no observation."""

    axis: str
    other: float | None
    delta: float | None
    ratio: float | None
    date: dt.date | None = None
    period: Frequency | None = None
    from_data: bool = False


def _near(points: list[Actual], when: dt.date, tolerance: int, before: dt.date) -> Actual | None:
    """The point dated before `before` nearest to `when` (the earlier on a tie), if within tolerance; points are sorted by date."""
    end = bisect_left(points, before, key=_date)
    i = bisect_left(points, when, hi=end, key=_date)
    best = min(points[max(i - 1, 0) : min(i + 1, end)], key=lambda a: abs((a.date - when).days), default=None)
    return best if best is not None and abs((best.date - when).days) <= tolerance else None


def _date(a: Actual) -> dt.date:
    return a.date


def compare(ws: Workshop, kpi: str, idx: Index | None = None) -> dict[str, Comparison]:
    """Latest value vs prior period, prior year, target and market (each None where there is no data)."""
    points = series(ws, kpi, idx)
    node = ws.node(kpi)
    frequency = node.definition.frequency or Frequency.MONTHLY
    latest = points[-1] if points else None
    year = _near(points, latest.date - dt.timedelta(days=365), YEAR_TOLERANCE[frequency], latest.date) if latest else None
    return {
        "prior_period": _prior_period(points, frequency),
        "prior_year": _versus("prior_year", latest, year),
        "target": _versus("target", latest, node.target),
        "market": _versus("market", latest, latest.market if latest else None),
    }


def prior_period(ws: Workshop, kpi: str, idx: Index | None = None) -> Comparison:
    """Latest value vs the prior period alone (what the dashboard's overview shows for every KPI)."""
    return _prior_period(series(ws, kpi, idx), ws.node(kpi).definition.frequency or Frequency.MONTHLY)


@dataclass(frozen=True)
class PriorPeriods:
    """Each KPI's latest value against its prior period in one set of actuals, worked out once per KPI and stated
    frequency and kept: the versions of a workshop that read the same actuals share it (a comparison depends on the
    KPI's actuals and its frequency alone), so an edit of the design does not work 500 of them out again. Two
    threads asking at once may work one out twice, never wrongly."""

    idx: Index
    _known: dict[tuple[str, Frequency], Comparison] = field(default_factory=dict, compare=False, repr=False)

    def of(self, node: Node) -> Comparison:
        """The KPI's latest value against its prior period (as prior_period)."""
        key = (node.id, node.definition.frequency or Frequency.MONTHLY)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = _prior_period(self.idx.get(node.id, []), key[1])
        return found


def _prior_period(points: list[Actual], frequency: Frequency) -> Comparison:
    """The latest point vs one period before it: by the stated frequency, else by the data's own rhythm."""
    latest = points[-1] if points else None
    if latest is None or len(points) < 2:
        return _versus("prior_period", latest, None)
    found = _back(points, frequency)
    if found is not None:
        return _versus("prior_period", latest, found, frequency)
    spacing = statistics.median((b.date - a.date).days for a, b in itertools.pairwise(points))
    own = frequency_of_spacing(spacing)
    if own is None:  # no regular rhythm: the observation before, named by its date
        return _versus("prior_period", latest, points[-2], None, from_data=True)
    if own is frequency:  # the data keep the stated rhythm: a gap, not another period
        return _versus("prior_period", latest, None)
    found = _back(points, own)
    return _versus("prior_period", latest, found, own, from_data=True) if found else _versus("prior_period", latest, None)


def _back(points: list[Actual], frequency: Frequency) -> Actual | None:
    """The point one period of this frequency before the latest (within the period's tolerance), if any."""
    step, tolerance = PERIOD[frequency]
    latest = points[-1].date
    return _near(points, latest - dt.timedelta(days=step), tolerance, latest)


def _versus(
    axis: str, latest: Actual | None, other: Actual | float | None, period: Frequency | None = None, *, from_data: bool = False
) -> Comparison:
    """The comparison of the latest point with another value (an earlier point: its date and period said too)."""
    date = other.date if isinstance(other, Actual) else None
    value = other.value if isinstance(other, Actual) else other
    if latest is None or value is None:
        return Comparison(axis, value, None, None)
    ratio = (latest.value / value - 1) if value else None
    return Comparison(axis, value, latest.value - value, ratio, date, period if date else None, from_data and date is not None)


@dataclass(frozen=True)
class Firing:
    """An alert rule that fires now: the rule, the KPI's status and the date of the reading; signals: why the data's
    own limits call the latest point out of control (only for an out_of_control rule)."""

    alert: Alert
    status: Status
    value: float | None
    date: dt.date | None
    signals: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        """What fired: the status ('red', 'yellow'…), or 'out_of_control' for a rule on the data's own limits."""
        return AlertLevel.OUT_OF_CONTROL.value if self.alert.when is AlertLevel.OUT_OF_CONTROL else self.status.value

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes a delivery unique: never the same KPI, level and date twice to the same recipient."""
        return (self.alert.kpi, self.level, self.date.isoformat() if self.date else "", self.alert.channel.value, self.alert.to)


def firing(ws: Workshop, now: dict[str, Reading] | None = None, idx: Index | None = None) -> list[Firing]:
    """The alert rules that fire on the latest readings: 'red' on red; 'yellow' on yellow or red; 'out_of_control' when
    the KPI's latest actual breaks its control limits (kpidesign.control: beyond a limit, or the end of a run of 8)."""
    now = now or readings(ws)
    out = []
    for alert in ws.monitoring.alerts:
        reading = now.get(alert.kpi)
        if reading is None:
            continue
        if alert.when is AlertLevel.OUT_OF_CONTROL:
            idx = idx if idx is not None else index(ws)  # indexed once, and only when a rule needs the series
            points = idx.get(alert.kpi, [])
            result = control.check_actuals(points)
            if result.out_of_control:
                out.append(Firing(alert, reading.status, points[-1].value, points[-1].date, tuple(s.value for s in result.signals)))
            continue
        needed = SEVERITY[threshold_status(alert.when)]
        if SEVERITY[reading.status] >= needed:
            out.append(Firing(alert, reading.status, reading.value, reading.date))
    return out
