"""SQL sources on screen: step 4's query and connection with "Test query", the dashboard's "Refresh from sources"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kpidesign import tree
from kpidesign.io.yaml_io import to_yaml
from kpidesign.library import template
from kpidesign.model import Workshop
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, start
from ui.connectors import SQL_MARK
from ui.text import md


def _warehouse(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("create table kpi_daily (metric text, day text, amount real)")
        db.executemany("insert into kpi_daily values ('cvr', ?, ?)", [(f"2026-0{m}-01", 0.04 + m / 1000) for m in range(1, 7)])
    return f"sqlite:///{path}"


def test_step_4_takes_a_query_and_tests_it(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIDESIGN_CONNECTION_WAREHOUSE", _warehouse(tmp_path / "w.db"))
    wid = Store(db).create(template("ec_sales", "en"))
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/4_definitions.py").run())
    at.selectbox(key="def_selected").set_value("purchase_rate").run()
    at.text_area(key="f_purchase_rate_query").input("select day as date, amount as value from kpi_daily where metric = 'cvr'").run()
    at.text_input(key="f_purchase_rate_connection").input("postgresql://kpi:secret@db/prod").run()
    assert any("password" in e.value for e in at.error)  # refused: a URL with a password never enters the workshop
    assert Store(db).load(wid).workshop.node("purchase_rate").definition.connection == ""
    ok(at.text_input(key="f_purchase_rate_connection").input("warehouse").run())
    stored = Store(db).load(wid).workshop.node("purchase_rate").definition
    assert stored.connection == "warehouse" and stored.query.startswith("select day")
    ok(at.button(key="test_query_purchase_rate").click().run())
    [preview] = [df for df in at.dataframe if "value" in df.value.columns]
    assert len(preview.value) == 6 and abs(preview.value["value"].iloc[0] - 0.041) < 1e-9
    assert Store(db).actuals.all(wid) == []  # a test stores nothing


def test_refresh_from_sources_loads_and_reports(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIDESIGN_CONNECTION_WAREHOUSE", _warehouse(tmp_path / "w.db"))
    ws = template("ec_sales", "en")
    for kpi, sql in {
        "purchase_rate": "select day as date, amount as value from kpi_daily where metric = 'cvr'",
        "items_per_purchase": "select day as date, amount as value from missing_table",
    }.items():
        ws = tree.update_node(ws, kpi, definition=ws.node(kpi).definition.model_copy(update={"query": sql, "connection": "warehouse"}))
    wid = Store(db).create(ws)
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/dashboard.py").run())
    open_tab(at, "Enter data")
    ok(at.button(key="refresh_sources").click().run())
    assert len(Store(db).actuals.all(wid)) == 6 and Store(db).actuals.rev(wid) == 1
    assert any("Loaded 6 rows from 1 KPIs; 1 queries failed" in w.value for w in at.warning)
    [report] = [df for df in at.dataframe if "Result" in df.value.columns]
    results = dict(zip(report.value["KPI"], report.value["Result"]))
    assert results["Purchase rate (CVR)"] == "OK" and "missing_table" in results["Items per purchase"]


def _with_queries(lang: str, ids: list[str]) -> Workshop:
    ws = template("ec_sales", lang)
    for kpi in ids:
        definition = ws.node(kpi).definition.model_copy(update={"query": "select 1 as date, 2 as value", "connection": "warehouse"})
        ws = tree.update_node(ws, kpi, definition=definition)
    return ws


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "3 KPIs carry SQL queries; they run only when an editor refreshes"), ("ja", "3 個の KPI が SQL クエリを持っています")],
)
def test_an_imported_workshop_says_it_carries_queries(db: Path, lang: str, said: str) -> None:
    """#25 item 8: a file's queries run on this server's connections once an editor refreshes: say so at import."""
    text = to_yaml(_with_queries(lang, ["purchase_rate", "customers", "frequency"])).encode()
    at = ok(start())
    if lang != "ja":
        at.sidebar.radio(key="lang").set_value(lang).run()
    ok(at.file_uploader[0].set_value(("w.yaml", text, "application/x-yaml")).run())
    assert len(Store(db).workshops()) == 1
    assert any(said in w.value for w in at.warning), [w.value for w in at.warning]
    plain = to_yaml(template("ec_sales", lang)).encode()  # no queries: nothing said
    ok(at.file_uploader[0].set_value(("plain.yaml", plain, "application/x-yaml")).run())
    assert len(Store(db).workshops()) == 2 and not any("SQL" in w.value for w in at.warning)


def test_step_4_marks_the_kpis_that_carry_a_query(db: Path) -> None:
    ws = _with_queries("en", ["purchase_rate", "frequency"])
    wid = Store(db).create(ws)
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/4_definitions.py").run())
    select = at.selectbox(key="def_selected")
    marked = {o for o in select.options if o.endswith(SQL_MARK)}
    assert marked == {ws.node("purchase_rate").name + SQL_MARK, ws.node("frequency").name + SQL_MARK}, select.options
    [line] = [c.value for c in at.caption if "SQL" in c.value]
    assert "(2)" in line and md(ws.node("purchase_rate").name) in line and md(ws.node("frequency").name) in line
