"""The connection the store's nouns share: which database, its pragmas, the write transaction, the clock.

Which database: a PostgreSQL URL (KPIDESIGN_DATABASE_URL, else [database] url in .streamlit/secrets.toml: read by
kpidesign.settings, checked here, each time a Store opens without being told), else the SQLite file (KPIDESIGN_DB, else
data/kpidesign.db). SQLite: one connection per Store (Streamlit runs each session on its own thread:
check_same_thread=False), in WAL with synchronous=FULL, so a write is on disk when it returns. PostgreSQL: pooled
connections per process (kpidesign.store.postgres). Every write runs in `with conn.write() as sql:` (one writer at a
time: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL; COMMIT, or ROLLBACK on any exception).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from kpidesign import settings
from kpidesign.settings import DATABASE, database_path
from kpidesign.store import postgres
from kpidesign.store.engine import POSTGRESQL, Sql, SqliteDatabase
from kpidesign.store.errors import DatabaseUrlError, NewerSchemaError, Refused
from kpidesign.store.schema import check_schema, migrations, refuse_newer, steps

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "kpidesign.db"
ENV_VAR = DATABASE
URL_VAR = settings.DATABASE_URL  # a PostgreSQL server's database: the store is there, not in the SQLite file

_memory = itertools.count()


def default_path() -> Path:
    """The database file: $KPIDESIGN_DB, else data/kpidesign.db beside the package."""
    return database_path() or DEFAULT_PATH


def database_url(environ: Mapping[str, str] | None = None, secrets: Sequence[Path] | None = None) -> str | None:
    """The PostgreSQL database the store is in (kpidesign.settings.database_url: $KPIDESIGN_DATABASE_URL, else
    [database] url in .streamlit/secrets.toml of the working folder, else of the home folder); None: the SQLite file.
    DatabaseUrlError for a URL that is not PostgreSQL's or a secrets file that is not TOML (never a silent fall back to
    another database)."""
    try:
        url = settings.database_url(environ, None if secrets is None else tuple(secrets))
    except settings.UnreadableSecrets as e:
        raise DatabaseUrlError(f"a secrets file is not TOML ({e.detail}): the database's URL cannot be read") from None
    if url is not None and not postgres.is_url(url):
        raise DatabaseUrlError(f"the database URL must start with postgresql:// (got {url.split('://', 1)[0][:20]}://…)")
    return url


def now() -> str:
    """The time of a write, as stored: UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def clock(at: float | None) -> float:
    """A moment in seconds since the epoch: the one given (tests), else now."""
    return time.time() if at is None else at


class Connection:
    """An open database (a PostgreSQL URL, a file, or one in memory of its own), migrated to this code's schema."""

    db: Sql

    def __init__(self, path: str | Path | None = None, *, memory: bool = False):
        url = None if memory else (str(path) if postgres.is_url(path) else None if path else database_url())
        if url is not None:
            pg = postgres.PostgresDatabase(url)
            self.where = pg.where
            postgres.migrate(pg, steps(POSTGRESQL), refuse_newer(self.where))
            self.db = pg
            return
        if memory:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self.where = f":memory:{next(_memory)}"  # a database of its own: shares nothing
        else:
            target = Path(path) if path else default_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            self.where = str(target.resolve())
            conn = sqlite3.connect(str(target), check_same_thread=False, isolation_level=None, timeout=30)
            try:
                check_schema(SqliteDatabase(conn), self.where)  # a newer database is refused before anything is written to it
            except NewerSchemaError:
                conn.close()
                raise
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")  # WAL + FULL: a commit is on disk when save returns, a power cut included
        sqlite = SqliteDatabase(conn)
        migrations.apply(sqlite)
        self.db = sqlite

    @property
    def engine(self) -> str:
        """Which engine holds this database: "sqlite" or "postgresql"."""
        return self.db.engine

    def sqlite(self) -> sqlite3.Connection:
        """The SQLite connection itself (the backup's and compaction's, which are SQLite's); TypeError on PostgreSQL."""
        if not isinstance(self.db, SqliteDatabase):
            raise TypeError(f"{self.where} is a PostgreSQL database, not an SQLite file")
        return self.db.conn

    def write(self) -> AbstractContextManager[Sql]:
        """One write transaction: one writer at a time, never a deadlock; rolled back on any exception but Refused
        (kpidesign.store.errors: a participant's spent budget is kept)."""
        if isinstance(self.db, postgres.PostgresDatabase):
            return self.db.transaction()
        return self._sqlite_write()

    @contextmanager
    def _sqlite_write(self) -> Iterator[Sql]:
        """BEGIN IMMEDIATE (writers queue on SQLite's lock) … COMMIT."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except Refused:  # refused once the participant's budget was spent: that is kept, nothing else was written
            db.execute("COMMIT")
            raise
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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

    def _write(self) -> AbstractContextManager[Sql]:
        """The shared connection's write transaction."""
        return self.conn.write()
