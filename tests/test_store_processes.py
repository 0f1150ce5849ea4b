"""Several app processes on one database file (#29 items 2 and 4): what one process keeps in memory (the parsed
workshop, what it read of a room) is keyed by a revision read from the database, so a write by another process is seen
at the next read; a room's limits are counted in the write transaction, so two processes cannot pass them together."""

from __future__ import annotations

from pathlib import Path

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.store import Store
from tests import processes


def test_two_processes_joining_from_one_client_share_its_budget(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "k.db"
    store = Store(db)
    wid = store.create(ec)
    store.rooms.open(wid)
    joined = processes.together(processes.join_many, [(str(db), wid, "203.0.113.20", R.JOINS_PER_CLIENT)] * 2)
    assert sum(joined) == R.JOINS_PER_CLIENT, joined
    assert store.rooms.participant_count(wid) == R.JOINS_PER_CLIENT
    store.rooms.join(wid, "the facilitator's colleague", client="198.51.100.3")  # another address still joins
    store.close()


def test_what_one_process_read_of_a_room_follows_anothers_write(tmp_path: Path, ec: Workshop) -> None:
    """The facilitator's inbox in this process, a phone served by another: the idea is in the next read."""
    db = tmp_path / "k.db"
    store = Store(db)
    wid = store.create(ec)
    store.rooms.open(wid)
    secret = store.rooms.join(wid, "phone", client="203.0.113.30")
    store.rooms.add_idea(wid, secret, "first")
    assert [i.text for i in store.rooms.ideas(wid)] == ["first"]  # kept for this revision, in this process
    assert [i.text for i in store.rooms.ideas(wid)] == ["first"]
    [sent] = processes.together(processes.add_idea, [(str(db), wid, secret, "from the other process")])
    assert [(i.id, i.text) for i in store.rooms.ideas(wid)][-1] == (sent, "from the other process")
    store.rooms.reveal_ideas(wid)  # and the other way: this process's write, read by a fresh process
    [again] = processes.together(processes.add_idea, [(str(db), wid, secret, "after the reveal")])
    assert {i.text: i.status for i in store.rooms.ideas(wid)} == {
        "first": R.IdeaStatus.REVEALED,
        "from the other process": R.IdeaStatus.REVEALED,
        "after the reveal": R.IdeaStatus.PRIVATE,
    } and again > sent
    store.close()


def test_a_workshop_parsed_in_one_process_follows_anothers_save(tmp_path: Path, ec: Workshop) -> None:
    """An edit on one process, a share link served by another: the next load there is the new version."""
    db = tmp_path / "k.db"
    store = Store(db)
    wid = store.create(ec)
    assert store.load(wid).workshop.title == "EC" and store.load(wid).version == 1  # parsed once, kept in this process
    [version] = processes.together(processes.rename, [(str(db), wid, "Renamed elsewhere")])
    loaded = store.load(wid)
    assert (loaded.version, loaded.workshop.title) == (version, "Renamed elsewhere") == (2, "Renamed elsewhere")
    store.close()
