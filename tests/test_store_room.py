"""Rooms in the store: join tokens, participants, ideas, votes; bounds checked in the write transaction."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.room import IdeaStatus, RoomState, VoteKind
from kpidesign.store import Store, _hash
from kpidesign.values import EditError
from tests.conftest import build_ec


def refused(code: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EditError) as e:
        fn(*args, **kwargs)
    assert e.value.problem.code == code


def test_join_token_opens_only_its_open_room(store: Store, ec: Workshop) -> None:
    wid, other = store.create(ec), store.create(ec)
    token = store.open_room(wid)
    assert len(token) >= 43 and store.resolve_join(token) == wid
    row = store.db.execute("select token_hash from rooms").fetchone()
    assert row[0] == _hash(token) and token not in str(store.db.execute("select * from rooms").fetchall())
    assert store.resolve_share(token) is None and store.resolve_join(store.create_share(other)) is None
    assert store.resolve_join(token + "x") is None and store.resolve_join("") is None and store.resolve_join("a" * 500) is None
    store.close_room(wid)
    assert store.resolve_join(token) is None and store.room(wid).state is RoomState.CLOSED  # type: ignore[union-attr]
    again = store.open_room(wid)
    assert again != token and store.resolve_join(token) is None and store.resolve_join(again) == wid


def test_ideas_private_until_revealed_and_bounded(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.open_room(wid)
    ann, bob = store.join_room(wid, "Ann"), store.join_room(wid)
    assert len(ann) >= 43 and store.participant_count(wid) == 2  # 256 bits, held by the browser only
    first = store.add_idea(wid, ann, "  指名検索 <b>{x}</b>\x00 ", "customers")
    store.add_idea(wid, bob, "**bold**")
    refused("idea_too_long", store.add_idea, wid, ann, "x" * 10_000)
    refused("idea_empty", store.add_idea, wid, ann, "\x00\x07")
    refused("room_closed", store.add_idea, wid, "forged", "hi")
    [mine] = store.ideas(wid, ann)
    assert (mine.text, mine.parent, mine.status, mine.author) == ("指名検索 <b>{x}</b>", "customers", IdeaStatus.PRIVATE, "Ann")
    assert [i.text for i in R.visible(store.ideas(wid), R.participant_key(ann))] == ["指名検索 <b>{x}</b>"]
    store.edit_idea(wid, ann, first, "指名検索数")
    refused("idea_not_yours", store.edit_idea, wid, bob, first, "mine now")
    refused("idea_not_yours", store.withdraw_idea, wid, bob, first)
    assert store.reveal_ideas(wid) == 2
    refused("idea_revealed", store.edit_idea, wid, ann, first, "late")
    assert len(R.visible(store.ideas(wid), R.participant_key(ann))) == 2
    for n in range(R.IDEAS_PER_ACTIVITY - 1):
        store.add_idea(wid, ann, f"idea {n}")
    refused("idea_limit", store.add_idea, wid, ann, "one too many")
    assert len(store.ideas(wid, ann)) == R.IDEAS_PER_ACTIVITY and len(store.ideas(wid, bob)) == 1
    store.add_idea(wid, bob, "others still send")


def test_withdraw_merge_dismiss_accept(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.open_room(wid)
    p = store.join_room(wid)
    a, b, c, d = (store.add_idea(wid, p, t) for t in ("a", "b", "c", "d"))
    store.withdraw_idea(wid, p, d)
    store.reveal_ideas(wid)
    store.merge_idea(wid, b, a)
    refused("idea_cannot_merge", store.merge_idea, wid, a, a)
    refused("idea_cannot_merge", store.merge_idea, wid, c, b)
    store.dismiss_idea(wid, c)
    store.accept_idea(wid, a, "brand_search")
    got = {i.id: i for i in store.ideas(wid)}
    assert d not in got and got[b].merged_into == a and got[b].status is IdeaStatus.MERGED
    assert got[c].status is IdeaStatus.DISMISSED and (got[a].status, got[a].node) == (IdeaStatus.ACCEPTED, "brand_search")


def test_closed_room_and_timer_refuse_ideas(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.open_room(wid)
    p = store.join_room(wid)
    room = store.room(wid)
    assert room is not None
    timer = R.set_timer(1, close_on_end=True)
    assert isinstance(timer, R.Timer)
    store.save_room(room.prompt("decompose", "customers").__class__(**{**room.__dict__, "timer": timer.start(1000.0)}))
    store.add_idea(wid, p, "in time", now=1030.0)
    refused("room_time_up", store.add_idea, wid, p, "too late", now=1061.0)
    store.close_room(wid)
    refused("room_closed", store.add_idea, wid, p, "closed", now=1030.0)
    refused("room_closed", store.join_room, wid)


def test_dots_never_exceed_the_allowance_even_in_parallel(tmp_path: Path, ec: Workshop) -> None:
    path = tmp_path / "db.sqlite"
    store = Store(path)
    wid = store.create(ec)
    store.open_room(wid)
    p, q = store.join_room(wid), store.join_room(wid)
    refused("vote_no_options", store.open_vote, wid, "KFS?", VoteKind.NODES, [])
    vote = store.open_vote(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend"], 3)

    def place() -> None:
        mine = Store(path)
        for _ in range(5):
            try:
                mine.place_dot(wid, vote, p, "customers")
            except EditError:
                pass

    threads = [threading.Thread(target=place) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused("vote_no_dots", store.place_dot, wid, vote, p, "avg_spend")
    refused("vote_bad_option", store.place_dot, wid, vote, q, "kgi")
    store.place_dot(wid, vote, q, "avg_spend")
    store.remove_dot(wid, vote, p, "customers")
    store.place_dot(wid, vote, p, "avg_spend")
    [v] = store.votes(wid)
    assert R.tally(v, store.dots(vote)) == [("customers", 2), ("avg_spend", 2)]
    store.close_vote(wid)
    refused("vote_closed", store.place_dot, wid, vote, q, "avg_spend")
    store.close()
    reopened = Store(path)  # a restart keeps the room, its ideas and votes
    assert reopened.room(wid) is not None and reopened.votes(wid)[0].question == "KFS?" and len(reopened.dots(vote)) == 4


def test_delete_workshop_removes_its_room(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    token = store.open_room(wid)
    p = store.join_room(wid, "x")
    store.add_idea(wid, p, "idea")
    store.place_dot(wid, store.open_vote(wid, "q", VoteKind.NODES, ["customers"]), p, "customers")
    store.delete(wid)
    assert store.resolve_join(token) is None
    for table in ("rooms", "room_participants", "room_ideas", "room_votes", "room_dots"):
        assert store.db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_display_name_refused_when_too_long(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.open_room(wid)
    refused("room_name_too_long", store.join_room, wid, "n" * 1000)


def test_a_participant_secret_is_stored_hashed_and_names_no_one_elsewhere(store: Store, ec: Workshop) -> None:
    wid, other = store.create(ec), store.create(ec)
    store.open_room(wid)
    store.open_room(other)
    secret = store.join_room(wid, "Ann")
    store.add_idea(wid, secret, "idea")
    dump = str([store.db.execute(f"select * from {t}").fetchall() for t in ("room_participants", "room_ideas")])
    assert secret not in dump and R.participant_key(secret) in dump  # the database holds only its hash
    assert store.is_participant(wid, secret) and not store.is_participant(other, secret)
    assert not store.is_participant(wid, R.participant_key(secret))  # the stored key is not a secret: it names, never acts
    refused("room_closed", store.add_idea, wid, R.participant_key(secret), "as Ann")
    refused("room_closed", store.add_idea, other, secret, "in another room")
    assert not store.is_participant(wid, "x" * 1000) and not store.is_participant(wid, None)


def test_every_write_to_a_room_bumps_its_revision_and_reads_follow_it(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    assert store.room_rev(wid) is None
    store.open_room(wid)
    seen = [store.room_rev(wid)]

    def bumped() -> None:
        seen.append(store.room_rev(wid))
        assert seen[-1] != seen[-2], seen

    p = store.join_room(wid, "Ann")
    bumped()
    assert store.participant_count(wid) == 1 and store.ideas(wid) == []
    a = store.add_idea(wid, p, "a")
    bumped()
    assert [i.text for i in store.ideas(wid)] == ["a"]  # never the list cached at the revision before
    store.edit_idea(wid, p, a, "a2")
    bumped()
    assert [i.text for i in store.ideas(wid, p)] == ["a2"]
    b = store.add_idea(wid, p, "b")
    bumped()
    store.reveal_ideas(wid)
    bumped()
    vote = store.open_vote(wid, "q", VoteKind.IDEAS, [str(a), str(b)], 2)
    bumped()
    store.place_dot(wid, vote, p, str(a))
    bumped()
    assert store.dots(vote, wid) == [(R.participant_key(p), str(a))]
    store.remove_dot(wid, vote, p, str(a))
    bumped()
    assert store.dots(vote, wid) == []
    store.close_vote(wid)
    bumped()
    assert not store.votes(wid)[0].is_open
    store.rename_participant(wid, p, "Bo")
    bumped()
    assert store.ideas(wid)[0].author == "Bo"
    for change in (lambda: store.dismiss_idea(wid, b), lambda: store.accept_idea(wid, a, "n"), lambda: store.close_room(wid)):
        change()
        bumped()
    assert [i.status for i in store.ideas(wid)] == [IdeaStatus.ACCEPTED, IdeaStatus.DISMISSED]


def test_another_connection_s_write_is_seen_at_once(tmp_path: Path, ec: Workshop) -> None:
    path = tmp_path / "db.sqlite"
    one, two = Store(path), Store(path)  # two sessions (or the CLI and the server)
    wid = one.create(ec)
    one.open_room(wid)
    p = one.join_room(wid)
    assert two.ideas(wid) == []
    one.add_idea(wid, p, "sent")
    assert [i.text for i in two.ideas(wid)] == ["sent"]


def test_upgrade_hashes_the_participants_an_earlier_release_stored_in_clear(tmp_path: Path, ec: Workshop) -> None:
    import sqlite3

    path = tmp_path / "db.sqlite"
    store = Store(path)
    wid = store.create(ec)
    store.open_room(wid)
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
    assert again.is_participant(wid, old) and [i.text for i in again.ideas(wid, old)] == ["x"]  # the address it holds still works
    assert old not in str(again.db.execute("select * from room_participants").fetchall())
    assert again.room_rev(wid) is not None


def test_a_decided_idea_is_never_decided_again(tmp_path):
    store = Store(tmp_path / "r.db")
    wid = store.create(build_ec())
    store.open_room(wid)
    secret = store.join_room(wid, "A")
    first, second = store.add_idea(wid, secret, "one"), store.add_idea(wid, secret, "two")
    assert store.accept_ideas(wid, [(first, "customers")]) == 1
    assert store.dismiss_ideas(wid, [first, second]) == 1  # the accepted one stays accepted
    found = {i.id: (i.status.value, i.node) for i in store.ideas(wid)}
    assert found == {first: ("accepted", "customers"), second: ("dismissed", None)}
    assert store.accept_ideas(wid, [(second, "items")]) == 0
