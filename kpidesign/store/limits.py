"""What must hold for the whole server, whichever process (or machine) serves a request: the wrong-password budget and
leases. Kept in the database, never in a process's memory, so N app processes behind nginx, a cron job and the
command line all see the same counts.

store.attempts.acquire(now, client) -> Attempt, .succeeded(ticket), .wait(now, client), .clients(now): the limit on
wrong passwords (the rules are kpidesign.access.AttemptRules). store.leases.claim(name, holder, seconds) -> bool,
.release(name, holder): one holder at a time for a job no two processes may do at once (sending one alert).

Portable SQL only (PostgreSQL runs the same statements): every decision is made inside one write transaction, and the
write transaction of an attempt starts by updating the server-wide row, which serialises attempts on PostgreSQL (a row
lock) as SQLite's write lock does. A lease is claimed by one `insert ... on conflict do nothing`, which both engines
make atomic: of two processes claiming at once, exactly one inserts.
"""

from __future__ import annotations

from typing import NamedTuple

from kpidesign.access import AttemptRules, Budget
from kpidesign.store.base import Connection, Noun, clock
from kpidesign.store.engine import Sql
from kpidesign.store.tokens import hash_token, new_id

SERVER = "*"  # the scope of every client together (its row in login_pauses exists from m009 on)


class Attempt(NamedTuple):
    """What `acquire` decided: `wait` 0.0 lets the attempt go ahead (counted as a failure until `succeeded(ticket)`),
    else the seconds until one may; `ticket` is empty when refused."""

    wait: float
    ticket: str


def _scope(client: str) -> str:
    """The scope of one client: only a hash of its address is stored (as for a room's joins per client)."""
    return "c:" + hash_token(f"client:{client}")


class Attempts(Noun):
    """Wrong passwords per client and server-wide, counted in the database (kpidesign.access.AttemptRules)."""

    def __init__(self, conn: Connection, rules: AttemptRules | None = None) -> None:
        super().__init__(conn)
        self.rules = rules or AttemptRules()

    def _paused(self, conn: Sql, scope: str, budget: Budget, now: float, write: bool) -> float:
        """Seconds this scope must still wait (0.0 none); with write, a spent budget starts its pause and is cleared."""
        row = conn.execute("select ends_at from login_pauses where scope = ?", (scope,)).fetchone()
        if row is not None and now < row[0]:
            return float(row[0]) - now
        recent = [
            float(r[0])
            for r in conn.execute(
                "select failed_at from login_failures where scope = ? and failed_at > ? order by failed_at", (scope, budget.since(now))
            ).fetchall()
        ]
        ends = budget.pause_until(recent)
        if ends is None:
            return 0.0
        if write:
            conn.execute(
                "insert into login_pauses (scope, ends_at) values (?, ?) on conflict (scope) do update set ends_at = excluded.ends_at",
                (scope, ends),
            )
            conn.execute("delete from login_failures where scope = ?", (scope,))
        return max(0.0, ends - now)

    def acquire(self, now: float | None = None, client: str = "") -> Attempt:
        """Count an attempt from this client as a failure (both budgets) and let it go ahead, or refuse it with the
        seconds to wait: the client's own pause first, then the server's. One write transaction: processes and
        sessions attempting at once are counted one after the other."""
        at, scope, rules = clock(now), _scope(client), self.rules
        with self._write() as conn:
            conn.execute("update login_pauses set ends_at = ends_at where scope = ?", (SERVER,))  # PostgreSQL: the row lock
            conn.execute("delete from login_failures where failed_at <= ?", (at - rules.memory,))
            conn.execute("delete from login_pauses where scope <> ? and ends_at <= ?", (SERVER, at))
            wait = self._paused(conn, scope, rules.client, at, True) or self._paused(conn, SERVER, rules.server, at, True)
            if wait:
                return Attempt(wait, "")
            ticket = new_id(12)
            conn.executemany(
                "insert into login_failures (id, scope, failed_at) values (?, ?, ?)",
                [(f"{ticket}:c", scope, at), (f"{ticket}:s", SERVER, at)],
            )
        return Attempt(0.0, ticket)

    def succeeded(self, ticket: str) -> None:
        """Forgive the attempt `acquire` let go ahead with this ticket: the right password is not a failure (an unknown
        or aged-out ticket forgives nothing)."""
        if not ticket:
            return
        with self._write() as conn:
            conn.execute("delete from login_failures where id in (?, ?)", (f"{ticket}:c", f"{ticket}:s"))

    def wait(self, now: float | None = None, client: str = "") -> float:
        """Seconds until an attempt from this client may go ahead (0.0 now), without making one (a read)."""
        at, conn = clock(now), self.db
        return self._paused(conn, _scope(client), self.rules.client, at, False) or self._paused(conn, SERVER, self.rules.server, at, False)

    def clients(self, now: float | None = None) -> int:
        """How many clients are remembered (failures within their window, or a pause not over) at `now`."""
        at = clock(now)
        row = self.db.execute(
            "select count(*) from (select scope from login_failures where scope <> ? and failed_at > ? "
            "union select scope from login_pauses where scope <> ? and ends_at > ?) remembered",
            (SERVER, at - self.rules.client_window, SERVER, at),
        ).fetchone()
        return int(row[0])


class Leases(Noun):
    """Named leases: one holder at a time, until it releases or its time runs out (a holder that died frees it then)."""

    def claim(self, name: str, holder: str, seconds: float, now: float | None = None) -> bool:
        """Take the lease `name` for `seconds` if nobody holds it (or the holder's time ran out); True when this holder
        has it now. Of several processes claiming at once, exactly one gets it."""
        at = clock(now)
        with self._write() as conn:
            conn.execute("delete from leases where name = ? and ends_at <= ?", (name, at))
            taken = conn.execute(
                "insert into leases (name, holder, ends_at) values (?, ?, ?) on conflict (name) do nothing", (name, holder, at + seconds)
            ).rowcount
            if taken != 1:
                row = conn.execute("select holder from leases where name = ?", (name,)).fetchone()
                return row is not None and row[0] == holder  # already this holder's
        return True

    def release(self, name: str, holder: str) -> None:
        """Give the lease back (only its holder can; a lease taken over after its time ran out is not released)."""
        with self._write() as conn:
            conn.execute("delete from leases where name = ? and holder = ?", (name, holder))

    def holder(self, name: str, now: float | None = None) -> str | None:
        """Who holds the lease now, if anyone."""
        row = self.db.execute("select holder from leases where name = ? and ends_at > ?", (name, clock(now))).fetchone()
        return None if row is None else str(row[0])
