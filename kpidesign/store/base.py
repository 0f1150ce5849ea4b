"""The connection the store's nouns share: which database, its pragmas, the write transaction, the clock.

One SQLite connection per Store (Streamlit runs each session on its own thread: check_same_thread=False), in WAL
with synchronous=FULL, so a write is on disk when it returns. Every write runs in `with conn.write():` (BEGIN
IMMEDIATE ... COMMIT, rolled back on any exception).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlite_utils import Database

from kpidesign.store.errors import NewerSchemaError
from kpidesign.store.schema import check_schema, migrations

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "kpidesign.db"
ENV_VAR = "KPIDESIGN_DB"

_memory = itertools.count()


def default_path() -> Path:
    """The database file: $KPIDESIGN_DB, else data/kpidesign.db beside the package."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def now() -> str:
    """The time of a write, as stored: UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def clock(at: float | None) -> float:
    """A moment in seconds since the epoch: the one given (tests), else now."""
    return time.time() if at is None else at


class Connection:
    """An open database (a file, or one in memory of its own), migrated to this code's schema."""

    def __init__(self, path: str | Path | None = None, *, memory: bool = False):
        if memory:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self.where = f":memory:{next(_memory)}"  # a database of its own: shares nothing
        else:
            target = Path(path) if path else default_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            self.where = str(target.resolve())
            conn = sqlite3.connect(str(target), check_same_thread=False, isolation_level=None, timeout=30)
            try:
                check_schema(Database(conn), self.where)  # a newer database is refused before anything is written to it
            except NewerSchemaError:
                conn.close()
                raise
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")  # WAL + FULL: a commit is on disk when save returns, a power cut included
        self.db = Database(conn)
        migrations.apply(self.db)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue, never deadlock); rolled back on any exception."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def exists(self, workshop_id: str) -> bool:
        """True if a workshop with this id is stored."""
        return self.db.execute("select 1 from workshops where id = ?", (workshop_id,)).fetchone() is not None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


class Noun:
    """One noun of the store (actuals, shares, rooms…): its verbs over the connection it shares with the others."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.db = conn.db

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """The shared connection's write transaction."""
        return self.conn.write()
