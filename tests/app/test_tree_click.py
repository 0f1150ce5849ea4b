"""Steps 2 and 3 (#20): a click on a graph box selects its node for editing, the selection is kept in the address."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import TextInput

from tests.app.conftest import ok, open_tab, seeded, start


def click_box(at: AppTest, node_id: str, box: str = "graph_tree") -> AppTest:
    """Rerun as the browser does after a click on the box of node_id: the click component's trigger carries the id
    (what ui/assets/graph_click.js sends with setTriggerValue)."""
    component = next(e for e in at.get("bidi_component") if e.proto.id.endswith(f"{box}_click"))
    states = at._tree.get_widget_states()
    trigger = WidgetState(id=_make_trigger_id(component.proto.id, "events"))
    trigger.json_trigger_value = json.dumps([{"event": "selected", "value": node_id}])
    states.widgets.append(trigger)
    return at._run(states)


def name_field(at: AppTest) -> TextInput:
    return next(w for w in at.text_input if (w.key or "").endswith("_name"))


def test_a_click_on_a_box_opens_that_node_in_the_editor_and_the_address(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/2_tree.py").run())
    assert at.selectbox(key="tree_selected").value == "sales"  # the KGI at first
    ok(click_box(at, "purchase_rate"))
    assert at.selectbox(key="tree_selected").value == "purchase_rate"
    assert name_field(at).value == "Purchase rate (CVR)" and at.query_params["node"] == "purchase_rate"
    assert 'id="kpi-purchase_rate"' in at.get("graphviz_chart")[0].proto.spec
    ok(click_box(at, "no_such_node"))  # a stale page's click on a node deleted meanwhile: ignored
    assert at.selectbox(key="tree_selected").value == "purchase_rate"


def test_a_click_on_step_3_opens_the_node_editor_tab(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/3_decompose.py").run())
    open_tab(at, "Tag layers and sensitivity at once")
    assert not [w for w in at.selectbox if w.key == "tree_selected"]
    ok(click_box(at, "customers"))
    assert at.selectbox(key="tree_selected").value == "customers" and name_field(at).value == "Customers"


def test_the_address_names_the_node_to_edit(db: Path) -> None:
    at, wid = seeded(db, "en")
    at = start({"ws": wid, "node": "avg_spend", "lang": "en"})
    ok(at.switch_page("views/2_tree.py").run())
    assert at.selectbox(key="tree_selected").value == "avg_spend" and name_field(at).value == "Average spend"
    at.selectbox(key="tree_selected").set_value("customers").run()
    assert at.query_params["node"] == "customers"
    bad = start({"ws": wid, "node": "nope"})
    ok(bad.switch_page("views/2_tree.py").run())
    assert bad.selectbox(key="tree_selected").value == "sales"  # an unknown node in the address: the KGI
