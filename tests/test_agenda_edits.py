"""kpidesign.agenda_edits: the default agendas and the facilitator's edits of the agenda."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import agenda as A
from kpidesign.agenda_edits import (
    LENGTHS,
    add_segment,
    agenda_rows,
    default_agenda,
    edit_segment,
    move_segment,
    remove_segment,
    set_agenda,
    use_default,
)
from kpidesign.i18n import S
from kpidesign.language import Language
from kpidesign.model import Workshop
from kpidesign.values import EditError
from tests.conftest import build_ec


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_default_agendas_follow_the_method_in_their_time(ec: Workshop, length: int, lang: Language) -> None:
    segments = default_agenda(ec, length, lang)
    assert sum(s.minutes for s in segments) == length
    steps = [s.step for s in segments]
    assert steps[0] == "room" and {1, 2, 3, 5} <= set(steps)  # opening, then the method's steps in order
    numbered = [s for s in steps if isinstance(s, int)]
    assert numbered == sorted(numbered)
    brainstorm = next(s for s in segments if s.step == 2)
    assert brainstorm.node == ec.kgi.id and brainstorm.minutes >= 10  # the silent brainstorm asks what drives the KGI
    assert all(s.title and s.prompt for s in segments)
    texts = [s.title + s.prompt for s in segments]
    assert all(any("\u3040" <= c <= "\u30ff" for c in x) for x in texts) == (lang == "ja")


def test_the_120_minute_agenda_opens_with_10_minutes_and_a_20_minute_silent_brainstorm(ec: Workshop) -> None:
    segments = default_agenda(ec, 120, "en")
    assert segments[0].minutes == 10 and segments[2].minutes == 20 and "silent" in segments[2].title.lower()


def test_a_default_replaces_the_agenda_and_another_length_is_refused(ec: Workshop) -> None:
    assert len(use_default(ec, 60, "ja").agenda) == len(default_agenda(ec, 60, "ja"))
    with pytest.raises(EditError) as e:
        use_default(ec, 90, "ja")
    assert e.value.problem.code == "agenda_no_default" and "p_agenda_no_default" in S


def test_segments_are_added_edited_moved_and_removed(ec: Workshop) -> None:
    ws = add_segment(ec, {"title": " 開始 ", "step": "room", "minutes": "10"})
    ws = add_segment(ws, {"title": "顧客数", "step": "2", "node": "Customers", "minutes": 15, "prompt": "何が効く？"}, at=0)
    assert [s.title for s in ws.agenda] == ["顧客数", "開始"] and ws.agenda[0].node == "customers"
    ws = edit_segment(ws, 1, {"minutes": "5"})
    assert ws.agenda[1].minutes == 5 and ws.agenda[1].title == "開始"
    ws = move_segment(ws, 1, -1)
    assert [s.title for s in ws.agenda] == ["開始", "顧客数"]
    assert move_segment(ws, 0, -1) is ws  # already first
    ws = remove_segment(ws, 0)
    assert [s.title for s in ws.agenda] == ["顧客数"]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"title": "", "minutes": 5}, "name_empty"),
        ({"title": "x" * (A.MAX_TITLE + 1), "minutes": 5}, "too_long"),
        ({"title": "a", "minutes": 0}, "agenda_minutes_range"),
        ({"title": "a", "minutes": A.MAX_MINUTES + 1}, "agenda_minutes_range"),
        ({"title": "a", "minutes": 2.5}, "agenda_minutes_range"),
        ({"title": "a", "minutes": "abc"}, "not_a_number"),
        ({"title": "a", "minutes": 5, "step": 9}, "agenda_step_invalid"),
        ({"title": "a", "minutes": 5, "node": "no such node"}, "kpi_unknown"),
        ({"title": "a", "minutes": 5, "prompt": "x" * (A.MAX_PROMPT + 1)}, "too_long"),
    ],
)
def test_bad_segments_are_refused_with_a_problem_and_nothing_changes(ec: Workshop, row: dict[str, object], code: str) -> None:
    with pytest.raises(EditError) as e:
        add_segment(ec, row)
    assert e.value.problem.code == code and (f"p_{code}" in S)


def test_the_agenda_keeps_its_bounds_the_same_numbers_as_the_model(ec: Workshop) -> None:
    ws = ec
    for _ in range(A.MAX_SEGMENTS):
        ws = add_segment(ws, {"title": "s", "minutes": 1})
    with pytest.raises(EditError) as e:
        add_segment(ws, {"title": "s", "minutes": 1})
    assert e.value.problem.code == "agenda_full"
    long = ec
    for _ in range(A.MAX_TOTAL_MINUTES // A.MAX_MINUTES):
        long = add_segment(long, {"title": "s", "minutes": A.MAX_MINUTES})
    with pytest.raises(EditError) as e:
        add_segment(long, {"title": "s", "minutes": 1})
    assert e.value.problem.code == "agenda_too_long"
    with pytest.raises(ValueError):  # the model refuses what the edits refuse
        Workshop.model_validate({**ws.model_dump(), "agenda": [s.model_dump() for s in ws.agenda] * 2})


def test_a_table_delta_applies_whole_or_not_at_all(ec: Workshop) -> None:
    ws = use_default(ec, 60, "en")
    changed, problems = set_agenda(
        ws, {"edited_rows": {"0": {"minutes": 7}}, "deleted_rows": [6], "added_rows": [{"title": "x", "minutes": 3}]}
    )
    assert not problems and changed.agenda[0].minutes == 7 and changed.agenda[-1].title == "x" and len(changed.agenda) == 7
    same, problems = set_agenda(ws, {"edited_rows": {"1": {"minutes": 0}, "0": {"minutes": 7}}})
    assert same is ws and [(i, p.code) for i, p in problems] == [(1, "agenda_minutes_range")]
    assert agenda_rows(changed)[0]["minutes"] == 7


@given(st.lists(st.sampled_from(["add", "remove", "up", "down", "edit"]), max_size=25), st.randoms(use_true_random=False))
def test_any_sequence_of_edits_keeps_a_valid_agenda(ops: list[str], rnd: random.Random) -> None:
    ws = build_ec()
    for op in ops:
        n = len(ws.agenda)
        try:
            if op == "add":
                ws = add_segment(
                    ws, {"title": "s", "minutes": rnd.randint(1, A.MAX_MINUTES), "step": rnd.choice(A.STEPS)}, at=rnd.randint(0, n)
                )
            elif n and op == "remove":
                ws = remove_segment(ws, rnd.randrange(n))
            elif n and op in ("up", "down"):
                ws = move_segment(ws, rnd.randrange(n), -1 if op == "up" else 1)
            elif n:
                ws = edit_segment(ws, rnd.randrange(n), {"minutes": rnd.randint(1, A.MAX_MINUTES)})
        except EditError as e:
            assert e.problem.code in ("agenda_full", "agenda_too_long")
        Workshop.model_validate(ws.model_dump())
        assert sum(s.minutes for s in ws.agenda) <= A.MAX_TOTAL_MINUTES and len(ws.agenda) <= A.MAX_SEGMENTS
