import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.library import load_template, templates


def test_every_template_round_trips():
    for tpl in templates():
        ws = load_template(tpl.path)
        text = to_yaml(ws)
        again = from_yaml(text)
        assert again.workshop == ws and to_yaml(again.workshop) == text


def test_export_is_the_documented_shape(template):
    doc = yaml.safe_load(to_yaml(template))
    assert doc["kpidesign"] == 1 and doc["workshop"]["title"] and doc["kgi"]["id"] == "sales"
    assert doc["kgi"]["why"] and "parent" not in doc["kgi"] and doc["kgi"]["baseline"] == 800000000
    assert all(n["parent"] for n in doc["nodes"]) and doc["monitoring"]["reviews"]
    assert "年間売上高" in to_yaml(template)  # Japanese stays readable, not \\u escapes


BAD = {
    "version": ("kpidesign: 2\nworkshop: {title: x}\nkgi: {id: k, name: K}\n", "yaml_version"),
    "no kgi": ("kpidesign: 1\nworkshop: {title: x}\n", "yaml_missing"),
    "unknown parent": ("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: zz, name: A}]\n", "parent_missing"),
    "duplicate id": ("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A}, {id: a, parent: k, name: B}]\n", "id_taken"),
    "loop": ("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: b, name: A}, {id: b, parent: a, name: B}]\n", "loop"),
    "text target": ("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K, target: lots}\n", "yaml_field"),
    "python tag": ("kpidesign: 1\nworkshop: !!python/object/apply:os.system ['echo hi']\n", "yaml_syntax"),
    "not yaml": ("kpidesign: [1\n", "yaml_syntax"),
    "a list": ("- 1\n- 2\n", "yaml_not_mapping"),
    "huge": ("x" * (5 * 1024 * 1024 + 1), "file_too_large"),
}


def test_bad_files_are_refused_with_a_named_problem():
    for name, (text, code) in BAD.items():
        result = from_yaml(text)
        assert result.workshop is None, name
        assert code in [f.code for f in result.findings], (name, result.findings)


def test_field_errors_name_the_field():
    result = from_yaml("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A, layer: sideways}]\n")
    assert result.findings[0].params["field"] == "nodes[0].layer"


def test_actuals_of_an_unknown_kpi_are_kept_with_a_warning():
    text = "kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nactuals:\n  - {kpi: k, date: 2026-10-01, value: 1}\n  - {kpi: typo, date: 2026-10-01, value: 2}\n  - {kpi: typo, date: 2026-11-01, value: 3}\n"
    result = from_yaml(text)
    assert len(result.workshop.actuals) == 3
    assert [(f.severity.value, f.code, f.params) for f in result.findings] == [("warning", "actual_unknown_kpi", {"field": "actuals[1].kpi", "text": "typo"})]


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(lambda s: s.strip())
numbers = st.none() | st.integers(-10**12, 10**12) | st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: round(x, 6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, numbers, numbers, st.integers(0, 100)), max_size=15))
def test_generated_workshops_round_trip(rows):
    from tests.conftest import build_ec

    ws = build_ec()
    for name, base, target, parent in rows:
        ids = [n.id for n in ws.nodes]
        ws, _ = tree.add_node(ws, ids[parent % len(ids)], name, baseline=base, target=target)
    text = to_yaml(ws)
    assert from_yaml(text).workshop == ws
    assert to_yaml(from_yaml(text).workshop) == text


def test_nodes_are_put_in_display_order_keeping_sibling_order():
    text = """kpidesign: 1
workshop: {title: order}
kgi: {id: k, name: K}
nodes:
  - {id: b, parent: k, name: B}
  - {id: a, parent: k, name: A}
  - {id: b1, parent: b, name: B1}
  - {id: a1, parent: a, name: A1}
"""
    ws = from_yaml(text).workshop
    assert [n.id for n in ws.nodes] == ["k", "b", "b1", "a", "a1"]
    assert to_yaml(from_yaml(to_yaml(ws)).workshop) == to_yaml(ws)


def _pyyaml(ws) -> str:
    """The reference: the whole document written by PyYAML itself."""
    from kpidesign.io.yaml_io import _Dumper, to_dict

    return yaml.dump(to_dict(ws), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


kpi_ids = st.text(min_size=1, max_size=150) | st.sampled_from(["cvr", "顧客数", "yes", "null", "1e3", "- x", "a: b", "#c", "'q'", '"', "x" * 120, "長い" * 60, " lead", "tab\tin", "new\nline"])
finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**20, 10**20).map(float) | st.sampled_from([1e17, 1e-7, -0.0, 5e-324, 1.7976931348623157e308])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(kpi_ids, st.dates(), finite, st.none() | finite), min_size=1, max_size=12))
def test_actuals_are_written_exactly_as_pyyaml_writes_them(rows):
    from kpidesign.model import Actual

    ws = load_template(templates()[0].path)
    ws = ws.model_copy(update={"actuals": [Actual(kpi=k, date=d, value=v, market=m) for k, d, v, m in rows]})
    text = to_yaml(ws)
    assert text == _pyyaml(ws)
    back = from_yaml(text).workshop
    assert back is not None and [(a.kpi, a.date, a.value, a.market) for a in back.actuals] == [(a.kpi, a.date, a.value, a.market) for a in ws.actuals]


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan"), 1e17, -1.5e-9, 0.1, 3, -7])
def test_a_number_is_written_as_pyyaml_writes_it(number):
    from kpidesign.io.yaml_io import _Dumper, _scalar

    assert f"- {_scalar(number)}\n" == yaml.dump([number], Dumper=_Dumper)
