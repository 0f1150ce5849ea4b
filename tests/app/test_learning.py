"""The learning loop in the app: why the KGI moved (waterfall, tree by contribution), the projection on the charts and
the off-track count, what the data say about the links, and the out-of-control alert rule."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from kpidesign import explain
from kpidesign.library import template
from kpidesign.model import AlertLevel
from kpidesign.store import Store
from kpidesign.values import format_value
from tests.app.conftest import ok, open_expander, open_tab, seeded
from tests.learning_data import END, weekly_actuals


@pytest.fixture
def observed(db: Path) -> tuple[AppTest, str]:
    """The English e-commerce workshop open on the dashboard, with two years of weekly actuals."""
    at, wid = seeded(db, "en")
    actuals = weekly_actuals(template("ec_sales", "en"))
    Store(db).actuals.add(wid, actuals)
    ok(at.switch_page("views/dashboard.py").run())
    return at, wid


def charts(at: AppTest) -> list[dict[str, Any]]:
    """The vega-lite specs drawn in this run."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_why_it_moved_shows_the_waterfall_with_explains_numbers(observed: tuple[AppTest, str], db: Path) -> None:
    at, wid = observed
    open_tab(at, "Why it moved")
    assert at.selectbox(key="why_node").value == "sales" and at.button_group[0].value == "last"
    ws = Store(db).actuals.attach(Store(db).load(wid).workshop, wid)
    e = explain.explain(ws, END - dt.timedelta(weeks=1), END)  # the KGI's last two observations
    [spec] = charts(at)
    assert spec["title"]["text"] == "Why did Annual sales move?" and spec["title"]["fontSize"] >= 18
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    assert bars["encoding"]["x"]["axis"]["labelFontSize"] >= 18 and bars["encoding"]["y"]["axis"]["labelFontSize"] >= 18
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Value on {END.isoformat()}"] == format_value(e.value_to, ws.kgi.unit, precise=False, lang="en") == "1.84B"
    table = at.dataframe[0].value
    direct = {c.node: c.contribution for c in e.contributions if c.parent == "sales"}
    names = {n.id: n.name for n in ws.nodes}
    shown = {row["Node"]: row["Contribution"] for _, row in table.iterrows() if row["Parent"] == "Annual sales"}
    assert shown == pytest.approx({names[k]: v for k, v in direct.items()}) and sum(shown.values()) == pytest.approx(e.change)
    assert len(table) == len(e.contributions)
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "▲ largest +" in dot and "▼ largest −" in dot


def test_the_period_and_node_pickers_change_what_is_explained(observed: tuple[AppTest, str], db: Path) -> None:
    at, wid = observed
    open_tab(at, "Why it moved")
    at.button_group[0].set_value("year")
    ok(at.run())
    assert [m.label for m in at.metric[:2]] == [f"Value on {(END.replace(year=2025)).isoformat()}", f"Value on {END.isoformat()}"]
    at.selectbox(key="why_node").set_value("customers")
    ok(at.run())
    [spec] = charts(at)
    assert spec["title"]["text"] == "Why did Customers move?"
    ws = Store(db).actuals.attach(Store(db).load(wid).workshop, wid)
    e = explain.explain(ws, END.replace(year=2025), END, "customers")
    assert set(at.dataframe[0].value["Node"].str.strip()) == {n.name for n in ws.nodes if n.id in {c.node for c in e.contributions}}
    at.button_group[0].set_value("custom")
    ok(at.run())
    at.date_input(key="why_from").set_value(dt.date(2026, 6, 1))
    ok(at.run())
    assert at.metric[0].label == "Value on 2026-06-01"


def test_influences_and_reasons_are_shown_in_japanese(db: Path) -> None:
    at, wid = seeded(db, "ja")
    Store(db).actuals.add(wid, weekly_actuals(template("ec_sales", "ja"))[:-3])  # the last week lacks 3 of its nodes
    ok(at.switch_page("views/dashboard.py").run())
    open_tab(at, "なぜ動いたか")
    assert charts(at)[0]["title"]["text"] == "なぜ「年間売上高」は動いたか？"
    assert any("満足度" in " ".join(df.value.iloc[:, 0]) for df in at.dataframe)  # satisfaction: an influence of frequency


def test_the_trend_charts_show_the_projection_and_the_overview_counts_off_track(observed: tuple[AppTest, str]) -> None:
    at, _ = observed
    labels = [m.label for m in at.metric]
    assert labels[5:7] == ["Forecast: off track", "Forecast: at risk"]
    assert [m.value for m in at.metric[5:7]] == ["4", "5"]  # as kpidesign.forecast judges the two years of data
    open_tab(at, "Trends")
    at.multiselect(key="dash_chart_kpis").set_value(["sales"])
    ok(at.run())
    [spec] = charts(at)
    dotted = [layer for layer in spec["layer"] if layer["mark"].get("strokeDash") == [2, 4] and layer["mark"]["type"] == "line"]
    band = [layer for layer in spec["layer"] if layer["mark"]["type"] == "area"]
    assert dotted and band
    assert any("Dotted: projection to 2027-03-31" in c.value and "on track" in c.value for c in at.caption)
    at.toggle(key="dash_forecast").set_value(False)
    ok(at.run())
    assert not [layer for layer in charts(at)[0]["layer"] if layer["mark"]["type"] == "area"]


def test_control_limits_on_the_chart(observed: tuple[AppTest, str]) -> None:
    at, _ = observed
    open_tab(at, "Trends")
    at.multiselect(key="dash_chart_kpis").set_value(["purchase_rate"])
    ok(at.run())
    assert not any("Control limits" in c.value for c in at.caption)  # off while no rule uses them
    at.toggle(key="dash_limits").set_value(True)
    ok(at.run())
    [spec] = charts(at)
    assert any(layer["mark"]["type"] == "rule" and "strokeDash" in layer["encoding"] for layer in spec["layer"])
    assert any(c.value.startswith("Control limits (from the first 20 points)") for c in at.caption)


def test_the_review_page_says_what_the_data_say(observed: tuple[AppTest, str]) -> None:
    at, _ = observed
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "What the data say")
    table = at.dataframe[0].value
    row = table[table["Child"] == "Customer satisfaction"].iloc[0]
    assert (row["Verdict"], row["Lag (periods)"], row["Kind"]) == ("holds", "2", "influence")
    assert "no relation" in set(table["Verdict"])
    assert any(
        "“Mail open rate” does not move before “Purchase frequency”" in w.value and "no relation\\)" in w.value for w in at.warning
    )  # names, words
    assert "None" not in set(table["Correlation"].astype(str)) | set(table["Lag (periods)"].astype(str))  # a dash, not None
    summary = next(m.value for m in at.markdown if "holds" in m.value and "no relation" in m.value)
    for verdict in set(table["Verdict"]):  # the summary counts in the rows' own words
        assert f"{verdict} {list(table['Verdict']).count(verdict)}" in summary
    dot = at.get("graphviz_chart")[0].proto.spec
    assert 'color="#16a34a"' in dot and 'color="#6b7280"' in dot
    at.toggle(key="links_colour").set_value(False)
    ok(at.run())
    assert not at.get("graphviz_chart")


def test_the_review_section_without_actuals(db: Path) -> None:
    at, _ = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "What the data say")
    assert any("cannot be tested" in i.value for i in at.info)


def test_an_out_of_control_rule_from_step_5(db: Path) -> None:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/5_monitoring.py").run())
    open_tab(at, "Alerts")
    open_expander(at, "add_alert_open")
    radio = at.radio(key="add_alert_when")
    assert "out_of_control" in radio.options or "out of control" in radio.options
    radio.set_value("out_of_control")
    at.text_input(key="add_alert_to").input("#ops")
    ok(at.button(key="FormSubmitter:add_alert_form-Add alert").click().run())
    alerts = Store(db).load(wid).workshop.monitoring.alerts
    assert alerts[-1].when is AlertLevel.OUT_OF_CONTROL and alerts[-1].to == "#ops"


def test_the_choice_survives_another_tab_and_a_leaf_says_it_cannot_be_split(observed: tuple[AppTest, str]) -> None:
    at, _ = observed
    open_tab(at, "Why it moved")
    at.button_group[0].set_value("year")
    ok(at.run())
    open_tab(at, "Trends")
    open_tab(at, "Why it moved")
    assert at.button_group[0].value == "year" and at.metric[0].label == "Value on 2025-11-30"
    at.selectbox(key="why_node").set_value("purchase_rate")
    ok(at.run())
    assert any("has no formula" in i.value for i in at.info) and not at.get("vega_lite_chart")
