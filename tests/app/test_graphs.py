"""A big tree folds its deep levels wherever it is drawn (share link, dashboard, history), with a switch to see it whole."""

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpidesign import tree
from kpidesign.library import template
from kpidesign.model import Actual, Thresholds
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, start


def big(db: Path, extra: int = 160) -> str:
    """A workshop of 19 + extra boxes: a wide level of campaigns under awareness; campaign 7 has thresholds."""
    ws = template("ec_sales", "en")
    for i in range(extra):
        ws, _ = tree.add_node(ws, "awareness_rate", f"Campaign {i}", thresholds=Thresholds(green=10, yellow=5) if i == 7 else Thresholds())
    return Store(db).create(ws)


def spec(at: AppTest) -> str:
    dot: str = at.get("graphviz_chart")[0].proto.spec
    return dot


def folded(at: AppTest) -> list[str]:
    return [i.value for i in at.info if "+N below" in i.value]


def test_the_share_link_folds_a_big_tree_and_opens_it_whole(db: Path) -> None:
    wid = big(db)
    at = ok(start({"share": Store(db).shares.create(wid)}).sidebar.radio(key="lang").set_value("en").run())
    open_tab(at, "Tree")  # the status comes first on a share link
    assert "Campaign 0" not in spec(at) and "+160 below" in spec(at)
    assert "of 179 boxes" in folded(at)[0] and "branch" not in folded(at)[0]  # no branch switch on the share view
    at.segmented_control(key="share_levels").set_value("all").run()
    assert "Campaign 159" in spec(at) and not folded(at)
    linked = ok(start({"share": Store(db).shares.create(wid), "levels": "all", "tab": "ツリー"}))
    assert "Campaign 159" in spec(linked)


def test_a_small_tree_has_no_levels_switch(db: Path) -> None:
    wid = Store(db).create(template("ec_sales", "en"))
    at = ok(start({"share": Store(db).shares.create(wid), "tab": "ツリー"}))
    assert spec(at) and not [w for w in at.get("segmented_control") if w.key == "share_levels"] and not folded(at)


def test_the_dashboard_says_how_many_red_kpis_a_fold_hides(db: Path) -> None:
    wid = big(db)
    Store(db).actuals.add(wid, [Actual(kpi=tree_id(db, wid, "Campaign 7"), date=dt.date(2026, 11, 2), value=1.0)])
    at = ok(start({"ws": wid}).sidebar.radio(key="lang").set_value("en").run())
    ok(at.switch_page("views/dashboard.py").run())
    assert "+160 below (1 red)" in spec(at) and folded(at)
    at.segmented_control(key="dash_levels").set_value("all").run()
    assert "Campaign 7" in spec(at) and not folded(at)


def test_the_history_preview_folds_an_old_big_tree(db: Path) -> None:
    wid = big(db)
    at = ok(start({"ws": wid}).sidebar.radio(key="lang").set_value("ja").run())
    ok(at.switch_page("views/history.py").run())
    assert "配下 +160" in spec(at) and folded(at) == [] and any("179個中" in i.value for i in at.info)
    at.segmented_control(key="hist_levels").set_value("all").run()
    assert "Campaign 159" in spec(at)


def tree_id(db: Path, wid: str, name: str) -> str:
    return next(n.id for n in Store(db).load(wid).workshop.nodes if n.name == name)


def test_the_what_if_folds_a_big_tree_and_keeps_the_moved_lever_and_its_path_drawn(db: Path) -> None:
    ws = template("ec_sales", "en")
    for i in range(160):  # a wide level of campaigns below the fold; campaign 7 drives the awareness rate
        ws, _ = tree.add_node(ws, "awareness_rate", f"Campaign {i}", baseline=1.0)
    lever = next(n.id for n in ws.nodes if n.name == "Campaign 7")
    ws = tree.update_node(ws, "awareness_rate", formula=f"{lever} * {ws.node('awareness_rate').baseline}")
    wid = Store(db).create(ws)
    at = ok(start({"ws": wid}).sidebar.radio(key="lang").set_value("en").run())
    at.switch_page("views/review.py").run()
    at.query_params["tab"] = "What-if"
    ok(at.run())
    at.multiselect(key="wi_levers").set_value([lever]).run()
    ok(at.slider(key=f"wi_pct_{lever}").set_value(20).run())
    dot = spec(at)
    assert "Campaign 7\\n1 ⇒ 1.2" in dot and "Campaign 8" not in dot and "+159 below" in dot  # the lever drawn, its siblings folded
    assert any("(20 of 179 boxes)" in i for i in folded(at))  # the 19 above the fold and the lever: nothing else counts as moved
    assert dot.count('color="#7c3aed"') == 7  # the lever and its six ancestors up to the KGI, nothing else
    at.segmented_control(key="wi_levels").set_value("all").run()
    assert "Campaign 159" in spec(at) and "Campaign 7\\n1 ⇒ 1.2" in spec(at) and not folded(at)
