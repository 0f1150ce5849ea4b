"""PostgreSQL as the store's engine (KPIDESIGN_DATABASE_URL=postgresql://…): the same surface as SQLite (engine.Sql),
the same write transaction, the same migrations.

- Connections come from one pool per server process and URL (SQLAlchemy's QueuePool around psycopg 3, autocommit):
  a read takes a connection for one statement, a write for its transaction, so a process holds at most POOL_SIZE +
  POOL_OVERFLOW connections however many sessions it serves (a Store per session would be one each).
- The write transaction is SQLite's BEGIN IMMEDIATE, kept: one writer at a time for the whole database
  (pg_advisory_xact_lock on WRITE_LOCK, taken first, released at COMMIT or ROLLBACK), at READ COMMITTED, so each
  statement of a write sees every write committed before it began. The store's checks (expected_version, a room's
  limits, a participant's dots) read then write inside one transaction and rely on nothing else: no update can be
  lost, no limit passed, whatever the number of processes or machines. Waiting for the lock ends after LOCK_TIMEOUT
  (SQLite's busy timeout) with an error the write door reports as "busy".
- Statements are sent with client-side binding (psycopg's ClientCursor: parameters become literals, as psycopg2
  did), so a None compared with `? is null` needs no type; booleans are written as 0 / 1 as SQLite stores them.
- Migrations: the same functions as on SQLite (kpidesign.store.schema), run against `Schema`, which takes the part of
  sqlite-utils' API they use (table().create / add_column / create_index, execute) and writes PostgreSQL's DDL; a
  migration whose SQL cannot be shared registers a variant with schema.for_postgresql. They are recorded in
  kpidesign_migrations and run in one write transaction: two processes starting together migrate once, and no write
  runs half-way through a migration.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import psycopg
from psycopg.types.numeric import IntDumper
from sqlalchemy.pool import QueuePool

from kpidesign.store.engine import POSTGRESQL, Rows, pyformat
from kpidesign.store.errors import Refused

POOL_SIZE = 5  # connections a server process keeps open to the database
POOL_OVERFLOW = 10  # more, opened when every kept one is busy and closed when returned
LOCK_TIMEOUT_S = 30  # as SQLite's busy timeout: a write waits this long for the writer before it is refused
CONNECT_TIMEOUT_S = 10
WRITE_LOCK = 0x6B70_6964_0001  # pg_advisory_xact_lock key of the write transaction and the migrations ("kpid" 1)
MIGRATIONS_TABLE = "kpidesign_migrations"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_url(target: object) -> bool:
    """True for a PostgreSQL URL (postgresql://, postgres:// or SQLAlchemy's postgresql+psycopg://)."""
    return isinstance(target, str) and target.split("://", 1)[0] in SCHEMES and "://" in target


def libpq_url(url: str) -> str:
    """The URL as libpq reads it (SQLAlchemy's postgresql+psycopg:// scheme written postgresql://)."""
    return "postgresql://" + url.split("://", 1)[1]


def describe(url: str) -> str:
    """Which database a URL names, without its password: part of every cache key, and what messages show."""
    parts = urlsplit(libpq_url(url))
    host = parts.hostname or "localhost"
    return f"postgresql://{parts.username or ''}@{host}:{parts.port or 5432}{parts.path}"


class _Rows:
    """A statement's rows, read in full before its connection goes back to the pool."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self.rowcount = cur.rowcount
        self._rows: list[Any] = cur.fetchall() if cur.description else []
        self._next = 0

    def fetchone(self) -> Any:
        """The next row, or None."""
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[Any]:
        """Every row left."""
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[Any]:
        """The rows left."""
        return iter(self.fetchall())


class _Bool(IntDumper):
    """True and False written 1 and 0 (SQLite's booleans: the columns are integers)."""

    def quote(self, obj: Any) -> bytes:
        """The literal."""
        return b"1" if obj else b"0"

    def dump(self, obj: Any) -> bytes:
        """The value."""
        return b"1" if obj else b"0"


def _connect(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(
        libpq_url(url),
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
        connect_timeout=CONNECT_TIMEOUT_S,
        application_name="kpidesign",
    )
    conn.adapters.register_dumper(bool, _Bool)
    conn.execute(f"set lock_timeout = '{LOCK_TIMEOUT_S}s'")
    conn.execute("set timezone = 'UTC'")
    return conn


_pools: dict[tuple[int, str], QueuePool] = {}
_pools_lock = threading.Lock()


def pool(url: str) -> QueuePool:
    """This process's pool for a URL (a forked process makes its own: connections are never shared across processes)."""
    key = (os.getpid(), url)
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            creator: Any = lambda: _connect(url)  # noqa: E731 (psycopg's Connection is a DB-API connection SQLAlchemy's types do not name)
            found = QueuePool(creator, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, timeout=LOCK_TIMEOUT_S)
            _pools[key] = found
        return found


def dispose(url: str) -> None:
    """Close this process's pooled connections to a URL (a database about to be dropped or copied as a template)."""
    with _pools_lock:
        found = _pools.pop((os.getpid(), url), None)
    if found is not None:
        found.dispose()


def _give_back(fairy: Any, conn: psycopg.Connection[Any]) -> None:
    """Return a connection to the pool; one that broke (the server gone, the network cut) is thrown away instead."""
    if conn.broken or conn.closed:
        fairy.invalidate()
    fairy.close()


class PostgresDatabase:
    """A PostgreSQL database behind engine.Sql: reads on a pooled connection each, writes in one transaction."""

    engine = POSTGRESQL

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = describe(url)
        self._pool = pool(url)
        self._local = threading.local()  # this thread's write transaction, if any: its reads see its own writes

    @property
    def in_transaction(self) -> bool:
        """True inside a write transaction of this thread."""
        return getattr(self._local, "tx", None) is not None

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The transaction's connection, else one from the pool for the time of one statement."""
        tx: psycopg.Connection[Any] | None = getattr(self._local, "tx", None)
        if tx is not None:
            yield tx
            return
        fairy = self._pool.connect()
        conn = cast("psycopg.Connection[Any]", fairy.driver_connection)
        try:
            yield conn
        finally:
            _give_back(fairy, conn)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        """Run one statement with ? placeholders."""
        with self._connection() as conn:
            return _Rows(conn.execute(pyformat(sql), tuple(parameters)))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        rows = [tuple(r) for r in rows]
        if not rows:
            return
        with self._connection() as conn, conn.cursor() as cur:
            cur.executemany(pyformat(sql), rows)

    @contextmanager
    def transaction(self) -> Iterator[PostgresDatabase]:
        """One transaction holding the advisory lock (one at a time for the database); rolled back on any exception but
        Refused (kpidesign.store.errors: a participant's spent budget is kept)."""
        if self.in_transaction:
            raise psycopg.ProgrammingError("a write transaction is already open on this connection")
        fairy = self._pool.connect()
        conn = cast("psycopg.Connection[Any]", fairy.driver_connection)
        refused: Refused | None = None
        try:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                self._local.tx = conn
                try:
                    yield self
                except Refused as e:  # refused once a participant's budget was spent: committed, then raised
                    refused = e
                finally:
                    self._local.tx = None
        finally:
            _give_back(fairy, conn)
        if refused is not None:
            raise refused

    def close(self) -> None:
        """Nothing to close: the connections belong to the process's pool."""


# --- migrations ---------------------------------------------------------------------------------------------------

_TYPES: dict[type, str] = {str: 'TEXT COLLATE "C"', int: "BIGINT", float: "DOUBLE PRECISION", bytes: "BYTEA"}
# portable DDL written for SQLite, said in PostgreSQL's words (checked in this order, whole words, outside quotes)
_DDL = (
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b", re.I), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\b(?:REAL|FLOAT|DOUBLE)\b(?!\s+PRECISION)", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bTEXT\b(?!\s+COLLATE)", re.I), 'TEXT COLLATE "C"'),
)
_IS_DDL = re.compile(r"^\s*(?:CREATE\s+TABLE|ALTER\s+TABLE)\b", re.I)


def ddl(sql: str) -> str:
    """A CREATE TABLE or ALTER TABLE statement in portable SQL, with PostgreSQL's types: INTEGER is 64 bits (SQLite's),
    an INTEGER PRIMARY KEY numbers itself (SQLite's rowid), REAL is double precision, BLOB is BYTEA, and TEXT compares
    byte by byte (SQLite's BINARY collation: the same order and the same comparisons of ISO times on both engines)."""
    if not _IS_DDL.match(sql):
        return sql
    for pattern, words in _DDL:
        sql = pattern.sub(words, sql)
    return sql


class _Table:
    """One table, as sqlite-utils' Table for the migrations: create, add_column, create_index."""

    def __init__(self, schema: Schema, name: str) -> None:
        self.schema, self.name = schema, name

    def create(
        self,
        columns: dict[str, type],
        *,
        pk: str | tuple[str, ...] | None = None,
        foreign_keys: Iterable[tuple[str, str, str]] = (),
        not_null: Iterable[str] = (),
    ) -> None:
        """CREATE TABLE with sqlite-utils' types (an int primary key numbers itself, as SQLite's rowid)."""
        required = set(not_null)
        lines = []
        for column, kind in columns.items():
            if pk == column and kind is int:
                lines.append(f"{column} BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                continue
            lines.append(f"{column} {_TYPES[kind]}{' NOT NULL' if column in required else ''}{' PRIMARY KEY' if pk == column else ''}")
        if isinstance(pk, tuple):
            lines.append(f"PRIMARY KEY ({', '.join(pk)})")
        lines += [f"FOREIGN KEY ({column}) REFERENCES {other} ({key})" for column, other, key in foreign_keys]
        self.schema.db.execute(f"CREATE TABLE {self.name} ({', '.join(lines)})")

    def add_column(self, column: str, kind: type, *, not_null_default: object = None) -> None:
        """ALTER TABLE … ADD COLUMN (NOT NULL with a default when one is given)."""
        rule = "" if not_null_default is None else f" NOT NULL DEFAULT {int(cast(int, not_null_default))}"
        self.schema.db.execute(f"ALTER TABLE {self.name} ADD COLUMN {column} {_TYPES[kind]}{rule}")

    def create_index(self, columns: list[str], *, unique: bool = False) -> None:
        """CREATE INDEX named as sqlite-utils names it (idx_<table>_<columns>)."""
        name = f"idx_{self.name}_{'_'.join(columns)}"
        self.schema.db.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {self.name} ({', '.join(columns)})")


class Schema:
    """What a migration is given on PostgreSQL: sqlite-utils' Database as the migrations use it, inside the migrations'
    transaction."""

    engine = POSTGRESQL

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    @property
    def conn(self) -> Schema:
        """The migrations say db.conn.executemany: the same object."""
        return self

    def table(self, name: str) -> _Table:
        """A table to create or change."""
        return _Table(self, name)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        """Run one statement (DDL in portable SQL is given PostgreSQL's types, see ddl)."""
        return self.db.execute(ddl(sql), parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        self.db.executemany(sql, rows)


Migration = tuple[str, Callable[[Any], None]]


def applied(db: PostgresDatabase) -> list[str]:
    """The migrations a PostgreSQL database records, in the order applied ([] for a database kpidesign never used)."""
    found = db.execute("select to_regclass(?)", (MIGRATIONS_TABLE,)).fetchone()
    if found is None or found[0] is None:
        return []
    return [r[0] for r in db.execute(f"select name from {MIGRATIONS_TABLE} where migration_set = 'kpidesign' order by id").fetchall()]


def migrate(db: PostgresDatabase, steps: list[Migration], refuse: Callable[[list[str]], None]) -> list[str]:
    """Apply the steps not yet recorded, in order, in one write transaction (all or none); refuse(unknown)
    is called first with the migrations recorded that this code does not know (it raises: nothing is changed). The
    names applied."""
    known = {name for name, _ in steps}
    recorded = applied(db)
    unknown = [name for name in recorded if name not in known]  # checked before the lock: a newer database is never touched
    if unknown:
        refuse(unknown)
    if known <= set(recorded):
        return []  # up to date (every session's store opens here): no lock taken
    done: list[str] = []
    with db.transaction():
        db.execute(
            f"create table if not exists {MIGRATIONS_TABLE} (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            'migration_set TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, applied_at TEXT, UNIQUE (migration_set, name))'
        )
        have = set(applied(db))
        unknown = [name for name in have if name not in known]
        if unknown:
            refuse(unknown)
        schema = Schema(db)
        for name, fn in steps:
            if name in have:
                continue
            fn(schema)
            db.execute(
                f"insert into {MIGRATIONS_TABLE} (migration_set, name, applied_at) values ('kpidesign', ?, ?)",
                (name, str(dt.datetime.now(dt.UTC))),
            )
            done.append(name)
    return done
