import difflib

from hypothesis import given
from hypothesis import strategies as st

from kpidesign import edits, tree
from kpidesign.findings import Severity
from kpidesign.model import Workshop
from kpidesign.review import CONTRADICTIONS, PRINCIPLES, SIMILAR, _likeness, balance, review, threshold_findings, threshold_order


def codes(ws: Workshop, node: str | None = None) -> set[str]:
    return {f.code for f in review(ws).findings if node is None or f.node == node}


def test_threshold_order_depends_on_direction(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "green", "40000")
    ws = edits.set_field(ws, "customers", "yellow", "45000")
    found = threshold_order(ws.node("customers"))
    assert found is not None and found.code == "threshold_order"
    assert "threshold_order" in codes(ws, "customers")
    ws = edits.set_field(ws, "customers", "direction", "lower_is_better")
    assert threshold_order(ws.node("customers")) is None
    assert threshold_findings(ws) == []


def test_balance_counts_layers_and_speeds(template: Workshop, ec: Workshop) -> None:
    b = balance(template)
    assert b.missing_layers == [] and not b.one_speed_only and b.layers["untagged"] == 0
    e = balance(ec)
    assert e.missing_layers == ["leading", "intermediate", "lagging"] and e.layers["untagged"] == 7
    ws = edits.set_field(ec, "customers", "sensitivity", "high")
    assert balance(ws).one_speed_only


def test_the_template_has_no_errors_or_warnings(template: Workshop) -> None:
    r = review(template)
    assert not r.has_errors
    assert {f.severity for f in r.findings} <= {Severity.HINT}
    assert all(r.score(p) >= 90 for p in PRINCIPLES)


def test_a_bare_tree_is_reviewed_under_each_principle(ec: Workshop) -> None:
    r = review(ec)
    assert r.has_errors and "kgi_no_deadline" in codes(ec)
    assert {"no_why", "no_owner", "no_source", "no_frequency", "no_leading", "no_lagging"} <= codes(ec)
    assert all(f.params["principle"] in PRINCIPLES for f in r.findings)
    assert r.score("repeatable") < 60 and r.score("specific") == 100
    assert next(f.severity for f in r.by_principle("time_bound")) is Severity.ERROR


def test_levels_without_targets(ec: Workshop) -> None:
    ws = tree.update_node(ec, "frequency", target=None)
    assert "baseline_without_target" in codes(ws, "frequency")
    ws = tree.update_node(ec, "frequency", baseline=None)
    assert "target_without_baseline" in codes(ws, "frequency")


def test_mece_and_bloat(ec: Workshop) -> None:
    ws = ec
    for i in range(7):
        ws, _ = tree.add_node(ws, "customers", f"Segment {i}")
    ws, _ = tree.add_node(ws, "avg_spend", "item  price")
    found = codes(ws)
    assert "too_many_children" in codes(ws, "customers")
    assert "similar_siblings" in found
    deep = ec
    parent = "items"
    for i in range(5):
        deep, parent = tree.add_node(deep, parent, f"Level {i}")
    assert "too_deep" in codes(deep)


def test_units_in_a_sum_and_influences(ec: Workshop) -> None:
    ws = tree.update_node(ec, "new_customers", unit="people")
    ws = tree.update_node(ws, "existing_customers", unit="JPY")
    assert "unit_mismatch" in codes(ws, "customers")
    ws, _ = tree.add_node(ec, "frequency", "Satisfaction")
    ws = tree.update_node(ws, "frequency", formula="")
    ws, _ = tree.add_node(ws, "customers", "Referrals")
    assert "influence_links" in codes(ws, "customers")


def test_tree_that_does_not_add_up(ec: Workshop) -> None:
    ws = tree.update_node(ec, "sales", target=1.2e9)
    [f] = [f for f in review(ws).findings if f.code == "does_not_add_up"]
    assert f.node == "sales" and f.params["stated"] == 1.2e9 and f.params["computed"] == 1e9
    assert f.params["principle"] == "achievable"


def test_formula_naming_a_stranger_is_reported(ec: Workshop) -> None:
    ws = tree.move(ec, "frequency", "customers")
    assert "formula_not_child" in codes(ws, "sales")


@given(st.text(alphabet="abcdeあいう認知率 ", max_size=12), st.text(alphabet="abcdeあいう認知率 ", max_size=12))
def test_likeness_is_difflibs_ratio_wherever_it_can_reach_similar(a: str, b: str) -> None:
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    likeness = _likeness(a, b)
    assert (likeness >= SIMILAR) == (ratio >= SIMILAR)
    if ratio >= SIMILAR:
        assert likeness == ratio  # the same similar_siblings findings, with the same severity (ratio 1 = a warning)


def test_contradictions_are_errors(ec: Workshop) -> None:
    """What cannot all be true at once fails the review: `check` exits 1 on it."""
    ws = tree.update_node(ec, "sales", target=1.2e9)  # stated vs computed
    ws = tree.update_node(ws, "customers", thresholds={"direction": "higher_is_better", "green": 1, "yellow": 2})
    ws = tree.update_node(ws, "new_customers", unit="people")
    ws = tree.update_node(ws, "existing_customers", unit="JPY")
    moved = tree.move(ec, "frequency", "customers")  # the KGI's formula now names a stranger
    r = review(ws)
    severity = {f.code: f.severity for f in r.findings + review(moved).findings}
    assert {code: severity[code] for code in CONTRADICTIONS} == dict.fromkeys(CONTRADICTIONS, Severity.ERROR)
    assert r.has_errors
