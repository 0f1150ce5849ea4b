"""Red / yellow / green: a value against a KPI's thresholds, in its direction."""

from __future__ import annotations

from enum import StrEnum

from kpidesign.model import Direction, Thresholds


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


class StatusWord(StrEnum):
    """What a screen calls a KPI's status: a colour, NONE (no threshold) or NO_DATA (a threshold but no value yet)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"
    NO_DATA = "no_data"


def status_word(value: float | None, thresholds: Thresholds) -> StatusWord:
    """What to call a status: its colour; NONE when the KPI has no threshold; NO_DATA when it has one but no value."""
    judged = status(value, thresholds)
    if judged is Status.NONE and thresholds.green is not None:
        return StatusWord.NO_DATA
    return StatusWord(judged.value)
