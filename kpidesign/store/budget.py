"""A participant's write budget, spent in the write transaction of each of their writes (kpidesign.room.spend):
one phone (or a script posing as one) cannot hold the database's write lock in a loop."""

from __future__ import annotations

from kpidesign import room as rules
from kpidesign.store.base import clock
from kpidesign.store.engine import Sql
from kpidesign.values import EditError, Problem


def spend(conn: Sql, workshop_id: str, key: str, now: float | None = None) -> None:
    """Take one write from the participant's budget, inside the caller's write transaction; raise EditError
    (room_slow_down) when none is left (the caller's transaction then rolls back and writes nothing)."""
    at = clock(now)
    row = conn.execute("select budget, budget_at from room_participants where id = ? and workshop_id = ?", (key, workshop_id)).fetchone()
    left = rules.spend(row[0], row[1], at) if row else None
    if left is None:
        raise EditError(Problem("room_slow_down", {"rate": rules.WRITE_RATE}))
    conn.execute("update room_participants set budget = ?, budget_at = ? where id = ? and workshop_id = ?", (left, at, key, workshop_id))
