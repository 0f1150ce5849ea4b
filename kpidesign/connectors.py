"""Actuals pulled from SQL databases: each KPI's `query` run on its named `connection` through SQLAlchemy.

A connection is a name in the workshop; its URL (with any password) lives only on the server: in Streamlit's
`.streamlit/secrets.toml` as `[connections.NAME] url = "…"`, the way `st.connection` reads it, or in the environment
variable `KPIDESIGN_CONNECTION_<NAME>` (upper case), which wins. A query returns rows of `date, value` and optionally
`market` (columns by those names, else by position). kpidesign.settings reads both; this module is handed them. Each query runs in a read-only transaction where the database
has one (PostgreSQL, SQLite; DuckDB opens files read-only), fenced in (a new connection per query; SQLite refuses ATTACH
and PRAGMAs; DuckDB reaches no other file), under a time limit, and reads at most MAX_ROWS rows; its
rows go through the same checks as an uploaded file, so a bad row is refused with its reason and the good ones kept.

A query is run as written (no bind parameters: `:word` and `%` inside it mean what they mean to the database), wrapped
as a common table expression whose columns the wrapper reads with their byte length computed by the database: a value
longer than MAX_VALUE_BYTES is replaced there by NULL and the KPI refused, so a huge value never reaches this process,
and the rows are read FETCH_ROWS at a time, counting bytes up to MAX_RESULT_BYTES. SQLite and DuckDB run inside this
process: SQLite builds no value longer than SQLITE_MAX_LENGTH, DuckDB gets a memory limit, one thread and a bounded
spill folder before its configuration is locked.
"""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from kpidesign.actuals import RowProblem, parse_rows
from kpidesign.model import Actual, Node, Workshop
from kpidesign.settings import CONNECTION_PREFIX, Settings
from kpidesign.values import Problem, connection_problem

TIMEOUT_S = 30.0
MAX_ROWS = 100_000
MAX_VALUE_BYTES = 256  # a date, a number or a market value as text: far more than any needs
MAX_RESULT_BYTES = 8 * 2**20  # the bytes of every value a query returns, together (100,000 rows of a date and two numbers: ~3 MB)
FETCH_ROWS = 1_000  # rows read at a time: at most ~1 MB in this process before they are counted
SQLITE_MAX_LENGTH = 2**20  # SQLite (in this process) refuses to build any string or blob longer than this, mid-query included
DUCKDB_MEMORY_LIMIT = "512MiB"  # DuckDB runs in this process: its memory, threads and spill files are bounded
DUCKDB_THREADS = 1
DUCKDB_TEMP_SIZE = "1GiB"


class QueryError(Exception):
    """A query that could not be run: its Problem says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Outcome:
    """What one KPI's query gave: the actuals kept, the rows refused, or why nothing was loaded."""

    kpi: str
    connection: str
    actuals: list[Actual] = field(default_factory=list)
    refused: list[RowProblem] = field(default_factory=list)
    problem: Problem | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the query ran (some of its rows may still have been refused)."""
        return self.problem is None


def connection_url(name: str, settings: Settings) -> str:
    """The URL of a named connection: KPIDESIGN_CONNECTION_<NAME>, else secrets' [connections.NAME] url."""
    url = settings.connection(name)
    if not url:
        raise QueryError(Problem("connection_unknown", {"name": name, "env": CONNECTION_PREFIX + name.upper()}))
    return url


def kpis_with_queries(ws: Workshop) -> list[Node]:
    """The nodes whose definition has a query, in the tree's order."""
    return [n for n in ws.nodes if n.definition.query.strip()]


class Engines:
    """One SQLAlchemy engine per URL for a refresh, disposed of at the end; every connection read-only and fenced in."""

    def __init__(self) -> None:
        self._engines: dict[str, Any] = {}

    def get(self, url: str) -> Any:
        """The engine for a URL, created on first use (see _engine_for)."""
        if url not in self._engines:
            self._engines[url] = _engine_for(url)
        return self._engines[url]

    def close(self) -> None:
        """Dispose of every engine."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


CONNECT_TIMEOUT_S = 10


def _engine_for(url: str) -> Any:
    """An engine whose connections can read what the query names and nothing else.

    A new connection per query (NullPool): nothing one query does (an ATTACH, a setting) stays for the next KPI's. SQLite
    opens the file read-only (a missing file is an error, never created) and refuses ATTACH, DETACH and PRAGMAs through
    an authorizer; DuckDB opens files read-only, without access to other files or the network (`enable_external_access`
    off, its configuration locked: no `read_text('…/secrets.toml')`, no `COPY … TO`); PostgreSQL gives up after
    CONNECT_TIMEOUT_S when the server does not answer.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    try:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {"poolclass": NullPool}
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            parsed = parsed.set(database=f"file:{parsed.database}", query={**parsed.query, "mode": "ro", "uri": "true"})
        elif backend == "duckdb":
            config = {
                "enable_external_access": False,
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "threads": DUCKDB_THREADS,
                "temp_directory": str(Path(tempfile.gettempdir()) / "kpidesign-duckdb"),
                "max_temp_directory_size": DUCKDB_TEMP_SIZE,
                "lock_configuration": True,  # last: nothing the query says can change the settings above
            }
            kwargs["connect_args"] = {"read_only": parsed.database not in (None, "", ":memory:"), "config": config}
        elif backend == "postgresql":
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as e:
        raise QueryError(Problem("connection_bad_url", {"detail": mask(str(e), url)})) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _fence_sqlite)
    return engine


def _fence_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Read-only, and no ATTACH, DETACH or PRAGMA from the query (the app's own database is a file on the same disk)."""
    import sqlite3

    dbapi_connection.execute("PRAGMA query_only = ON")
    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_LENGTH)
    refused = {sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH, sqlite3.SQLITE_PRAGMA}
    dbapi_connection.set_authorizer(lambda action, *_: sqlite3.SQLITE_DENY if action in refused else sqlite3.SQLITE_OK)


def run_query(
    engine: Any, sql: str, timeout_s: float = TIMEOUT_S, max_rows: int = MAX_ROWS, first_only: bool = False
) -> list[dict[str, Any]]:
    """The query's rows as {date, value[, market]}, read in a read-only transaction within timeout_s; more than
    max_rows is refused (first_only: the first max_rows are enough, as for a preview), and so is a value longer than
    MAX_VALUE_BYTES or a result of more than MAX_RESULT_BYTES."""
    from sqlalchemy.exc import SQLAlchemyError

    dialect = engine.dialect.name
    body = sql.strip().rstrip(";").rstrip()
    try:
        with engine.connect() as conn, _Deadline(conn, dialect, timeout_s):
            _read_only(conn, dialect, timeout_s)
            raw = conn.execution_options(no_parameters=True)
            probe = raw.exec_driver_sql(_probe(body))
            columns = [str(c).lower() for c in probe.keys()]  # noqa: SIM118 (a Result: iterating it would read rows)
            probe.close()
            if len(columns) < 2:
                raise QueryError(Problem("query_columns", {"columns": ", ".join(columns)[:100]}))
            where = {name: columns.index(name) for name in ("date", "value", "market") if name in columns}
            picked = {"date": where.get("date", 0), "value": where.get("value", 1)}
            market_at = where.get("market", 2 if len(columns) > 2 and not where else None)
            if market_at is not None:
                picked["market"] = market_at
            wrapped = _wrapped(body, dialect, len(columns), list(picked.values()), max_rows + 1)
            result = raw.execution_options(stream_results=True).exec_driver_sql(wrapped)
            rows = _read_bounded(result, list(picked), max_rows + 1)
            conn.rollback()
    except SQLAlchemyError as e:
        lines = str(getattr(e, "orig", None) or e).strip().splitlines()
        detail = mask(lines[0] if lines else type(e).__name__, engine.url.render_as_string(hide_password=False))
        if "string or blob too big" in detail:  # SQLite's own SQLITE_MAX_LENGTH, mid-query
            raise QueryError(Problem("query_value_huge", {"max": SQLITE_MAX_LENGTH})) from None
        code = "query_timeout" if _is_timeout(e) else "query_failed"
        raise QueryError(Problem(code, {"detail": detail[:300], "seconds": timeout_s})) from None
    if len(rows) > max_rows and first_only:
        rows = rows[:max_rows]
    elif len(rows) > max_rows:
        raise QueryError(Problem("query_too_many_rows", {"max": max_rows}))
    return [
        {"date": _plain(r["date"]), "value": _plain(r["value"]), "market": _plain(r["market"]) if "market" in r else None, "_row": i}
        for i, r in enumerate(rows, start=1)
    ]


WRAP_NAME = "kpidesign_q"


def _probe(body: str) -> str:
    """The query's columns without its rows (the wrapper needs how many there are)."""
    return f"with {WRAP_NAME} as (\n{body}\n) select * from {WRAP_NAME} limit 0"


def _byte_length(dialect: str, column: str) -> str:
    """SQL for a value's length in bytes as text, computed by the database (NULL stays NULL)."""
    if dialect == "sqlite":
        return f"length(cast({column} as blob))"
    if dialect == "duckdb":
        return f"strlen(cast({column} as varchar))"
    return f"octet_length(cast({column} as text))"


def _wrapped(body: str, dialect: str, width: int, positions: list[int], limit: int) -> str:
    """The query as a common table expression with columns c1…cN, read back only at `positions`: each value with its byte
    length beside it, the value itself only when it is at most MAX_VALUE_BYTES (else NULL: it never leaves the database)."""
    names = [f"c{i}" for i in range(1, width + 1)]
    picked = []
    for at in positions:
        length = _byte_length(dialect, names[at])
        picked += [f"case when {length} <= {MAX_VALUE_BYTES} then {names[at]} end", length]
    return f"with {WRAP_NAME}({', '.join(names)}) as (\n{body}\n) select {', '.join(picked)} from {WRAP_NAME} limit {int(limit)}"


def _read_bounded(result: Any, names: list[str], max_rows: int) -> list[dict[str, Any]]:
    """Rows of (value, its length) pairs read FETCH_ROWS at a time: a value longer than MAX_VALUE_BYTES or more than
    MAX_RESULT_BYTES in all is refused as soon as it is seen."""
    rows: list[dict[str, Any]] = []
    total = 0
    while len(rows) < max_rows:
        batch = result.fetchmany(min(FETCH_ROWS, max_rows - len(rows)))
        if not batch:
            break
        for r in batch:
            row = {}
            for i, name in enumerate(names):
                size = int(r[2 * i + 1] or 0)
                if size > MAX_VALUE_BYTES:
                    raise QueryError(
                        Problem("query_value_too_large", {"row": len(rows) + 1, "column": name, "bytes": size, "max": MAX_VALUE_BYTES})
                    )
                total += size
                row[name] = r[2 * i]
            if total > MAX_RESULT_BYTES:
                raise QueryError(Problem("query_result_too_large", {"max": MAX_RESULT_BYTES, "rows": len(rows) + 1}))
            rows.append(row)
    result.close()
    return rows


def _plain(value: Any) -> Any:
    """A database value as the actuals reader takes it: Decimal as float, a timestamp as its day."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _read_only(conn: Any, dialect: str, timeout_s: float) -> None:
    if dialect == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")


class _Deadline:
    """Interrupt a query still running after timeout_s (SQLite and DuckDB have no statement timeout of their own)."""

    def __init__(self, conn: Any, dialect: str, timeout_s: float) -> None:
        self.conn, self.dialect, self.timeout_s = conn, dialect, timeout_s
        self.timer: threading.Timer | None = None

    def __enter__(self) -> Self:
        raw = self.conn.connection.dbapi_connection
        interrupt = getattr(raw, "interrupt", None)
        if self.dialect != "postgresql" and callable(interrupt):
            self.timer = threading.Timer(self.timeout_s, interrupt)
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.timer is not None:
            self.timer.cancel()


def _is_timeout(e: Exception) -> bool:
    text = str(getattr(e, "orig", None) or e).lower()
    return any(word in text for word in ("interrupted", "statement timeout", "canceling statement", "interrupt"))


def mask(message: str, url: str) -> str:
    """An error message without the connection's password, whatever the driver put in it."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 (an unparsable URL has no password to hide)
        password = None
    return message.replace(str(password), "***") if password else message


def refresh(ws: Workshop, settings: Settings, timeout_s: float = TIMEOUT_S) -> Iterator[Outcome]:
    """Run every KPI's query, one outcome per KPI as it finishes (a failed query never stops the others)."""
    engines = Engines()
    try:
        for node in kpis_with_queries(ws):
            name = node.definition.connection.strip()
            start = time.perf_counter()
            try:
                rows = run_query(_engine(engines, name, settings), node.definition.query, timeout_s)
            except QueryError as e:
                yield Outcome(node.id, name, problem=e.problem, seconds=time.perf_counter() - start)
                continue
            good, bad = parse_rows(ws, [{**r, "kpi": node.id} for r in rows])
            yield Outcome(node.id, name, good, bad, seconds=time.perf_counter() - start)
    finally:
        engines.close()


def preview(
    ws: Workshop,
    node_id: str,
    settings: Settings,
    limit: int = 10,
    timeout_s: float = TIMEOUT_S,
) -> list[dict[str, Any]]:
    """The first rows of one KPI's query, as the "test query" button shows them (raises QueryError)."""
    node = ws.node(node_id)
    engines = Engines()
    try:
        rows = run_query(
            _engine(engines, node.definition.connection.strip(), settings), node.definition.query, timeout_s, limit, first_only=True
        )
    finally:
        engines.close()
    return [{k: v for k, v in r.items() if k != "_row"} for r in rows]


def _engine(engines: Engines, name: str, settings: Settings) -> Any:
    problem = connection_problem(name)
    if problem is not None:
        raise QueryError(problem)
    return engines.get(connection_url(name, settings))
