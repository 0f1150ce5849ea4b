"""A KPI's actuals as a clean time series, shared by explain, links, forecast and control.

Where several observations fall in one period (a weekly series read by month), the period's value follows the KPI's
aggregation (kpidesign.aggregation: a flow's sum, a rate's mean, a stock's last value), the rule the dbt and Lightdash
exports give the semantic layer, so that the app and the warehouse agree on a month.

One value per date: when a date was entered more than once the last entry wins (as on the dashboard, monitor.index_of),
and the dates whose entries disagree are kept so that a caller can say so. Values that are not finite are left out and
named. The series' period is the median spacing of its dates (the data's own rhythm, not the declared update
frequency, which a team may have set wrongly); a spacing well above it is a gap, one well below it means the series
mixes frequencies.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import assert_never

from kpidesign.aggregation import combine
from kpidesign.findings import Finding, Severity
from kpidesign.model import Actual, Aggregation, Frequency, Workshop

# median spacing in days -> the frequency it is read as (bounds inclusive)
_FREQUENCY_DAYS = (
    (Frequency.DAILY, 0.5, 1.5),
    (Frequency.WEEKLY, 5, 9),
    (Frequency.MONTHLY, 26, 35),
    (Frequency.QUARTERLY, 80, 100),
    (Frequency.YEARLY, 330, 400),
)
GAP_FACTOR = 1.5  # a spacing above 1.5 periods misses at least one observation
DENSE_FACTOR = 0.5  # a spacing below half a period: two frequencies mixed in one series


@dataclass(frozen=True)
class Series:
    """One KPI's observations, oldest first, one per date, finite values only; what was left out is named."""

    kpi: str
    dates: tuple[dt.date, ...]
    values: tuple[float, ...]
    duplicates: tuple[dt.date, ...] = ()  # dates entered more than once with different values (the last entry is used)
    not_finite: tuple[dt.date, ...] = ()  # dates whose value is NaN or infinite (left out)

    def __len__(self) -> int:
        """The number of usable observations."""
        return len(self.dates)

    @cached_property  # kept in the instance's __dict__ (a frozen dataclass allows that): worked out once per series
    def period_days(self) -> float | None:
        """The median spacing of the dates in days (None with fewer than two observations)."""
        if len(self.dates) < 2:
            return None
        return float(statistics.median((b - a).days for a, b in zip(self.dates, self.dates[1:])))

    @cached_property
    def frequency(self) -> Frequency | None:
        """The frequency the median spacing reads as, or None when it is none of them (irregular)."""
        return frequency_of_spacing(self.period_days)

    @cached_property
    def missing_periods(self) -> int:
        """How many periods the gaps leave out (0 when every spacing is about one period)."""
        days = self.period_days
        if not days:
            return 0
        return sum(max(round((b - a).days / days) - 1, 0) for a, b in zip(self.dates, self.dates[1:]) if (b - a).days > GAP_FACTOR * days)

    @cached_property
    def mixed(self) -> bool:
        """True when some spacing is under half the median one: the series mixes frequencies."""
        days = self.period_days
        if not days:
            return False
        return any((b - a).days < DENSE_FACTOR * days for a, b in zip(self.dates, self.dates[1:]))

    def by_period(self, frequency: Frequency, aggregation: Aggregation = Aggregation.LAST) -> dict[int, float]:
        """Value per period number, a period's observations combined as the KPI's aggregation says (kpidesign.aggregation:
        summed, averaged or the last one), kept once worked out."""
        cache: dict[tuple[Frequency, Aggregation], dict[int, float]] = self.__dict__.setdefault("_by_period", {})
        if (frequency, aggregation) not in cache:
            grouped: dict[int, list[float]] = {}
            for d, v in zip(self.dates, self.values):  # oldest first: a period's last value is its latest one
                grouped.setdefault(period_key(d, frequency), []).append(v)
            cache[frequency, aggregation] = {k: combine(vs, aggregation) for k, vs in grouped.items()}
        return cache[frequency, aggregation]

    def data_findings(self) -> list[Finding]:
        """Duplicate dates and non-finite values as findings about this KPI."""
        out = []
        if self.duplicates:
            out.append(
                Finding(
                    Severity.WARNING,
                    "data_duplicate_dates",
                    self.kpi,
                    {"dates": ", ".join(d.isoformat() for d in self.duplicates[:5]), "count": len(self.duplicates)},
                )
            )
        if self.not_finite:
            out.append(
                Finding(
                    Severity.WARNING,
                    "data_not_finite",
                    self.kpi,
                    {"dates": ", ".join(d.isoformat() for d in self.not_finite[:5]), "count": len(self.not_finite)},
                )
            )
        return out


def series_of(kpi: str, actuals: list[Actual]) -> Series:
    """The series of one KPI from its actuals (in the order they were entered)."""
    by_date: dict[dt.date, float] = {}
    duplicates: set[dt.date] = set()
    for a in actuals:
        if a.date in by_date and not _same(by_date[a.date], a.value):
            duplicates.add(a.date)
        by_date[a.date] = a.value
    dates = sorted(by_date)
    bad = tuple(d for d in dates if not math.isfinite(by_date[d]))
    good = [d for d in dates if math.isfinite(by_date[d])]
    return Series(kpi, tuple(good), tuple(by_date[d] for d in good), tuple(sorted(duplicates)), bad)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def all_series(ws: Workshop) -> dict[str, Series]:
    """Every KPI's series (KPIs without actuals are absent)."""
    return series_by_kpi(ws.actuals)


def series_by_kpi(actuals: Iterable[Actual]) -> dict[str, Series]:
    """The series of every KPI these actuals name, in the order they were entered (e.g. every stored actual of a
    workshop, shared by its versions: a KPI's series depends on its actuals alone)."""
    grouped: dict[str, list[Actual]] = {}
    for a in actuals:
        grouped.setdefault(a.kpi, []).append(a)
    return {kpi: series_of(kpi, points) for kpi, points in grouped.items()}


def period_key(date: dt.date, frequency: Frequency) -> int:
    """The number of the period a date falls in, consecutive periods numbered consecutively (weeks start on Monday)."""
    match frequency:
        case Frequency.DAILY:
            return date.toordinal()
        case Frequency.WEEKLY:
            return (date.toordinal() - date.weekday()) // 7
        case Frequency.MONTHLY:
            return date.year * 12 + date.month - 1
        case Frequency.QUARTERLY:
            return date.year * 4 + (date.month - 1) // 3
        case Frequency.YEARLY:
            return date.year
        case _:  # a new frequency must be given its periods here (mypy checks that every member is handled)
            assert_never(frequency)


def frequency_of_spacing(days: float | None) -> Frequency | None:
    """The frequency a median spacing in days reads as, or None when it is none of them (irregular, or one date)."""
    if days is None:
        return None
    return next((f for f, low, high in _FREQUENCY_DAYS if low <= days <= high), None)


# how a date is labelled on a time axis of each frequency (d3-time-format, as Vega-Lite reads it)
TICK_FORMAT = {
    Frequency.DAILY: "%m-%d",
    Frequency.WEEKLY: "%m-%d",
    Frequency.MONTHLY: "%Y-%m",
    Frequency.QUARTERLY: "%Y Q%q",
    Frequency.YEARLY: "%Y",
}
MAX_TICKS = 12


@dataclass(frozen=True)
class TimeAxis:
    """A time axis matched to the data: its frequency, how a tick is labelled and where the ticks go (the data's own
    dates, every k-th when there are many, the latest always); format and ticks empty when the dates are irregular."""

    frequency: Frequency | None
    format: str
    ticks: tuple[dt.date, ...]


def time_axis(dates: list[dt.date], later: list[dt.date] | None = None, max_ticks: int = MAX_TICKS) -> TimeAxis:
    """The axis for a series observed on dates (its frequency from their median spacing), extended to the dates of a
    projection drawn after them (later): three monthly points get three month ticks ("2026-01"), not thirty days."""
    observed = sorted(set(dates))
    spacing = float(statistics.median((b - a).days for a, b in itertools.pairwise(observed))) if len(observed) > 1 else None
    frequency = frequency_of_spacing(spacing)
    if frequency is None:
        return TimeAxis(None, "", ())
    every = sorted({*observed, *(later or [])})
    step = max(1, math.ceil(len(every) / max_ticks))
    ticks = tuple(reversed(every[::-1][::step]))
    spans_years = every[0].year != every[-1].year
    fmt = "%Y-%m-%d" if frequency in (Frequency.DAILY, Frequency.WEEKLY) and spans_years else TICK_FORMAT[frequency]
    return TimeAxis(frequency, fmt, ticks)
