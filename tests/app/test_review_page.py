import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpidesign import edits
from kpidesign.model import Node, Workshop
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander, open_tab, seeded, start
from ui.review.findings import LINKED_GROUPS, LINKED_HINTS


def test_review_page_shows_scores_whatif_levers_and_goal_seek(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    assert len(at.metric) >= 7 and at.metric[0].label == "Specific"
    open_tab(at, "What-if")
    at.multiselect(key="wi_levers").set_value(["purchase_rate"]).run()
    at.slider(key="wi_pct_purchase_rate").set_value(10).run()  # 15k of 40k customers: +10 % CVR -> +3.75 % sales
    ok(at)
    whatif = next(m for m in at.metric if "what-if" in m.label)
    assert whatif.value == "830M" and whatif.delta == "+3.75%"
    at.text_input(key="wi_val_purchase_rate").input("7%").run()  # to a value instead of by a percentage
    whatif = next(m for m in at.metric if "what-if" in m.label)
    assert whatif.value == "920M"  # 7 % instead of 5 %: new customers 15k -> 21k, customers 46k: x1.15
    assert at.slider(key="wi_pct_purchase_rate").value == 40  # the slider says the same change (#26 item 12)
    at.slider(key="wi_pct_purchase_rate").set_value(20).run()
    assert at.text_input(key="wi_val_purchase_rate").value == ""  # and a slider moved again wins over the typed value
    at.text_input(key="wi_val_purchase_rate").input("lots").run()
    assert any("not a number" in e.value for e in at.error)
    open_tab(at, "Levers and KFS")
    assert any("KFS candidate" in s.value for s in at.success)
    # frequency, item price and items per purchase each move sales +1 % for +1 %: the headline says they tie
    assert any("move the KGI just as much at +1%" in c.value and "comes first" in c.value for c in at.caption)
    open_tab(at, "Goal seek")
    at.selectbox(key="gs_lever").set_value("items_per_purchase").run()
    assert any("2.5" in s.value for s in at.success)
    at.text_input(key="gs_target").input("abc").run()
    assert any("not a number" in e.value for e in at.error)
    at.selectbox(key="gs_lever").set_value("satisfaction").run()
    at.text_input(key="gs_target").input("1e9").run()
    assert any("impossible" in w.value for w in at.warning)


def broken(db: Path, *changes: tuple[str, str, str]) -> AppTest:
    """The English e-commerce workshop open on the review page, with these (node, field, value) changes saved."""
    at, wid = seeded(db, "en")
    store = Store(db)
    loaded = store.load(wid)
    ws = loaded.workshop
    for node, field, value in changes:
        ws = edits.set_field(ws, node, field, value)
    store.save(wid, ws, expected_version=loaded.version, summary="break")
    return ok(at.switch_page("views/review.py").run())


def test_review_lists_findings_of_a_broken_design(db: Path) -> None:
    at = broken(db, ("customers", "owner", ""), ("customers", "green", "1"))
    text = " ".join([*(m.value for m in at.markdown), *(o for r in at.radio for o in r.options)])
    assert "has no owner" in text and "wrong order" in text


def groups(at: AppTest) -> list[tuple[str, list[str]]]:
    """The review's groups of findings: (title, lines) of each."""
    return [(r.label, r.options) for r in at.radio if (r.key or "").startswith("rv_")]


def test_the_review_leads_with_what_to_fix_now_grouped_by_node_each_finding_a_link_to_its_field(db: Path) -> None:
    at = broken(db, ("customers", "owner", ""), ("customers", "source", ""), ("item_price", "green", "1"), ("item_price", "yellow", "5"))
    assert at.markdown[1].value.startswith("### 3 to fix now,")  # one error, two warnings; the hints "to consider"
    assert "To fix now (errors: 1, warnings: 2)" in [h.value for h in at.subheader]
    found = groups(at)
    assert ":red[" in found[0][0] and found[0][0].endswith("**Item price**") and found[1][0].endswith("**Customers**")  # errors first
    assert "wrong order" in found[0][1][0] and found[0][1][0].endswith("→ 4 Definitions & thresholds · Green at")
    assert [line.split("]", 1)[1].split("→")[1].strip() for line in found[1][1]] == [
        "4 Definitions & thresholds · Owner",
        "4 Definitions & thresholds · Data source",
    ]
    assert len(found) == 2  # the hints are folded, and drawn only when opened
    open_expander(at, "rv_hints_open")
    found = groups(at)
    assert all(":blue[" in line for _, lines in found[2:] for line in lines) and len(found) > 2
    assert len(at.metric) == 7  # the scores by principle, below
    # a click on a finding opens step 4 on that KPI, its form, with the cursor in the field
    at.radio(key="rv_now_1").set_value(0).run()
    ok(at)
    assert at.session_state["def_selected"] == "customers" and at.selectbox(key="def_selected").value == "customers"
    assert any("st-key-f_customers_owner" in h.proto.body for h in at.get("html"))
    ok(at.switch_page("views/review.py").run())
    assert at.radio(key="rv_now_1").value is None  # back on the review, nothing left chosen


def test_the_review_of_a_big_bare_tree_stays_a_few_dozen_elements(db: Path) -> None:
    from bench.generate import workshop
    from kpidesign.model import Definition

    ws = workshop(200)
    ws = ws.model_copy(update={"nodes": [n.model_copy(update={"definition": Definition()}) for n in ws.nodes]})
    wid = Store(db).create(ws)
    at = start({"ws": wid, "lang": "en"})
    ok(at.switch_page("views/review.py").run())
    assert len(groups(at)) == LINKED_GROUPS
    open_expander(at, "rv_hints_open")
    assert len(groups(at)) == LINKED_GROUPS + LINKED_HINTS
    rest = [m.value for m in at.markdown if "more on" in m.value and "links for the first" in m.value]
    assert len(rest) == 2 and rest[0].count("has no owner") == 200 - LINKED_GROUPS  # every node not linked above


def test_a_findings_link_lands_on_its_node_tab_and_field_once(db: Path) -> None:
    at, _wid = seeded(db, "en")
    for key, value in {
        "go": "1",
        "node": "purchase_rate",
        "pick": "1",
        "field": "owner",
        "open": "The whole sheet (cells are editable)",
    }.items():
        at.query_params[key] = value
    ok(at.switch_page("views/4_definitions.py").run())
    assert at.session_state["def_selected"] == "purchase_rate" and at.session_state["tree_selected"] == "purchase_rate"
    assert not {"go", "field", "pick", "node", "open"} & set(at.query_params.keys())
    assert any("st-key-f_purchase_rate_owner" in h.proto.body for h in at.get("html"))  # the script that puts the cursor there
    assert at.dataframe  # the tab asked for is open
    ok(at.run())
    assert not any("st-key-f_" in h.proto.body for h in at.get("html"))  # once: a later rerun does not steal the focus
    # a workshop-wide finding (no leading indicator) opens step 3 on its table of tags, whatever tab was open before
    at.query_params["go"], at.query_params["open"] = "1", "Tag layers and sensitivity at once"
    ok(at.switch_page("views/3_decompose.py").run())
    assert at.dataframe and at.session_state["tree_selected"] == "purchase_rate"
    assert any("stTabs" in h.proto.body for h in at.get("html"))  # brought into view (below the graph)


def test_the_levers_chosen_for_a_what_if_survive_a_look_at_another_tab(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "What-if")
    at.multiselect(key="wi_levers").set_value(["purchase_rate", "item_price"]).run()
    open_tab(at, "Levers and KFS")
    open_tab(at, "What-if")
    assert at.multiselect(key="wi_levers").value == ["purchase_rate", "item_price"] and not at.warning


def test_a_forged_review_link_runs_no_script_and_names_nothing_outside_the_workshop(db: Path) -> None:
    import json

    from ui.jump import script_json

    at, _wid = seeded(db, "en")
    evil = "</script><img src=x onerror=alert(document.cookie)>"
    for key, value in {"go": "1", "node": evil, "pick": "1", "field": evil}.items():
        at.query_params[key] = value
    ok(at.switch_page("views/4_definitions.py").run())
    assert not any("<img" in h.proto.body or "onerror" in h.proto.body for h in at.get("html"))
    assert at.session_state["def_selected"] != evil
    assert "<" not in script_json(evil) and json.loads(script_json(evil)) == evil  # and were it ever written, it stays a string


def browser_class(key: str) -> str:
    """The class Streamlit's front end gives a keyed element's container: every character outside [a-zA-Z0-9_-] of the
    key becomes '-' (so 'f_受注率_why' and 'f_商談数_why' would both be 'st-key-f_---_why')."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def landing_classes(at: AppTest) -> list[str]:
    """The classes the landing script looks for (its `exact` list)."""
    bodies = [h.proto.body for h in at.get("html") if "const exact" in h.proto.body]
    assert len(bodies) == 1, bodies
    found = re.search(r"const exact = (\[.*?\])", bodies[0])
    assert found is not None, bodies[0]
    exact: list[str] = json.loads(found.group(1))
    return exact


def japanese_ids(db: Path) -> str:
    ws = Workshop(
        title="受注",
        nodes=[
            Node(id="売上高", name="売上高", formula="受注率 * 商談数"),
            Node(id="受注率", parent="売上高", name="受注率", unit="%"),
            Node(id="商談数", parent="売上高", name="商談数", unit="件"),
        ],
    )
    return Store(db).create(ws)


@pytest.mark.parametrize(
    ("field", "page", "widgets"), [("why", "views/4_definitions.py", "text_area"), ("parent", "views/3_decompose.py", "selectbox")]
)
def test_a_findings_link_to_a_japanese_id_node_names_the_class_the_browser_gives_its_field(
    db: Path, field: str, page: str, widgets: str
) -> None:
    wid = japanese_ids(db)
    at = start({"ws": wid})
    for key, value in {"go": "1", "node": "受注率", "pick": "1", "field": field}.items():
        at.query_params[key] = value
    ok(at.switch_page(page).run())
    exact = landing_classes(at)
    keyed = [w.key for w in getattr(at, widgets) if w.key]
    matching = [k for k in keyed if browser_class(k) in exact]
    assert len(matching) == 1, (exact, keyed)  # the landing's class is the one the browser writes for that field's widget
    assert all(c.isascii() for c in exact)
    assert matching[0].startswith("tree_parent_" if field == "parent" else "f_") and at.session_state["def_selected"] == "受注率"


def test_a_what_if_that_stops_short_of_the_kgi_says_where(db: Path) -> None:
    """#26 item 12: a lever under a parent that is not computed from its children changes nothing above it: said, not
    silent."""
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "What-if")
    at.multiselect(key="wi_levers").set_value(["satisfaction"]).run()
    ok(at)
    assert any("Moving Customer satisfaction does not change Purchase frequency" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
