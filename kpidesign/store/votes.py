"""Votes of a room (dot voting), their dots and tallies, and the room's record (what a room contributed, as exported
and imported with a workshop).

store.votes.open(wid, question, kind, options, dots) -> id, .close(wid), .all(wid), .place_dot / .remove_dot (a
participant's), .dots(vote_id, wid), .counted(vote_id), .tally(vote, wid). Every write bumps the room's revision
(kpidesign.store.rooms), and reads are cached by it.
"""

from __future__ import annotations

import dataclasses
import json

from kpidesign import room as rules
from kpidesign.model import RoomIdea, RoomRecord, RoomVote, Workshop
from kpidesign.moderation import hidden_options
from kpidesign.room import IdeaStatus, RoomState, Vote, VoteKind, VoteState
from kpidesign.store.base import Connection, Noun
from kpidesign.store.base import now as _now
from kpidesign.store.engine import Sql
from kpidesign.store.errors import Refused
from kpidesign.store.moderation import exported
from kpidesign.store.moderation import insert as insert_moderation
from kpidesign.store.moderation import read as read_moderation
from kpidesign.store.rooms import Rooms
from kpidesign.store.themes import Themes, insert_themes
from kpidesign.store.tokens import new_id
from kpidesign.values import EditError, Problem


class Votes(Noun):
    """The votes of each workshop's room (one open at a time)."""

    def __init__(self, conn: Connection, rooms: Rooms) -> None:
        super().__init__(conn)
        self.rooms = rooms

    def open(self, workshop_id: str, question: str, kind: VoteKind, options: list[str], dots: int = rules.DEFAULT_DOTS) -> int:
        """Put a question to the vote (closing any vote still open); its id. Raise EditError for no options or bad dots."""
        with self._write() as conn:
            before = conn.execute("select count(*) from room_votes where workshop_id = ?", (workshop_id,)).fetchone()[0]
            made = rules.make_vote(question, kind, options, dots, before)
            if isinstance(made, Problem):
                raise EditError(made)
            q, opts, n = made
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            asked = conn.execute("select activity from rooms where workshop_id = ?", (workshop_id,)).fetchone()
            made = conn.execute(
                "insert into room_votes (workshop_id, question, kind, options, dots, state, opened_at, activity) values (?,?,?,?,?,?,?,?) "
                "returning id",
                (
                    workshop_id,
                    q,
                    kind.value,
                    json.dumps(list(opts), ensure_ascii=False),
                    n,
                    VoteState.OPEN.value,
                    _now(),
                    asked[0] if asked else 0,
                ),
            ).fetchone()
            self.rooms.touch(conn, workshop_id)
            return int(made[0])

    def close(self, workshop_id: str) -> None:
        """Stop taking dots (the results stay)."""
        with self._write() as conn:
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            self.rooms.touch(conn, workshop_id)

    def all(self, workshop_id: str) -> list[Vote]:
        """Every vote of the room, the latest last (read once per room revision)."""

        def read() -> list[Vote]:
            rows = self.db.execute(
                "select id, question, kind, options, dots, state, coalesce(activity, 0) from room_votes where workshop_id = ? order by id",
                (workshop_id,),
            ).fetchall()
            return [Vote(r[0], r[1], VoteKind(r[2]), tuple(json.loads(r[3])), r[4], VoteState(r[5]), r[6]) for r in rows]

        return list(self.rooms.cached(workshop_id, ("votes",), read))

    def place_dot(self, workshop_id: str, vote_id: int, secret: str, option: str) -> None:
        """Place one of a participant's dots (checked in the write transaction: never more than the dots given, however
        many sessions or reloads). Raise EditError when refused."""
        with self._write() as conn:
            vote = next((v for v in self.all(workshop_id) if v.id == vote_id), None)
            self.rooms.open_to(workshop_id, secret, conn)
            key = rules.participant_key(secret)
            mine = conn.execute("select count(*) from room_dots where vote_id = ? and participant_id = ?", (vote_id, key)).fetchone()[0]
            problem = rules.can_dot(vote, option, mine)
            if problem:
                raise Refused(problem)  # the budget stays spent
            conn.execute("insert into room_dots (vote_id, participant_id, option, at) values (?,?,?,?)", (vote_id, key, option, _now()))
            self.rooms.touch(conn, workshop_id)

    def remove_dot(self, workshop_id: str, vote_id: int, secret: str, option: str) -> None:
        """Take back one of a participant's dots from an option while the vote is open."""
        with self._write() as conn:
            self.rooms.open_to(workshop_id, secret, conn)
            if not any(v.id == vote_id and v.is_open for v in self.all(workshop_id)):
                raise Refused(Problem("vote_closed"))
            conn.execute(
                "delete from room_dots where id = (select id from room_dots where vote_id = ? and participant_id = ? and option = ? limit 1)",
                (vote_id, rules.participant_key(secret), option),
            )
            self.rooms.touch(conn, workshop_id)

    def dots(self, vote_id: int, workshop_id: str | None = None) -> list[tuple[str, str]]:
        """Every dot of a vote placed in the room as (participant key, option), removed participants' left out; read once
        per room revision when the room is named."""

        def read() -> list[tuple[str, str]]:
            rows = self.db.execute(
                "select d.participant_id, d.option from room_dots d left join room_participants p on p.id = d.participant_id "
                "where d.vote_id = ? and p.removed_at is null order by d.id",
                (vote_id,),
            ).fetchall()
            return [(r[0], r[1]) for r in rows]

        return list(read() if workshop_id is None else self.rooms.cached(workshop_id, ("dots", vote_id), read))

    def counted(self, vote_id: int) -> dict[str, int]:
        """A vote's results that came counted (an imported vote's: option -> dots), {} for a vote of this room's."""
        rows = self.db.execute("select option, dots from room_tallies where vote_id = ?", (vote_id,)).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def tally(self, vote: Vote, workshop_id: str) -> list[tuple[str, int]]:
        """A vote's results (kpidesign.room.tally): the dots placed in the room and the results imported with it."""
        return rules.tally(
            vote, self.dots(vote.id, workshop_id), self.rooms.cached(workshop_id, ("counted", vote.id), lambda: self.counted(vote.id))
        )


def room_record(rooms: Rooms, votes: Votes, workshop_id: str, themes: Themes | None = None) -> RoomRecord | None:
    """What the room contributed, as exported: ideas labelled i1, i2… in the order sent, votes with their results.
    Built without the import's limits (model_construct): what the store holds is always exported, even a room an
    older release let grow past them; importing or copying it again is what refuses it, with a message."""
    room = rooms.get(workshop_id)
    if room is None:
        return None
    every = rooms.ideas(workshop_id)
    ideas = [i for i in every if not i.muted]  # a muted participant's ideas leave with no export (kpidesign.moderation)
    hidden = {str(i.id) for i in every if i.muted}
    themed = hidden_options([dataclasses.replace(i, held=False) for i in every], VoteKind.THEMES)  # themes labelled by them
    label = {i.id: f"i{n}" for n, i in enumerate(ideas, start=1)}
    records = [
        RoomIdea.model_construct(
            id=label[i.id],
            text=i.text,
            parent=i.parent,
            author=rules.author(i, room.anonymous),
            status=i.status,
            node=i.node,
            merged_into=label.get(i.merged_into) if i.merged_into else None,
            held=i.held,
        )
        for i in ideas
    ]

    def named(vote: Vote, option: str) -> str:
        return label.get(int(option), option) if vote.kind is VoteKind.IDEAS and option.isdigit() else option

    voted = [
        RoomVote.model_construct(
            question=v.question,
            kind=v.kind,
            dots=v.dots,
            results={
                named(v, o): n
                for o, n in votes.tally(v, workshop_id)
                if o not in {VoteKind.IDEAS: hidden, VoteKind.THEMES: themed}.get(v.kind, set())
            },
        )
        for v in votes.all(workshop_id)
    ]
    moderation = exported(read_moderation(rooms.db, workshop_id))
    grouped = themes.records(workshop_id, label) if themes is not None else []
    return RoomRecord.model_construct(anonymous=room.anonymous, ideas=records, votes=voted, moderation=moderation, themes=grouped)


def with_room(rooms: Rooms, votes: Votes, ws: Workshop, workshop_id: str, themes: Themes | None = None) -> Workshop:
    """The workshop with its room's record attached (for export), or as it is when it never had a room."""
    record = room_record(rooms, votes, workshop_id, themes)
    return ws if record is None else ws.model_copy(update={"room": record})


def insert_record(conn: Sql, workshop_id: str, record: RoomRecord) -> None:
    """An imported room: closed (no join token), its ideas and authors, and each vote's results as counts (a row per
    option: the record is within what a live room can hold, kpidesign.model.RoomRecord, checked by the store before saving)."""
    now = _now()
    conn.execute(
        "insert into rooms (workshop_id, token_hash, state, anonymous, step, activity, follow, timer_seconds, timer_elapsed, timer_close) "
        "values (?,null,?,?,?,1,0,0,0,0)",
        (workshop_id, RoomState.CLOSED.value, int(record.anonymous), "tree"),
    )
    people: dict[str, str] = {}
    for name in dict.fromkeys(i.author for i in record.ideas if i.author):
        people[name] = new_id(16)
        conn.execute(
            "insert into room_participants (id, workshop_id, name, joined_at) values (?,?,?,?)", (people[name], workshop_id, name, now)
        )
    ids: dict[str, int] = {}
    for idea in record.ideas:
        made = conn.execute(
            "insert into room_ideas (workshop_id, participant_id, activity, parent, text, status, node, created_at, updated_at) "
            "values (?,?,1,?,?,?,?,?,?) returning id",
            (
                workshop_id,
                people.get(idea.author or "", "imported"),
                idea.parent,
                idea.text,
                IdeaStatus(idea.status).value,
                idea.node,
                now,
                now,
            ),
        ).fetchone()
        ids[idea.id] = int(made[0])
    for idea in record.ideas:
        if idea.merged_into in ids:
            conn.execute("update room_ideas set merged_into = ? where id = ?", (ids[idea.merged_into], ids[idea.id]))
    for vote in record.votes:
        named = {o: str(ids[o]) if vote.kind is VoteKind.IDEAS and o in ids else o for o in vote.results}
        made = conn.execute(
            "insert into room_votes (workshop_id, question, kind, options, dots, state, opened_at) values (?,?,?,?,?,?,?) returning id",
            (
                workshop_id,
                vote.question,
                VoteKind(vote.kind).value,
                json.dumps([named[o] for o in vote.results], ensure_ascii=False),
                vote.dots,
                VoteState.CLOSED.value,
                now,
            ),
        ).fetchone()
        conn.executemany(
            "insert into room_tallies (vote_id, option, dots) values (?,?,?)",
            [(int(made[0]), named[o], n) for o, n in vote.results.items() if n > 0],
        )
    insert_moderation(conn, workshop_id, record, ids)
    insert_themes(conn, workshop_id, record.themes, ids, {i.id: i.text for i in record.ideas})
