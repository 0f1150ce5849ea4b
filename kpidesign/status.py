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


def status_word(value: float | None, thresholds: Thresholds) -> str:
    """What to call a status: its colour; 'none' when the KPI has no threshold; 'no_data' when it has one but no value."""
    judged = status(value, thresholds)
    if judged is Status.NONE and thresholds.green is not None:
        return "no_data"
    return judged.value


def latest_actuals(ws: Workshop) -> dict[str, float]:
    """Each KPI's most recent observed value, in one pass over the actuals."""
    latest: dict[str, tuple[object, float]] = {}
    for a in ws.actuals:
        if a.kpi not in latest or a.date >= latest[a.kpi][0]:  # type: ignore[operator]
            latest[a.kpi] = (a.date, a.value)
    return {k: v for k, (_, v) in latest.items()}


def current_value(node: Node, latest: dict[str, float]) -> tuple[float | None, str]:
    """The value a status is judged on: the latest actual, else the baseline; and which it is."""
    if node.id in latest:
        return latest[node.id], "actual"
    return node.baseline, "baseline"
