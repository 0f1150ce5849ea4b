"""A comparison of a KPI's latest value in words: which period it was compared with (the stated one, or the data's own
when the stated one has no observation) and the change as the unit reads it (a rate in points)."""

from __future__ import annotations

from kpidesign.model import Frequency, Node
from kpidesign.monitor import Comparison
from kpidesign.values import format_change
from ui.text import shown, tr


def label(c: Comparison) -> str:
    """What the latest value is compared with: "前月比" (its period), "vs 2026-11-30" (irregular data), "前期比" (none)."""
    if c.axis != "prior_period" or c.date is None:
        return tr("cmp_" + c.axis)
    if c.period is None:
        return tr("cmp_prior_on", date=c.date.isoformat())
    return tr("cmp_prior_" + c.period.value)


def detail(c: Comparison, node: Node) -> str | None:
    """Why this period: the date compared with, and that the data's own period was used when the stated one had none."""
    if c.date is None:
        return None
    if c.from_data:
        stated = node.definition.frequency or Frequency.MONTHLY
        return tr("cmp_from_data", stated=tr(stated.value), date=c.date.isoformat())
    return tr("cmp_compared_with", date=c.date.isoformat())


def change(c: Comparison, unit: str) -> str | None:
    """The change as the unit reads it: "-3 pt" for a rate, "+20.0%" otherwise; None without a value to compare with."""
    return format_change(c.delta, c.ratio, unit)


def cell(c: Comparison, unit: str) -> str:
    """The comparison in one table cell: "-3 pt vs prior month (2026-11-30: 21%)"; empty without a value before."""
    moved = change(c, unit)
    if moved is None or c.date is None:
        return ""
    return f"{moved} {label(c)} ({c.date.isoformat()}: {shown(c.other, unit)})"
