import ast
import re
from pathlib import Path

from kpidesign import edits, tree
from kpidesign.findings import Finding, Severity
from kpidesign.fixes import DEFAULT, FIXES, KGI_STEP, STEPS, TREE_STEP, fix_for
from kpidesign.model import Layer, Workshop
from kpidesign.review import PRINCIPLES, review, triage

ROOT = Path(__file__).resolve().parent.parent


def review_codes() -> set[str]:
    """Every code the design review can report, read from its source: the checks' codes (f"no_{layer}" expanded), the
    structure findings and the formula problems check_structure passes on."""
    codes: set[str] = set()
    for call in ast.walk(ast.parse((ROOT / "kpidesign/review.py").read_text(encoding="utf-8"))):
        if isinstance(call, ast.Tuple) and len(call.elts) == 4:  # a row of a table of checks: (principle, failed, severity, code)
            principle, code = call.elts[0], call.elts[3]
            if isinstance(principle, ast.Constant) and principle.value in PRINCIPLES and isinstance(code, ast.Constant):
                assert isinstance(code.value, str), ast.dump(code)
                codes.add(code.value)
            continue
        where = {"check": 3, "fail": 2}.get(getattr(call.func, "attr", "") if isinstance(call, ast.Call) else "")
        if isinstance(call, ast.Call) and where is not None and len(call.args) > where:
            code = call.args[where]
            if isinstance(code, ast.Name):  # the table's loop: its rows are read above
                continue
            if isinstance(code, ast.Constant):
                assert isinstance(code.value, str), ast.dump(code)
                codes.add(code.value)
            else:  # f"no_{layer.value}" over the layers
                assert isinstance(code, ast.JoinedStr), ast.dump(code)
                codes |= {f"no_{layer.value}" for layer in Layer}
    codes.add("does_not_add_up")
    structure = (ROOT / "kpidesign/tree.py").read_text(encoding="utf-8").split("def check_structure")[1]
    codes |= set(re.findall(r'Finding\(\s*Severity\.\w+,\s*"(\w+)"', structure))
    codes |= set(re.findall(r'"(formula_not_child)"', structure))
    codes |= set(re.findall(r'Problem\("(\w+)"', (ROOT / "kpidesign/formula.py").read_text(encoding="utf-8")))
    return codes


def test_every_code_the_review_can_report_is_mapped_to_where_it_is_fixed() -> None:
    codes = review_codes()
    assert {"kgi_no_deadline", "no_owner", "no_leading", "no_intermediate", "loop", "formula_syntax", "one_speed"} <= codes
    assert {"no_thresholds", "similar_siblings", "aggregation_uncertain"} <= codes  # a table's rows and Collector.fail's too
    assert not sorted(codes - set(FIXES))
    assert all(fix.page in STEPS for fix in FIXES.values())
    assert all(fix.tab in (None, "edit_one_kpi", "tagging_table") for fix in FIXES.values())


def test_every_code_seen_on_broken_workshops_is_mapped(ec: Workshop, template: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "green", "1")
    ws = edits.set_field(ws, "customers", "yellow", "5")
    ws = ws.model_copy(
        update={"nodes": [n.model_copy(update={"formula": "customers * nobody"}) if n.id == "sales" else n for n in ws.nodes]}
    )
    seen = {f.code for w in (ec, template, ws) for f in review(w).findings}
    assert not sorted(seen - set(FIXES))


def test_a_finding_leads_to_the_page_tab_and_field_that_fix_it(ec: Workshop) -> None:
    owner = fix_for(Finding(Severity.WARNING, "no_owner", "customers"), "sales")
    assert owner.page == "definitions" and owner.tab == "edit_one_kpi" and owner.field == "owner" and owner.pick_node
    # the KGI's purpose and numbers are typed on step 1, not in the sheet
    why = fix_for(Finding(Severity.WARNING, "no_why", "sales"), "sales")
    assert why.page is KGI_STEP and why.field == "why" and not why.pick_node
    assert fix_for(Finding(Severity.WARNING, "no_owner", "sales"), "sales").page == "definitions"
    # the stated number that disagrees with its formula, beside the formula
    mismatch = fix_for(Finding(Severity.ERROR, "does_not_add_up", "customers", {"basis": "target"}), "sales")
    assert mismatch.page is TREE_STEP and mismatch.field == "target"
    layers = fix_for(Finding(Severity.WARNING, "no_leading"), "sales")
    assert layers.page == "decompose" and layers.tab == "tagging_table" and not layers.pick_node
    assert fix_for(Finding(Severity.HINT, "a_code_from_tomorrow", "customers"), "sales") is DEFAULT


def test_triage_groups_by_node_errors_first_and_the_workshop_wide_group_apart(ec: Workshop) -> None:
    ws = edits.set_field(ec, "items", "green", "1")
    ws = edits.set_field(ws, "items", "yellow", "5")  # an error on a node deep in the tree
    r = triage(review(ws).findings, ws)
    assert r.errors == 2 and r.warnings > 10 and r.hints > 0  # the KGI's deadline and the thresholds
    assert [g.has_error for g in r.fix_now][:2] == [True, True] and not any(g.has_error for g in r.fix_now[2:])
    assert r.fix_now[0].node == "sales" and r.fix_now[1].node == "items"  # errors first, in tree order
    wide = next(g for g in r.fix_now if g.node is None)
    assert {f.code for f in wide.findings} == {"no_leading", "no_lagging"}
    assert r.fix_now.index(wide) == 2  # first among the groups without an error
    items = r.fix_now[1].findings
    assert items[0].code == "threshold_order" and all(f.severity is Severity.WARNING for f in items[1:])
    assert all(f.severity is Severity.HINT for g in r.consider for f in g.findings)
    assert sum(len(g.findings) for g in (*r.fix_now, *r.consider)) == r.errors + r.warnings + r.hints
    rest = [g.node for g in r.fix_now if not g.has_error and g.node is not None]
    order = [n.id for n, _ in tree.walk(ws)]
    assert rest == sorted(rest, key=order.index)


def test_every_fix_names_a_step_page_of_the_registry() -> None:
    from ui.pages import STEPS as PAGES

    assert tuple(spec.url for spec in PAGES) == STEPS
