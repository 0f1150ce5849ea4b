"""Red / yellow / green: a value against a KPI's thresholds, in its direction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kpidesign.model import Direction, Thresholds
from kpidesign.values import format_value


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


@dataclass(frozen=True)
class Band:
    """The values one status covers: from low to high (None: unbounded), each end in or out of it."""

    status: Status
    low: float | None
    high: float | None
    low_closed: bool = False
    high_closed: bool = False

    def contains(self, value: float) -> bool:
        """Whether a value falls in this band."""
        above = self.low is None or value > self.low or (self.low_closed and value == self.low)
        below = self.high is None or value < self.high or (self.high_closed and value == self.high)
        return above and below


def bands(thresholds: Thresholds) -> list[Band] | None:
    """The green, yellow and red bands of a KPI's thresholds, as status() judges (green first); None without a green level
    or with the levels in the wrong order for the direction (a warning says that)."""
    green, yellow = thresholds.green, thresholds.yellow
    if green is None:
        return None
    if thresholds.direction is Direction.HIGHER_IS_BETTER:
        if yellow is None:
            return [Band(Status.GREEN, green, None, low_closed=True), Band(Status.RED, None, green)]
        if yellow > green:
            return None
        if yellow == green:  # no room for yellow: at green it is green
            return [Band(Status.GREEN, green, None, low_closed=True), Band(Status.RED, None, green)]
        return [
            Band(Status.GREEN, green, None, low_closed=True),
            Band(Status.YELLOW, yellow, green, low_closed=True),
            Band(Status.RED, None, yellow),
        ]
    if yellow is None:
        return [Band(Status.GREEN, None, green, high_closed=True), Band(Status.RED, green, None)]
    if yellow < green:
        return None
    if yellow == green:
        return [Band(Status.GREEN, None, green, high_closed=True), Band(Status.RED, green, None)]
    return [
        Band(Status.GREEN, None, green, high_closed=True),
        Band(Status.YELLOW, green, yellow, high_closed=True),
        Band(Status.RED, yellow, None),
    ]


def band_text(band: Band, unit: str = "") -> str:
    """A band in symbols any language reads: "≤45", ">45〜60", "5%〜<6%", ">60" (values in the unit's format)."""
    low = format_value(band.low, unit) if band.low is not None else ""
    high = format_value(band.high, unit) if band.high is not None else ""
    if band.low is None:
        return ("≤" if band.high_closed else "<") + high
    if band.high is None:
        return ("≥" if band.low_closed else ">") + low
    return f"{'' if band.low_closed else '>'}{low}〜{'' if band.high_closed else '<'}{high}"
