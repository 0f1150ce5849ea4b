"""Moderation of a room: ideas held for approval, the block-word list, muted participants (kpidesign.moderation holds
the rules).

store.moderation.get(wid) -> Moderation, .set_hold(wid, on), .set_words(wid, words | None), .approve(wid, ids | None),
.held_count(wid), .mute(wid, keys) / .unmute(wid, key | None), .muted(wid). An idea's moderation is NULL (never held),
'held' or 'approved' (let through by the facilitator: never held again); a participant is muted while muted_at is set.
Ideas are held when revealed (hold_on_reveal, called by store.rooms.reveal_ideas in its transaction) and when a
changed list blocks one the room can read. Every write bumps the room's revision (kpidesign.store.rooms), and reads
are cached by it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from kpidesign import moderation as rules
from kpidesign.model import RoomModeration, RoomRecord
from kpidesign.moderation import Moderation
from kpidesign.room import IdeaStatus
from kpidesign.store.base import Connection, Noun
from kpidesign.store.base import now as _now
from kpidesign.store.engine import Sql
from kpidesign.values import EditError, Problem

T = TypeVar("T")


class RoomRevision(Protocol):
    """What moderation needs of store.rooms (kpidesign.store.rooms imports this module: no import back)."""

    def touch(self, conn: Sql, workshop_id: str) -> None:
        """Bump the room's revision."""

    def cached(self, workshop_id: str, what: tuple[object, ...], read: Callable[[], T]) -> T:
        """read() once per room revision."""
        ...


HELD = "held"
APPROVED = "approved"
# the two flags of kpidesign.room.Idea as the room's reads select them (room_ideas i, room_participants p); portable SQL
HELD_IDEA = f"case when i.moderation = '{HELD}' then 1 else 0 end"
MUTED_IDEA = f"case when p.muted_at is not null and i.status <> '{IdeaStatus.ACCEPTED.value}' then 1 else 0 end"  # nodes stay


def read(conn: Sql, workshop_id: str) -> Moderation:
    """A room's moderation as stored (the defaults when never set)."""
    row = conn.execute("select hold, block_words from room_moderation where workshop_id = ?", (workshop_id,)).fetchone()
    if row is None:
        return Moderation()
    return Moderation(bool(row[0]), None if row[1] is None else tuple(json.loads(row[1])))


def _store(conn: Sql, workshop_id: str, moderation: Moderation) -> None:
    """Write a room's moderation (one row per room, made on first use)."""
    words = None if moderation.words is None else json.dumps(list(moderation.words), ensure_ascii=False)
    if conn.execute("select 1 from room_moderation where workshop_id = ?", (workshop_id,)).fetchone():
        conn.execute(
            "update room_moderation set hold = ?, block_words = ? where workshop_id = ?", (int(moderation.hold), words, workshop_id)
        )
    else:
        conn.execute(
            "insert into room_moderation (workshop_id, hold, block_words) values (?,?,?)", (workshop_id, int(moderation.hold), words)
        )


def _hold(conn: Sql, ids: Sequence[int]) -> int:
    """Mark ideas held; how many."""
    conn.executemany("update room_ideas set moderation = ? where id = ?", [(HELD, i) for i in ids])
    return len(ids)


def hold_on_reveal(conn: Sql, workshop_id: str) -> int:
    """Inside the reveal's transaction, before the private ideas turn revealed: hold those the room's moderation holds
    (all of them while hold is on, else those its list blocks); how many."""
    moderation = read(conn, workshop_id)
    rows = conn.execute(
        "select id, text from room_ideas where workshop_id = ? and status = ? and moderation is null",
        (workshop_id, IdeaStatus.PRIVATE.value),
    ).fetchall()
    return _hold(conn, rules.to_hold(moderation, [(r[0], r[1]) for r in rows]))


def insert(conn: Sql, workshop_id: str, record: RoomRecord, ids: dict[str, int]) -> None:
    """An imported room's moderation and its held ideas (ids: the record's idea labels -> the rows inserted)."""
    if record.moderation is not None:
        words = record.moderation.block_words
        _store(conn, workshop_id, Moderation(record.moderation.hold, None if words is None else tuple(words)))
    _hold(conn, [ids[i.id] for i in record.ideas if i.held and i.id in ids])


def exported(moderation: Moderation) -> RoomModeration | None:
    """A room's moderation as exported: None when it is the defaults (nothing to carry)."""
    if moderation == Moderation():
        return None
    return RoomModeration.model_construct(hold=moderation.hold, block_words=None if moderation.words is None else list(moderation.words))


class Moderations(Noun):
    """Each room's moderation: hold for approval, the block-word list, muted participants."""

    def __init__(self, conn: Connection, rooms: RoomRevision) -> None:
        super().__init__(conn)
        self.rooms = rooms

    def get(self, workshop_id: str) -> Moderation:
        """The room's moderation (the defaults when never set), read once per room revision."""
        return self.rooms.cached(workshop_id, ("moderation",), lambda: read(self.db, workshop_id))

    def set_hold(self, workshop_id: str, on: bool) -> None:
        """Hold every idea revealed from now on for approval (on), or only those the list blocks (off). Ideas already
        held stay held until approved."""
        with self._write() as conn:
            _store(conn, workshop_id, Moderation(on, read(conn, workshop_id).words))
            self.rooms.touch(conn, workshop_id)

    def set_words(self, workshop_id: str, words: Sequence[str] | None) -> int:
        """Replace the block-word list (None: back to the defaults), and hold at once every idea the room can read that it
        now blocks (not those the facilitator approved); how many were held. Raise EditError for a list out of bounds."""
        clean = None if words is None else rules.check_words(words)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            moderation = Moderation(read(conn, workshop_id).hold, clean)
            _store(conn, workshop_id, moderation)
            rows = conn.execute(
                "select id, text from room_ideas where workshop_id = ? and status in (?, ?) and moderation is null",
                (workshop_id, IdeaStatus.REVEALED.value, IdeaStatus.ACCEPTED.value),
            ).fetchall()
            held = _hold(conn, rules.to_block(moderation.block_words, [(r[0], r[1]) for r in rows]))
            self.rooms.touch(conn, workshop_id)
            return held

    def approve(self, workshop_id: str, idea_ids: Sequence[int] | None = None) -> int:
        """Let held ideas through to the room (every held one when idea_ids is None); how many. An approved idea is never
        held again, whatever the list becomes."""
        with self._write() as conn:
            if idea_ids is None:
                done = conn.execute(
                    "update room_ideas set moderation = ? where workshop_id = ? and moderation = ?", (APPROVED, workshop_id, HELD)
                ).rowcount
            else:
                done = sum(
                    conn.execute(
                        "update room_ideas set moderation = ? where id = ? and workshop_id = ? and moderation = ?",
                        (APPROVED, i, workshop_id, HELD),
                    ).rowcount
                    for i in idea_ids
                )
            self.rooms.touch(conn, workshop_id)
            return int(done)

    def mute(self, workshop_id: str, keys: Sequence[str]) -> int:
        """Mute participants (named by their keys) in one write: they stay in the room and may still send, but their
        ideas not made nodes are hidden from the wall, the other phones, the inbox's default view, votes and exports.
        Undone by unmute; how many were muted."""
        with self._write() as conn:
            at = _now()
            done = sum(
                conn.execute(
                    "update room_participants set muted_at = ? where id = ? and workshop_id = ? and muted_at is null",
                    (at, key, workshop_id),
                ).rowcount
                for key in keys
            )
            self.rooms.touch(conn, workshop_id)
            return int(done)

    def unmute(self, workshop_id: str, key: str | None = None) -> int:
        """Undo a mute: the participant (every muted one when key is None) and their ideas back as they were; how many."""
        with self._write() as conn:
            done = conn.execute(
                "update room_participants set muted_at = null where workshop_id = ? and muted_at is not null and (? is null or id = ?)",
                (workshop_id, key, key),
            ).rowcount
            self.rooms.touch(conn, workshop_id)
            return int(done)

    def muted(self, workshop_id: str) -> list[tuple[str, str]]:
        """The muted participants as (key, display name), the latest first (read once per room revision)."""

        def read_muted() -> list[tuple[str, str]]:
            rows = self.db.execute(
                "select id, coalesce(name, '') from room_participants where workshop_id = ? and muted_at is not null "
                "order by muted_at desc, id",
                (workshop_id,),
            ).fetchall()
            return [(r[0], r[1]) for r in rows]

        return list(self.rooms.cached(workshop_id, ("muted",), read_muted))
