"""Actuals from SQL databases: SQLite, DuckDB and a real PostgreSQL server, through the same refresh."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from pydantic import ValidationError

from kpidesign import connectors, tree
from kpidesign.__main__ import main
from kpidesign.connectors import QueryError, connection_url, refresh
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Definition, Workshop
from kpidesign.settings import Settings
from kpidesign.store import Store
from kpidesign.values import Problem, connection_problem
from tests import postgres

DAYS = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * i) for i in range(6)]


def with_queries(ws: Workshop, connection: str, queries: dict[str, str]) -> Workshop:
    """The workshop with these KPIs' queries on one connection."""
    for kpi, sql in queries.items():
        ws = tree.update_node(ws, kpi, definition=ws.node(kpi).definition.model_copy(update={"query": sql, "connection": connection}))
    return ws


def problem_of(outcome: connectors.Outcome) -> Problem:
    """What went wrong in one KPI's refresh (the test expects it to have failed)."""
    assert outcome.problem is not None, outcome
    return outcome.problem


def code_of(problem: Problem | None) -> str | None:
    """A problem's message code (None: no problem)."""
    return problem.code if problem else None


def sqlite_file(path: Path) -> str:
    """A SQLite database of weekly facts, as a warehouse table would hold them; its SQLAlchemy URL."""
    with sqlite3.connect(path) as db:
        db.execute("create table kpi_daily (metric text, day text, amount real, market real)")
        db.executemany(
            "insert into kpi_daily values (?,?,?,?)", [("customers", d.isoformat(), 40000 + 100 * i, 38000) for i, d in enumerate(DAYS)]
        )
        db.executemany("insert into kpi_daily values (?,?,?,?)", [("new", d.isoformat(), 15000 + i, None) for i, d in enumerate(DAYS)])
        db.execute(
            "insert into kpi_daily values ('broken', '2026-13-40', 1, null), ('broken', '2026-01-05', null, null), ('broken', '2026-01-12', 7, null)"
        )
    return f"sqlite:///{path}"


QUERIES = {
    "customers": "select day as date, amount as value, market from kpi_daily where metric = 'customers' order by day",
    "new_customers": "select day, amount from kpi_daily where metric = 'new'",  # by position
    "items": "select day as date, amount as value from no_such_table",
    "frequency": "select day as date, amount as value from kpi_daily where metric = 'broken'",
}


def test_a_connection_is_a_name_its_url_stays_on_the_server() -> None:
    secrets = {"connections": {"warehouse": {"url": "sqlite:///from-secrets.db"}}}
    assert connection_url("warehouse", Settings.load({}, secrets)) == "sqlite:///from-secrets.db"
    assert connection_url("warehouse", Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": "sqlite:///env.db"}, secrets)) == "sqlite:///env.db"
    with pytest.raises(QueryError) as e:
        connection_url("other", Settings.load({}, secrets))
    assert e.value.problem.code == "connection_unknown" and e.value.problem.params["env"] == "KPIDESIGN_CONNECTION_OTHER"
    assert connection_problem("warehouse") is None
    assert code_of(connection_problem("postgresql://kpi:secret@db/prod")) == "connection_has_password"
    assert code_of(connection_problem("my warehouse")) == "connection_name"
    with pytest.raises(ValidationError):
        Definition(connection="postgresql://kpi:secret@db.example.com/prod")


def test_query_and_connection_round_trip_and_a_password_in_a_file_is_refused(ec: Workshop) -> None:
    ws = with_queries(ec, "warehouse", {"customers": QUERIES["customers"] + "\n  -- weekly"})
    again = from_yaml(to_yaml(ws)).workshop
    assert again is not None
    assert again.node("customers").definition.query == ws.node("customers").definition.query
    assert again.node("customers").definition.connection == "warehouse"
    text = to_yaml(ws).replace("connection: warehouse", "connection: postgresql://kpi:secret@db.example.com/prod")
    refused = from_yaml(text)
    assert refused.workshop is None and "definition.connection" in refused.findings[0].params["field"]


def test_sqlite_refresh_keeps_good_rows_and_names_each_failure(ec: Workshop, tmp_path: Path) -> None:
    url = sqlite_file(tmp_path / "warehouse.db")
    ws = with_queries(ec, "warehouse", QUERIES)
    outcomes = {o.kpi: o for o in refresh(ws, Settings.load({}, {"connections": {"warehouse": {"url": url}}}))}
    assert [a.value for a in outcomes["customers"].actuals] == [40000 + 100 * i for i in range(6)]
    assert outcomes["customers"].actuals[0].market == 38000 and outcomes["customers"].actuals[0].date == DAYS[0]
    assert len(outcomes["new_customers"].actuals) == 6 and outcomes["new_customers"].ok
    assert problem_of(outcomes["items"]).code == "query_failed" and "no_such_table" in problem_of(outcomes["items"]).params["detail"]
    broken = outcomes["frequency"]
    assert broken.ok and [a.value for a in broken.actuals] == [7] and len(broken.refused) == 2


def test_sqlite_queries_cannot_write_and_stop_in_time(ec: Workshop, tmp_path: Path) -> None:
    url = sqlite_file(tmp_path / "warehouse.db")
    engines = connectors.Engines()
    try:
        engine = engines.get(url)
        with pytest.raises(QueryError) as e:
            connectors.run_query(engine, "delete from kpi_daily returning day as date, amount as value")
        assert e.value.problem.code == "query_failed"
        start = time.monotonic()
        endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i as date, i as value from n where i < 0"
        with pytest.raises(QueryError) as e:
            connectors.run_query(engine, endless, timeout_s=0.5)
        assert e.value.problem.code == "query_timeout" and time.monotonic() - start < 10
        with pytest.raises(QueryError) as e:
            connectors.run_query(engine, "select day as date, amount as value from kpi_daily", max_rows=3)
        assert e.value.problem.code == "query_too_many_rows"
        assert len(connectors.run_query(engine, "select day as date, amount as value from kpi_daily", max_rows=3, first_only=True)) == 3
    finally:
        engines.close()
    with sqlite3.connect(tmp_path / "warehouse.db") as db:
        assert db.execute("select count(*) from kpi_daily").fetchone()[0] == 15


def test_a_sqlite_query_reaches_no_other_file_and_creates_none(ec: Workshop, tmp_path: Path) -> None:
    """ATTACH (the app's own database is a file on the same disk) and PRAGMAs are refused, nothing a query did stays for
    the next KPI's query, and a URL naming a missing file is an error, never a new empty database (found by review)."""
    url = sqlite_file(tmp_path / "warehouse.db")
    secret = tmp_path / "app.db"
    with sqlite3.connect(secret) as db:
        db.execute("create table workshops (doc text)")
        db.execute("insert into workshops values ('secret')")
    ws = with_queries(
        ec,
        "warehouse",
        {
            "customers": f"attach database '{secret}' as app",
            "new_customers": "select 1 as date, doc as value from app.workshops",
            "items": "pragma writable_schema = on",
        },
    )
    outcomes = {o.kpi: o for o in refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": url}, {}))}
    assert all(o.problem is not None and o.problem.code == "query_failed" for o in outcomes.values()), outcomes
    assert "app.workshops" in problem_of(outcomes["new_customers"]).params["detail"]  # no such table: the ATTACH never happened
    missing = tmp_path / "nowhere.db"
    [failed] = refresh(
        with_queries(ec, "w", {"customers": "select 1 as date, 1 as value"}),
        Settings.load({"KPIDESIGN_CONNECTION_W": f"sqlite:///{missing}"}, {}),
    )
    assert problem_of(failed).code == "query_failed" and not missing.exists()


def test_error_messages_never_show_the_connection_password() -> None:
    url = "postgresql+psycopg://reader:s3cr3t-pw@db.example.com/analytics"
    assert (
        connectors.mask('connection to "db" failed: password "s3cr3t-pw" rejected', url)
        == 'connection to "db" failed: password "***" rejected'
    )
    assert connectors.mask("no password here", "sqlite:///w.db") == "no password here"


def test_duckdb_through_its_sqlalchemy_dialect(ec: Workshop, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("create table kpi_daily (metric varchar, day date, amount decimal(12, 2))")
        db.executemany("insert into kpi_daily values (?, ?, ?)", [("customers", d, 40000.5 + i) for i, d in enumerate(DAYS)])
    ws = with_queries(
        ec,
        "lake",
        {
            "customers": "select day as date, amount as value from kpi_daily order by day",
            "items": "insert into kpi_daily values ('x', date '2026-01-01', 1) returning day as date, amount as value",
        },
    )
    outcomes = {o.kpi: o for o in refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_LAKE": f"duckdb:///{path}"}, {}))}
    assert [a.value for a in outcomes["customers"].actuals] == [40000.5 + i for i in range(6)] and outcomes["customers"].actuals[
        -1
    ].date == DAYS[-1]
    assert problem_of(outcomes["items"]).code == "query_failed"  # opened read-only
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[connections.lake]\nurl = "postgresql://u:topsecret@h/db"\n')
    outside = with_queries(
        ec,
        "lake",
        {
            "customers": f"select current_date as date, length(content) as value from read_text('{secrets_file}')",
            "items": f"copy (select 1 as x) to '{tmp_path / 'out.csv'}'",
        },
    )
    fenced = {o.kpi: o for o in refresh(outside, Settings.load({"KPIDESIGN_CONNECTION_LAKE": f"duckdb:///{path}"}, {}))}
    assert (
        problem_of(fenced["customers"]).code == "query_failed" and problem_of(fenced["items"]).code == "query_failed"
    )  # no other file, no writing
    assert not (tmp_path / "out.csv").exists()
    with duckdb.connect(str(path), read_only=True) as db:
        assert db.execute("select count(*) from kpi_daily").fetchone()[0] == 6


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A real PostgreSQL server (Debian's postgresql), started for these tests."""
    if postgres.binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server installed (.ci/run installs Debian's postgresql)")
        pytest.skip("PostgreSQL's server binaries are not installed")
    with postgres.server() as url:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("create table kpi_daily (metric text, day timestamp, amount numeric(14, 4), market numeric)"))
            conn.execute(text("create sequence ticket"))
            for i, d in enumerate(DAYS):
                conn.execute(
                    text("insert into kpi_daily values ('cvr', :d, :v, 0.02)"),
                    {"d": dt.datetime.combine(d, dt.time(9)), "v": 0.018 + i / 1000},
                )
        engine.dispose()
        yield url


def test_postgresql_refresh_read_only_timeout_and_no_password_in_messages(ec: Workshop, pg_url: str) -> None:
    ws = with_queries(
        ec,
        "warehouse",
        {
            "customers": "select day as date, amount as value, market from kpi_daily where metric = 'cvr' order by day",
            "items": "select current_date as date, nextval('ticket') as value",  # a write: refused in a read-only transaction
            "frequency": "select pg_sleep(5) as date, 1 as value",
            "avg_spend": "select day as date, amount as value from nowhere",
        },
    )
    outcomes = {o.kpi: o for o in refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": pg_url}, {}), timeout_s=0.5)}
    cvr = outcomes["customers"]
    assert [round(a.value, 4) for a in cvr.actuals] == [round(0.018 + i / 1000, 4) for i in range(6)]
    assert cvr.actuals[0].date == DAYS[0] and cvr.actuals[0].market == 0.02
    assert problem_of(outcomes["items"]).code == "query_failed" and "read-only" in problem_of(outcomes["items"]).params["detail"]
    assert problem_of(outcomes["frequency"]).code == "query_timeout"
    assert problem_of(outcomes["avg_spend"]).code == "query_failed" and "kpi" not in problem_of(outcomes["avg_spend"]).params[
        "detail"
    ].replace("kpi_", "")
    bad_password = pg_url.replace(":kpi@", ":wrong-secret@")
    [failed] = [
        o
        for o in refresh(
            with_queries(ec, "warehouse", {"customers": "select 1 as date, 1 as value"}),
            Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": bad_password}, {}),
        )
        if o.kpi == "customers"
    ]
    assert problem_of(failed).code == "query_failed" and "wrong-secret" not in problem_of(failed).params["detail"]


def test_refresh_command_stores_a_new_revision_and_exits_1_on_a_failed_query(
    ec: Workshop, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_file(tmp_path / "warehouse.db")
    db = str(tmp_path / "app.db")
    store = Store(db)
    wid = store.create(with_queries(ec, "warehouse", QUERIES))
    before = store.actuals.rev(wid)
    monkeypatch.chdir(tmp_path)  # no secrets file here: the environment names the URL
    monkeypatch.setenv("KPIDESIGN_CONNECTION_WAREHOUSE", url)
    code = main(["refresh", wid, "--db", db])
    out = capsys.readouterr().out
    assert code == 1
    assert "loaded  customers" in out and "6 rows" in out and "failed  items" in out and "no_such_table" in out and "row 1:" in out
    stored = {a.kpi for a in store.actuals.all(wid)}
    assert stored == {"customers", "new_customers", "frequency"} and store.actuals.rev(wid) == before + 1
    ok = with_queries(store.load(wid).workshop, "", {"items": ""})
    store.save(wid, ok, expected_version=store.load(wid).version, summary="drop the bad query")
    assert main(["refresh", wid, "--db", db]) == 0
    store.close()


def test_refresh_runs_every_kpis_own_query(tmp_path: Path) -> None:
    """60 KPIs, each its own query on one SQLite file (the bench times 500 against a 5 s target)."""
    from bench.generate import workshop

    ws = workshop(60)
    path = tmp_path / "w.db"
    with sqlite3.connect(path) as db:
        db.execute("create table f (kpi text, day text, v real)")
        db.executemany("insert into f values (?,?,?)", [(n.id, d.isoformat(), 1.0) for n in ws.nodes for d in DAYS])
    ws = with_queries(ws, "w", {n.id: f"select day as date, v as value from f where kpi = '{n.id}'" for n in ws.nodes})
    outcomes = list(refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_W": f"sqlite:///{path}"}, {})))
    assert len(outcomes) == 60 and all(o.ok and len(o.actuals) == 6 for o in outcomes)


# #25 item 5: a query's values are bounded in bytes, and nothing huge ever reaches this process.
HUGE_CHILD = """
import json, resource, sys
from kpidesign import connectors
engines = connectors.Engines()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    connectors.run_query(engines.get(sys.argv[1]), sys.argv[2])
except connectors.QueryError as e:
    outcome = {"code": e.problem.code, "params": {k: str(v) for k, v in e.problem.params.items()}}
else:
    outcome = {"code": "accepted"}
finally:
    engines.close()
outcome["grew_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(outcome))
"""


def huge(url: str, sql: str) -> dict[str, Any]:
    """Run one query in a child process; what it said and how much its peak memory grew (MB)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    run = subprocess.run(
        [sys.executable, "-c", HUGE_CHILD, url, sql], capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1]
    )
    assert run.returncode == 0, run.stderr[-2000:]
    said: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return said


def test_a_huge_sqlite_value_is_refused_before_it_reaches_python(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path / "warehouse.db")
    said = huge(url, "select day as date, zeroblob(100000000) as value from kpi_daily")  # 15 rows of 100 MB each
    assert said["code"] in ("query_value_too_large", "query_value_huge") and said["grew_mb"] < 100, said
    said = huge(url, "select day as date, printf('%.*c', 1000, 'x') as value from kpi_daily")  # not huge, still not a number
    assert said["code"] == "query_value_too_large" and said["params"]["max"] == str(connectors.MAX_VALUE_BYTES), said


def test_a_result_of_many_small_values_is_bounded_in_bytes(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path / "warehouse.db")
    engines = connectors.Engines()
    try:
        many = (
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 90000) "
            "select '2026-01-05' as date, printf('%.*c', 200, '1') as value from n"
        )
        with pytest.raises(QueryError) as e:
            connectors.run_query(engines.get(url), many)
        assert e.value.problem.code == "query_result_too_large" and e.value.problem.params["max"] == connectors.MAX_RESULT_BYTES
        assert len(connectors.run_query(engines.get(url), many, max_rows=10, first_only=True)) == 10  # a preview reads 10
    finally:
        engines.close()


def test_sql_runs_as_written_colons_and_percent_signs_included(ec: Workshop, tmp_path: Path) -> None:
    """`text(sql)` read `:b` inside a string literal as a bind parameter (found by review)."""
    url = sqlite_file(tmp_path / "warehouse.db")
    queries = {
        "customers": "select day as date, amount + length('a:b') - 3 as value from kpi_daily where metric like 'custom%' order by day;",
        "new_customers": "select day as date, amount as value from kpi_daily where metric = 'new' -- weekly, at :00",
    }
    outcomes = {o.kpi: o for o in refresh(with_queries(ec, "w", queries), Settings.load({"KPIDESIGN_CONNECTION_W": url}, {}))}
    assert [a.value for a in outcomes["customers"].actuals] == [40000 + 100 * i for i in range(6)], outcomes["customers"]
    assert len(outcomes["new_customers"].actuals) == 6, outcomes["new_customers"]


def test_duckdb_is_bounded_and_its_settings_locked(ec: Workshop, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("create table kpi_daily (metric varchar, day date, amount double)")
        db.executemany("insert into kpi_daily values (?, ?, ?)", [("cvr", d, 0.02) for d in DAYS])
    url = f"duckdb:///{path}"
    engines = connectors.Engines()
    try:
        engine = engines.get(url)
        settings = "select current_setting('memory_limit') as date, current_setting('threads') as value, current_setting('max_temp_directory_size') as market"
        from sqlalchemy import text

        with engine.connect() as conn:
            limit, threads, temp = conn.execute(text(settings)).one()
            with pytest.raises(Exception, match=r"(?i)lock"):
                conn.execute(text("set memory_limit = '100GB'"))
        assert int(threads) == connectors.DUCKDB_THREADS
        assert limit.replace(" ", "").lower().startswith(connectors.DUCKDB_MEMORY_LIMIT.lower()[:3]), limit
        assert temp.replace(" ", "").lower().startswith(connectors.DUCKDB_TEMP_SIZE.lower()[:1]), temp
        rows = connectors.run_query(
            engine, "select day as date, amount as value from kpi_daily where metric like 'c%' and '{\"a\":1}' <> ''"
        )
        assert len(rows) == 6
    finally:
        engines.close()
    said = huge(url, "select current_date as date, repeat('x', 100000000) as value from range(11)")  # 1.1 GB in all
    assert said["code"] in ("query_value_too_large", "query_failed") and said["grew_mb"] < 300, said


def test_postgresql_values_are_bounded_server_side_and_sql_runs_as_written(ec: Workshop, pg_url: str) -> None:
    said = huge(pg_url, "select day as date, repeat('x', 50000000) as value from kpi_daily")  # 6 rows of 50 MB
    assert said["code"] == "query_value_too_large" and said["grew_mb"] < 100, said
    ws = with_queries(
        ec,
        "warehouse",
        {
            "customers": "select day as date, amount + ('{\"a\":1}'::json->>'a')::int - 1 as value from kpi_daily where metric like 'cv%' order by day",
            "items": "select day as date, length('10:30') as value from kpi_daily where metric = 'cvr' and 'a:b' like '%:b'",
        },
    )
    outcomes = {o.kpi: o for o in refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": pg_url}, {}))}
    assert [round(a.value, 4) for a in outcomes["customers"].actuals] == [round(0.018 + i / 1000, 4) for i in range(6)], outcomes[
        "customers"
    ]
    assert [a.value for a in outcomes["items"].actuals] == [5] * 6, outcomes["items"]


def test_the_postgresql_role_docs_security_shows_reads_only_its_tables_and_signals_nobody(ec: Workshop, pg_url: str) -> None:
    """#25 item 8: docs/security.md's grants, run as written on a real server: the role reads the granted tables only, and
    pg_terminate_backend on another role's session is refused."""
    from pathlib import Path

    from sqlalchemy import create_engine, text

    doc = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    block = doc.split("```sql\n", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in "\n".join(ln.split("--")[0] for ln in block.splitlines()).split(";") if s.strip()]
    assert statements[0].startswith("CREATE ROLE kpi_reader LOGIN") and not any("pg_signal_backend" in s for s in statements)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("create database analytics"))
    analytics_admin = create_engine(pg_url.rsplit("/", 1)[0] + "/analytics", isolation_level="AUTOCOMMIT")
    with analytics_admin.connect() as conn:
        conn.execute(text("create schema marts"))
        conn.execute(text("create table marts.kpi_daily (day date, amount numeric)"))
        conn.execute(text("create table marts.orders (id int)"))
        conn.execute(text("create table marts.salaries (name text, amount numeric)"))
        conn.execute(text("insert into marts.kpi_daily values ('2026-01-05', 3), ('2026-01-12', 4)"))
        for statement in statements:
            conn.execute(text(statement.replace("'…'", "'reader-pw'")))
    try:
        reader = pg_url.replace("postgres:kpi@", "kpi_reader:reader-pw@").rsplit("/", 1)[0] + "/analytics"
        with admin.connect() as other:  # another role's session, which the query will try to end
            pid = other.execute(text("select pg_backend_pid()")).scalar_one()
            ws = with_queries(
                ec,
                "warehouse",
                {
                    "customers": "select day as date, amount as value from marts.kpi_daily order by day",
                    "items": "select current_date as date, amount as value from marts.salaries",
                    "frequency": f"select current_date as date, pg_terminate_backend({pid})::int as value",
                },
            )
            outcomes = {o.kpi: o for o in refresh(ws, Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": reader}, {}))}
            assert [a.value for a in outcomes["customers"].actuals] == [3, 4]
            assert (
                problem_of(outcomes["items"]).code == "query_failed"
                and "permission denied" in problem_of(outcomes["items"]).params["detail"]
            )
            assert problem_of(outcomes["frequency"]).code == "query_failed", outcomes["frequency"]
            assert other.execute(text("select 1")).scalar_one() == 1  # still alive
    finally:
        admin.dispose()
        analytics_admin.dispose()


@settings(max_examples=60, deadline=None)
@given(hst.text(hst.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=300))
def test_a_value_is_read_exactly_when_it_is_at_most_256_bytes(value: str) -> None:
    """Whatever the text (any script, quotes, colons, percent signs), the bound is its UTF-8 bytes, and a value within it
    comes back unchanged."""
    literal = "'" + value.replace("'", "''") + "'"
    engines = connectors.Engines()
    try:
        engine = engines.get("sqlite://")
        sql = f"select '2026-01-05' as date, {literal} as value"
        if len(value.encode("utf-8")) <= connectors.MAX_VALUE_BYTES:
            assert connectors.run_query(engine, sql)[0]["value"] == value
        else:
            with pytest.raises(QueryError) as e:
                connectors.run_query(engine, sql)
            assert e.value.problem.code == "query_value_too_large" and e.value.problem.params["column"] == "value"
    finally:
        engines.close()
