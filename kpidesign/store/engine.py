"""The surface the store's nouns write SQL against, the same on both engines: SQLite (the embedded default) and
PostgreSQL (kpidesign.store.postgres, when a database URL is set).

``Sql`` is what a noun holds as ``self.db`` and what ``with conn.write() as sql:`` yields: ``execute(sql, params)``
returning rows (``fetchone``, ``fetchall``, ``rowcount``, iteration), ``executemany``, ``in_transaction``. The SQL is
written once, in the dialect both engines share: ``?`` placeholders (rewritten to ``%s`` for PostgreSQL by
``pyformat``), ``insert ... on conflict (...) do update / do nothing`` (never SQLite's ``insert or replace``),
``returning id`` (never ``lastrowid``), no ``rowid``, TEXT / INTEGER / REAL / BLOB columns.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from sqlite_utils import Database

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Rows(Protocol):
    """What a statement gave: its rows (tuples) and how many rows it changed."""

    @property
    def rowcount(self) -> int:
        """Rows changed by an insert, update or delete."""
        ...

    def fetchone(self) -> Any:
        """The next row, or None."""
        ...

    def fetchall(self) -> list[Any]:
        """Every row left."""
        ...

    def __iter__(self) -> Iterator[Any]:
        """The rows left, one at a time."""
        ...


class Sql(Protocol):
    """A database the store writes SQL to, whichever the engine."""

    @property
    def engine(self) -> str:
        """SQLITE or POSTGRESQL."""
        ...

    @property
    def in_transaction(self) -> bool:
        """True inside a write transaction (what is read there may still roll back)."""
        ...

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        """Run one statement with ? placeholders."""
        ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        ...

    def close(self) -> None:
        """Close the connection (a pool's connections stay with the pool)."""
        ...


class SqliteDatabase(Database):
    """sqlite-utils' Database (the migrations and the backup use its API) with the store's engine-neutral surface."""

    engine = SQLITE

    @property
    def in_transaction(self) -> bool:
        """True inside a write transaction."""
        return self.conn.in_transaction

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = ()) -> sqlite3.Cursor:
        """Run one statement (sqlite-utils' execute; no parameters as an empty tuple)."""
        return super().execute(sql, parameters or ())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        self.conn.executemany(sql, rows)


# A quoted string or identifier, else one character: ? outside quotes is a placeholder, % anywhere is escaped
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|.", re.DOTALL)


def pyformat(sql: str) -> str:
    """The statement with psycopg's placeholders: each ? outside a quoted string becomes %s, and every % is doubled
    (psycopg reads % as the start of a placeholder even inside a string literal, e.g. like 'imported:%')."""
    out: list[str] = []
    for m in _TOKEN.finditer(sql):
        token = m.group(0)
        out.append("%s" if token == "?" else token.replace("%", "%%"))
    return "".join(out)
