"""The tree's colouring modes: by contribution to a change (largest positive and negative marked) and links by verdict."""

import re

from kpidesign.model import Workshop
from kpidesign.render import CONTRIBUTION_NONE, contribution_fill, extremes, tree_dot

VALUE = r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s\]"]+))'  # an attribute: graphviz quotes only a value that needs it


def boxes(dot: str) -> dict[str, dict[str, str]]:
    """Each box's attributes, by its tooltip (the node's name)."""
    out = {}
    for line in dot.splitlines():
        if re.match(r"^\s*n\d+_[0-9a-f]+ \[", line):
            attrs = {k: re.sub(r"\\(.)", lambda g: {"n": "\n"}.get(g[1], g[1]), q or bare) for k, q, bare in re.findall(VALUE, line)}
            out[attrs["tooltip"]] = attrs
    return out


def edges(dot: str) -> list[dict[str, str]]:
    """Each link's attributes, in the order drawn."""
    return [{k: q or bare for k, q, bare in re.findall(VALUE, line)} for line in dot.splitlines() if "->" in line]


def test_contribution_colours_by_sign_and_size_and_marks_the_extremes(ec: Workshop) -> None:
    names = {n.id: n.name for n in ec.nodes}
    contribution = {"customers": 600.0, "avg_spend": -250.0, "frequency": 50.0, "new_customers": 700.0, "existing_customers": -100.0}
    drawn = boxes(tree_dot(ec, lang="en", contribution=contribution, contribution_unit="JPY"))
    assert drawn[names["new_customers"]]["fillcolor"] == "#4ade80"  # the largest: strongest green
    assert drawn[names["avg_spend"]]["fillcolor"] == "#fca5a5"  # 250 / 700 ≥ 0.15: medium red
    assert drawn[names["frequency"]]["fillcolor"] == "#dcfce7"  # 50 / 700 < 0.15: light green
    assert drawn[names["item_price"]]["fillcolor"] != "#dcfce7"  # not in the explanation: its layer's colour
    assert "+700" in drawn[names["new_customers"]]["label"] and "-250" in drawn[names["avg_spend"]]["label"]
    assert drawn[names["new_customers"]]["label"].endswith("▲ largest +") and drawn[names["new_customers"]]["penwidth"] == "4"
    assert drawn[names["avg_spend"]]["label"].endswith("▼ largest −")
    assert not any(m in drawn[names["customers"]]["label"] for m in ("▲", "▼"))  # second largest: not marked
    ja = boxes(tree_dot(ec, lang="ja", contribution=contribution))
    assert ja[names["new_customers"]]["label"].endswith("▲ 最大のプラス") and ja[names["avg_spend"]]["label"].endswith("▼ 最大のマイナス")


def test_contribution_fill_and_extremes() -> None:
    assert contribution_fill(None, 10) == contribution_fill(0.0, 10) == CONTRIBUTION_NONE
    assert contribution_fill(-10, 10) == "#f87171" and contribution_fill(1, 10) == "#dcfce7"
    assert extremes({"a": 3.0, "b": -1.0, "c": 5.0, "d": -4.0}) == {"c": "positive", "d": "negative"}
    assert extremes({"a": 3.0, "b": 0.0}) == {"a": "positive"} and extremes({}) == {}


def test_links_coloured_by_verdict(ec: Workshop) -> None:
    plain = tree_dot(ec)
    verdicts = {
        ("sales", "customers"): "holds",
        ("sales", "avg_spend"): "opposite",
        ("sales", "frequency"): "no_relation",
        ("avg_spend", "items"): "insufficient_data",
        ("nowhere", "customers"): "holds",
    }  # a link not in the tree: ignored
    dot = tree_dot(ec, link_verdicts=verdicts)
    colours = [e.get("color") for e in edges(dot)]
    assert colours.count("#16a34a") == 1 and colours.count("#dc2626") == 1 and colours.count("#6b7280") == 1
    assert sum(e.get("style") == "dotted" for e in edges(dot)) == 1  # the link without enough data: faint, dotted
    assert [e.get("label") for e in edges(dot)] == [e.get("label") for e in edges(plain)]  # the formula signs stay
    assert all("color" not in e for e in edges(plain)) and dot != plain


def test_observed_values_replace_the_plan_in_the_boxes(ec: Workshop) -> None:
    names = {n.id: n.name for n in ec.nodes}
    drawn = boxes(
        tree_dot(ec, lang="ja", contribution={"customers": 2.06e7}, observed={"customers": (1.5e7, 3.56e7), "sales": (None, 2e9)})
    )
    assert drawn[names["customers"]]["label"].split("\n")[1:] == ["1,500万 → 3,560万", "+2,060万", "▲ 最大のプラス"]  # no e-notation
    assert drawn[names["sales"]]["label"].split("\n")[-1] == "? → 20億 JPY"
    assert "→" in drawn[names["avg_spend"]]["label"]  # not observed: its plan (baseline → target) as usual


def test_a_folded_tree_keeps_the_largest_contributions_drawn(ec: Workshop) -> None:
    names = {n.id: n.name for n in ec.nodes}
    contribution = {"customers": 1.0, "avg_spend": -1.0, "new_customers": 5.0, "items": -3.0}
    folded = boxes(tree_dot(ec, depth=1, contribution=contribution))
    assert {names["new_customers"], names["items"]} <= set(folded)  # two levels down, kept with their paths
    assert names["existing_customers"] not in folded and names["item_price"] not in folded
    assert names["new_customers"] not in boxes(tree_dot(ec, depth=1))
