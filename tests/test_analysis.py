"""The tree's arithmetic, checked against the method's worked examples computed by hand."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import analysis, tree
from kpidesign.model import Workshop, new_workshop
from tests.conftest import build_ec


def test_evaluation_bottom_up(ec: Workshop) -> None:
    model = analysis.TreeModel(ec)
    assert model.values["sales"] == 40000 * 5000 * 4
    assert analysis.TreeModel(ec, "target").values["sales"] == 50000 * 5000 * 4
    assert sorted(model.levers()) == sorted(["new_customers", "existing_customers", "item_price", "items", "frequency"])


def test_pure_product_tree_passes_percentages_one_for_one(ec: Workshop) -> None:
    """+10 % on average spend's item price gives +10 % sales."""
    result = analysis.what_if(ec, {"item_price": 2750})
    assert result.kgi_change == pytest.approx(0.10)
    assert result.values["avg_spend"] == 5500


def test_a_what_if_names_the_nodes_it_moved_and_nothing_else(ec: Workshop) -> None:
    moved = analysis.what_if(ec, {"item_price": 2750}).moved
    assert set(moved) == {"item_price", "avg_spend", "sales"} and moved["avg_spend"] == 5500  # the lever and its ancestors
    unstated = tree.update_node(ec, "customers", baseline=None)  # a formula parent without a stated number of its own
    assert analysis.what_if(unstated, {}).moved == {}  # nothing pinned: nothing moved, whatever the stated numbers say
    assert "customers" in analysis.what_if(unstated, {"new_customers": 16000}).moved


def test_sum_levers_act_in_proportion_to_their_share(ec: Workshop) -> None:
    """new + existing = customers: +10 % of new customers (15k of 40k) moves sales by 3.75 %."""
    by_node = {lv.node: lv for lv in analysis.rank_levers(ec)}
    assert by_node["new_customers"].kgi_change_10 == pytest.approx(0.10 * 15000 / 40000)
    assert by_node["existing_customers"].kgi_change_1 == pytest.approx(0.01 * 25000 / 40000)
    assert by_node["frequency"].elasticity == pytest.approx(1.0)
    assert by_node["frequency"].kgi_change_minus_10 == pytest.approx(-0.10)
    assert by_node["new_customers"].kgi_change_at_target == pytest.approx(5000 / 40000)


def test_ranking_and_kfs(ec: Workshop) -> None:
    ranked = analysis.rank_levers(ec)
    assert [abs(lv.kgi_change_1) for lv in ranked] == sorted((abs(lv.kgi_change_1) for lv in ranked), reverse=True)
    kfs = analysis.kfs(ec)
    assert kfs is not None and kfs.node in {"frequency", "item_price", "items"}


def test_goal_seek_linear_and_impossible(ec: Workshop) -> None:
    g = analysis.goal_seek(ec, "items")
    assert g.needed == pytest.approx(2.5) and g.possible  # 8e8 * 2.5/2 = 1e9
    g = analysis.goal_seek(ec, "new_customers")
    assert g.needed == pytest.approx(25000)  # customers must be 50k
    ws, _ = tree.add_node(ec, "frequency", "Satisfaction", baseline=3.8)  # an influence, not in any formula
    assert not analysis.goal_seek(ws, ws.children("frequency")[0].id).possible
    assert not analysis.goal_seek(
        ec.model_copy(update={"nodes": [ec.kgi.model_copy(update={"target": None}), *ec.nodes[1:]]}), "items"
    ).possible


def test_goal_seek_through_a_division() -> None:
    ws = build_ec()
    ws, _ = tree.add_node(ws, "frequency", "Orders", node_id="orders", baseline=160000)
    ws, _ = tree.add_node(ws, "frequency", "Buyers", node_id="buyers", baseline=40000)
    ws = tree.update_node(ws, "frequency", formula="orders / buyers")
    g = analysis.goal_seek(ws, "buyers")
    assert g.needed is not None
    assert analysis.TreeModel(ws).kgi_with({"buyers": g.needed}) == pytest.approx(1e9)
    assert g.needed == pytest.approx(32000)


def test_goal_seek_when_the_lever_appears_twice() -> None:
    ws = build_ec()
    ws = tree.update_node(ws, "avg_spend", formula="item_price * items * items / 2")
    g = analysis.goal_seek(ws, "items")
    assert g.needed is not None
    assert analysis.TreeModel(ws).kgi_with({"items": g.needed}) == pytest.approx(1e9, rel=1e-6)


def _two_levers(formula: str, kgi: float | None, target: float | None, a: float, b: float) -> Workshop:
    ws = new_workshop("t", "en", "K")
    ws = ws.model_copy(update={"nodes": [ws.kgi.model_copy(update={"baseline": kgi, "target": target})]})
    ws, _ = tree.add_node(ws, "kgi", "a", node_id="a", baseline=a)
    ws, _ = tree.add_node(ws, "kgi", "b", node_id="b", baseline=b)
    return tree.update_node(ws, "kgi", formula=formula)


def test_goal_seek_never_answers_infinity_or_nan() -> None:
    """Huge numbers (a file may hold 1.7e308) made the solver's probes overflow; the formula then fell back to the KGI's
    own number and the fit was 'checked' against an infinite tolerance: the answer was -inf."""
    ws = _two_levers("a - b", 1e300, 1e15, 1.7e308, 0)
    g = analysis.goal_seek(ws, "a", 2.5)
    assert g.needed == pytest.approx(2.5) and g.possible  # the true answer: a − 0 = 2.5
    huge = [0, 1, -1, 2.5, 1e-300, 1e300, 1.7e308, -1.7e308, 5e-324]
    for formula in ("a * b", "a / b", "b / a", "a * b + a", "(a + 1) / (b - a)"):
        for a, b, target in ((a, b, t) for a in huge for b in huge[::2] for t in (2.5, 1e300, -1e300, 0)):
            g = analysis.goal_seek(_two_levers(formula, 1e300, 1e15, a, b), "a", target)
            assert g.needed is None or math.isfinite(g.needed), (formula, a, b, target, g)
    for target in (math.inf, -math.inf, math.nan):
        assert not analysis.goal_seek(ws, "a", target).possible


def test_goal_seek_never_takes_a_division_by_zero_for_the_answer() -> None:
    """a / b with no value at b = 0 used to fall back to the KGI's stated number: with that number at the target,
    b = 0 was 'the answer'; and a pole on a probe point hid the exact fit."""
    ws = _two_levers("a / b", 100, 100, 50, 1)
    assert analysis.goal_seek(ws, "b").needed == pytest.approx(0.5)
    ws = _two_levers("a / (b - 1)", 100, 100, 50, 1)
    assert analysis.goal_seek(ws, "b").needed == pytest.approx(1.5)


def test_consistency_reports_both_numbers(ec: Workshop) -> None:
    assert analysis.consistency(ec) == []
    ws = tree.update_node(ec, "customers", baseline=45000)
    [m] = analysis.consistency(ws)
    assert (m.node, m.basis, m.stated, m.computed) == ("customers", "baseline", 45000, 40000)
    assert m.gap == pytest.approx(-5000 / 45000)
    assert analysis.consistency(tree.update_node(ec, "customers", baseline=40200)) == []  # within 1 %


def test_missing_values_and_division_by_zero_fall_back(ec: Workshop) -> None:
    ws = tree.update_node(ec, "items", baseline=None)
    assert analysis.TreeModel(ws).values["avg_spend"] == 5000  # falls back to its own number
    ws = tree.update_node(ec, "avg_spend", formula="item_price / items")
    assert analysis.what_if(ws, {"items": 0}).values["avg_spend"] == 5000


def test_parse_change() -> None:
    assert analysis.parse_change("+10%", 200) == pytest.approx(220)
    assert analysis.parse_change("-5%", 200) == pytest.approx(190)
    assert analysis.parse_change("=3,000", 200) == 3000
    assert analysis.parse_change("1.5万", None) == 15000
    for bad in ("+x%", "abc", ""):
        with pytest.raises(ValueError):
            analysis.parse_change(bad, 1)
    with pytest.raises(ValueError):
        analysis.parse_change("+10%", None)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.1, 1000), min_size=3, max_size=3), st.floats(-0.5, 2))
def test_product_tree_elasticity_is_one(values: list[float], change: float) -> None:
    ws = build_ec()
    for node, v in zip(["item_price", "items", "frequency"], values):
        ws = tree.update_node(ws, node, baseline=v)
    before = analysis.TreeModel(ws).values["sales"]
    result = analysis.what_if(ws, {"frequency": values[2] * (1 + change)})
    assert result.kgi_after is not None and before is not None
    assert math.isclose(result.kgi_after / before, 1 + change, rel_tol=1e-9)


def test_a_tie_at_one_percent_goes_to_the_lever_that_moves_the_kgi_most_at_its_target(ec: Workshop) -> None:
    """frequency, item_price and items all give +1 % for +1 %: the one whose own target moves the KGI leads, and the
    others are said to tie; a lever whose target equals its baseline no longer takes the headline by its name."""
    ws = tree.update_node(ec, "items", target=2.2)  # items' target moves sales +10 %; the other two stay at their baselines
    ranked = analysis.rank_levers(ws)
    kfs = analysis.kfs(ws)
    assert ranked[0].node == "items" and kfs is not None and kfs.node == "items"
    assert {lv.node for lv in analysis.tied_with_first(ranked)} == {"frequency", "item_price"}
    assert analysis.tied_with_first([]) == [] and analysis.tied_with_first(ranked[3:]) == []  # the sum's levers each move it less


def test_a_formula_node_whose_children_have_no_numbers_is_a_lever(ec: Workshop) -> None:
    """customers = new + existing, with neither child measured yet: customers' own number is what the design stands on."""
    ws = tree.update_node(ec, "new_customers", baseline=None, target=None)
    ws = tree.update_node(ws, "existing_customers", baseline=None, target=None)
    model = analysis.TreeModel(ws)
    assert "customers" in model.levers() and "new_customers" not in model.levers()
    by_node = {lv.node: lv for lv in analysis.rank_levers(ws)}
    assert by_node["customers"].kgi_change_1 == pytest.approx(0.01)
    assert by_node["customers"].kgi_change_at_target == pytest.approx(50000 / 40000 - 1)


def test_goal_seek_never_offers_a_rate_above_100_percent(ec: Workshop) -> None:
    ws = tree.update_node(ec, "frequency", unit="%", baseline=0.5, target=0.6)
    g = analysis.goal_seek(ws, "frequency", 3e8)  # 40,000 customers x 5,000 x frequency: would need 150%
    assert g.needed is not None and g.needed > 1 and not g.allowed and not g.possible
    g = analysis.goal_seek(ws, "frequency", 1.5e8)  # 75%: fine
    assert g.possible and g.needed is not None and 0 < g.needed <= 1


def test_goal_seek_never_offers_a_negative_count(ec: Workshop) -> None:
    ws = tree.update_node(ec, "new_customers", unit="people")
    g = analysis.goal_seek(ws, "new_customers", 1.0)  # the KGI near zero needs fewer new customers than none
    assert g.needed is not None and g.needed < 0 and not g.possible


def test_stops_names_where_a_change_stops_short_of_the_kgi() -> None:
    """A lever under a parent not computed from its children stops there; one under formulas all the way up is not listed."""
    from kpidesign import analysis as an
    from kpidesign.library import template

    ec = template("ec_sales", "en")
    changes = {"satisfaction": 4.5, "purchase_rate": 0.06}
    result = an.what_if(ec, changes)
    assert an.stops(ec, result, changes) == {"satisfaction": "frequency"}
