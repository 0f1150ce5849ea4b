"""Red / yellow / green: a value against a KPI's thresholds, in its direction."""

from __future__ import annotations

from enum import StrEnum

from kpidesign.model import Direction, Node, Thresholds, Workshop


class Status(StrEnum):
    """The status of a KPI; NONE when it has no thresholds or no value (never shown as green)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"


def status(value: float | None, thresholds: Thresholds) -> Status:
    """At or beyond green: green; at or beyond yellow: yellow; otherwise red (mirrored for lower_is_better)."""
    if value is None or thresholds.green is None:
        return Status.NONE
    higher = thresholds.direction is Direction.HIGHER_IS_BETTER

    def reached(level: float) -> bool:
        return value >= level if higher else value <= level

    if reached(thresholds.green):
        return Status.GREEN
    if thresholds.yellow is not None and reached(thresholds.yellow):
        return Status.YELLOW
    return Status.RED


def latest_actual(ws: Workshop, kpi: str) -> float | None:
    """The most recent observed value of a KPI, if any."""
    dated = [a for a in ws.actuals if a.kpi == kpi]
    return max(dated, key=lambda a: a.date).value if dated else None


def current_value(ws: Workshop, node: Node) -> tuple[float | None, str]:
    """The value a status is judged on: the latest actual, else the baseline; and which it is."""
    actual = latest_actual(ws, node.id)
    if actual is not None:
        return actual, "actual"
    return node.baseline, "baseline"
