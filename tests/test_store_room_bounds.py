"""A room holds against a hostile participant or file (#25 items 1, 3 and 7): imported votes kept as counts within
what a live room can give, the room's own limits (ideas, votes, joins per client), the facilitator removing a
participant, and a closed room taking no participant's write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import resource
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml

from kpidesign import room as R
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import RoomIdea, RoomRecord, RoomVote, Workshop
from kpidesign.room import IdeaStatus, Timer, VoteKind
from kpidesign.store import InvalidWorkshopError, Membership, Store
from kpidesign.store.engine import SqliteDatabase
from kpidesign.values import EditError
from tests.conftest import build_ec


def refused(code: str, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(EditError) as e:
        fn(*args, **kwargs)
    assert e.value.problem.code == code


def _file(ws: Workshop, room: Mapping[str, object]) -> str:
    doc = yaml.safe_load(to_yaml(ws))
    doc["room"] = room
    return yaml.safe_dump(doc, allow_unicode=True)


def test_an_imported_vote_is_kept_as_counts_not_a_row_per_dot(store: Store, ec: Workshop) -> None:
    options = {f"o{n}": R.MAX_PARTICIPANTS for n in range(10)}  # 3,000 dots: a full room of 300 spending 10 each
    vote = RoomVote(question="KFS?", kind=VoteKind.NODES, dots=R.MAX_DOTS, results=options)
    wid = store.create(ec.model_copy(update={"room": RoomRecord(votes=[vote])}))
    assert store.db.execute("select count(*) from room_dots").fetchone()[0] == 0
    assert store.db.execute("select count(*) from room_tallies").fetchone()[0] == 10
    [kept] = store.votes.all(wid)
    assert store.votes.tally(kept, wid) == [(o, R.MAX_PARTICIPANTS) for o in options]
    record = store.room_record(wid)
    assert record is not None and record.votes[0].results == options


def test_a_file_with_more_dots_than_a_room_can_give_is_refused_before_anything_is_written(tmp_path: Path, ec: Workshop) -> None:
    store = Store(tmp_path / "k.db")
    before = store.db.execute("select count(*) from workshops").fetchone()[0]
    # the reproduced file: one vote of 50 options x 100,000 dots (11.8 KB) took 13 s and 943 MB
    room = {"votes": [{"question": "q", "kind": "nodes", "dots": 3, "results": {f"o{n}": 100_000 for n in range(50)}}]}
    started, rss = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = from_yaml(_file(ec, room))
    assert result.workshop is None and time.perf_counter() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 50_000  # KiB
    [finding] = result.findings
    assert finding.params["field"].startswith("room.votes[0]") and "900" in finding.params["detail"]
    assert store.db.execute("select count(*) from workshops").fetchone()[0] == before


@pytest.mark.parametrize(
    ("room", "field"),
    [
        ({"votes": [{"question": f"q{n}", "dots": 3} for n in range(R.ROOM_VOTES + 1)]}, "room.votes"),
        ({"ideas": [{"id": f"i{n}", "text": "x"} for n in range(R.ROOM_IDEAS + 1)]}, "room.ideas"),
        ({"votes": [{"question": "q", "results": {"x" * (R.MAX_OPTION + 1): 1}}]}, "room.votes[0].results"),
    ],
    ids=["votes", "ideas", "option"],
)
def test_an_imported_room_beyond_a_live_room_s_limits_is_refused_naming_the_field(
    ec: Workshop, room: dict[str, object], field: str
) -> None:
    result = from_yaml(_file(ec, room))
    assert result.workshop is None
    assert result.findings[0].params["field"].startswith(field), result.findings


def test_the_store_refuses_a_record_built_in_code_past_the_limits(store: Store, ec: Workshop) -> None:
    too_many = RoomRecord.model_construct(anonymous=True, ideas=[RoomIdea(id=f"i{n}", text="x") for n in range(R.ROOM_IDEAS + 1)], votes=[])
    with pytest.raises(InvalidWorkshopError):
        store.create(ec.model_copy(update={"room": too_many}))
    assert store.workshops() == []


def test_a_room_at_its_limit_exports_and_duplicates(store: Store, ec: Workshop) -> None:
    """The store's limits and the model's are the same numbers: a full room is exported and copied, never a crash."""
    wid = store.create(ec)
    store.rooms.open(wid)
    people = [store.rooms.join(wid, client=f"10.0.0.{n}") for n in range(R.ROOM_IDEAS // R.IDEAS_PER_ACTIVITY)]
    for secret in people:
        for n in range(R.IDEAS_PER_ACTIVITY):
            store.rooms.add_idea(wid, secret, f"idea {n}")
    refused("room_ideas_full", store.rooms.add_idea, wid, store.rooms.join(wid, client="10.0.1.1"), "one more")
    record = store.room_record(wid)
    assert record is not None and len(record.ideas) == R.ROOM_IDEAS
    copy = store.duplicate(wid, "copy")
    assert len(store.rooms.ideas(copy)) == R.ROOM_IDEAS
    assert from_yaml(to_yaml(store.with_room(store.load(wid).workshop, wid))).workshop is not None


def test_votes_per_room_are_bounded(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    for n in range(R.ROOM_VOTES):
        store.votes.open(wid, f"q{n}", VoteKind.NODES, ["kgi"])
    refused("room_votes_full", store.votes.open, wid, "one more", VoteKind.NODES, ["kgi"])


def test_joins_from_one_client_are_bounded_per_minute(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    t0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    for n in range(R.JOINS_PER_CLIENT):
        store.rooms.join(wid, client="203.0.113.9", now=t0 + dt.timedelta(seconds=n % 30))
    refused("room_join_rate", store.rooms.join, wid, client="203.0.113.9", now=t0 + dt.timedelta(seconds=30))
    store.rooms.join(wid, client="198.51.100.4", now=t0 + dt.timedelta(seconds=30))  # another client is not held up
    store.rooms.join(wid, client="203.0.113.9", now=t0 + dt.timedelta(seconds=R.JOIN_WINDOW + 30))  # a minute later
    assert store.rooms.participant_count(wid) == R.JOINS_PER_CLIENT + 2
    stored = [r[0] for r in store.db.execute("select client from room_participants").fetchall()]
    assert "203.0.113.9" not in str(stored)  # only a hash of the address is kept


def test_the_room_is_full_at_its_participant_limit(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    for n in range(R.MAX_PARTICIPANTS):
        store.rooms.join(wid, client=f"c{n}")
    refused("room_full", store.rooms.join, wid, client="another")


def test_the_facilitator_removes_a_participant_and_takes_it_back(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    spam = [store.rooms.add_idea(wid, bob, f"spam {n}") for n in range(3)]
    made = store.rooms.add_idea(wid, bob, "good one")
    store.rooms.add_idea(wid, ann, "mine")
    store.rooms.reveal_ideas(wid)
    store.rooms.accept_ideas(wid, [(made, "customers")])
    vote = store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend"])
    store.votes.place_dot(wid, vote, bob, "avg_spend")
    store.votes.place_dot(wid, vote, ann, "customers")
    bob_key = R.participant_key(bob)
    assert store.rooms.remove_participant(wid, bob_key) == 3
    assert [i.text for i in store.rooms.ideas(wid)] == ["good one", "mine"]  # the idea made a node stays, as the node's source
    assert store.rooms.participant_count(wid) == 1 and store.rooms.membership(wid, bob) is Membership.REMOVED
    [v] = store.votes.all(wid)
    assert dict(store.votes.tally(v, wid)) == {"customers": 1, "avg_spend": 0}
    refused("room_closed", store.rooms.add_idea, wid, bob, "back again")
    refused("room_closed", store.votes.place_dot, wid, vote, bob, "avg_spend")
    record = store.room_record(wid)
    assert record is not None and "spam 0" not in str(record.model_dump())
    assert store.rooms.removed_participants(wid) == [(bob_key, "Bob")]
    store.rooms.readmit_participant(wid, bob_key)
    assert {i.id for i in store.rooms.ideas(wid)} >= set(spam) and store.rooms.membership(wid, bob) is Membership.ACTIVE
    assert dict(store.votes.tally(v, wid)) == {"customers": 1, "avg_spend": 1}


def test_a_closed_room_takes_no_participant_write_and_closes_its_vote(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    idea = store.rooms.add_idea(wid, ann, "draft")
    vote = store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend"])
    store.votes.place_dot(wid, vote, ann, "customers")
    store.rooms.close(wid)
    assert not store.votes.all(wid)[-1].is_open
    refused("room_closed", store.votes.place_dot, wid, vote, ann, "avg_spend")
    refused("room_closed", store.votes.remove_dot, wid, vote, ann, "customers")
    refused("room_closed", store.rooms.edit_idea, wid, ann, idea, "changed after close")
    refused("room_closed", store.rooms.withdraw_idea, wid, ann, idea)
    assert [i.text for i in store.rooms.ideas(wid)] == ["draft"] and len(store.votes.dots(vote)) == 1
    assert store.rooms.ideas(wid)[0].status is IdeaStatus.PRIVATE


def test_upgrade_turns_imported_dots_into_counts(tmp_path: Path) -> None:
    """m008 on a database of the release before it: an imported vote's one row per dot becomes a count per option."""
    path = tmp_path / "old.db"
    store = Store(path)
    wid = store.create(build_ec())
    store.db.execute("drop table room_tallies")
    store.db.execute("delete from _sqlite_migrations where name = 'm008_vote_counts_and_room_bounds'")
    store.db.execute("drop index idx_room_participants_workshop_id_client_joined_at")
    for column in ("client", "removed_at"):
        store.db.execute(f"alter table room_participants drop column {column}")
    store.db.execute("alter table room_ideas drop column decided_from")
    store.db.execute("alter table room_votes drop column activity")
    store.db.execute(
        "insert into rooms (workshop_id, state, anonymous, step, activity, follow, rev) values (?, 'closed', 1, 'tree', 1, 0, 0)", (wid,)
    )
    db = store.db
    assert isinstance(db, SqliteDatabase)  # the release before m008 was SQLite only
    vote = db.execute(
        "insert into room_votes (workshop_id, question, kind, options, dots, state) values (?, 'q', 'nodes', '[\"a\",\"b\"]', 3, 'closed')",
        (wid,),
    ).lastrowid
    rows = [(vote, f"imported:0:a:{j}", "a") for j in range(5)] + [(vote, "imported:0:b:0", "b")]
    db.conn.executemany("insert into room_dots (vote_id, participant_id, option) values (?,?,?)", rows)
    store.close()
    again = Store(path)
    assert again.db.execute("select count(*) from room_dots").fetchone()[0] == 0
    [v] = again.votes.all(wid)
    assert again.votes.tally(v, wid) == [("a", 5), ("b", 1)]


def test_an_undone_acceptance_returns_the_ideas_to_undecided(store: Store, ec: Workshop) -> None:
    """#26 item 7: after Undo of "make nodes" the ideas are back in the inbox as they were (a private one stays private,
    never shown to the room by the undo), and no export names a node that no longer exists."""
    from kpidesign import tree

    wid = store.create(ec)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    shown, kept_private = store.rooms.add_idea(wid, ann, "revealed one", "customers"), store.rooms.add_idea(wid, ann, "private one")
    store.db.execute("update room_ideas set status = 'revealed' where id = ?", (shown,))
    loaded = store.load(wid)
    ws, a = tree.add_node(loaded.workshop, "customers", "revealed one")
    ws, b = tree.add_node(ws, ws.kgi.id, "private one")
    version = store.save(wid, ws, expected_version=loaded.version, summary="made")
    assert store.rooms.accept_ideas(wid, [(shown, a), (kept_private, b)]) == 2
    assert {i.status for i in store.rooms.ideas(wid)} == {IdeaStatus.ACCEPTED}
    store.undo(wid, expected_version=version)
    back = {i.id: (i.status, i.node) for i in store.rooms.ideas(wid)}
    assert back == {shown: (IdeaStatus.REVEALED, None), kept_private: (IdeaStatus.PRIVATE, None)}
    record = store.room_record(wid)
    assert record is not None and all(i.node is None for i in record.ideas)
    assert store.rooms.accept_ideas(wid, [(shown, a)]) == 1  # choosable again


def test_a_closed_vote_is_shown_until_the_next_question(store: Store, ec: Workshop) -> None:
    """#26 item 19: a closed vote's result stays on the phones and the wall only until the facilitator asks anew."""
    wid = store.create(ec)
    store.rooms.open(wid)
    store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers"])
    room = store.rooms.get(wid)
    assert room is not None and store.votes.all(wid)[-1].shown(room)
    store.votes.close(wid)
    assert store.votes.all(wid)[-1].shown(room)
    store.rooms.save(room.prompt("tree", "customers"))
    asked = store.rooms.get(wid)
    assert asked is not None and not store.votes.all(wid)[-1].shown(asked)


def test_a_private_idea_decided_before_the_reveal_stays_private(store: Store, ec: Workshop) -> None:
    """Review F8: merging private duplicates, or making a private idea a node, never shows it to the other phones."""
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    a, b = store.rooms.add_idea(wid, ann, "ann's private one"), store.rooms.add_idea(wid, ann, "ann's duplicate")
    made = store.rooms.add_idea(wid, ann, "ann's private made a node")
    store.rooms.merge_idea(wid, b, a)
    store.rooms.accept_ideas(wid, [(made, "customers")])
    assert [i.text for i in R.visible(store.rooms.ideas(wid), R.participant_key(bob))] == []
    assert len(R.visible(store.rooms.ideas(wid), R.participant_key(ann))) == 3  # their author still sees them
    store.rooms.reveal_ideas(wid)
    seen = [i.text for i in R.visible(store.rooms.ideas(wid), R.participant_key(bob))]
    assert seen == ["ann's private one"]  # revealed now; the merged and the made ones were decided while private


def test_a_removed_flood_leaves_room_for_others(store: Store, ec: Workshop) -> None:
    """Review F2: ideas of removed participants do not count towards the room's ideas."""
    wid = store.create(ec)
    store.rooms.open(wid)
    flood = [store.rooms.join(wid, client="203.0.113.5") for _ in range(R.ROOM_IDEAS // R.IDEAS_PER_ACTIVITY)]
    for secret in flood:
        for n in range(R.IDEAS_PER_ACTIVITY):
            store.rooms.add_idea(wid, secret, f"spam {n}")
    real = store.rooms.join(wid, "Real", client="198.51.100.1")
    refused("room_ideas_full", store.rooms.add_idea, wid, real, "a real idea")
    assert store.rooms.remove_participants(wid, [R.participant_key(s) for s in flood]) == len(flood)
    store.rooms.add_idea(wid, real, "a real idea")


def test_silent_joins_are_removed_in_one_action_and_taken_back(store: Store, ec: Workshop) -> None:
    """Review F9: joins that fill the room and send nothing are taken out at once; those who spoke stay; all come back."""
    wid = store.create(ec)
    store.rooms.open(wid)
    t0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    silent = [store.rooms.join(wid, client=f"c{n}", now=t0) for n in range(30)]
    talker, voter = store.rooms.join(wid, "T", now=t0), store.rooms.join(wid, "V", now=t0)
    fresh = store.rooms.join(wid, "just now", now=t0 + dt.timedelta(minutes=10))
    store.rooms.add_idea(wid, talker, "hello")
    vote = store.votes.open(wid, "q", VoteKind.NODES, ["customers"])
    store.votes.place_dot(wid, vote, voter, "customers")
    assert store.rooms.remove_silent(wid, now=t0 + dt.timedelta(minutes=10, seconds=30)) == 30
    assert all(store.rooms.membership(wid, s) is Membership.REMOVED for s in silent)
    assert all(store.rooms.is_participant(wid, s) for s in (talker, voter, fresh))
    assert store.rooms.readmit_participant(wid) == 30 and store.rooms.participant_count(wid) == 33


def test_readmitting_never_overfills_the_room(store: Store, ec: Workshop) -> None:
    """Review F5."""
    wid = store.create(ec)
    store.rooms.open(wid)
    first = store.rooms.join(wid, client="a")
    store.rooms.remove_participant(wid, R.participant_key(first))
    for n in range(R.MAX_PARTICIPANTS):
        store.rooms.join(wid, client=f"c{n}")
    refused("room_full", store.rooms.readmit_participant, wid, R.participant_key(first))
    assert store.rooms.participant_count(wid) == R.MAX_PARTICIPANTS


def test_no_rename_after_close_no_edit_after_time_up_and_no_address_kept(store: Store, ec: Workshop) -> None:
    """Review F6, F17, F16."""
    wid = store.create(ec)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann", client="203.0.113.8")
    idea = store.rooms.add_idea(wid, ann, "draft")
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(dataclasses.replace(room, timer=Timer(60, started_at=time.time() - 120, close_on_end=True)))
    refused("room_time_up", store.rooms.edit_idea, wid, ann, idea, "changed after time")
    store.rooms.close(wid)
    refused("room_closed", store.rooms.rename_participant, wid, ann, "Mallory")
    assert store.db.execute("select count(*) from room_participants where client is not null").fetchone()[0] == 0


def test_a_room_record_names_people_apart_and_exports_what_an_older_release_let_grow(store: Store, ec: Workshop) -> None:
    """Review F3: two participants called Ken with 60 ideas each export and copy; a room past the limits (an older
    release's) still exports, and a copy of it is refused with a message, never a crash."""
    wid = store.create(ec)
    store.rooms.open(wid)
    kens = [store.rooms.join(wid, "Ken"), store.rooms.join(wid, "Ken")]
    for k in kens:
        for n in range(60):
            store.db.execute(
                "insert into room_ideas (workshop_id, participant_id, activity, text, status) values (?,?,?,?,?)",
                (wid, R.participant_key(k), n, f"idea {n}", "revealed"),
            )
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room)  # a write: the room's revision moves on
    assert store.room_record(wid) is not None and store.duplicate(wid, "copy")
    for _ in range(R.ROOM_IDEAS):
        store.db.execute(
            "insert into room_ideas (workshop_id, participant_id, activity, text, status) values (?,?,?,?,?)",
            (wid, "old", 1, "x", "revealed"),
        )
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room)
    record = store.room_record(wid)
    assert record is not None and len(record.ideas) > R.ROOM_IDEAS and "room" in to_yaml(store.with_room(store.load(wid).workshop, wid))
    with pytest.raises(InvalidWorkshopError):
        store.duplicate(wid, "copy 2")


def test_an_imported_room_names_each_idea_once(ec: Workshop) -> None:
    """Review F13."""
    result = from_yaml(_file(ec, {"ideas": [{"id": "i1", "text": "a"}, {"id": "i1", "text": "b"}]}))
    assert result.workshop is None and result.findings[0].params["field"].startswith("room")
    long = from_yaml(_file(ec, {"ideas": [{"id": "i1", "text": "a", "parent": "x" * 10_000}]}))
    assert long.workshop is None


def test_one_participant_cannot_hold_the_write_lock_in_a_loop(store: Store, ec: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    """F10: every participant write spends from a budget (a burst, then a rate); a refused write writes nothing."""
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    store.votes.open(wid, "KFS", VoteKind.NODES, ["customers", "avg_spend"], dots=3)
    [vote] = store.votes.all(wid)
    t = [5_000.0]
    monkeypatch.setattr("kpidesign.store.budget.clock", lambda at: t[0] if at is None else at)
    idea = store.rooms.add_idea(wid, ann, "first", now=t[0])
    for n in range((R.WRITE_BURST - 1) // 2):  # edits and dots alike spend it: the burst, all at one moment
        store.rooms.edit_idea(wid, ann, idea, f"edit {n}")
        store.votes.place_dot(wid, vote.id, ann, "customers") if n % 2 else store.votes.remove_dot(wid, vote.id, ann, "customers")
    store.rooms.edit_idea(wid, ann, idea, "the last of the burst")
    rev = store.rooms.rev(wid)
    refused("room_slow_down", store.rooms.edit_idea, wid, ann, idea, "one too many")
    refused("room_slow_down", store.votes.place_dot, wid, vote.id, ann, "customers")
    refused("room_slow_down", store.rooms.add_idea, wid, ann, "and another", now=t[0])
    assert store.rooms.rev(wid) == rev and store.rooms.ideas(wid, ann)[0].text != "one too many"  # nothing written
    store.rooms.add_idea(wid, bob, "others still send", now=t[0])  # a budget is one person's
    t[0] += 1 / R.WRITE_RATE
    store.rooms.edit_idea(wid, ann, idea, "a moment later")
    assert store.rooms.ideas(wid, ann)[0].text == "a moment later"


def test_a_rooms_limits_hold_against_parallel_writers_on_both_engines(database: str, ec: Workshop) -> None:
    """Joins and ideas sent at once from several connections (sessions, processes, machines) never pass the room's
    limits: each is checked inside the write transaction (issue #29: identical on SQLite and PostgreSQL)."""
    import threading

    store = Store(database)
    wid = store.create(ec)
    store.rooms.open(wid)
    for n in range(R.MAX_PARTICIPANTS - 5):
        store.rooms.join(wid, client=f"10.0.{n // 50}.{n}")
    secret = store.rooms.join(wid, client="10.1.0.0")  # 4 places left
    joined: list[str] = []
    sent: list[int] = []

    def crowd(n: int) -> None:
        mine = Store(database)
        for k in range(3):
            try:
                joined.append(mine.rooms.join(wid, client=f"10.2.{n}.{k}"))
            except EditError as e:
                assert e.problem.code == "room_full"
        for k in range(10):
            try:
                sent.append(mine.rooms.add_idea(wid, secret, f"idea {n}-{k}"))
            except EditError as e:  # the limit, or the person's write budget (ten sends at once from four sessions)
                assert e.problem.code in {"idea_limit", "room_slow_down"}, e.problem.code

    threads = [threading.Thread(target=crowd, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(joined) == 4 and store.rooms.participant_count(wid) == R.MAX_PARTICIPANTS
    assert len(sent) == R.IDEAS_PER_ACTIVITY and len(store.rooms.ideas(wid, secret)) == R.IDEAS_PER_ACTIVITY


def test_a_refused_write_spends_the_budget_too(store: Store, ec: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (#25): a write the room refuses (a dot on no option, another's idea edited, ideas past the limit) still
    took the write lock; it spent nothing, so a script looping refused writes held the lock without end."""
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    store.votes.open(wid, "KFS", VoteKind.NODES, ["customers", "avg_spend"], dots=1)
    [vote] = store.votes.all(wid)
    t = [5_000.0]
    monkeypatch.setattr("kpidesign.store.budget.clock", lambda at: t[0] if at is None else at)
    theirs = store.rooms.add_idea(wid, bob, "Bob's", now=t[0])
    rev = store.rooms.rev(wid)
    for n in range(R.WRITE_BURST):
        with pytest.raises(EditError) as e:
            if n % 2:
                store.votes.place_dot(wid, vote.id, ann, "no such option")
            else:
                store.rooms.edit_idea(wid, ann, theirs, "not mine")
        assert e.value.problem.code != "room_slow_down"
    refused("room_slow_down", store.votes.place_dot, wid, vote.id, ann, "no such option")
    refused("room_slow_down", store.rooms.edit_idea, wid, ann, theirs, "not mine")
    assert store.rooms.rev(wid) == rev  # refused: nothing the room reads changed
    store.votes.place_dot(wid, vote.id, bob, "customers")  # a budget is one person's


def test_a_venue_behind_one_address_can_be_given_more_joins_a_minute(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    t0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    venue = R.joins_per_client("250")  # KPIDESIGN_JOINS_PER_ADDRESS=250: a town hall on one Wi-Fi address
    for n in range(venue):
        store.rooms.join(wid, client="203.0.113.9", now=t0 + dt.timedelta(seconds=n % 50), per_client=venue)
    refused("room_join_rate", store.rooms.join, wid, client="203.0.113.9", now=t0 + dt.timedelta(seconds=50), per_client=venue)
    assert store.rooms.participant_count(wid) == 250
    refused("room_join_rate", store.rooms.join, wid, client="198.51.100.4", now=t0, per_client=0)  # 0: no join at all


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        (None, R.JOINS_PER_CLIENT),
        ("", R.JOINS_PER_CLIENT),
        ("120", 120),
        (" 300 ", 300),
        ("100000", R.MAX_PARTICIPANTS),
        ("0", R.JOINS_PER_CLIENT),
        ("-5", R.JOINS_PER_CLIENT),
        ("1e3", R.JOINS_PER_CLIENT),
        ("sixty", R.JOINS_PER_CLIENT),
        (250, 250),
    ],
)
def test_the_configured_joins_a_minute_are_a_whole_number_within_the_room(raw: object, limit: int) -> None:
    assert R.joins_per_client(raw) == limit
