"""The agenda's rules: its bounds, its steps, and how a running session stands against its time boxes.

A workshop's agenda is a list of segments (kpidesign.model.AgendaSegment: title, step, node, minutes, prompt) kept in
the workshop's document; the running state (which segment, since when) is the room's (kpidesign.store.agenda). Nothing
here imports the model: the model takes its bounds from here, and the timing works on the segments' minutes alone.

How far ahead or behind: the session's plan is its segments back to back from the moment the first one started. The
session runs behind by as much as it would end late if every segment still to come kept its time box: the current
segment's late start (its start against the plan), plus what it has run over its own box so far. A segment closed
early puts the session ahead (negative drift) until a later one overruns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from kpidesign.room import Room, Timer

MAX_SEGMENTS = 30  # segments of one agenda (a day's workshop has a dozen)
MAX_TITLE = 80  # characters of a segment's title
MAX_PROMPT = 200  # characters of what the phones are asked (kpidesign.room.MAX_QUESTION: a question's length)
MAX_MINUTES = 120  # one segment's time box (kpidesign.room.MAX_MINUTES: the timer holds it)
MAX_TOTAL_MINUTES = 8 * 60  # the whole agenda: a working day

AgendaStep = Literal[1, 2, 3, 4, 5, "room", "review"]
STEPS: tuple[AgendaStep, ...] = (1, 2, 3, 4, 5, "room", "review")
ROOM_STEPS = {1: "kgi", 2: "tree", 3: "decompose", 4: "definitions", 5: "monitoring"}  # a method step -> the room's prompt step


def parse_step(raw: object) -> AgendaStep | None:
    """A segment's step as written (1-5, "1"-"5", room, review; any case, trimmed), or None when it is none of them."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int) and raw in ROOM_STEPS:
        return raw  # type: ignore[return-value]  # 1..5, checked
    if isinstance(raw, float) and raw.is_integer() and int(raw) in ROOM_STEPS:
        return int(raw)  # type: ignore[return-value]
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if text.isdigit() and len(text) == 1 and int(text) in ROOM_STEPS:
            return int(text)  # type: ignore[return-value]
        if text in ("room", "review"):
            return text  # type: ignore[return-value]
    return None


class Timed(Protocol):
    """A segment as the timing reads it: its time box."""

    @property
    def minutes(self) -> int: ...


class Prompted(Timed, Protocol):
    """A segment as the phones and the wall read it."""

    @property
    def title(self) -> str: ...

    @property
    def prompt(self) -> str: ...


class Asking(Prompted, Protocol):
    """A segment as the room is moved to it: its step and the node it asks about too."""

    @property
    def step(self) -> AgendaStep: ...

    @property
    def node(self) -> str | None: ...


@dataclass(frozen=True)
class Run:
    """A running agenda, as the room stores it: the current segment (its index; the agenda's length once it is over),
    when the session began (the first segment started), when the current segment began, and the room's activity
    (question) it was started with: its prompt is the room's question while the room still asks that one."""

    segment: int
    began_at: float
    segment_began_at: float
    activity: int

    def over(self, count: int) -> bool:
        """True once the last segment was closed."""
        return self.segment >= count


def start(now: float, activity: int) -> Run:
    """The first segment, starting now."""
    return Run(0, now, now, activity)


def move(run: Run | None, to: int, count: int, now: float, activity: int) -> Run:
    """The agenda moved to segment `to` (clamped to 0..count, count meaning over) at time now; a run not yet started
    starts there. The session's start is kept: what was run stays run."""
    to = max(0, min(to, count))
    if run is None:
        return dataclasses.replace(start(now, activity), segment=to)
    return Run(to, run.began_at, now, activity)


def planned_start(minutes: Sequence[int], index: int) -> int:
    """Minutes from the session's start to the planned start of segment index (the boxes before it, back to back)."""
    return sum(minutes[: max(0, index)])


@dataclass(frozen=True)
class Progress:
    """Where a running session stands at a moment: the segment (index; count when over), its time left in seconds
    (negative: over its box; 0 once the agenda is over), and the drift in seconds (positive: behind the plan)."""

    segment: int
    count: int
    left: float
    drift: float
    elapsed: float  # seconds since the session began

    @property
    def over(self) -> bool:
        """True once the last segment was closed."""
        return self.segment >= self.count


def progress(minutes: Sequence[int], run: Run | None, now: float) -> Progress | None:
    """Where the session stands at time now (None when it has not started or the agenda is empty). A clock that went
    backwards (now before a recorded start) counts as no time run."""
    if run is None or not minutes:
        return None
    count = len(minutes)
    index = max(0, min(run.segment, count))
    segment_began = max(run.segment_began_at, run.began_at)
    late = (segment_began - run.began_at) - 60 * planned_start(minutes, index)
    if index >= count:
        return Progress(count, count, 0.0, late, segment_began - run.began_at)
    ran = max(0.0, now - segment_began)
    box = 60 * minutes[index]
    return Progress(index, count, box - ran, late + max(0.0, ran - box), max(0.0, now - run.began_at))


def asked(segments: Sequence[Prompted], run: Run | None, activity: int) -> str | None:
    """The current segment's prompt for the phones and the wall while the room still asks the question the segment
    started with (the facilitator asking another question takes it over); None otherwise."""
    if run is None or run.activity != activity or not 0 <= run.segment < len(segments):
        return None
    return segments[run.segment].prompt or None


def clock(seconds: float) -> str:
    """Seconds as m:ss (a negative value with a leading minus), for a time left or a drift."""
    whole = int(abs(seconds))
    return f"{'-' if seconds < 0 and whole else ''}{whole // 60}:{whole % 60:02d}"


def go(room: Room, segments: Sequence[Asking], to: int, run: Run | None, now: float, nodes: Collection[str]) -> tuple[Room, Run]:
    """The room and the agenda moved to segment `to` at time now, in one step (the console's Next and Back): the room
    asks a new question (a new activity: each person's idea count starts again) about the segment's step and node (a
    node no longer in the tree: none; a room or review segment keeps the room's step), which "follow me" shows the
    phones; the timer is set to the segment's box and started (its "stop ideas at zero" kept). Past the last segment
    the agenda is over: the timer is cleared and the question left as it was."""
    count = len(segments)
    to = max(0, min(to, count))
    if to >= count:
        return dataclasses.replace(room, timer=Timer(close_on_end=room.timer.close_on_end)), move(run, to, count, now, room.activity)
    segment = segments[to]
    step = ROOM_STEPS.get(segment.step, room.step) if isinstance(segment.step, int) else room.step
    node = segment.node if segment.node in nodes else None
    timer = Timer(seconds=60 * segment.minutes, started_at=now, close_on_end=room.timer.close_on_end)
    moved = dataclasses.replace(room, step=step, node=node, activity=room.activity + 1, timer=timer)
    return moved, move(run, to, count, now, moved.activity)
