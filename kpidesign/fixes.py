"""Where each design-review finding is fixed: the step's page, the tab on it and the node's field, so that the review can
take the facilitator straight to the field (findings are data; the screens only follow this table)."""

from __future__ import annotations

from dataclasses import dataclass

from kpidesign.findings import Finding

STEPS = ("kgi", "tree", "decompose", "definitions", "monitoring")  # the steps' pages by address (ui.pages holds the rest)
KGI_STEP, TREE_STEP, DECOMPOSE_STEP, DEFINITIONS_STEP, _ = STEPS
ONE_KPI = "edit_one_kpi"  # i18n keys of the tabs the fields are on (ui.binding.tabs binds the open tab to ?tab=)
TAGGING = "tagging_table"
KGI_FIELDS = frozenset({"name", "unit", "baseline", "target", "deadline", "why", "objective"})  # what step 1 edits of the KGI


@dataclass(frozen=True)
class Fix:
    """Where a finding is fixed: a page, the tab (an i18n key) that holds the field, the node's field (its name in the
    model, or "parent" for where the node hangs), and whether the page should open on the finding's node."""

    page: str  # the step page's address (its url path in ui.pages)
    field: str | None = None
    tab: str | None = None
    pick_node: bool = True


def _sheet(field: str) -> Fix:
    return Fix(DEFINITIONS_STEP, field, ONE_KPI)


def _tree(field: str | None = None) -> Fix:
    return Fix(TREE_STEP, field)


_FORMULA = _tree("formula")
_TAGS = Fix(DECOMPOSE_STEP, None, TAGGING, pick_node=False)

# every code the design review (kpidesign.review.review) can report; tests/test_fixes.py checks none is missing
FIXES: dict[str, Fix] = {
    # structure (tree.check_structure): one KGI, ids, parents, formulas over the node's own children
    "kgi_count": Fix(TREE_STEP, pick_node=False),
    "id_invalid": _tree(),
    "id_taken": _tree(),
    "parent_missing": _tree("parent"),
    "loop": _tree("parent"),
    "formula_not_child": _FORMULA,
    "formula_empty": _FORMULA,
    "formula_syntax": _FORMULA,
    "formula_too_deep": _FORMULA,
    "formula_forbidden": _FORMULA,
    "number_too_large": _FORMULA,
    "too_long": _FORMULA,
    # the KGI
    "kgi_no_deadline": Fix(KGI_STEP, "deadline", pick_node=False),
    "no_unit": _tree("unit"),
    # each node's definition and numbers (step 4's form of one KPI)
    "no_why": _sheet("why"),
    "no_owner": _sheet("owner"),
    "no_frequency": _sheet("frequency"),
    "no_expression": _sheet("expression"),
    "no_source": _sheet("source"),
    "no_comparisons": _sheet("comparisons"),
    "baseline_without_target": _sheet("target"),
    "target_without_baseline": _sheet("baseline"),
    "no_numbers": _sheet("baseline"),
    "no_thresholds": _sheet("green"),
    "threshold_order": _sheet("green"),
    "half_ratio": _sheet("numerator"),
    "aggregation_uncertain": _sheet("aggregation"),
    "target_far": _sheet("target"),
    # the tree's shape and formulas (step 2's node editor)
    "does_not_add_up": _FORMULA,
    "too_deep": Fix(TREE_STEP, pick_node=False),
    "too_many_children": _tree(),
    "similar_siblings": _tree("name"),
    "influence_links": _FORMULA,
    "unit_mismatch": _FORMULA,
    # balance of layers and speeds (step 3's table of tags)
    "no_leading": _TAGS,
    "no_lagging": _TAGS,
    "no_intermediate": _TAGS,
    "one_speed": _TAGS,
}
DEFAULT = _tree()  # a code this table does not know yet: the node's editor on step 2 (never a dead link)


def fix_for(finding: Finding, kgi: str | None = None) -> Fix:
    """Where finding is fixed; kgi is the KGI's id, whose name, unit, numbers, deadline and purpose live on step 1."""
    fix = FIXES.get(finding.code, DEFAULT)
    if finding.code == "does_not_add_up" and finding.params.get("basis") in ("baseline", "target"):
        fix = _tree(str(finding.params["basis"]))  # the stated number beside the formula that computes another one
    if finding.node is not None and finding.node == kgi and fix.field in KGI_FIELDS:
        return Fix(KGI_STEP, fix.field, pick_node=False)
    if finding.node is None:
        return Fix(fix.page, fix.field, fix.tab, pick_node=False)
    return fix


FIELDS = frozenset({f.field for f in FIXES.values() if f.field} | KGI_FIELDS | {"parent"})  # every field a review link may name
