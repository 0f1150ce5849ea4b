"""SQL sources on screen: step 4's query and connection with "Test query", the dashboard's "Refresh from sources"."""

from __future__ import annotations

import sqlite3

from kpidesign import tree
from kpidesign.library import template
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, start


def _warehouse(path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("create table kpi_daily (metric text, day text, amount real)")
        db.executemany("insert into kpi_daily values ('cvr', ?, ?)", [(f"2026-0{m}-01", 0.04 + m / 1000) for m in range(1, 7)])
    return f"sqlite:///{path}"


def test_step_4_takes_a_query_and_tests_it(db, tmp_path, monkeypatch):
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
    assert Store(db).actuals(wid) == []  # a test stores nothing


def test_refresh_from_sources_loads_and_reports(db, tmp_path, monkeypatch):
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
    assert len(Store(db).actuals(wid)) == 6 and Store(db).actuals_rev(wid) == 1
    assert any("Loaded 6 rows from 1 KPIs; 1 queries failed" in w.value for w in at.warning)
    [report] = [df for df in at.dataframe if "Result" in df.value.columns]
    results = dict(zip(report.value["KPI"], report.value["Result"]))
    assert results["Purchase rate (CVR)"] == "OK" and "missing_table" in results["Items per purchase"]
