"""The alert log: every delivery attempt of an alert, so that one is never sent twice.

store.alerts.sent(wid, key), .log(wid, key, ok, detail), .recent(wid).
"""

from __future__ import annotations

from kpidesign.store.base import Noun, now
from kpidesign.values import clean_block

AlertKey = tuple[str, str, str, str, str]  # KPI, status, date, channel, recipient


class Alerts(Noun):
    """A workshop's alert deliveries."""

    def sent(self, workshop_id: str, key: AlertKey) -> bool:
        """True when this alert (KPI, status, date, channel, recipient) was already delivered."""
        return (
            self.db.execute(
                "select 1 from alert_log where workshop_id = ? and kpi = ? and status = ? and date = ? and channel = ? and recipient = ? and ok = 1 and test = 0",
                (workshop_id, *key),
            ).fetchone()
            is not None
        )

    def log(self, workshop_id: str, key: AlertKey, ok: bool, detail: str, test: bool = False) -> None:
        """Record a delivery attempt (its detail, a server's answer, without control characters: 500 at most)."""
        with self._write() as conn:
            conn.execute(
                "insert into alert_log (workshop_id, kpi, status, date, channel, recipient, sent_at, ok, detail, test) values (?,?,?,?,?,?,?,?,?,?)",
                (workshop_id, *key, now(), int(ok), clean_block(detail)[:500], int(test)),
            )

    def recent(self, workshop_id: str, limit: int = 200) -> list[dict[str, object]]:
        """The latest delivery attempts, newest first."""
        rows = self.db.execute(
            "select sent_at, kpi, status, date, channel, recipient, ok, detail, test from alert_log where workshop_id = ? order by id desc limit ?",
            (workshop_id, limit),
        ).fetchall()
        keys = ("sent_at", "kpi", "status", "date", "channel", "recipient", "ok", "detail", "test")
        return [dict(zip(keys, row)) for row in rows]
