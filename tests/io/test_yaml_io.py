import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.findings import errors
from kpidesign.i18n import finding_text
from kpidesign.io.yaml_io import ImportResult, from_yaml, to_yaml
from kpidesign.library import load_template, templates
from kpidesign.model import Workshop
from kpidesign.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_round_trips() -> None:
    for tpl in templates():
        ws = load_template(tpl.path)
        text = to_yaml(ws)
        again = from_yaml(text)
        assert again.workshop == ws and to_yaml(again.workshop) == text


def test_export_is_the_documented_shape(template: Workshop) -> None:
    doc = yaml.safe_load(to_yaml(template))
    assert doc["kpidesign"] == 1 and doc["workshop"]["title"] and doc["kgi"]["id"] == "sales"
    assert doc["kgi"]["why"] and "parent" not in doc["kgi"] and doc["kgi"]["baseline"] == 800000000
    assert all(n["parent"] for n in doc["nodes"]) and doc["monitoring"]["reviews"]
    assert "年間売上高" in to_yaml(template)  # Japanese stays readable, not \\u escapes


BAD = {
    "version": ("kpidesign: 2\nworkshop: {title: x}\nkgi: {id: k, name: K}\n", "yaml_version"),
    "no kgi": ("kpidesign: 1\nworkshop: {title: x}\n", "yaml_missing"),
    "unknown parent": (
        "kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: zz, name: A}]\n",
        "parent_missing",
    ),
    "duplicate id": (
        "kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A}, {id: a, parent: k, name: B}]\n",
        "id_taken",
    ),
    "loop": (
        "kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: b, name: A}, {id: b, parent: a, name: B}]\n",
        "loop",
    ),
    "text target": ("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K, target: lots}\n", "yaml_field"),
    "python tag": ("kpidesign: 1\nworkshop: !!python/object/apply:os.system ['echo hi']\n", "yaml_unsupported"),
    "not yaml": ("kpidesign: [1\n", "yaml_syntax"),
    "a list": ("- 1\n- 2\n", "yaml_not_mapping"),
    "huge": ("x" * (5 * 1024 * 1024 + 1), "file_too_large"),
}


def test_bad_files_are_refused_with_a_named_problem() -> None:
    for name, (text, code) in BAD.items():
        result = from_yaml(text)
        assert result.workshop is None, name
        assert code in [f.code for f in result.findings], (name, result.findings)


def test_field_errors_name_the_field() -> None:
    result = from_yaml("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A, layer: sideways}]\n")
    assert result.findings[0].params["field"] == "nodes[0].layer"


def test_actuals_of_an_unknown_kpi_are_kept_with_a_warning() -> None:
    text = "kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nactuals:\n  - {kpi: k, date: 2026-10-01, value: 1}\n  - {kpi: typo, date: 2026-10-01, value: 2}\n  - {kpi: typo, date: 2026-11-01, value: 3}\n"
    result = from_yaml(text)
    assert result.workshop is not None and len(result.workshop.actuals) == 3
    assert [(f.severity.value, f.code, f.params) for f in result.findings] == [
        ("warning", "actual_unknown_kpi", {"field": "actuals[1].kpi", "text": "typo"})
    ]


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(lambda s: s.strip())
numbers = st.none() | st.integers(-(10**12), 10**12) | st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: round(x, 6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, numbers, numbers, st.integers(0, 100)), max_size=15))
def test_generated_workshops_round_trip(rows: list[tuple[str, float | None, float | None, int]]) -> None:
    from tests.conftest import build_ec

    ws = build_ec()
    for name, base, target, parent in rows:
        ids = [n.id for n in ws.nodes]
        ws, _ = tree.add_node(ws, ids[parent % len(ids)], name, baseline=base, target=target)
    text = to_yaml(ws)
    back = from_yaml(text).workshop
    assert back is not None and back == ws
    assert to_yaml(back) == text


def test_nodes_are_put_in_display_order_keeping_sibling_order() -> None:
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
    assert ws is not None and [n.id for n in ws.nodes] == ["k", "b", "b1", "a", "a1"]
    again = from_yaml(to_yaml(ws)).workshop
    assert again is not None and to_yaml(again) == to_yaml(ws)


def _pyyaml(ws: Workshop) -> str:
    """The reference: the whole document written by PyYAML itself."""
    from kpidesign.io.yaml_io import DUMPER, to_dict

    return yaml.dump(to_dict(ws), Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)


kpi_ids = st.text(min_size=1, max_size=150) | st.sampled_from(
    ["cvr", "顧客数", "yes", "null", "1e3", "- x", "a: b", "#c", "'q'", '"', "x" * 120, "長い" * 60, " lead", "tab\tin", "new\nline"]
)
finite = (
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(10**20), 10**20).map(float)
    | st.sampled_from([1e17, 1e-7, -0.0, 5e-324, 1.7976931348623157e308])
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(kpi_ids, st.dates(), finite, st.none() | finite), min_size=1, max_size=12))
def test_actuals_are_written_exactly_as_pyyaml_writes_them(rows: list[tuple[str, dt.date, float, float | None]]) -> None:
    from kpidesign.model import Actual

    ws = load_template(templates()[0].path)
    ws = ws.model_copy(update={"actuals": [Actual(kpi=k, date=d, value=v, market=m) for k, d, v, m in rows]})
    text = to_yaml(ws)
    assert text == _pyyaml(ws)
    back = from_yaml(text).workshop
    assert back is not None and [(a.kpi, a.date, a.value, a.market) for a in back.actuals] == [
        (a.kpi, a.date, a.value, a.market) for a in ws.actuals
    ]


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan"), 1e17, -1.5e-9, 0.1, 3, -7])
def test_a_number_is_written_as_pyyaml_writes_it(number: float) -> None:
    from kpidesign.io.yaml_io import DUMPER, _scalar

    assert f"- {_scalar(number)}\n" == yaml.dump([number], Dumper=DUMPER)


# issue 17: hostile files refused in bounded time, with the field named; sizes in bytes; names cleaned as typed input

HEAD = "kpidesign: 1\nworkshop: {title: x}\n"


def codes(result: ImportResult) -> list[str]:
    return [f.code for f in result.findings]


@pytest.mark.timeout(10)
def test_an_alias_bomb_in_an_enum_field_is_refused_before_validation() -> None:
    from tests.io.test_yaml_read import bomb

    started = time.perf_counter()
    result = from_yaml(bomb())
    assert time.perf_counter() - started < 0.5
    assert result.workshop is None and [(f.code, f.params["field"]) for f in result.findings] == [("yaml_anchor", "line 5")]
    assert "line 5" in finding_text(result.findings[0], "en") and "&a0" in finding_text(result.findings[0], "en")


@pytest.mark.timeout(10)
def test_a_huge_value_is_refused_with_a_bounded_message() -> None:
    text = HEAD + "kgi: {id: k, name: K, layer: [" + ", ".join(["lol"] * 200_000) + "]}\n"
    result = from_yaml(text)
    assert result.workshop is None and result.findings[0].params["field"] == "kgi.layer"
    assert all(len(finding_text(f, "en")) < 300 for f in result.findings)


@pytest.mark.timeout(10)
def test_an_integer_of_thousands_of_digits_names_its_field() -> None:
    result = from_yaml(HEAD + "kgi: {id: k, name: K}\nnodes:\n  - {id: a, parent: k, name: A, target: " + "9" * 5000 + "}\n")
    assert result.workshop is None and codes(result) == ["yaml_number_too_long"]
    assert finding_text(result.findings[0], "en") == "nodes[0].target (line 5): a number with far too many digits (5,000)."


NON_FINITE = [".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1e400", "1.0e+400", "-1.5e+999", "'1e400'", "nan", "'-inf'", "0x" + "f" * 300]
WHERE = {
    "kgi.baseline": "kgi: {{id: k, name: K, baseline: {v}}}\n",
    "kgi.target": "kgi: {{id: k, name: K, target: {v}}}\n",
    "nodes[0].baseline": "kgi: {{id: k, name: K}}\nnodes: [{{id: a, parent: k, name: A, baseline: {v}}}]\n",
    "nodes[0].thresholds.green": "kgi: {{id: k, name: K}}\nnodes: [{{id: a, parent: k, name: A, thresholds: {{green: {v}}}}}]\n",
    "kgi.thresholds.yellow": "kgi: {{id: k, name: K, thresholds: {{yellow: {v}}}}}\n",
    "actuals[1].value": "kgi: {{id: k, name: K}}\nactuals:\n- {{kpi: k, date: 2026-01-01, value: 1}}\n"
    "- {{kpi: k, date: 2026-01-08, value: {v}}}\n",
    "actuals[0].market": "kgi: {{id: k, name: K}}\nactuals: [{{kpi: k, date: 2026-01-01, value: 1, market: {v}}}]\n",
}


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("number", NON_FINITE)
def test_non_finite_numbers_are_refused_everywhere_with_the_field_named(where: str, number: str) -> None:
    result = from_yaml(HEAD + WHERE[where].format(v=number))
    assert result.workshop is None and [(f.code, f.params["field"]) for f in result.findings] == [("yaml_field", where)]


@pytest.mark.parametrize("where", WHERE)
def test_finite_numbers_are_still_read_everywhere(where: str) -> None:
    for number in ("1.5e+300", "-2.5", "0", "1e3"):
        result = from_yaml(HEAD + WHERE[where].format(v=number))
        assert result.workshop is not None and from_yaml(to_yaml(result.workshop)).workshop == result.workshop


def test_a_japanese_file_over_the_limit_in_bytes_is_refused_though_under_it_in_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kpidesign.__main__ import main
    from kpidesign.io import files
    from kpidesign.io.yaml_io import MAX_BYTES

    text = HEAD + "kgi: {id: k, name: K, why: " + "売上" * (MAX_BYTES // 6 + 10) + "}\n"
    assert len(text) < MAX_BYTES < len(text.encode("utf-8"))
    result = from_yaml(text)
    assert codes(result) == ["file_too_large"] and result.findings[0].params["size"] == len(text.encode("utf-8"))
    assert codes(files.read("big.yaml", text.encode("utf-8"))) == ["file_too_large"]
    path = tmp_path / "big.yaml"
    path.write_bytes(text.encode("utf-8"))
    assert main(["import", str(path), "--db", str(tmp_path / "k.db")]) == 2 and "too large" in capsys.readouterr().err
    assert main(["check", str(path)]) == 2 and "too large" in capsys.readouterr().err
    small = HEAD + "kgi: {id: k, name: K, why: " + "売上" * 1000 + "}\n"
    assert from_yaml(small).workshop is not None and files.read("small.yaml", small.encode("utf-8")).workshop is not None


def test_names_and_units_are_cleaned_on_import_as_typed_input_cleans_them() -> None:
    text = HEAD.replace("{title: x}", '{title: "Q\\r\\n4\\u2029plan\\x07"}') + (
        'kgi: {id: k, name: "Sales\\r\\nTotal", unit: "\\r=1+1", why: "a\\u2028b\\x00"}\n'
        'nodes: [{id: a, parent: k, name: "  New\\u2028customers\\x1b[31m ", definition: {owner: "team\\rA"}}]\n'
        'monitoring: {reviews: [{name: "Weekly\\nsync", participants: ["Ann\\u2028Bcc: x"]}],\n'
        '  alerts: [{kpi: a, to: "#kpi\\r\\n", action: "look\\x00"}]}\n'
    )
    ws = from_yaml(text).workshop
    assert ws is not None
    assert ws.title == "Q 4 plan" and ws.kgi.name == "Sales Total" and ws.kgi.unit == "=1+1" and ws.kgi.definition.why == "a\nb"
    node = ws.node("a")
    assert node.name == "New customers[31m" and node.definition.owner == "team\nA"
    review, alert = ws.monitoring.reviews[0], ws.monitoring.alerts[0]
    assert review.name == "Weekly sync" and review.participants == ["Ann Bcc: x"] and alert.to == "#kpi" and alert.action == "look"
    assert from_yaml(to_yaml(ws)).workshop == ws


def test_names_are_cleaned_on_excel_import_too() -> None:
    from kpidesign.io.excel import from_xlsx, to_xlsx
    from kpidesign.model import Node, Workshop

    kgi = Node(id="k", name="K").model_copy(update={"name": "Sales\r\nTotal\u2028now", "unit": "JPY\r"})  # as no model would take them
    dirty = Workshop.model_construct(title="T", description="", language="en", nodes=[kgi])
    ws = from_xlsx(to_xlsx(dirty)).workshop
    assert ws is not None and ws.kgi.name == "Sales Total now" and ws.kgi.unit == "JPY"


HOSTILE = [
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!!binary ",
    ".nan",
    "-.inf",
    "1e400",
    "9" * 5000,
    "2026-02-30",
    "[",
    "{",
    "}",
    ": ",
    "- ",
    "\n",
    "\n  ",
    "\t",
    "\x00",
    "\u2028",
    "\r\n",
    "'",
    '"',
    "#",
    "<<: ",
    "? ",
    "|\n",
    ">-\n",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "~",
]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_mutated_file_is_imported_or_refused_with_findings_never_an_exception(data: st.DataObject) -> None:
    from kpidesign.model import Actual
    from tests.conftest import build_ec

    ws = build_ec().model_copy(update={"actuals": [Actual(kpi="customers", date=dt.date(2026, 1, 5), value=40000, market=1.5)]})
    text = to_yaml(ws)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        text = text[:at] + data.draw(st.sampled_from(HOSTILE) | st.text(max_size=8)) + text[at + cut :]
    started = time.perf_counter()
    result = from_yaml(text)
    assert time.perf_counter() - started < 5
    assert (result.workshop is None) == bool(errors(result.findings)) and all(f.params is not None for f in result.findings)
    if result.workshop is not None:
        assert from_yaml(to_yaml(result.workshop)).workshop == result.workshop


@pytest.mark.timeout(60)
def test_hostile_files_are_refused_within_a_memory_limit_in_a_process_of_their_own() -> None:
    import subprocess
    import sys

    script = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))
from kpidesign.io.yaml_io import from_yaml
from tests.io.test_yaml_read import bomb
head = "kpidesign: 1\\nworkshop: {title: x}\\nkgi: {id: k, name: K, baseline: "
for text in (bomb(10, 9), bomb(12, 12), head + "9" * 100000 + "}\\n", head + "[" * 900 + "]" * 900 + "}\\n", head + "2026-02-30}\\n"):
    print(from_yaml(text).findings[0].code)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=50, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["yaml_anchor", "yaml_anchor", "yaml_number_too_long", "yaml_field", "yaml_bad_value"]


def test_an_actual_stored_without_a_value_is_not_written_and_the_file_imports_back(store: Store, ec: Workshop) -> None:
    wid = store.create(ec.model_copy(update={"actuals": []}))
    store.db.execute(
        "insert into actuals (workshop_id, kpi, date, value, market) values (?, 'customers', '2026-01-05', NULL, NULL)", (wid,)
    )
    store.db.execute(
        "insert into actuals (workshop_id, kpi, date, value, market) values (?, 'customers', '2026-01-12', 41000, NULL)", (wid,)
    )
    ws = store.actuals.attach(store.load(wid).workshop, wid)  # a NaN imported before NaN was refused: NULL in the database
    text = to_yaml(ws)
    assert "non.0e" not in text and "none" not in text.lower()
    back = from_yaml(text).workshop
    assert back is not None and [(a.date.isoformat(), a.value) for a in back.actuals] == [("2026-01-12", 41000)]


def test_text_with_a_lone_surrogate_is_refused_not_raised() -> None:
    """Only a Python caller can hand one over (uploads are decoded strictly): a finding all the same (found by review)."""
    result = from_yaml("kpidesign: 1\nworkshop: {title: a\udc80b}\n")
    assert result.workshop is None and result.findings[0].code == "not_utf8"
