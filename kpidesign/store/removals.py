"""Taking participants out of a room and back (the facilitator's answer to joins that flood it): one write each,
the room's revision bumped. The Rooms noun inherits these: store().rooms.remove_participants(wid, keys)."""

from __future__ import annotations

import datetime as dt

from kpidesign import room as rules
from kpidesign.store.base import now as _now
from kpidesign.store.room_revision import RoomRevisions
from kpidesign.values import EditError, Problem


class Removals(RoomRevisions):
    """Remove participants (some, or those who sent nothing), list the removed, readmit them."""

    def remove_participants(self, workshop_id: str, keys: list[str]) -> int:
        """Take participants out of the room in one write: they can write nothing more, their ideas not yet made nodes
        and their dots are no longer shown, counted or exported, and their browsers do not join again. Undone by
        readmit_participant; how many were removed."""
        with self._write() as conn:
            now = _now()
            done = sum(
                conn.execute(
                    "update room_participants set removed_at = ? where id = ? and workshop_id = ? and removed_at is null",
                    (now, key, workshop_id),
                ).rowcount
                for key in keys
            )
            self.touch(conn, workshop_id)
            return done

    def remove_silent(self, workshop_id: str, *, quiet: float = 120.0, now: dt.datetime | None = None) -> int:
        """Take out of the room, in one write, everyone who joined more than `quiet` seconds ago and has sent no idea
        and placed no dot (joins that fill the room and do nothing); how many. Undone one by one, or all at once."""
        since = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=quiet)).isoformat(timespec="seconds")
        with self._write() as conn:
            done = conn.execute(
                "update room_participants set removed_at = ? where workshop_id = ? and removed_at is null and joined_at <= ? "
                "and id not in (select participant_id from room_ideas where workshop_id = ?) "
                "and id not in (select d.participant_id from room_dots d join room_votes v on v.id = d.vote_id where v.workshop_id = ?)",
                (_now(), workshop_id, since, workshop_id, workshop_id),
            ).rowcount
            self.touch(conn, workshop_id)
            return done

    def readmit_participant(self, workshop_id: str, key: str | None = None) -> int:
        """Undo a removal: the participant (every removed one when key is None), their ideas and dots back as they were,
        as long as the room has places (EditError room_full otherwise: nothing is readmitted); how many."""
        with self._write() as conn:
            people = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
            ).fetchone()[0]
            back = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is not null and (? is null or id = ?)",
                (workshop_id, key, key),
            ).fetchone()[0]
            if people + back > rules.MAX_PARTICIPANTS:
                raise EditError(Problem("room_full", {"max": rules.MAX_PARTICIPANTS}))
            conn.execute(
                "update room_participants set removed_at = null where workshop_id = ? and removed_at is not null and (? is null or id = ?)",
                (workshop_id, key, key),
            )
            self.touch(conn, workshop_id)
            return int(back)

    def removed_participants(self, workshop_id: str) -> list[tuple[str, str]]:
        """The participants the facilitator removed, as (key, display name), the latest first (read once per room revision)."""

        def read() -> list[tuple[str, str]]:
            rows = self.db.execute(
                "select id, coalesce(name, '') from room_participants where workshop_id = ? and removed_at is not null "
                "order by removed_at desc, joined_at desc, id",
                (workshop_id,),
            ).fetchall()
            return [(r[0], r[1]) for r in rows]

        return list(self.cached(workshop_id, ("removed",), read))
