"""Rooms (participant mode): the facilitator's settings, the join token, participants and their ideas.

store.rooms.open(wid) -> join token, .close, .get, .save(room), .resolve(token), .join(wid, name) -> secret,
.membership / .is_participant, .remove_participant / .readmit_participant / .rename_participant, .ideas(wid),
.add_idea / .edit_idea / .withdraw_idea (a participant's), .reveal_ideas / .dismiss_ideas / .merge_idea /
.accept_ideas (the facilitator's); .remove_participants / .remove_silent / .readmit_participant come from
kpidesign.store.removals, the revision every write bumps (.rev, .touch, .cached) from kpidesign.store.room_revision.
Votes are kpidesign.store.votes.

A participant is named by the secret their browser holds (returned by join, kept in its address and a cookie); only
its SHA-256 is stored, as the participant's id (kpidesign.room.participant_key). Every write to a room bumps its
revision (rooms.rev) in the same transaction, so what is read can be cached by revision: 30 phones and the
facilitator's inbox, each refreshing every second or two, read the ideas once per change, not per refresh.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from kpidesign import room as rules
from kpidesign.room import Idea, IdeaStatus, Room, RoomState, Timer, VoteState
from kpidesign.store.base import clock
from kpidesign.store.base import now as _now
from kpidesign.store.budget import spend
from kpidesign.store.engine import Sql
from kpidesign.store.errors import Refused, WorkshopNotFoundError
from kpidesign.store.moderation import HELD_IDEA, MUTED_IDEA, hold_on_reveal
from kpidesign.store.removals import Removals
from kpidesign.store.tokens import hash_token, new_token, plausible
from kpidesign.values import EditError, Problem

UNDECIDED = f"('{IdeaStatus.PRIVATE.value}', '{IdeaStatus.REVEALED.value}')"  # ideas the facilitator has not yet decided


class Membership(StrEnum):
    """Whom a participant secret names in a room."""

    NONE = "none"
    ACTIVE = "active"
    REMOVED = "removed"


class Rooms(Removals):
    """Each workshop's room: one per workshop, opened and closed by the facilitator."""

    def open(self, workshop_id: str, *, anonymous: bool | None = None) -> str:
        """Open the workshop's room with a new join token (256 bits from secrets; only its hash is stored, so show it
        now): the token of an earlier opening stops working. Ideas and votes of earlier openings are kept."""
        if not self.conn.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        token = new_token()
        with self._write() as conn:
            conn.execute(
                "insert into rooms (workshop_id, token_hash, state, anonymous, step, activity, follow, timer_seconds, timer_elapsed, timer_close, opened_at, rev) "
                "values (?,?,?,?,?,1,0,0,0,0,?,?) on conflict(workshop_id) do update set token_hash = excluded.token_hash, "
                "state = excluded.state, opened_at = excluded.opened_at, closed_at = null",
                (workshop_id, hash_token(token), RoomState.OPEN.value, 1, "tree", _now(), secrets.randbelow(1 << 30)),
            )
            if anonymous is not None:
                conn.execute("update rooms set anonymous = ? where workshop_id = ?", (int(anonymous), workshop_id))
            self.touch(conn, workshop_id)
        return token

    def close(self, workshop_id: str) -> None:
        """Close the room, and its vote: its join token opens nothing from now on, and no participant's write is taken
        (participants see it at their next refresh)."""
        with self._write() as conn:
            conn.execute("update rooms set state = ?, closed_at = ? where workshop_id = ?", (RoomState.CLOSED.value, _now(), workshop_id))
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            conn.execute("update room_participants set client = null where workshop_id = ?", (workshop_id,))  # kept no longer than needed
            self.touch(conn, workshop_id)

    def get(self, workshop_id: str) -> Room | None:
        """The workshop's room as last set, or None if it was never opened."""
        row = self.db.execute(
            "select state, anonymous, step, node, activity, follow, timer_seconds, timer_started_at, timer_elapsed, timer_close, opened_at "
            "from rooms where workshop_id = ?",
            (workshop_id,),
        ).fetchone()
        if row is None:
            return None
        timer = Timer(row[6] or 0, row[7], row[8] or 0.0, bool(row[9]))
        return Room(workshop_id, RoomState(row[0]), bool(row[1]), row[2] or "tree", row[3], row[4] or 1, bool(row[5]), timer, row[10])

    def save(self, room: Room) -> None:
        """Store the facilitator's settings of an opened room (names shown, prompt, follow me, timer); not its state."""
        t = room.timer
        with self._write() as conn:
            conn.execute(
                "update rooms set anonymous = ?, step = ?, node = ?, activity = ?, follow = ?, timer_seconds = ?, timer_started_at = ?, "
                "timer_elapsed = ?, timer_close = ? where workshop_id = ?",
                (
                    int(room.anonymous),
                    room.step,
                    room.node,
                    room.activity,
                    int(room.follow),
                    t.seconds,
                    t.started_at,
                    t.elapsed,
                    int(t.close_on_end),
                    room.workshop_id,
                ),
            )
            self.touch(conn, room.workshop_id)

    def resolve(self, token: str | None) -> str | None:
        """The workshop whose open room this join token enters; None for a wrong token or a closed room (nothing else is
        told). A join token is not a share token: shares.resolve never accepts it, nor this a share token."""
        if not token or not plausible(token):
            return None
        row = self.db.execute(
            "select workshop_id from rooms where token_hash = ? and state = ?", (hash_token(token), RoomState.OPEN.value)
        ).fetchone()
        return row[0] if row else None

    def join(
        self,
        workshop_id: str,
        name: str = "",
        *,
        client: str = "",
        now: dt.datetime | None = None,
        per_client: int = rules.JOINS_PER_CLIENT,
    ) -> str:
        """A new participant of an open room (display name optional); return their secret (256 bits from secrets), which
        only their own browser holds: only its hash is stored. client names where the browser connects from (an address;
        only its hash is kept): a room takes at most per_client joins from one client within JOIN_WINDOW, so one
        holder of the join link cannot fill it. Raise EditError when the room is closed or full, the client joined too
        often, or the name is refused (all checked in the write transaction, so parallel joins cannot pass them)."""
        clean = rules.parse_display_name(name)
        if isinstance(clean, Problem):
            raise EditError(clean)
        secret = new_token()
        at = now or dt.datetime.now(dt.UTC)
        since = (at - dt.timedelta(seconds=rules.JOIN_WINDOW)).isoformat(timespec="seconds")
        where = hash_token(f"client:{client}")
        with self._write() as conn:
            room = conn.execute("select state from rooms where workshop_id = ?", (workshop_id,)).fetchone()
            people = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
            ).fetchone()[0]
            recent = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and client = ? and joined_at > ?", (workshop_id, where, since)
            ).fetchone()[0]
            problem = rules.can_join(RoomState(room[0]) if room else None, people, recent, per_client)
            if problem:
                raise EditError(problem)
            conn.execute(
                "insert into room_participants (id, workshop_id, name, joined_at, client) values (?,?,?,?,?)",
                (rules.participant_key(secret), workshop_id, clean, at.isoformat(timespec="seconds"), where),
            )
            self.touch(conn, workshop_id)
        return secret

    def membership(self, workshop_id: str, secret: str | None) -> Membership:
        """Whom this secret names in this workshop's room: a participant, one the facilitator removed, or no one (a
        secret of another room names no one here)."""
        if not secret or not plausible(secret):
            return Membership.NONE
        row = self.db.execute(
            "select removed_at from room_participants where id = ? and workshop_id = ?", (rules.participant_key(secret), workshop_id)
        ).fetchone()
        if row is None:
            return Membership.NONE
        return Membership.ACTIVE if row[0] is None else Membership.REMOVED

    def is_participant(self, workshop_id: str, secret: str | None) -> bool:
        """True when this secret names a participant of this workshop's room, not removed."""
        return self.membership(workshop_id, secret) is Membership.ACTIVE

    def remove_participant(self, workshop_id: str, key: str) -> int:
        """Take a participant (named by their key, kpidesign.room.participant_key) out of the room (see
        remove_participants); how many of their ideas were hidden."""
        self.remove_participants(workshop_id, [key])
        return sum(1 for i in self._read_ideas(workshop_id, removed=True) if i.participant == key and i.status is not IdeaStatus.ACCEPTED)

    def rename_participant(self, workshop_id: str, secret: str, name: str) -> None:
        """Change a participant's display name (raise EditError for a name refused)."""
        clean = rules.parse_display_name(name)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            self.open_to(workshop_id, secret, conn)
            conn.execute(
                "update room_participants set name = ? where id = ? and workshop_id = ?",
                (clean, rules.participant_key(secret), workshop_id),
            )
            self.touch(conn, workshop_id)

    def participant_count(self, workshop_id: str) -> int:
        """How many people joined the room."""
        return self.cached(
            workshop_id,
            ("people",),
            lambda: int(
                self.db.execute(
                    "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
                ).fetchone()[0]
            ),
        )

    def ideas(self, workshop_id: str, secret: str | None = None) -> list[Idea]:
        """The room's ideas in the order sent (with their authors' names): all of them, or one participant's (named by
        their secret). Read once per room revision (see _cached); each Idea's participant is the participant's key."""
        every: list[Idea] = self.cached(workshop_id, ("ideas",), lambda: self._read_ideas(workshop_id))
        if secret is None:
            return list(every)
        key = rules.participant_key(secret)
        return [i for i in every if i.participant == key]

    def _read_ideas(self, workshop_id: str, *, removed: bool = False) -> list[Idea]:
        """The room's ideas; those of removed participants (but the ones made nodes) only when asked for."""
        shown = "" if removed else f"and (p.removed_at is null or i.status = '{IdeaStatus.ACCEPTED.value}')"
        rows = self.db.execute(
            "select i.id, i.participant_id, i.text, i.parent, i.status, i.activity, coalesce(p.name, ''), i.merged_into, i.node, "
            f"i.decided_from, {HELD_IDEA}, {MUTED_IDEA} "  # held for approval; hidden as its author's muted (store.moderation)
            f"from room_ideas i left join room_participants p on p.id = i.participant_id where i.workshop_id = ? {shown} order by i.id",
            (workshop_id,),
        ).fetchall()
        return [
            Idea(
                r[0], r[1], r[2], r[3], IdeaStatus(r[4]), r[5], r[6], r[7], r[8], IdeaStatus(r[9]) if r[9] else None, r[10] == 1, r[11] == 1
            )
            for r in rows
        ]

    def add_idea(self, workshop_id: str, secret: str, text: str, parent: str | None = None, *, now: float | None = None) -> int:
        """A participant's new idea (private until revealed) answering a node; its id. Raise EditError when the text is
        refused, the room closed or timed out, the person unknown, or they reached their limit (checked in the write
        transaction, so parallel sends cannot pass it)."""
        clean = rules.parse_idea(text)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            room = self.get(workshop_id)
            if room is None or not self.is_participant(workshop_id, secret):
                raise EditError(Problem("room_closed"))  # an open room's can_send below says more
            key = rules.participant_key(secret)
            rows = conn.execute(
                "select activity from room_ideas where workshop_id = ? and participant_id = ?", (workshop_id, key)
            ).fetchall()
            mine = [Idea(0, key, "", activity=a) for (a,) in rows]
            in_room = conn.execute(  # a removed participant's ideas leave room for others'
                "select count(*) from room_ideas i left join room_participants p on p.id = i.participant_id "
                "where i.workshop_id = ? and p.removed_at is null",
                (workshop_id,),
            ).fetchone()[0]
            spend(conn, workshop_id, key, now)
            problem = rules.can_send(room, mine, clock(now), in_room)
            if problem:
                raise Refused(problem)  # the budget stays spent (kpidesign.store.errors.Refused)
            made = conn.execute(
                "insert into room_ideas (workshop_id, participant_id, activity, parent, text, status, created_at, updated_at) "
                "values (?,?,?,?,?,?,?,?) returning id",
                (workshop_id, key, room.activity, parent, clean, IdeaStatus.PRIVATE.value, _now(), _now()),
            ).fetchone()
            self.touch(conn, workshop_id)
            return int(made[0])

    def _own_idea(self, conn: Sql, workshop_id: str, secret: str, idea_id: int) -> None:
        """Refuse (EditError) a participant's change of an idea unless the room is open (and its time not up, when the
        timer stops ideas), they are in it, and the idea is theirs and still private."""
        self.open_to(workshop_id, secret, conn)
        room = self.get(workshop_id)
        if room is not None and room.timer.close_on_end and room.timer.ended(clock(None)):
            raise Refused(Problem("room_time_up"))
        row = conn.execute(
            "select participant_id, status from room_ideas where id = ? and workshop_id = ?", (idea_id, workshop_id)
        ).fetchone()
        idea = Idea(idea_id, row[0], "", status=IdeaStatus(row[1])) if row else None
        problem = rules.can_change(idea, rules.participant_key(secret))
        if problem:
            raise Refused(problem)

    def open_to(self, workshop_id: str, secret: str, conn: Sql) -> None:
        """Refuse (EditError) any participant's write unless the room is open, they are in it (not removed) and their
        write budget is not spent (kpidesign.store.budget: spent in the caller's write transaction `conn`)."""
        room = self.get(workshop_id)
        if room is None or not room.is_open or not self.is_participant(workshop_id, secret):
            raise EditError(Problem("room_closed"))
        spend(conn, workshop_id, rules.participant_key(secret))

    def edit_idea(self, workshop_id: str, secret: str, idea_id: int, text: str) -> None:
        """Change the text of one's own idea while it is private (raise EditError otherwise)."""
        clean = rules.parse_idea(text)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            self._own_idea(conn, workshop_id, secret, idea_id)
            conn.execute("update room_ideas set text = ?, updated_at = ? where id = ?", (clean, _now(), idea_id))
            self.touch(conn, workshop_id)

    def withdraw_idea(self, workshop_id: str, secret: str, idea_id: int) -> None:
        """Remove one's own idea while it is private (raise EditError otherwise)."""
        with self._write() as conn:
            self._own_idea(conn, workshop_id, secret, idea_id)
            conn.execute("delete from room_ideas where id = ?", (idea_id,))
            self.touch(conn, workshop_id)

    def reveal_ideas(self, workshop_id: str) -> int:
        """Reveal every private idea of the room at once (those moderation holds wait for approval); how many."""
        with self._write() as conn:
            hold_on_reveal(conn, workshop_id)  # those the room's moderation holds wait for approval
            cur = conn.execute(
                "update room_ideas set status = ?, updated_at = ? where workshop_id = ? and status = ?",
                (IdeaStatus.REVEALED.value, _now(), workshop_id, IdeaStatus.PRIVATE.value),
            )
            self.touch(conn, workshop_id)
            return cur.rowcount

    def dismiss_idea(self, workshop_id: str, idea_id: int) -> None:
        """Set an idea aside (the facilitator's decision; its author still sees it)."""
        self.dismiss_ideas(workshop_id, [idea_id])

    def dismiss_ideas(self, workshop_id: str, idea_ids: list[int]) -> int:
        """Set ideas aside in one transaction, those still undecided only (one accepted meanwhile stays accepted);
        how many were."""
        with self._write() as conn:
            done = sum(
                conn.execute(
                    f"update room_ideas set status = ?, updated_at = ? where id = ? and workshop_id = ? and status in {UNDECIDED}",
                    (IdeaStatus.DISMISSED.value, _now(), idea_id, workshop_id),
                ).rowcount
                for idea_id in idea_ids
            )
            self.touch(conn, workshop_id)
            return done

    def merge_idea(self, workshop_id: str, idea_id: int, into: int) -> None:
        """Merge a duplicate into another idea (raise EditError when either is already decided, or they are one)."""
        with self._write() as conn:
            found = {i.id: i for i in self.ideas(workshop_id) if i.id in (idea_id, into)}
            if idea_id not in found or into not in found:
                raise EditError(Problem("idea_cannot_merge"))
            problem = rules.can_merge(found[idea_id], found[into])
            if problem:
                raise EditError(problem)
            conn.execute(
                "update room_ideas set decided_from = status, status = ?, merged_into = ?, updated_at = ? where id = ?",
                (IdeaStatus.MERGED.value, into, _now(), idea_id),
            )
            self.touch(conn, workshop_id)

    def accept_idea(self, workshop_id: str, idea_id: int, node: str) -> None:
        """Record that an idea became a node of the tree (the node itself is added by an ordinary, versioned edit)."""
        self.accept_ideas(workshop_id, [(idea_id, node)])

    def accept_ideas(self, workshop_id: str, made: list[tuple[int, str]]) -> int:
        """Record in one transaction that ideas became nodes (idea id, node id), those still undecided only; how many."""
        with self._write() as conn:
            done = sum(
                conn.execute(
                    "update room_ideas set decided_from = status, status = ?, node = ?, updated_at = ? "
                    f"where id = ? and workshop_id = ? and status in {UNDECIDED}",
                    (IdeaStatus.ACCEPTED.value, node, _now(), idea_id, workshop_id),
                ).rowcount
                for idea_id, node in made
            )
            self.touch(conn, workshop_id)
            return done
