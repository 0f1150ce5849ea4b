"""kpidesign.agenda: how a running session stands against its time boxes, and Next/Back moving the room with it."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import agenda as A
from kpidesign.agenda_edits import default_agenda
from kpidesign.model import new_workshop
from kpidesign.room import Room, Timer

boxes = st.lists(st.integers(1, A.MAX_MINUTES), min_size=1, max_size=A.MAX_SEGMENTS)
T0 = 1_800_000_000.0


@st.composite
def sessions(draw: st.DrawFn) -> tuple[list[int], list[float], float]:
    """An agenda's boxes, the seconds each segment actually took up to the current one, and the seconds run in it."""
    minutes = draw(boxes)
    current = draw(st.integers(0, len(minutes)))
    took = draw(st.lists(st.floats(0, 4 * 3600), min_size=current, max_size=current))
    ran = draw(st.floats(0, 4 * 3600))
    return minutes, took, ran


def run_through(minutes: list[int], took: list[float], ran: float) -> tuple[A.Run, float]:
    """The Run after moving through the segments with these durations, and the moment `ran` seconds into the current one."""
    run, now = A.start(T0, 1), T0
    for i, seconds in enumerate(took):
        now += seconds
        run = A.move(run, i + 1, len(minutes), now, i + 2)
    return run, now + ran


@given(sessions())
def test_drift_is_how_late_the_session_would_end_if_every_box_to_come_were_kept(session: tuple[list[int], list[float], float]) -> None:
    minutes, took, ran = session
    run, now = run_through(minutes, took, ran)
    at = A.progress(minutes, run, now)
    assert at is not None
    planned_end = T0 + 60 * sum(minutes)
    if at.over:
        assert at.drift == pytest.approx(T0 + sum(took) - planned_end, abs=1e-6)
        assert at.left == 0
        return
    current = len(took)
    projected_end = now + max(0.0, at.left) + 60 * sum(minutes[current + 1 :])
    assert at.drift == pytest.approx(projected_end - planned_end, abs=1e-6)
    assert at.left == pytest.approx(60 * minutes[current] - ran, abs=1e-6)  # negative once over its box
    assert at.segment == current and at.count == len(minutes)


@given(boxes, st.data())
def test_a_session_that_keeps_every_box_is_on_time(minutes: list[int], data: st.DataObject) -> None:
    current = data.draw(st.integers(0, len(minutes) - 1))
    took = [60.0 * m for m in minutes[:current]]
    ran = data.draw(st.floats(0, 60 * minutes[current]))
    at = A.progress(minutes, *run_through(minutes, took, ran))
    assert at is not None
    assert at.drift == pytest.approx(0, abs=1e-6)


@given(sessions(), st.floats(0, 3600))
def test_time_only_adds_to_the_drift_and_takes_from_the_time_left(session: tuple[list[int], list[float], float], later: float) -> None:
    minutes, took, ran = session
    run, now = run_through(minutes, took, ran)
    before, after = A.progress(minutes, run, now), A.progress(minutes, run, now + later)
    assert before is not None and after is not None
    assert after.drift >= before.drift - 1e-6
    assert after.left <= before.left + 1e-6


def running(minutes: list[int], run: A.Run, now: float) -> A.Progress:
    """A.progress of a session that has started on a non-empty agenda (never None then)."""
    at = A.progress(minutes, run, now)
    assert at is not None
    return at


def test_closing_a_segment_early_puts_the_session_ahead_and_an_overrun_behind() -> None:
    minutes = [10, 20, 30]
    run = A.move(A.start(T0, 1), 1, 3, T0 + 6 * 60, 2)  # the first 10-minute box closed after 6
    assert running(minutes, run, T0 + 7 * 60).drift == -4 * 60
    assert running(minutes, run, T0 + 6 * 60 + 25 * 60).drift == 60  # 4 ahead, then 5 over the second box
    assert running(minutes, run, T0 + 7 * 60).left == 19 * 60


def test_nothing_runs_before_the_start_nor_on_an_empty_agenda_and_a_clock_set_back_counts_no_time() -> None:
    assert A.progress([10], None, T0) is None
    assert A.progress([], A.start(T0, 1), T0) is None
    at = A.progress([10], A.start(T0, 1), T0 - 3600)
    assert at is not None
    assert at.left == 600 and at.drift == 0 and at.elapsed == 0


def test_the_segments_prompt_is_the_rooms_question_only_while_the_room_asks_it() -> None:
    segments = default_agenda(new_workshop("x"), 60, "en")
    run = A.start(T0, 5)
    assert A.asked(segments, run, 5) == segments[0].prompt
    assert A.asked(segments, run, 6) is None  # the facilitator asked something else
    assert A.asked(segments, None, 5) is None
    assert A.asked(segments, dataclasses.replace(run, segment=len(segments)), 5) is None  # over
    assert A.asked([segments[0].model_copy(update={"prompt": ""})], run, 5) is None


def test_next_moves_the_question_the_timer_and_follow_me_to_the_segment_in_one_step() -> None:
    ws = new_workshop("x")
    segments = default_agenda(ws, 120, "ja")
    room = Room("w", step="kgi", node=None, activity=3, follow=True, timer=Timer(300, None, 12.0, close_on_end=True))
    nodes = {n.id for n in ws.nodes}
    moved, run = A.go(room, segments, 2, None, T0, nodes)  # the silent brainstorm: step 2, about the KGI
    assert (moved.step, moved.node, moved.activity, moved.follow) == ("tree", ws.kgi.id, 4, True)
    assert moved.timer == Timer(60 * segments[2].minutes, T0, 0.0, close_on_end=True)  # running, its box, the setting kept
    assert run == A.Run(2, T0, T0, 4) and A.asked(segments, run, moved.activity) == segments[2].prompt
    again, run2 = A.go(moved, segments, 0, run, T0 + 60, nodes)  # a room segment keeps the room's step
    assert again.step == "tree" and again.node is None and again.activity == 5 and run2.began_at == T0
    done, over = A.go(again, segments, len(segments) + 3, run2, T0 + 120, nodes)
    assert over.segment == len(segments) and done.timer.seconds == 0 and done.activity == again.activity


def test_a_node_no_longer_in_the_tree_is_not_asked_about() -> None:
    segments = [default_agenda(new_workshop("x"), 60, "en")[2].model_copy(update={"node": "gone"})]
    moved, _ = A.go(Room("w"), segments, 0, None, T0, {"kgi"})
    assert moved.node is None


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        (1, 1),
        ("5", 5),
        (" Room ", "room"),
        ("REVIEW", "review"),
        (3.0, 3),
        (0, None),
        (6, None),
        ("12", None),
        (True, None),
        ("x", None),
        (None, None),
    ],
)
def test_steps_are_read_as_written(raw: object, step: int | str | None) -> None:
    assert A.parse_step(raw) == step


@given(st.floats(-10_000, 10_000))
def test_clock_reads_minutes_and_seconds(seconds: float) -> None:
    text = A.clock(seconds)
    minutes, secs = text.lstrip("-").split(":")
    assert int(minutes) * 60 + int(secs) == int(abs(seconds))
    assert text.startswith("-") == (seconds <= -1)
