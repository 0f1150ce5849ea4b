"""Actuals pulled from SQL databases: each KPI's `query` run on its named `connection` through SQLAlchemy.

A connection is a name in the workshop; its URL (with any password) lives only on the server: in Streamlit's
`.streamlit/secrets.toml` as `[connections.NAME] url = "…"`, the way `st.connection` reads it, or in the environment
variable `KPIDESIGN_CONNECTION_<NAME>` (upper case), which wins. A query returns rows of `date, value` and optionally
`market` (columns by those names, else by position). Each query runs in a read-only transaction where the database
has one (PostgreSQL, SQLite; DuckDB opens files read-only), under a time limit, and reads at most MAX_ROWS rows; its
rows go through the same checks as an uploaded file, so a bad row is refused with its reason and the good ones kept.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from kpidesign.actuals import RowProblem, parse_rows
from kpidesign.model import Actual, Node, Workshop
from kpidesign.values import Problem

TIMEOUT_S = 30.0
MAX_ROWS = 100_000
ENV_PREFIX = "KPIDESIGN_CONNECTION_"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_PASSWORD_IN_URL = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/@\s]*:[^/@\s]*@", re.IGNORECASE)


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


def check_connection_name(name: str) -> Problem | None:
    """A connection is named, never given by URL: a name of letters, digits and _ (a URL with a password is refused)."""
    if _PASSWORD_IN_URL.match(name.strip()):
        return Problem("connection_has_password")
    if not _NAME.match(name.strip()):
        return Problem("connection_name", {"text": name[:40]})
    return None


def secrets_file(start: Path | None = None) -> Path:
    """Where Streamlit keeps the app's secrets: .streamlit/secrets.toml in the working folder."""
    return (start or Path.cwd()) / ".streamlit" / "secrets.toml"


def read_secrets(path: Path | None = None) -> dict[str, Any]:
    """Streamlit's secrets file as data ({} when there is none; a file that is not TOML is refused)."""
    path = path or secrets_file()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise QueryError(Problem("secrets_unreadable", {"detail": str(e)[:200]})) from None


def connection_url(name: str, secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str:
    """The URL of a named connection: KPIDESIGN_CONNECTION_<NAME>, else secrets' [connections.NAME] url."""
    environ = os.environ if environ is None else environ
    url = environ.get(ENV_PREFIX + name.upper())
    if not url:
        section = (secrets.get("connections") or {}).get(name) or {}
        url = section.get("url") if isinstance(section, Mapping) else None
    if not url:
        raise QueryError(Problem("connection_unknown", {"name": name, "env": ENV_PREFIX + name.upper()}))
    return str(url)


def kpis_with_queries(ws: Workshop) -> list[Node]:
    """The nodes whose definition has a query, in the tree's order."""
    return [n for n in ws.nodes if n.definition.query.strip()]


class Engines:
    """One SQLAlchemy engine per URL for a refresh, disposed of at the end."""

    def __init__(self) -> None:
        self._engines: dict[str, Any] = {}

    def get(self, url: str) -> Any:
        """The engine for a URL (created on first use; a DuckDB file opened read-only)."""
        if url not in self._engines:
            from sqlalchemy import create_engine
            from sqlalchemy.exc import ArgumentError, NoSuchModuleError

            kwargs: dict[str, Any] = {}  # pooled for the refresh's queries (all read-only), disposed of at its end
            if url.startswith("duckdb:") and ":memory:" not in url:
                kwargs["connect_args"] = {"read_only": True}
            try:
                self._engines[url] = create_engine(url, **kwargs)
            except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as e:
                raise QueryError(Problem("connection_bad_url", {"detail": _safe(str(e), url)})) from None
        return self._engines[url]

    def close(self) -> None:
        """Dispose of every engine."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def run_query(engine: Any, sql: str, timeout_s: float = TIMEOUT_S, max_rows: int = MAX_ROWS, first_only: bool = False) -> list[dict[str, Any]]:
    """The query's rows as {date, value[, market]}, read in a read-only transaction within timeout_s; more than
    max_rows is refused (first_only: the first max_rows are enough, as for a preview)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    dialect = engine.dialect.name
    try:
        with engine.connect() as conn, _Deadline(conn, dialect, timeout_s):
            _read_only(conn, dialect, timeout_s)
            result = conn.execution_options(stream_results=True).execute(text(sql))
            columns = [str(c).lower() for c in result.keys()]  # noqa: SIM118 (a Result: iterating it would read the rows)
            rows = result.fetchmany(max_rows + 1)
            conn.rollback()
    except SQLAlchemyError as e:
        detail = _safe(str(getattr(e, "orig", None) or e).strip().splitlines()[0] if str(e).strip() else type(e).__name__, str(engine.url))
        code = "query_timeout" if _is_timeout(e) else "query_failed"
        raise QueryError(Problem(code, {"detail": detail[:300], "seconds": timeout_s})) from None
    if len(rows) > max_rows and first_only:
        rows = rows[:max_rows]
    elif len(rows) > max_rows:
        raise QueryError(Problem("query_too_many_rows", {"max": max_rows}))
    if len(columns) < 2:
        raise QueryError(Problem("query_columns", {"columns": ", ".join(columns)[:100]}))
    where = {name: columns.index(name) for name in ("date", "value", "market") if name in columns}
    date_at, value_at = where.get("date", 0), where.get("value", 1)
    market_at = where.get("market", 2 if len(columns) > 2 and not where else None)
    return [{"date": _plain(r[date_at]), "value": _plain(r[value_at]), "market": None if market_at is None else _plain(r[market_at]), "_row": i}
            for i, r in enumerate(rows, start=1)]


def _plain(value: Any) -> Any:
    """A database value as the actuals reader takes it: Decimal as float, a timestamp as its day."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _read_only(conn: Any, dialect: str, timeout_s: float) -> None:
    from sqlalchemy import text

    if dialect == "postgresql":
        conn.execute(text("SET TRANSACTION READ ONLY"))
        conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
    elif dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")


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


def _safe(message: str, url: str) -> str:
    """An error message without the connection's password, whatever the driver put in it."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 (an unparsable URL has no password to hide)
        password = None
    return message.replace(password, "***") if password else message


def refresh(ws: Workshop, secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None,
            timeout_s: float = TIMEOUT_S) -> Iterator[Outcome]:
    """Run every KPI's query, one outcome per KPI as it finishes (a failed query never stops the others)."""
    engines = Engines()
    try:
        for node in kpis_with_queries(ws):
            name = node.definition.connection.strip()
            start = time.perf_counter()
            try:
                rows = run_query(_engine(engines, name, secrets, environ), node.definition.query, timeout_s)
            except QueryError as e:
                yield Outcome(node.id, name, problem=e.problem, seconds=time.perf_counter() - start)
                continue
            good, bad = parse_rows(ws, [{**r, "kpi": node.id} for r in rows])
            yield Outcome(node.id, name, good, bad, seconds=time.perf_counter() - start)
    finally:
        engines.close()


def preview(ws: Workshop, node_id: str, secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None,
            limit: int = 10, timeout_s: float = TIMEOUT_S) -> list[dict[str, Any]]:
    """The first rows of one KPI's query, as the "test query" button shows them (raises QueryError)."""
    node = ws.node(node_id)
    engines = Engines()
    try:
        rows = run_query(_engine(engines, node.definition.connection.strip(), secrets, environ), node.definition.query, timeout_s, limit, first_only=True)
    finally:
        engines.close()
    return [{k: v for k, v in r.items() if k != "_row"} for r in rows]


def _engine(engines: Engines, name: str, secrets: Mapping[str, Any], environ: Mapping[str, str] | None) -> Any:
    problem = check_connection_name(name)
    if problem is not None:
        raise QueryError(problem)
    return engines.get(connection_url(name, secrets, environ))
