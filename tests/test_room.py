"""The pure rules of rooms: ideas, limits, privacy, votes, timer."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kpidesign import room as R
from kpidesign.room import Idea, IdeaStatus, Room, RoomState, Timer, Vote, VoteKind, VoteState
from kpidesign.values import Problem

OPEN = Room("w", state=RoomState.OPEN)


@given(st.text(max_size=2000))
def test_parse_idea_never_raises_and_is_bounded(text: str) -> None:
    out = R.parse_idea(text)
    if isinstance(out, str):
        assert 1 <= len(out) <= R.MAX_IDEA and out == out.strip()
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", out)
    else:
        assert out.code in ("idea_empty", "idea_too_long")


def test_parse_idea_keeps_markup_literal_and_drops_controls() -> None:
    assert R.parse_idea("  **bold** <script>{x}</script>\x00\x1b[31m\r\nnext ") == "**bold** <script>{x}</script>[31m next"
    assert R.parse_idea("x" * 10_000) == Problem("idea_too_long", {"max": 200, "length": 10_000})
    assert R.parse_idea("\x00\x01 ") == Problem("idea_empty")
    assert R.parse_idea("あ" * 200) == "あ" * 200


def test_display_name() -> None:
    assert R.parse_display_name(None) == ""
    assert R.parse_display_name(" Ann\n") == "Ann"
    assert isinstance(R.parse_display_name("n" * 41), Problem)


def test_can_send_limits_per_activity_and_room() -> None:
    mine = [Idea(i, "p", "x", activity=1) for i in range(R.IDEAS_PER_ACTIVITY)]
    assert R.can_send(OPEN, mine[:-1], 0) is None
    assert R.can_send(OPEN, mine, 0) == Problem("idea_limit", {"max": R.IDEAS_PER_ACTIVITY})
    later = OPEN.prompt("tree", "n1")
    assert later.activity == 2 and R.can_send(later, mine, 0) is None
    many = [Idea(i, "p", "x", activity=i) for i in range(R.IDEAS_PER_PERSON)]
    assert R.can_send(later, many, 0) == Problem("idea_limit", {"max": R.IDEAS_PER_PERSON})
    assert R.can_send(Room("w"), [], 0) == Problem("room_closed")


def test_timer_closes_submissions_only_when_asked() -> None:
    timer = R.set_timer(1, close_on_end=True)
    assert isinstance(timer, Timer)
    running = timer.start(100.0)
    room = Room("w", state=RoomState.OPEN, timer=running)
    assert R.can_send(room, [], 130.0) is None
    assert R.can_send(room, [], 161.0) == Problem("room_time_up")
    relaxed = Room("w", state=RoomState.OPEN, timer=Timer(60, 100.0, 0.0, close_on_end=False))
    assert R.can_send(relaxed, [], 500.0) is None


def test_timer_pause_and_resume() -> None:
    t = Timer(seconds=120).start(0.0)
    assert t.remaining(30.0) == 90.0
    paused = t.pause(30.0)
    assert not paused.running and paused.remaining(1000.0) == 90.0
    resumed = paused.start(1000.0)
    assert resumed.remaining(1050.0) == 40.0 and resumed.remaining(5000.0) == 0.0
    again = resumed.pause(5000.0).start(6000.0)  # a timer run out starts from its full length
    assert again.remaining(6000.0) == 120.0
    assert Timer().remaining(10.0) is None and Timer().start(1.0) == Timer()
    assert isinstance(R.set_timer(-1), Problem) and isinstance(R.set_timer(R.MAX_MINUTES + 1), Problem)


@given(st.lists(st.tuples(st.sampled_from(["start", "pause"]), st.floats(0, 1000)), max_size=20))
def test_timer_remaining_is_within_bounds(ops: list[tuple[str, float]]) -> None:
    t, now = Timer(seconds=300), 0.0
    for op, step in ops:
        now += step
        t = t.start(now) if op == "start" else t.pause(now)
        left = t.remaining(now)
        assert left is not None and 0.0 <= left <= 300.0


def test_privacy_before_reveal() -> None:
    ideas = [
        Idea(1, "a", "mine"),
        Idea(2, "b", "theirs"),
        Idea(3, "b", "shown", status=IdeaStatus.REVEALED),
        Idea(4, "b", "gone", status=IdeaStatus.DISMISSED),
        Idea(5, "a", "my gone", status=IdeaStatus.DISMISSED),
    ]
    assert [i.id for i in R.visible(ideas, "a")] == [1, 3, 5]
    assert len(R.visible(ideas, None)) == 5
    assert R.author(Idea(1, "a", "x", author="Ann"), anonymous=True) is None
    assert R.author(Idea(1, "a", "x", author="Ann"), anonymous=False) == "Ann"


def test_change_only_own_private_ideas() -> None:
    assert R.can_change(Idea(1, "a", "x"), "a") is None
    assert R.can_change(Idea(1, "a", "x"), "b") == Problem("idea_not_yours")
    assert R.can_change(None, "a") == Problem("idea_not_yours")
    assert R.can_change(Idea(1, "a", "x", status=IdeaStatus.REVEALED), "a") == Problem("idea_revealed")


def test_merge_rules() -> None:
    a, b = Idea(1, "a", "x", status=IdeaStatus.REVEALED), Idea(2, "b", "x", status=IdeaStatus.REVEALED)
    assert R.can_merge(a, b) is None and R.can_merge(a, a) is not None
    assert R.can_merge(a, Idea(3, "c", "y", status=IdeaStatus.DISMISSED)) is not None


def test_make_vote() -> None:
    assert R.make_vote(" KFS?\n", VoteKind.NODES, ["a", "b", "a", ""], 3) == ("KFS?", ("a", "b"), 3)
    assert R.make_vote("q", VoteKind.NODES, [], 3) == Problem("vote_no_options")
    assert R.make_vote("q", VoteKind.NODES, ["a"], 0) == Problem("vote_dots_range", {"max": R.MAX_DOTS})
    assert isinstance(R.make_vote("q", VoteKind.NODES, [str(i) for i in range(R.MAX_OPTIONS + 1)], 3), Problem)


def test_dots_never_exceed_allowance() -> None:
    vote = Vote(1, "q", VoteKind.NODES, ("a", "b"), dots=2)
    assert R.can_dot(vote, "a", 0) is None and R.can_dot(vote, "a", 1) is None
    assert R.can_dot(vote, "a", 2) == Problem("vote_no_dots", {"dots": 2})
    assert R.can_dot(vote, "zz", 0) == Problem("vote_bad_option")
    assert R.can_dot(Vote(1, "q", VoteKind.NODES, ("a",), state=VoteState.CLOSED), "a", 0) == Problem("vote_closed")
    assert R.dots_left(vote, 5) == 0


@given(st.lists(st.tuples(st.sampled_from("pqr"), st.sampled_from(["a", "b", "c", "x"])), max_size=60), st.integers(1, 5))
def test_tally_counts_at_most_the_dots_given(dots: list[tuple[str, str]], per_person: int) -> None:
    vote = Vote(1, "q", VoteKind.IDEAS, ("a", "b", "c"), dots=per_person)
    result = R.tally(vote, dots)
    assert [o for o, _ in result] != [] and {o for o, _ in result} == {"a", "b", "c"}
    assert sum(n for _, n in result) <= 3 * per_person
    assert [n for _, n in result] == sorted((n for _, n in result), reverse=True)


def test_prompt_bumps_activity_only_on_change() -> None:
    r = Room("w").prompt("decompose", "n1")
    assert (r.step, r.node, r.activity) == ("decompose", "n1", 2)
    assert r.prompt("decompose", "n1") is r
    assert r.prompt("nonsense", "n1") is r


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=150))
def test_a_phone_lists_the_latest_ideas_and_counts_the_rest(n: int, most: int) -> None:
    ideas = [Idea(i, "p", f"idea {i}") for i in range(n)]
    kept, earlier = R.latest(ideas, most)
    assert len(kept) == min(n, most) and earlier == n - len(kept)
    assert kept == ideas[n - len(kept) :]


@given(st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), max_size=200))
def test_the_write_budget_never_lets_more_through_than_the_burst_and_the_rate(gaps: list[float]) -> None:
    budget: float | None = None
    at: float | None = None
    now, passed = 1_000.0, 0
    for gap in gaps:
        now += gap
        left = R.spend(budget, at, now)
        if left is not None:
            budget, at, passed = left, now, passed + 1
        assert budget is None or 0 <= budget <= R.WRITE_BURST
    assert passed <= R.WRITE_BURST + (now - 1_000.0) * R.WRITE_RATE + 1e-9


def test_the_write_budget_refills_at_its_rate() -> None:
    left: float | None = None
    for _ in range(R.WRITE_BURST):
        left = R.spend(left, 0.0, 0.0)
        assert left is not None
    assert R.spend(left, 0.0, 0.0) is None  # the burst spent at once
    assert R.spend(left, 0.0, 1 / R.WRITE_RATE) is not None  # one write's worth later, one more
    assert R.spend(None, None, 0.0) == R.WRITE_BURST - 1  # who never wrote has a full budget
