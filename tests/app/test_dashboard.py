import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpidesign import edits, tree
from kpidesign.library import template
from kpidesign.model import Actual
from kpidesign.store import Actuals, Store
from tests.app.conftest import ok, open_tab, seeded, start


def test_dashboard_with_actuals(db: Path) -> None:
    at, wid = seeded(db, "en")
    Store(db).actuals.add(
        wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1) + dt.timedelta(days=7 * i), value=0.05 - 0.005 * i) for i in range(5)]
    )
    ok(at.switch_page("views/dashboard.py").run())
    counts = {m.label.split("[")[-1].rstrip("]"): int(m.value) for m in at.metric[:5]}
    assert counts == {"red": 1, "yellow": 0, "green": 0, "no threshold": 2, "no data": 16}, (
        counts
    )  # one KPI red; the rest have no actuals, two no thresholds either
    assert at.get("graphviz_chart")
    open_tab(at, "Alerts")
    assert any("Purchase rate" in str(v) for df in at.dataframe for v in df.value.iloc[:, 1])  # the firing alert
    open_tab(at, "Trends")
    assert at.multiselect(key="dash_chart_kpis").value == ["purchase_rate"]  # the red one is charted first
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_enter_a_value_and_a_bad_value(db: Path) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/dashboard.py").run()
    open_tab(at, "Enter data")
    at.selectbox(key="act_kpi").set_value("purchase_rate")
    at.text_input(key="act_value").input("2.5%")
    ok(at.button(key="FormSubmitter:dash_actual-Add value").click().run())
    assert [(a.kpi, a.value) for a in Store(db).actuals.all(wid)] == [("purchase_rate", 0.025)]
    other = start({"ws": wid})  # another session (the overview is kept per actuals revision and shared): it sees the new value
    other.switch_page("views/dashboard.py").run()
    assert other.metric[0].value == "1" and any(
        ":red-background[赤] Purchase rate" in m.value and "2.5%" in m.value for m in other.markdown
    )
    at.text_input(key="act_value").input("lots")
    ok(at.button(key="FormSubmitter:dash_actual-Add value").click().run())
    assert any("not a number" in e.value for e in at.error)
    assert len(Store(db).actuals.all(wid)) == 1


def test_review_dialogue_lands_in_the_learning_log(db: Path) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/dashboard.py").run()
    open_tab(at, "Reviews")
    at.selectbox(key="rv_kpi").set_value("purchase_rate")
    at.text_area(key="rv_facts").input("CVR fell two weeks in a row")
    at.text_area(key="rv_causes").input("checkout page slower")
    at.text_area(key="rv_next").input("roll back the change")
    ok(at.button(key="FormSubmitter:dash_review_form-Record").click().run())
    [entry] = Store(db).load(wid).workshop.monitoring.learning_log
    assert (entry.kpi, entry.observe, entry.act) == ("purchase_rate", "CVR fell two weeks in a row", "roll back the change")
    assert "Weekly growth meeting" in entry.integrate


def test_an_edit_of_the_design_does_not_read_the_actuals_again(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at, wid = seeded(db, "en")
    store = Store(db)
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.03)])
    reads: list[str] = []
    read = Actuals.all

    def counted(self: Actuals, workshop_id: str) -> list[Actual]:
        reads.append(workshop_id)
        return read(self, workshop_id)

    monkeypatch.setattr(Actuals, "all", counted)
    ok(at.switch_page("views/dashboard.py").run())
    assert reads == [wid] and at.metric[0].value == "1"  # one red KPI
    loaded = store.load(wid)  # the facilitator edits the design elsewhere: a new version, the same actuals
    store.save(
        wid, edits.set_field(loaded.workshop, loaded.workshop.nodes[0].id, "owner", "CFO"), expected_version=loaded.version, summary="owner"
    )
    ok(at.run())
    assert reads == [wid] and at.metric[0].value == "1"  # a year of weekly values is not read again for each edit
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 8), value=0.06)])
    ok(at.run())
    assert reads == [wid, wid] and at.metric[0].value == "0"  # new values: read once more, and the KPI is green now


def test_the_owner_and_cadence_filters_narrow_the_overview_and_clearing_them_brings_every_kpi_back(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/dashboard.py").run())

    def shown() -> tuple[int, str]:
        return sum(int(m.value) for m in at.metric[:5]), " ".join(m.value for m in at.markdown)

    assert shown()[0] == 19
    at.multiselect(key="dash_owners").set_value(["Brand manager"])
    ok(at.run())
    total, text = shown()
    assert total == 6 and "Awareness rate" in text and "Purchase rate" not in text  # the brand manager's six KPIs
    at.multiselect(key="dash_owners").set_value([])
    at.multiselect(key="dash_cadences").set_value(["weekly"])
    ok(at.run())
    total, text = shown()
    assert total == 4 and "Purchase rate" in text and "Awareness rate" not in text  # what the weekly meeting looks at
    at.multiselect(key="dash_cadences").set_value([])
    ok(at.run())
    assert shown()[0] == 19


def test_a_chart_draws_with_the_actuals_alone(db: Path) -> None:
    """A KPI with actuals but neither thresholds nor a target: the chart's range came from min(value, *nothing), a
    TypeError; it must draw the actuals alone."""
    ws = tree.update_node(template("ec_sales", "en"), "target_population", target=None)
    wid = Store(db).create(ws)
    Store(db).actuals.add(
        wid, [Actual(kpi="target_population", date=dt.date(2026, 10, 1) + dt.timedelta(days=30 * i), value=5e6 + 1e5 * i) for i in range(3)]
    )
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/dashboard.py").run())
    open_tab(at, "Trends")
    assert at.multiselect(key="dash_chart_kpis").value == ["target_population"]
    [chart] = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line"]  # no bands, no target line: the actuals alone
    low, high = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert low < 5e6 and high > 5.2e6


def test_a_monthly_trend_has_month_ticks_and_large_text_in_projector_mode(db: Path) -> None:
    """Three monthly actuals: three ticks labelled by month ("2026-01"), not thirty daily ones; in projector mode the
    chart is taller and its axis labels and title large enough for the back row."""
    ws = tree.update_node(template("ec_sales", "en"), "target_population", target=None)
    wid = Store(db).create(ws)
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    Store(db).actuals.add(wid, [Actual(kpi="target_population", date=d, value=5e6 + 1e5 * i) for i, d in enumerate(months)])
    at = start({"ws": wid, "projector": "1"})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/dashboard.py").run())
    open_tab(at, "Trends")
    at.toggle(key="dash_forecast").set_value(False).run()
    [chart] = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%Y-%m"
    assert [(v["year"], v["month"], v["date"]) for v in axis["values"]] == [(2026, 1, 1), (2026, 2, 1), (2026, 3, 1)]
    assert spec["height"] >= 360 and spec["config"]["axis"]["labelFontSize"] >= 20 and spec["config"]["title"]["fontSize"] >= 24
    at.sidebar.toggle(key="projector").set_value(False).run()  # on a laptop: the ordinary size, the same month ticks
    [chart] = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert (
        spec["height"] < 360
        and "labelFontSize" not in spec.get("config", {}).get("axis", {})
        and spec["layer"][0]["encoding"]["x"]["axis"]["format"] == "%Y-%m"
    )


def stated_daily_observed_monthly(db: Path, lang: str = "ja") -> tuple[AppTest, str]:
    """The e-commerce workshop, its purchase rate stated daily but uploaded monthly (24 month ends, 21% then 18%)."""
    at, wid = seeded(db, lang)
    store = Store(db)
    loaded = store.load(wid)
    store.save(
        wid, edits.set_field(loaded.workshop, "purchase_rate", "frequency", "daily"), expected_version=loaded.version, summary="daily"
    )
    ends = [dt.date(2025 + (m // 12), m % 12 + 1, 1) - dt.timedelta(days=1) for m in range(1, 25)]  # 2025-01-31 … 2026-12-31
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=d, value=0.21 if i < 23 else 0.18) for i, d in enumerate(ends)])
    return at, wid


def test_the_prior_period_follows_the_data_when_the_stated_frequency_has_none(db: Path) -> None:
    at, _wid = stated_daily_observed_monthly(db)
    ok(at.switch_page("views/dashboard.py").run())
    line = next(m.value for m in at.markdown if "購入率" in m.value and "18%" in m.value)
    assert "-3 pt 前月比" in line and "前期の値なし" not in line  # a rate moves in points, against the data's previous month
    open_tab(at, "推移")
    at.multiselect(key="dash_chart_kpis").set_value(["purchase_rate"]).run()
    prior = next(m for m in ok(at).metric if m.label.startswith("前月比"))
    assert prior.value == "21%" and prior.delta == "-3 pt" and "2026-11-30" in prior.help


def test_the_prior_period_in_english_and_on_the_share_view(db: Path) -> None:
    at, wid = stated_daily_observed_monthly(db, "en")
    ok(at.switch_page("views/dashboard.py").run())
    line = next(m.value for m in at.markdown if "Purchase rate" in m.value and "18%" in m.value)
    assert "-3 pt vs prior month" in line
    share = ok(start({"share": Store(db).shares.create(wid)}))
    share.sidebar.radio(key="lang").set_value("en").run()
    open_tab(share, "Thresholds")
    table = share.dataframe[0].value
    assert table.loc[table["Name"].str.startswith("Purchase rate"), "vs prior period"].tolist() == [
        "-3 pt vs prior month (2026-11-30: 21%)"
    ]


def test_the_overview_reads_ratios_as_percent_boxes_as_actuals_and_keeps_a_bare_kgi(db: Path) -> None:
    """#26 item 17: a unit 'ratio' is a percentage (0.0515 -> 5.15%); the tree's boxes show each KPI's latest actual (the
    plan is the design's picture, not the dashboard's); a KGI without layer or thresholds still has its line."""
    at, wid = seeded(db, "en")
    store = Store(db)
    loaded = store.load(wid)
    ws = edits.set_field(loaded.workshop, "repeat_rate", "unit", "ratio")
    ws = edits.set_field(ws, "sales", "layer", "")
    for field in ("green", "yellow"):
        ws = edits.set_field(ws, "sales", field, "")
    store.save(wid, ws, expected_version=loaded.version, summary="bare KGI")
    store.actuals.add(wid, [Actual(kpi="repeat_rate", date=dt.date(2026, 11, 30), value=0.0515)])
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 11, 30), value=0.062)])
    ok(at.switch_page("views/dashboard.py").run())
    text = "\n".join(m.value for m in at.markdown)
    assert "Repeat rate  \n**5.15%**" in text and "0.0515" not in text
    assert "Annual sales" in text  # the KGI has its line, though it has neither a layer nor thresholds
    dot = at.get("graphviz_chart")[0].proto.spec
    box = next(line for line in dot.splitlines() if 'id="kpi-purchase_rate"' in line)
    assert "6.2%" in box and "5% → 6%" not in box
