"""How far a workshop has come through the five steps, and what each step still lacks."""

from __future__ import annotations

from dataclasses import dataclass

from kpidesign.model import Node, Workshop
from kpidesign.tree import levels

STEPS = ("kgi", "tree", "decompose", "definitions", "monitoring")


@dataclass(frozen=True)
class StepStatus:
    """One step: done or not, and the message codes of what is missing."""

    step: str
    done: bool
    missing: tuple[str, ...]


def step_status(ws: Workshop) -> list[StepStatus]:
    """The five steps in order with what each still lacks."""
    kgi = ws.kgi
    kpis = [n for n in ws.nodes if n.parent is not None]
    depth = max(levels(ws).values(), default=0)
    checks: dict[str, list[tuple[bool, str]]] = {
        "kgi": [
            (bool(kgi.name.strip()) and kgi.name != "KGI", "need_kgi_name"),
            (bool(kgi.unit), "need_unit"),
            (kgi.baseline is not None, "need_baseline"),
            (kgi.target is not None, "need_target"),
            (kgi.deadline is not None, "need_deadline"),
            (bool(kgi.definition.why), "need_why"),
        ],
        "tree": [
            (len(ws.children(kgi.id)) >= 2, "need_two_factors"),
        ],
        "decompose": [
            (depth >= 3, "need_depth_three"),
            (bool(kpis) and all(n.layer for n in kpis), "need_layers"),
        ],
        "definitions": [
            (
                bool(kpis) and all(n.definition.owner and n.definition.source and n.definition.frequency for n in kpis),
                "need_owner_source_frequency",
            ),
            (bool(kpis) and any(n.thresholds.green is not None and n.thresholds.yellow is not None for n in kpis), "need_thresholds"),
        ],
        "monitoring": [
            (bool(ws.monitoring.reviews), "need_review"),
            (bool(ws.monitoring.alerts), "need_alert"),
        ],
    }
    return [StepStatus(step, all(ok for ok, _ in checks[step]), tuple(code for ok, code in checks[step] if not ok)) for step in STEPS]


#: The fields of the definition sheet whose absence step 4 counts, in the order they are reported.
SHEET_FIELDS = ("owner", "expression", "unit", "source", "frequency", "thresholds", "baseline", "target")


@dataclass(frozen=True)
class FieldGap:
    """One field of the definition sheet: the KPIs (below the KGI) that lack it, of how many."""

    field: str
    missing: tuple[str, ...]
    total: int


def _has(node: Node, field: str) -> bool:
    d = node.definition
    if field == "expression":
        return bool(d.expression.strip() or node.formula.strip())  # in words, or as the formula over its children
    if field == "unit":
        return bool(node.unit.strip())
    if field == "thresholds":
        return node.thresholds.green is not None and node.thresholds.yellow is not None
    if field == "frequency":
        return d.frequency is not None
    if field in ("baseline", "target"):
        return getattr(node, field) is not None
    return bool(str(getattr(d, field)).strip())


def sheet_gaps(ws: Workshop) -> list[FieldGap]:
    """For each field that matters on the definition sheet, the KPIs lacking it ("7 of 13 KPIs lack an owner"); only
    fields some KPI lacks, in SHEET_FIELDS order."""
    kpis = [n for n in ws.nodes if n.parent is not None]
    gaps = [FieldGap(f, tuple(n.id for n in kpis if not _has(n, f)), len(kpis)) for f in SHEET_FIELDS]
    return [g for g in gaps if g.missing]


def steps_done(ws: Workshop) -> int:
    """How many of the five steps are complete."""
    return sum(s.done for s in step_status(ws))
