"""A room's revision: every write to a room bumps it in the same transaction (touch), so what is read of a room can be
kept per revision (cached): 300 phones and the facilitator's inbox, each refreshing every second or two, read the ideas
once per change, not per refresh. The base of the Rooms noun (kpidesign.store.rooms) and of what it is made of."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from kpidesign.lru import LRU
from kpidesign.store.base import Noun
from kpidesign.store.engine import Sql

T = TypeVar("T")
ROOM_CACHE = 64  # what rooms' readers asked, per revision (ideas, votes, dots, counts), across every session

# What was read of a room at a revision, kept for every session of this process (the least recently used goes first).
# Keys hold the revision: a write to the room makes a new one, so an entry is never stale, only unused.
_room_cache: LRU[tuple[object, ...], object] = LRU(ROOM_CACHE)


class RoomRevisions(Noun):
    """Reads and writes of rooms that share one revision per room."""

    def touch(self, conn: Sql, workshop_id: str) -> None:
        """Bump the room's revision (the last statement of every write to a room: see cached)."""
        conn.execute("update rooms set rev = rev + 1 where workshop_id = ?", (workshop_id,))

    def rev(self, workshop_id: str) -> int | None:
        """The room's revision: it changes with every write to the room (settings, participants, ideas, votes, dots);
        None when the workshop never had a room. One indexed read: what a refresh asks before anything else."""
        row = self.db.execute("select rev from rooms where workshop_id = ?", (workshop_id,)).fetchone()
        return None if row is None else int(row[0])

    def cached(self, workshop_id: str, what: tuple[object, ...], read: Callable[[], T]) -> T:
        """read() once per room revision in this process (shared by every session on this database). The revision is
        read first, so what is kept under it is never older than it; inside a write transaction nothing is kept (it
        might still roll back)."""
        if self.db.in_transaction:
            return read()
        rev = self.rev(workshop_id)
        if rev is None:
            return read()
        key = (self.conn.where, workshop_id, rev, *what)
        found = _room_cache.get(key)
        if found is None:
            found = read()
            _room_cache.put(key, found)
        return cast(T, found)
