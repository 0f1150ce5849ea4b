"""kpidesign.store.agenda: the room's running agenda, moved with the room's question, timer and follow-me in one write."""

from __future__ import annotations

import pytest

from kpidesign import agenda as A
from kpidesign.agenda_edits import use_default
from kpidesign.model import Workshop
from kpidesign.store import Store
from kpidesign.values import EditError

T0 = 1_800_000_000.0


@pytest.fixture
def room_ws(store: Store, ec: Workshop) -> tuple[str, Workshop]:
    ws = use_default(ec, 60, "en")
    wid = store.create(ws)
    store.rooms.open(wid)
    return wid, ws


def test_next_stores_the_rooms_question_timer_and_the_run_together(store: Store, room_ws: tuple[str, Workshop]) -> None:
    wid, ws = room_ws
    assert store.agenda.run(wid) is None
    rev = store.rooms.rev(wid)
    opened = store.rooms.get(wid)
    assert opened is not None
    room, run = A.go(opened, ws.agenda, 0, None, T0, {n.id for n in ws.nodes})
    store.agenda.go(room, run, expected=None)
    assert store.agenda.run(wid) == run and store.rooms.get(wid) == room and store.rooms.rev(wid) != rev
    room2, run2 = A.go(room, ws.agenda, 1, run, T0 + 300, {n.id for n in ws.nodes})
    store.agenda.go(room2, run2, expected=0)
    moved = store.rooms.get(wid)
    assert store.agenda.run(wid) == run2 and moved is not None and moved.step == "kgi"


def test_a_second_next_from_the_same_screen_does_not_skip_a_segment(store: Store, room_ws: tuple[str, Workshop]) -> None:
    wid, ws = room_ws
    opened = store.rooms.get(wid)
    assert opened is not None
    room, run = A.go(opened, ws.agenda, 0, None, T0, set())
    store.agenda.go(room, run, expected=None)
    with pytest.raises(EditError) as e:  # the other click still saw the agenda not started
        store.agenda.go(room, run, expected=None)
    assert e.value.problem.code == "agenda_moved"
    assert store.agenda.run(wid) == run


def test_without_a_room_the_agenda_does_not_run_and_stop_ends_it(store: Store, ec: Workshop) -> None:
    wid = store.create(use_default(ec, 60, "ja"))
    from kpidesign.room import Room

    with pytest.raises(EditError) as e:
        store.agenda.go(Room(wid), A.start(T0, 1), expected=None)
    assert e.value.problem.code == "agenda_not_running"
    store.rooms.open(wid)
    opened = store.rooms.get(wid)
    assert opened is not None
    store.agenda.go(opened, A.start(T0, 1), expected=None)
    store.agenda.stop(wid)
    assert store.agenda.run(wid) is None
    store.delete(wid)  # the run goes with the room
    assert store.agenda.run(wid) is None
