"""Observed values (actuals): kept apart from the versioned design, one per workshop, KPI and date.

store.actuals.all(wid), .attach(ws, wid), .add(wid, rows), .delete(wid, kpi, date), .rev(wid) (a cache key).
"""

from __future__ import annotations

import datetime as dt

from kpidesign.model import Actual, Workshop
from kpidesign.store.base import Noun, now
from kpidesign.store.engine import Sql
from kpidesign.store.errors import WorkshopNotFoundError


def attached(ws: Workshop, actuals: list[Actual]) -> Workshop:
    """The workshop with these actuals attached, keeping those of KPIs still in its tree."""
    ids = {n.id for n in ws.nodes}
    return ws.model_copy(update={"actuals": [a for a in actuals if a.kpi in ids]})


def insert(conn: Sql, workshop_id: str, actuals: list[Actual]) -> None:
    """Insert or replace observed values inside the caller's write transaction."""
    conn.executemany(
        "insert into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?) "
        "on conflict (workshop_id, kpi, date) do update set value = excluded.value, market = excluded.market",
        [(workshop_id, a.kpi, a.date.isoformat(), a.value, a.market) for a in actuals],
    )


class Actuals(Noun):
    """A workshop's observed values."""

    def all(self, workshop_id: str) -> list[Actual]:
        """Every observed value of a workshop, by KPI and date (a NULL value, a NaN an early release stored, is no reading)."""
        rows = self.db.execute(
            "select kpi, date, value, market from actuals where workshop_id = ? and value is not null order by kpi, date", (workshop_id,)
        ).fetchall()
        # rows written by this store were validated on the way in: build them without validating again
        return [Actual.model_construct(kpi=k, date=dt.date.fromisoformat(d), value=v, market=m) for k, d, v, m in rows]

    def attach(self, ws: Workshop, workshop_id: str) -> Workshop:
        """The workshop with its actuals attached (those of KPIs still in the tree)."""
        return attached(ws, self.all(workshop_id))

    def add(self, workshop_id: str, actuals: list[Actual]) -> int:
        """Insert or replace observed values (one per KPI and date) in one transaction; return how many."""
        if not self.conn.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        with self._write() as conn:
            insert(conn, workshop_id, actuals)
            conn.execute("update workshops set updated_at = ?, actuals_rev = actuals_rev + 1 where id = ?", (now(), workshop_id))
        return len(actuals)

    def rev(self, workshop_id: str) -> int:
        """How many times the actuals of a workshop have changed (a cache key)."""
        row = self.db.execute("select actuals_rev from workshops where id = ?", (workshop_id,)).fetchone()
        if row is None:
            raise WorkshopNotFoundError(workshop_id)
        return int(row[0])

    def delete(self, workshop_id: str, kpi: str, date: dt.date) -> None:
        """Remove one observed value."""
        with self._write() as conn:
            conn.execute("delete from actuals where workshop_id = ? and kpi = ? and date = ?", (workshop_id, kpi, date.isoformat()))
            conn.execute("update workshops set actuals_rev = actuals_rev + 1 where id = ?", (workshop_id,))
