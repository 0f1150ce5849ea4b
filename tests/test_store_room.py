"""Rooms in the store: join tokens, participants, ideas, votes; bounds checked in the write transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.room import IdeaStatus, RoomState, VoteKind
from kpidesign.store import Store, _hash
from kpidesign.values import EditError
from tests.conftest import build_ec


def refused(code: str, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(EditError) as e:
        fn(*args, **kwargs)
    assert e.value.problem.code == code


def test_join_token_opens_only_its_open_room(store: Store, ec: Workshop) -> None:
    wid, other = store.create(ec), store.create(ec)
    token = store.rooms.open(wid)
    assert len(token) >= 43 and store.rooms.resolve(token) == wid
    row = store.db.execute("select token_hash from rooms").fetchone()
    assert row[0] == _hash(token) and token not in str(store.db.execute("select * from rooms").fetchall())
    assert store.shares.resolve(token) is None and store.rooms.resolve(store.shares.create(other)) is None
    assert store.rooms.resolve(token + "x") is None and store.rooms.resolve("") is None and store.rooms.resolve("a" * 500) is None
    store.rooms.close(wid)
    closed = store.rooms.get(wid)
    assert store.rooms.resolve(token) is None and closed is not None and closed.state is RoomState.CLOSED
    again = store.rooms.open(wid)
    assert again != token and store.rooms.resolve(token) is None and store.rooms.resolve(again) == wid


def test_ideas_private_until_revealed_and_bounded(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid)
    assert len(ann) >= 43 and store.rooms.participant_count(wid) == 2  # 256 bits, held by the browser only
    first = store.rooms.add_idea(wid, ann, "  指名検索 <b>{x}</b>\x00 ", "customers")
    store.rooms.add_idea(wid, bob, "**bold**")
    refused("idea_too_long", store.rooms.add_idea, wid, ann, "x" * 10_000)
    refused("idea_empty", store.rooms.add_idea, wid, ann, "\x00\x07")
    refused("room_closed", store.rooms.add_idea, wid, "forged", "hi")
    [mine] = store.rooms.ideas(wid, ann)
    assert (mine.text, mine.parent, mine.status, mine.author) == ("指名検索 <b>{x}</b>", "customers", IdeaStatus.PRIVATE, "Ann")
    assert [i.text for i in R.visible(store.rooms.ideas(wid), R.participant_key(ann))] == ["指名検索 <b>{x}</b>"]
    store.rooms.edit_idea(wid, ann, first, "指名検索数")
    refused("idea_not_yours", store.rooms.edit_idea, wid, bob, first, "mine now")
    refused("idea_not_yours", store.rooms.withdraw_idea, wid, bob, first)
    assert store.rooms.reveal_ideas(wid) == 2
    refused("idea_revealed", store.rooms.edit_idea, wid, ann, first, "late")
    assert len(R.visible(store.rooms.ideas(wid), R.participant_key(ann))) == 2
    later = time.time() + 60  # a minute on: the write budget (a burst of R.WRITE_BURST) is whole again
    for n in range(R.IDEAS_PER_ACTIVITY - 1):
        store.rooms.add_idea(wid, ann, f"idea {n}", now=later)
    refused("idea_limit", store.rooms.add_idea, wid, ann, "one too many")
    assert len(store.rooms.ideas(wid, ann)) == R.IDEAS_PER_ACTIVITY and len(store.rooms.ideas(wid, bob)) == 1
    store.rooms.add_idea(wid, bob, "others still send")


def test_withdraw_merge_dismiss_accept(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    p = store.rooms.join(wid)
    a, b, c, d = (store.rooms.add_idea(wid, p, t) for t in ("a", "b", "c", "d"))
    store.rooms.withdraw_idea(wid, p, d)
    store.rooms.reveal_ideas(wid)
    store.rooms.merge_idea(wid, b, a)
    refused("idea_cannot_merge", store.rooms.merge_idea, wid, a, a)
    refused("idea_cannot_merge", store.rooms.merge_idea, wid, c, b)
    store.rooms.dismiss_idea(wid, c)
    store.rooms.accept_idea(wid, a, "brand_search")
    got = {i.id: i for i in store.rooms.ideas(wid)}
    assert d not in got and got[b].merged_into == a and got[b].status is IdeaStatus.MERGED
    assert got[c].status is IdeaStatus.DISMISSED and (got[a].status, got[a].node) == (IdeaStatus.ACCEPTED, "brand_search")


def test_closed_room_and_timer_refuse_ideas(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    p = store.rooms.join(wid)
    room = store.rooms.get(wid)
    assert room is not None
    timer = R.set_timer(1, close_on_end=True)
    assert isinstance(timer, R.Timer)
    store.rooms.save(room.prompt("decompose", "customers").__class__(**{**room.__dict__, "timer": timer.start(1000.0)}))
    store.rooms.add_idea(wid, p, "in time", now=1030.0)
    refused("room_time_up", store.rooms.add_idea, wid, p, "too late", now=1061.0)
    store.rooms.close(wid)
    refused("room_closed", store.rooms.add_idea, wid, p, "closed", now=1030.0)
    refused("room_closed", store.rooms.join, wid)


def test_dots_never_exceed_the_allowance_even_in_parallel(database: str, ec: Workshop) -> None:
    path = database
    store = Store(path)
    wid = store.create(ec)
    store.rooms.open(wid)
    p, q = store.rooms.join(wid), store.rooms.join(wid)
    refused("vote_no_options", store.votes.open, wid, "KFS?", VoteKind.NODES, [])
    vote = store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend"], 3)

    def place() -> None:
        mine = Store(path)
        for _ in range(4):  # 16 tries in all: a refused try spends the write budget too (R.WRITE_BURST)
            try:
                mine.votes.place_dot(wid, vote, p, "customers")
            except EditError:
                pass

    threads = [threading.Thread(target=place) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused("vote_no_dots", store.votes.place_dot, wid, vote, p, "avg_spend")
    refused("vote_bad_option", store.votes.place_dot, wid, vote, q, "kgi")
    store.votes.place_dot(wid, vote, q, "avg_spend")
    store.votes.remove_dot(wid, vote, p, "customers")
    store.votes.place_dot(wid, vote, p, "avg_spend")
    [v] = store.votes.all(wid)
    assert R.tally(v, store.votes.dots(vote)) == [("customers", 2), ("avg_spend", 2)]
    store.votes.close(wid)
    refused("vote_closed", store.votes.place_dot, wid, vote, q, "avg_spend")
    store.close()
    reopened = Store(path)  # a restart keeps the room, its ideas and votes
    assert reopened.rooms.get(wid) is not None and reopened.votes.all(wid)[0].question == "KFS?" and len(reopened.votes.dots(vote)) == 4


def test_delete_workshop_removes_its_room(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    token = store.rooms.open(wid)
    p = store.rooms.join(wid, "x")
    store.rooms.add_idea(wid, p, "idea")
    store.votes.place_dot(wid, store.votes.open(wid, "q", VoteKind.NODES, ["customers"]), p, "customers")
    store.delete(wid)
    assert store.rooms.resolve(token) is None
    for table in ("rooms", "room_participants", "room_ideas", "room_votes", "room_dots"):
        assert store.db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_display_name_refused_when_too_long(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    refused("room_name_too_long", store.rooms.join, wid, "n" * 1000)


def test_a_participant_secret_is_stored_hashed_and_names_no_one_elsewhere(store: Store, ec: Workshop) -> None:
    wid, other = store.create(ec), store.create(ec)
    store.rooms.open(wid)
    store.rooms.open(other)
    secret = store.rooms.join(wid, "Ann")
    store.rooms.add_idea(wid, secret, "idea")
    dump = str([store.db.execute(f"select * from {t}").fetchall() for t in ("room_participants", "room_ideas")])
    assert secret not in dump and R.participant_key(secret) in dump  # the database holds only its hash
    assert store.rooms.is_participant(wid, secret) and not store.rooms.is_participant(other, secret)
    assert not store.rooms.is_participant(wid, R.participant_key(secret))  # the stored key is not a secret: it names, never acts
    refused("room_closed", store.rooms.add_idea, wid, R.participant_key(secret), "as Ann")
    refused("room_closed", store.rooms.add_idea, other, secret, "in another room")
    assert not store.rooms.is_participant(wid, "x" * 1000) and not store.rooms.is_participant(wid, None)


def test_every_write_to_a_room_bumps_its_revision_and_reads_follow_it(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    assert store.rooms.rev(wid) is None
    store.rooms.open(wid)
    seen = [store.rooms.rev(wid)]

    def bumped() -> None:
        seen.append(store.rooms.rev(wid))
        assert seen[-1] != seen[-2], seen

    p = store.rooms.join(wid, "Ann")
    bumped()
    assert store.rooms.participant_count(wid) == 1 and store.rooms.ideas(wid) == []
    a = store.rooms.add_idea(wid, p, "a")
    bumped()
    assert [i.text for i in store.rooms.ideas(wid)] == ["a"]  # never the list cached at the revision before
    store.rooms.edit_idea(wid, p, a, "a2")
    bumped()
    assert [i.text for i in store.rooms.ideas(wid, p)] == ["a2"]
    b = store.rooms.add_idea(wid, p, "b")
    bumped()
    store.rooms.reveal_ideas(wid)
    bumped()
    vote = store.votes.open(wid, "q", VoteKind.IDEAS, [str(a), str(b)], 2)
    bumped()
    store.votes.place_dot(wid, vote, p, str(a))
    bumped()
    assert store.votes.dots(vote, wid) == [(R.participant_key(p), str(a))]
    store.votes.remove_dot(wid, vote, p, str(a))
    bumped()
    assert store.votes.dots(vote, wid) == []
    store.votes.close(wid)
    bumped()
    assert not store.votes.all(wid)[0].is_open
    store.rooms.rename_participant(wid, p, "Bo")
    bumped()
    assert store.rooms.ideas(wid)[0].author == "Bo"
    changes: list[Callable[[], object]] = [
        lambda: store.rooms.dismiss_idea(wid, b),
        lambda: store.rooms.accept_idea(wid, a, "n"),
        lambda: store.rooms.close(wid),
    ]
    for change in changes:
        change()
        bumped()
    assert [i.status for i in store.rooms.ideas(wid)] == [IdeaStatus.ACCEPTED, IdeaStatus.DISMISSED]


def test_another_connection_s_write_is_seen_at_once(database: str, ec: Workshop) -> None:
    path = database
    one, two = Store(path), Store(path)  # two sessions (or the CLI and the server)
    wid = one.create(ec)
    one.rooms.open(wid)
    p = one.rooms.join(wid)
    assert two.rooms.ideas(wid) == []
    one.rooms.add_idea(wid, p, "sent")
    assert [i.text for i in two.rooms.ideas(wid)] == ["sent"]


def test_upgrade_hashes_the_participants_an_earlier_release_stored_in_clear(tmp_path: Path, ec: Workshop) -> None:
    import sqlite3

    path = tmp_path / "db.sqlite"
    store = Store(path)
    wid = store.create(ec)
    store.rooms.open(wid)
    store.close()
    conn = sqlite3.connect(path)  # as release m006 left it: the id the browser holds, in clear, and no revision
    old = "0123456789abcdef0123456789abcdef"
    conn.execute("insert into room_participants (id, workshop_id, name, joined_at) values (?,?,?,?)", (old, wid, "Ann", "t"))
    conn.execute("insert into room_ideas (workshop_id, participant_id, activity, text, status) values (?,?,1,'x','private')", (wid, old))
    conn.execute("delete from _sqlite_migrations where name = 'm007_room_revision_and_participant_secrets'")
    conn.execute("alter table rooms drop column rev")
    conn.commit()
    conn.close()
    again = Store(path)
    assert again.rooms.is_participant(wid, old) and [i.text for i in again.rooms.ideas(wid, old)] == [
        "x"
    ]  # the address it holds still works
    assert old not in str(again.db.execute("select * from room_participants").fetchall())
    assert again.rooms.rev(wid) is not None


def test_a_decided_idea_is_never_decided_again(database: str) -> None:
    store = Store(database)
    wid = store.create(build_ec())
    store.rooms.open(wid)
    secret = store.rooms.join(wid, "A")
    first, second = store.rooms.add_idea(wid, secret, "one"), store.rooms.add_idea(wid, secret, "two")
    assert store.rooms.accept_ideas(wid, [(first, "customers")]) == 1
    assert store.rooms.dismiss_ideas(wid, [first, second]) == 1  # the accepted one stays accepted
    found = {i.id: (i.status.value, i.node) for i in store.rooms.ideas(wid)}
    assert found == {first: ("accepted", "customers"), second: ("dismissed", None)}
    assert store.rooms.accept_ideas(wid, [(second, "items")]) == 0
