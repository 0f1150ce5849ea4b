"""How a KPI's values over time make one period's value: the field, else inferred from numerator/denominator, unit and name."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import aggregation as agg
from kpidesign.findings import Severity
from kpidesign.io.excel import from_xlsx, to_xlsx
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Aggregation, Definition, Node, Workshop
from kpidesign.review import review
from kpidesign.tree import update_node

SUM, AVERAGE, LAST = Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST


def node(name: str, unit: str = "", **definition: object) -> Node:
    return Node(id="k", parent="kgi", name=name, unit=unit, definition=Definition.model_validate(definition))


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        # per-unit figures, rates, prices, scores: averaged, in Japanese and English
        ("1回当たり購入点数", "点", AVERAGE),
        ("1回当たり購入点数", "", AVERAGE),
        ("顧客あたり月額", "円", AVERAGE),
        ("Items per order", "items", AVERAGE),
        ("Cost per lead", "JPY", AVERAGE),
        ("Churn", "ratio", AVERAGE),
        ("解約", "%", AVERAGE),
        ("客単価", "円", AVERAGE),
        ("Average spend", "JPY", AVERAGE),
        ("顧客満足度", "", AVERAGE),
        ("Health score", "", AVERAGE),
        ("購入頻度", "回/年", AVERAGE),
        ("ARPA (monthly)", "JPY", AVERAGE),
        # stocks and levels: the period's last value
        ("ターゲット人口", "人", LAST),
        ("Target population", "people", LAST),
        ("期首顧客数", "社", LAST),
        ("Customers at the start", "accounts", LAST),
        ("ARR", "円", LAST),
        ("ＡＲＲ", "円", LAST),
        ("Headcount", "people", LAST),
        ("在庫", "個", LAST),
        # flows: summed
        ("年間売上高", "円", SUM),
        ("Annual sales", "JPY", SUM),
        ("新規顧客数", "人", SUM),
        ("New customers", "people", SUM),
        ("Leads per month", "leads", SUM),
        ("Hires per year", "people", SUM),
        ("セッション数", "回", SUM),
    ],
)
def test_inferred_from_unit_and_name(name: str, unit: str, expected: Aggregation) -> None:
    assert agg.infer(node(name, unit)) == (expected, True)


def test_a_count_of_people_is_a_level_but_a_guess() -> None:
    assert agg.infer(node("顧客数", "人")) == (LAST, False)
    assert agg.infer(node("Customers", "accounts")) == (LAST, False)
    assert agg.infer(node("Something", "")) == (SUM, False)


def test_a_ratio_is_certain_whatever_its_name() -> None:
    assert agg.infer(node("Customers", "people", numerator="buyers", denominator="visitors")) == (AVERAGE, True)
    assert not agg.is_inferred_uncertain(node("謎", "", numerator="a", denominator="b"))


def test_the_field_wins_over_the_inference() -> None:
    n = node("ARR", "円", aggregation="sum")
    assert agg.effective(n) is SUM and agg.infer(n) == (LAST, True)
    assert not agg.is_inferred_uncertain(node("Something", "", aggregation="last"))
    assert agg.is_inferred_uncertain(node("Something", ""))


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, st.sampled_from([None, *Aggregation]))
def test_any_name_and_unit_give_one_aggregation(name: str, unit: str, field: Aggregation | None) -> None:
    """Whatever is typed: one of the three, the field when set, and a percent unit is never summed."""
    n = Node(id="k", parent="kgi", name=name or "x", unit=unit, definition=Definition(aggregation=field))
    inferred, certain = agg.infer(n)
    assert inferred in Aggregation and isinstance(certain, bool)
    assert agg.effective(n) is (field or inferred)
    assert agg.infer(n.model_copy(update={"unit": "%"}))[0] is AVERAGE
    assert agg.infer(n) == agg._reading.fn(n.unit, n.name)  # the kept reading is the reading


def test_a_name_too_long_to_keep_is_read_the_same() -> None:
    """The memo keeps short texts only; a long name is read afresh, with the same answer."""
    long = "新規顧客数" + "あ" * agg._reading.longest
    before = agg._reading.kept.cache_info().currsize
    assert agg.infer(Node(id="k", parent="kgi", name=long)) == (Aggregation.SUM, True)
    assert agg._reading.kept.cache_info().currsize == before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e12, max_value=1e12), min_size=1, max_size=40))
def test_combine_is_sum_mean_or_last(values: list[float]) -> None:
    assert math.isclose(agg.combine(values, SUM), math.fsum(values), rel_tol=1e-9, abs_tol=1e-3)
    slack = 1e-12 * max(1.0, *(abs(v) for v in values))  # the mean's own rounding
    assert min(values) - slack <= agg.combine(values, AVERAGE) <= max(values) + slack
    assert agg.combine(values, LAST) == values[-1]


def test_combine_refuses_an_empty_period() -> None:
    with pytest.raises(ValueError):
        agg.combine([], SUM)


def test_yaml_writes_the_field_only_when_set(template: Workshop) -> None:
    assert "aggregation" not in to_yaml(template)
    ws = update_node(template, "customers", definition={"aggregation": "last"})
    text = to_yaml(ws)
    assert "aggregation: last" in text
    back = from_yaml(text).workshop
    assert back is not None and back.node("customers").definition.aggregation is LAST
    assert back.node("sales").definition.aggregation is None


def test_excel_round_trip(template: Workshop) -> None:
    ws = update_node(template, "customers", definition={"aggregation": "last"})
    ws = update_node(ws, "sales", definition={"aggregation": "sum"})
    for lang in ("ja", "en"):
        back = from_xlsx(to_xlsx(ws, lang)).workshop
        assert back is not None
        assert back.node("customers").definition.aggregation is LAST
        assert back.node("sales").definition.aggregation is SUM
        assert back.node("avg_spend").definition.aggregation is None


def test_the_review_asks_to_confirm_a_guess(template: Workshop) -> None:
    found = [f for f in review(template).findings if f.code == "aggregation_uncertain"]
    assert "customers" in {f.node for f in found} and all(f.severity is Severity.HINT for f in found)
    assert next(f for f in found if f.node == "customers").params["aggregation"] == "last"
    assert "sales" not in {f.node for f in found}
    ws = update_node(template, "customers", definition={"aggregation": "last"})
    assert "customers" not in {f.node for f in review(ws).findings if f.code == "aggregation_uncertain"}
