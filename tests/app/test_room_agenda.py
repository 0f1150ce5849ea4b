"""The agenda on the Room page's console: a default chosen, the segment and its time left, Next moving the room's
question, timer and follow-me in one click, and the agenda edited (moved, removed) as versioned edits."""

from __future__ import annotations

from pathlib import Path

from kpidesign import agenda as A
from kpidesign.agenda_edits import default_agenda
from kpidesign.room import Room, Timer
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander
from tests.app.test_room_page import button, room_page


def room_of(store: Store, wid: str) -> Room:
    """The workshop's room, which the test has opened."""
    room = store.rooms.get(wid)
    assert room is not None
    return room


def run_of(store: Store, wid: str) -> A.Run:
    """The workshop's agenda run, which the test has started."""
    run = store.agenda.run(wid)
    assert run is not None
    return run


def test_a_default_agenda_then_start_and_next_move_the_room_with_it(db: Path) -> None:
    at, wid, store = room_page(db)
    assert not [b for b in at.button if b.key in ("agenda_start", "agenda_use_default")]  # no agenda; the editor folded
    open_expander(at, "agenda_edit_open")
    at.radio(key="agenda_length").set_value(60)
    ok(button(at, "agenda_use_default").click().run())
    ws = store.load(wid).workshop
    assert [s.title for s in ws.agenda] == [s.title for s in default_agenda(ws, 60, "ja")]
    assert "既定（60分）" in store.history(wid, 1)[0].summary
    ok(button(at, "room_open").click().run())
    ok(button(at, "agenda_start").click().run())
    run, room = run_of(store, wid), room_of(store, wid)
    assert run.segment == 0 and room.timer.running and room.timer.seconds == 60 * ws.agenda[0].minutes
    assert any("1/7" in m.value and ws.agenda[0].title in m.value for m in at.markdown)
    assert [m.label for m in at.metric if m.label in ("この項目の残り時間", "全体の進み")] == ["この項目の残り時間", "全体の進み"]
    assert any(m.value == "予定どおり" for m in at.metric)
    activity = room.activity
    open_expander(at, "room_prompt_open")  # the console's prompt form, open while the agenda moves
    for _ in range(2):
        ok(button(at, "agenda_next").click().run())
    run, room = run_of(store, wid), room_of(store, wid)
    brainstorm = ws.agenda[2]
    assert run.segment == 2 and room.step == "tree" and room.node == ws.kgi.id and room.activity == activity + 2
    assert room.timer == Timer(60 * brainstorm.minutes, room.timer.started_at, 0.0, False) and room.timer.running
    assert at.selectbox(key="room_step").value == "tree"  # the console's prompt form follows
    assert any(brainstorm.prompt in c.value for c in at.caption)
    ok(button(at, "agenda_back").click().run())
    assert run_of(store, wid).segment == 1 and room_of(store, wid).step == "kgi"
    assert at.selectbox(key="room_step").value == "kgi" and at.selectbox(key="room_node").value == ""  # "no node", shown as such


def test_a_stale_next_does_not_skip_a_segment(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ws = store.load(wid).workshop
    store.save(wid, ws.model_copy(update={"agenda": default_agenda(ws, 120, "en")}), expected_version=store.load(wid).version, summary="a")
    ok(button(at, "room_open").click().run())
    ok(button(at, "agenda_start").click().run())
    room = room_of(store, wid)  # another screen moves the agenda on meanwhile
    moved, run = A.go(room, store.load(wid).workshop.agenda, 1, store.agenda.run(wid), 0.0, set())
    store.agenda.go(moved, run, expected=0)
    ok(button(at, "agenda_next").click().run())  # this screen still showed segment 1
    assert run_of(store, wid).segment == 1
    assert any("moved on meanwhile" in e.value for e in at.error)


def test_segments_are_moved_and_removed_as_undoable_edits(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    open_expander(at, "agenda_edit_open")
    at.radio(key="agenda_length").set_value(120)
    ok(button(at, "agenda_use_default").click().run())
    titles = [s.title for s in store.load(wid).workshop.agenda]
    assert any(titles[-1] in m.value for m in at.markdown)  # the plan, listed on the console
    ok(at.selectbox(key="agenda_pick").set_value(1).run())
    ok(button(at, "agenda_up").click().run())
    assert [s.title for s in store.load(wid).workshop.agenda][:2] == [titles[1], titles[0]]
    ok(at.selectbox(key="agenda_pick").set_value(0).run())
    ok(button(at, "agenda_remove").click().run())
    assert [s.title for s in store.load(wid).workshop.agenda] == [titles[0], *titles[2:]]  # the moved one, now first
    version = store.load(wid).version
    store.undo(wid, expected_version=version)
    assert [s.title for s in store.load(wid).workshop.agenda][:2] == [titles[1], titles[0]]  # undone: back again


def test_next_sets_the_consoles_prompt_fields_without_a_warning(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ws = store.load(wid).workshop
    store.save(wid, ws.model_copy(update={"agenda": default_agenda(ws, 60, "en")}), expected_version=store.load(wid).version, summary="a")
    ok(button(at, "room_open").click().run())
    ok(button(at, "agenda_start").click().run())
    ok(button(at, "agenda_next").click().run())  # the forms closed: opened afterwards, they show where the room is
    open_expander(at, "room_prompt_open")
    open_expander(at, "room_timer_open")
    assert at.selectbox(key="room_step").value == "kgi" and at.number_input(key="room_minutes").value == 10
    ok(button(at, "agenda_next").click().run())  # and open, they follow the next segment
    segment = store.load(wid).workshop.agenda[2]
    assert at.selectbox(key="room_step").value == room_of(store, wid).step and at.number_input(key="room_minutes").value == segment.minutes
    assert not at.warning and not at.exception


def test_the_phones_are_asked_the_segments_prompt_until_the_facilitator_asks_something_else(db: Path) -> None:
    from tests.app.test_participant import joined, room, texts

    store, wid, token = room(db)
    ws = store.load(wid).workshop
    agenda = default_agenda(ws, 120, "ja")
    store.save(wid, ws.model_copy(update={"agenda": agenda}), expected_version=store.load(wid).version, summary="a")
    phone = joined(token, "Ann")
    assert agenda[2].prompt not in texts(phone)
    moved, run = A.go(room_of(store, wid), agenda, 2, None, 0.0, {n.id for n in ws.nodes})
    store.agenda.go(moved, run, expected=None)
    assert agenda[2].prompt in texts(ok(phone.run()))  # the silent brainstorm's own question
    store.rooms.save(room_of(store, wid).prompt("decompose", None))  # the console's own question takes over
    assert agenda[2].prompt not in texts(ok(phone.run()))


def test_the_wall_shows_the_segment_as_literal_text(db: Path) -> None:
    from kpidesign.model import AgendaSegment
    from tests.app.conftest import start

    store = room_page(db, "en")[2]
    wid = store.workshops()[0].id
    ws = store.load(wid).workshop
    hostile = AgendaSegment(title="<script>alert(1)</script> **bold**", step=2, minutes=15, prompt="<img src=x onerror=alert(1)>")
    store.save(wid, ws.model_copy(update={"agenda": [hostile]}), expected_version=store.load(wid).version, summary="a")
    store.rooms.open(wid)
    moved, run = A.go(room_of(store, wid), [hostile], 0, None, 1e12, set())
    store.agenda.go(moved, run, expected=None)
    wall = ok(start({"ws": wid, "projector": "1"}).switch_page("views/room.py").run())
    page = "".join(str(h.proto.body) for h in wall.get("html"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and 'class="kd-seg-no">1/1<' in page
