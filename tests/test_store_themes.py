"""A room's themes in the store (kpidesign.store.themes): worked out after a reveal, kept with the facilitator's edits,
made a node, exported and imported as `room.themes`, copied and deleted with the workshop."""

from __future__ import annotations

import pytest

from kpidesign import tree
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Workshop
from kpidesign.room import IdeaStatus
from kpidesign.store import Store
from kpidesign.values import EditError

SENT = [
    ("new_customers", "newsletter open rate"),
    ("new_customers", "cart abandonment rate"),
    ("new_customers", "newsletter sign-ups"),
    ("new_customers", "cart abandonment emails"),
    ("existing_customers", "repeat purchase rate"),
]


def room(store: Store, ec: Workshop) -> tuple[str, list[int]]:
    wid = store.create(ec)
    store.rooms.open(wid)
    who = store.rooms.join(wid, "Ann")
    return wid, [store.rooms.add_idea(wid, who, text, parent) for parent, text in SENT]


def test_themes_follow_the_reveal(store: Store, ec: Workshop) -> None:
    wid, ids = room(store, ec)
    assert store.themes.all(wid) == []  # nothing the room has seen yet
    store.rooms.reveal_ideas(wid)
    found = store.themes.all(wid)
    assert [(t.parent, t.ideas) for t in found] == [
        ("new_customers", (ids[0], ids[2])),
        ("new_customers", (ids[1], ids[3])),
        ("existing_customers", (ids[4],)),
    ]
    assert store.themes.stored(wid) == ()  # worked out, not yet kept
    assert store.themes.regroup(wid) == 3
    assert [t.ideas for t in store.themes.stored(wid)] == [t.ideas for t in found]


def test_rename_move_and_what_was_shown(store: Store, ec: Workshop) -> None:
    wid, ids = room(store, ec)
    store.rooms.reveal_ideas(wid)
    mail, cart, _ = store.themes.all(wid)
    rev = store.rooms.rev(wid)
    store.themes.rename(wid, mail.id, "メルマガ", mail.ideas)
    assert store.rooms.rev(wid) != rev  # every write bumps the room's revision: readers follow
    assert store.themes.all(wid)[0].label == "メルマガ" and store.themes.all(wid)[0].named
    with pytest.raises(EditError) as e:
        store.themes.rename(wid, cart.id, "x", (ids[1],))  # the theme no longer holds what the facilitator saw
    assert e.value.problem.code == "theme_changed"
    with pytest.raises(EditError):
        store.themes.rename(wid, cart.id, "")
    store.themes.move(wid, ids[2], cart.id)
    assert [t.ideas for t in store.themes.all(wid)[:2]] == [(ids[0],), (ids[1], ids[2], ids[3])]
    store.themes.move(wid, ids[2], None)
    assert (ids[2],) in [t.ideas for t in store.themes.all(wid)]


def test_make_node_keeps_its_ideas_as_evidence_and_undo_takes_it_back(store: Store, ec: Workshop) -> None:
    wid, _ = room(store, ec)
    store.rooms.reveal_ideas(wid)
    cart = store.themes.all(wid)[1]
    loaded = store.load(wid)
    ws, node = tree.add_node(loaded.workshop, "new_customers", cart.label)
    version = store.save(wid, ws, expected_version=loaded.version, summary="theme")
    assert store.themes.make_node(wid, cart.id, node, cart.ideas) == 2
    ideas = {i.id: i for i in store.rooms.ideas(wid)}
    assert all(ideas[i].status is IdeaStatus.ACCEPTED and ideas[i].node == node for i in cart.ideas)
    assert store.themes.all(wid)[1].node == node
    store.undo(wid, expected_version=version)  # the node gone: its ideas are undecided again, the theme no node
    assert store.themes.all(wid)[1].node is None
    assert {i.status for i in store.rooms.ideas(wid) if i.id in cart.ideas} == {IdeaStatus.REVEALED}


def test_exported_and_imported_as_room_themes(store: Store, ec: Workshop) -> None:
    wid, ids = room(store, ec)
    store.rooms.reveal_ideas(wid)
    store.rooms.dismiss_idea(wid, ids[4])
    mail = store.themes.all(wid)[0]
    store.themes.rename(wid, mail.id, "メルマガ")
    record = store.room_record(wid)
    assert record is not None
    assert [(t.label, t.ideas, t.node) for t in record.themes] == [
        ("メルマガ", ["i1", "i3"], None),
        ("cart abandonment rate", ["i2", "i4"], None),
    ]
    text = to_yaml(store.with_room(store.load(wid).workshop, wid))
    assert "themes:" in text and "- label: メルマガ" in text
    back = from_yaml(text)
    assert back.workshop is not None and back.workshop.room is not None
    assert back.workshop.room.themes == record.themes
    copy = store.create(back.workshop)
    assert [(t.label, len(t.ideas)) for t in store.themes.all(copy)] == [("メルマガ", 2), ("cart abandonment rate", 2)]
    again = store.room_record(copy)
    assert again is not None and again.themes == record.themes  # the round trip loses nothing
    copied = store.room_record(store.duplicate(wid, "copy"))
    assert copied is not None and copied.themes == record.themes
    store.delete(wid)
    assert store.db.execute("select count(*) from room_themes where workshop_id = ?", (wid,)).fetchone()[0] == 0


@pytest.mark.parametrize(
    ("themes", "said"),
    [
        ("[{label: a, ideas: [i9]}]", "not in ideas"),
        ("[{label: a, ideas: [i1]}, {label: b, ideas: [i1]}]", "two themes"),
        ("[{label: '', ideas: [i1]}]", "themes"),
        ("[{label: a, ideas: []}]", "themes"),
    ],
)
def test_a_bad_themes_list_is_refused_with_the_field(ec: Workshop, themes: str, said: str) -> None:
    text = to_yaml(ec) + f"room:\n  ideas:\n    - {{id: i1, text: x, status: revealed}}\n  themes: {themes}\n"
    found = from_yaml(text)
    assert found.workshop is None
    assert any(said in str(f.params) and "room" in str(f.params.get("field")) for f in found.findings), found.findings
