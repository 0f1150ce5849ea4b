"""Why a node moved: splits through formulas against hand-computed numbers, bad data as findings, and sums that always add up."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpidesign import explain as ex
from kpidesign import formula
from kpidesign.model import Actual, Node, Workshop

D1, D2 = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


def tree(
    formulas: dict[str, str],
    kids: dict[str, list[str]],
    values: Mapping[str, tuple[float | None, float | None]],
    dates: tuple[dt.date, dt.date] = (D1, D2),
) -> Workshop:
    """A workshop: root 'y', children as given, actuals at the two dates (None: no actual)."""
    nodes = [Node(id="y", name="Y", formula=formulas.get("y", ""))]
    for parent, children in kids.items():
        nodes += [Node(id=c, parent=parent, name=c.upper(), formula=formulas.get(c, "")) for c in children]
    actuals = [Actual(kpi=k, date=d, value=v) for k, pair in values.items() for d, v in zip(dates, pair) if v is not None]
    return Workshop(title="t", nodes=nodes, actuals=actuals)


def contributions(e: ex.Explanation) -> dict[str, float]:
    return {c.node: c.contribution for c in e.contributions}


def codes(e: ex.Explanation) -> set[tuple[str, str | None]]:
    return {(f.code, f.node) for f in e.findings}


def test_product_where_each_factor_moves() -> None:
    # y = a * b: a 10 -> 12, b 5 -> 6; y 50 -> 72, change 22.
    # Shapley: a gets ½[(12−10)·5 + (12−10)·6] = 11, b gets ½[(6−5)·10 + (6−5)·12] = 11.
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"a": (10, 12), "b": (5, 6)})
    e = ex.explain(ws, D1, D2)
    assert (e.value_from, e.value_to, e.change) == (50, 72, 22)
    assert contributions(e) == pytest.approx({"a": 11, "b": 11})
    assert not e.findings


def test_product_of_three_hand_computed() -> None:
    # y = a*b*c: a 2 -> 3, b 5 -> 5 (unchanged), c 4 -> 2. y 40 -> 30, change −10.
    # b did not move: exactly 0. a: ½[(3−2)·5·4 + (3−2)·5·2] = 15; c: ½[2·5·(2−4) + 3·5·(2−4)] = −25.
    ws = tree({"y": "a * b * c"}, {"y": ["a", "b", "c"]}, {"a": (2, 3), "b": (5, 5), "c": (4, 2)})
    e = ex.explain(ws, D1, D2)
    assert e.change == -10
    assert contributions(e) == pytest.approx({"a": 15, "b": 0, "c": -25})


def test_sum_splits_exactly_and_differences_count_negative() -> None:
    ws = tree({"y": "a + b - c"}, {"y": ["a", "b", "c"]}, {"a": (100, 130), "b": (50, 40), "c": (20, 25)})
    e = ex.explain(ws, D1, D2)
    assert e.change == 15  # 130 − 100 = 30 − 10 − 5
    assert contributions(e) == {"a": 30, "b": -10, "c": -5}


def test_quotient() -> None:
    # y = a / b: a 100 -> 120, b 4 -> 5; y 25 -> 24.
    # a: ½[(120−100)/4 + (120−100)/5] = ½(5 + 4) = 4.5; b: ½[(100/5 − 100/4) + (120/5 − 120/4)] = ½(−5 − 6) = −5.5.
    ws = tree({"y": "a / b"}, {"y": ["a", "b"]}, {"a": (100, 120), "b": (4, 5)})
    e = ex.explain(ws, D1, D2)
    assert e.change == pytest.approx(-1)
    assert contributions(e) == pytest.approx({"a": 4.5, "b": -5.5})


def test_a_zero_in_a_product_is_exact_and_said() -> None:
    # y = a * b: a 0 -> 10, b 3 -> 4. y 0 -> 40. a: ½[10·3 + 10·4] = 35; b: ½[0·1 + 10·1] = 5. LMDI would take log(0).
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"a": (0, 10), "b": (3, 4)})
    e = ex.explain(ws, D1, D2)
    assert contributions(e) == pytest.approx({"a": 35, "b": 5})
    assert ("explain_zero_value", "y") in codes(e)


def test_a_sign_change_and_negative_values() -> None:
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"a": (-2, 3), "b": (4, 5)})
    e = ex.explain(ws, D1, D2)
    assert e.change == 23 and sum(contributions(e).values()) == pytest.approx(23)
    assert ("explain_negative_value", "y") in codes(e)


def test_deeper_levels_share_their_parents_contribution() -> None:
    # y = a * b, a = c + d. a 10 -> 12 (c 6 -> 9, d 4 -> 3), b 5 -> 6. a's 11 split 3 : −1 of its change 2.
    ws = tree({"y": "a * b", "a": "c + d"}, {"y": ["a", "b"], "a": ["c", "d"]}, {"c": (6, 9), "d": (4, 3), "b": (5, 6)})
    e = ex.explain(ws, D1, D2)
    got = contributions(e)
    assert got == pytest.approx({"a": 11, "b": 11, "c": 16.5, "d": -5.5})
    assert got["c"] + got["d"] == pytest.approx(got["a"])
    by = {c.node: c for c in e.contributions}
    assert by["c"].parent == "a" and by["c"].depth == 2 and by["a"].value_from == 10  # a computed from its children


def test_influences_get_no_share_but_their_change() -> None:
    ws = tree({"y": "a * b"}, {"y": ["a", "b", "mood"]}, {"a": (10, 12), "b": (5, 6), "mood": (3, 4)})
    e = ex.explain(ws, D1, D2)
    assert set(contributions(e)) == {"a", "b"}
    assert [(i.node, i.parent, i.change) for i in e.influences] == [("mood", "y", 1)]


def test_node_option_explains_a_subtree() -> None:
    ws = tree({"y": "a * b", "a": "c + d"}, {"y": ["a", "b"], "a": ["c", "d"]}, {"c": (6, 9), "d": (4, 3), "b": (5, 6)})
    e = ex.explain(ws, D1, D2, "a")
    assert (e.node, e.change) == ("a", 2) and contributions(e) == {"c": 3, "d": -1}


def test_value_on_or_before_the_date_and_stale_values() -> None:
    # weekly series: a value stands for a date up to 1.5 weeks after it, not longer
    start = dt.date(2026, 1, 5)
    actuals = [Actual(kpi="a", date=start + dt.timedelta(weeks=w), value=float(w)) for w in range(6)]
    ws = Workshop(title="t", nodes=[Node(id="y", name="Y", formula="a"), Node(id="a", parent="y", name="A")], actuals=actuals)
    values, findings = ex.values_at(ws, start + dt.timedelta(weeks=2, days=3))
    assert values["a"] == ex.Value(2.0, "actual", start + dt.timedelta(weeks=2)) and values["y"].basis == "computed" and not findings
    values, findings = ex.values_at(ws, start + dt.timedelta(weeks=5, days=10))  # 10 days after the last: still within 1.5 weeks
    assert values["a"].value == 5.0
    values, findings = ex.values_at(ws, start + dt.timedelta(weeks=5, days=11))
    assert values["a"].value is None and [f.code for f in findings] == ["explain_stale"]
    values, _ = ex.values_at(ws, start - dt.timedelta(days=1))  # before the first actual: nothing
    assert values["a"].value is None


def test_missing_values_are_reasons_not_numbers() -> None:
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"a": (10, 12), "b": (None, 6)})
    e = ex.explain(ws, D1, D2)
    assert e.change is None and not e.contributions
    assert ("explain_no_value", "y") in codes(e)
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"y": (50, 60), "a": (10, 12), "b": (None, 6)})  # y has actuals, b has none at D1
    e = ex.explain(ws, D1, D2)
    assert e.change == 10 and not e.contributions and ("explain_cannot_split", "y") in codes(e)
    assert [f.params["date"] for f in e.findings if f.node == "b"] == [D1.isoformat()]  # and b itself says when it has none


def test_actuals_that_do_not_add_up_are_scaled_and_said() -> None:
    ws = tree({"y": "a * b"}, {"y": ["a", "b"]}, {"y": (50, 80), "a": (10, 12), "b": (5, 6)})  # children give 72, not 80
    e = ex.explain(ws, D1, D2)
    assert e.change == 30 and sum(contributions(e).values()) == pytest.approx(30)
    assert contributions(e) == pytest.approx({"a": 15, "b": 15})
    assert ("explain_does_not_add_up", "y") in codes(e)


def test_division_by_zero_cannot_be_split() -> None:
    ws = tree({"y": "a / b"}, {"y": ["a", "b"]}, {"y": (1, 2), "a": (10, 12), "b": (0, 6)})
    e = ex.explain(ws, D1, D2)
    assert e.change == 1 and not e.contributions and ("explain_undefined", "y") in codes(e)


def test_duplicate_dates_are_reported() -> None:
    ws = tree({"y": "a + b"}, {"y": ["a", "b"]}, {"a": (1, 2), "b": (3, 4)})
    ws = ws.model_copy(update={"actuals": ws.actuals + [Actual(kpi="a", date=D2, value=7)]})
    e = ex.explain(ws, D1, D2)
    assert ("data_duplicate_dates", "a") in codes(e)
    assert contributions(e)["a"] == 6  # the last entry wins, as on the dashboard


def test_too_many_moving_inputs_in_a_product_are_refused_but_sums_are_not() -> None:
    kids = [f"x{i}" for i in range(ex.MAX_SHAPLEY_INPUTS + 1)]
    values = {k: (1.0, 2.0) for k in kids}
    e = ex.explain(tree({"y": " * ".join(kids)}, {"y": kids}, values), D1, D2)
    assert ("explain_too_many_inputs", "y") in codes(e) and not e.contributions
    kids = [f"x{i}" for i in range(25)]  # (formulas nest at most 30 deep)
    e = ex.explain(tree({"y": " + ".join(kids)}, {"y": kids}, {k: (1.0, 2.0) for k in kids}), D1, D2)
    assert e.change == 25 and all(c.contribution == 1 for c in e.contributions)


def test_unknown_node() -> None:
    e = ex.explain(tree({"y": "a"}, {"y": ["a"]}, {"a": (1, 2)}), D1, D2, "nope")
    assert e.change is None and codes(e) == {("explain_unknown_node", "nope")}


def test_linear_coefficients() -> None:
    assert ex.linear_coefficients(formula.parse("(a + b) / 2 - 3 * c")) == {"a": 0.5, "b": 0.5, "c": -3}
    assert ex.linear_coefficients(formula.parse("a * b")) is None
    assert ex.linear_coefficients(formula.parse("a / b")) is None


# property: the parts always add up, at every level, for any formula shape and any values
OPS = st.sampled_from(["+", "-", "*", "/"])
VALUE = st.one_of(
    st.integers(-50, 50).map(float),
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
)


@st.composite
def random_tree(draw: st.DrawFn) -> Workshop:
    """Three levels: a root over 2–4 children, the first child over 2–3 grandchildren, the first of those over 2 more."""
    n_kids, n_grand = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    kids = [f"k{i}" for i in range(n_kids)]
    grand = [f"g{i}" for i in range(n_grand)]
    great = ["h0", "h1"]

    def expr(names: list[str]) -> str:
        out = names[0]
        for name in names[1:]:
            out = f"({out} {draw(OPS)} {name})" if draw(st.booleans()) else f"{out} {draw(OPS)} {name}"
        return out

    leaves = kids[1:] + grand[1:] + great
    values = {k: (draw(VALUE), draw(VALUE)) for k in leaves}
    return tree({"y": expr(kids), "k0": expr(grand), "g0": expr(great)}, {"y": kids, "k0": grand, "g0": great}, values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_tree())
def test_contributions_always_add_up_at_every_level(ws: Workshop) -> None:
    e = ex.explain(ws, D1, D2)
    if e.change is None:  # a division by zero at a date, an overflow: said, not guessed
        assert any(f.node == "y" and f.code in ("explain_no_value", "explain_not_finite") for f in e.findings)
        return
    assert math.isfinite(e.change)
    by_parent: dict[str, list[float]] = {}
    for c in e.contributions:
        assert math.isfinite(c.contribution)
        by_parent.setdefault(c.parent, []).append(c.contribution)
    scale = max([abs(e.change), 1.0] + [abs(c.contribution) for c in e.contributions])
    if "y" in by_parent:
        assert math.fsum(by_parent["y"]) == pytest.approx(e.change, abs=1e-9 * scale)
    else:  # not split: a finding says why
        assert any(f.node == "y" and f.code.startswith("explain_") for f in e.findings)
    own = {c.node: c.contribution for c in e.contributions}
    for parent, parts in by_parent.items():
        if parent != "y":
            assert math.fsum(parts) == pytest.approx(own[parent], abs=1e-9 * scale)


@pytest.mark.parametrize(
    "formula, values",
    [
        ("a - b", {"y": (0, 10), "a": (0.1, 0.3), "b": (0.2, 0.4)}),  # the parts cancel up to float noise
        ("a * b", {"y": (100, 110), "a": (0.1, 0.3), "b": (3.0, 1.0)}),
    ],
)
def test_parts_that_cancel_to_rounding_are_no_change_not_a_division_by_noise(formula: str, values: dict[str, tuple[float, float]]) -> None:
    """The node moved (its own actuals) while its inputs' parts cancel: nothing is shared, and the finding says so."""
    e = ex.explain(tree({"y": formula}, {"y": ["a", "b"]}, values), D1, D2)
    assert contributions(e) == {} and ("explain_no_formula_change", "y") in codes(e)


def test_a_contributions_share_is_of_the_movement_under_its_parent_signed_as_it_pushed() -> None:
    # y = a*b*c, y 40 -> 30 (−10): a +15, b 0, c −25. As a share of the net change a would be −150 %, the sign of a pull
    # for a push; as a share of all the movement under y (15 + 0 + 25 = 40) it is +37.5 %, c −62.5 %.
    ws = tree({"y": "a * b * c"}, {"y": ["a", "b", "c"]}, {"a": (2, 3), "b": (5, 5), "c": (4, 2)})
    shares = ex.movement_shares(ex.explain(ws, D1, D2))
    assert shares == pytest.approx({"a": 0.375, "b": 0.0, "c": -0.625})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 100), st.floats(0.5, 100)), min_size=2, max_size=4))
def test_shares_under_a_parent_add_up_to_the_whole_movement(pairs: list[tuple[float, float]]) -> None:
    kids = [f"k{i}" for i in range(len(pairs))]
    ws = tree({"y": " * ".join(kids)}, {"y": kids}, dict(zip(kids, pairs)))
    e = ex.explain(ws, D1, D2)
    shares = ex.movement_shares(e)
    moved = {c.node: c.contribution for c in e.contributions}
    if any(abs(v) > 1e-9 for v in moved.values()):
        assert sum(abs(v) for v in shares.values()) == pytest.approx(1)
    for node, share in shares.items():
        assert share == 0 or math.copysign(1, share) == math.copysign(1, moved[node])
