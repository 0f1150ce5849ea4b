"""A room's running agenda: which segment is on and since when (kpidesign.agenda.Run), kept in the room's row (m013).

store.agenda.run(wid) -> Run | None, .go(room, run, expected=…) (the room's question, timer and follow-me moved with
the agenda in one write), .stop(wid). The agenda itself (its segments) is part of the workshop's versioned document.
"""

from __future__ import annotations

from kpidesign.agenda import Run
from kpidesign.room import Room
from kpidesign.store.base import Connection, Noun
from kpidesign.store.rooms import Rooms
from kpidesign.values import EditError, Problem


class Agenda(Noun):
    """Each room's running agenda."""

    def __init__(self, conn: Connection, rooms: Rooms) -> None:
        super().__init__(conn)
        self.rooms = rooms

    def run(self, workshop_id: str) -> Run | None:
        """Where the room's agenda stands, or None when it is not running (or the workshop never had a room)."""
        row = self.db.execute(
            "select agenda_segment, agenda_began, agenda_segment_began, agenda_activity from rooms where workshop_id = ?", (workshop_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return Run(int(row[0]), float(row[1] or 0.0), float(row[2] or 0.0), int(row[3] or 0))

    def go(self, room: Room, run: Run, *, expected: int | None) -> None:
        """Store the room's question, timer and follow-me (as kpidesign.agenda.go moved them) and the agenda's run in one
        write. EditError agenda_moved when the agenda no longer stands at `expected` (the segment the screen showed; None:
        not started), so a double click or a second screen never skips a segment; agenda_not_running without a room."""
        t = room.timer
        with self._write() as conn:
            row = conn.execute("select agenda_segment from rooms where workshop_id = ?", (room.workshop_id,)).fetchone()
            if row is None:
                raise EditError(Problem("agenda_not_running"))
            if row[0] != expected:
                raise EditError(Problem("agenda_moved"))
            conn.execute(
                "update rooms set step = ?, node = ?, activity = ?, follow = ?, timer_seconds = ?, timer_started_at = ?, timer_elapsed = ?, "
                "timer_close = ?, agenda_segment = ?, agenda_began = ?, agenda_segment_began = ?, agenda_activity = ? where workshop_id = ?",
                (
                    room.step,
                    room.node,
                    room.activity,
                    int(room.follow),
                    t.seconds,
                    t.started_at,
                    t.elapsed,
                    int(t.close_on_end),
                    run.segment,
                    run.began_at,
                    run.segment_began_at,
                    run.activity,
                    room.workshop_id,
                ),
            )
            self.rooms.touch(conn, room.workshop_id)

    def stop(self, workshop_id: str) -> None:
        """End the running agenda (its segments stay in the workshop); the room's question and timer are left as they are."""
        with self._write() as conn:
            conn.execute(
                "update rooms set agenda_segment = null, agenda_began = null, agenda_segment_began = null, agenda_activity = null "
                "where workshop_id = ?",
                (workshop_id,),
            )
            self.rooms.touch(conn, workshop_id)
