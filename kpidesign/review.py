"""Design review: the method's principles checked on a workshop, as findings tied to nodes.

Each finding names a principle (the seven of SMART + observable + repeatable) and a severity;
scores per principle summarise how many of the checks made under it pass.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from kpidesign import aggregation as aggregations
from kpidesign import formula as formulas
from kpidesign.analysis import consistency
from kpidesign.findings import Finding, Severity
from kpidesign.model import Direction, Layer, Node, Sensitivity, Workshop
from kpidesign.tree import check_structure, children_map, levels, walk

PRINCIPLES = ("specific", "measurable", "achievable", "relevant", "time_bound", "observable", "repeatable")
MAX_CHILDREN = 7
MAX_DEPTH = 5
SIMILAR = 0.85
# a design that contradicts itself: numbers that do not add up, thresholds backwards, a sum of unlike units, a formula over
# a stranger. Errors, so that `check` fails a CI gate on them (the screens list them first).
CONTRADICTIONS = frozenset({"does_not_add_up", "threshold_order", "unit_mismatch", "formula_not_child"})
WEIGHT = {Severity.ERROR: 1.0, Severity.WARNING: 0.6, Severity.HINT: 0.25}
ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.HINT: 2}  # errors first, then warnings, then hints


@dataclass(frozen=True)
class DesignReview:
    """All findings, and per principle how many checks ran and the weighted failures."""

    findings: list[Finding]
    checks: dict[str, int] = field(default_factory=dict)

    def by_principle(self, principle: str) -> list[Finding]:
        """The findings under one principle, errors first."""
        return sorted((f for f in self.findings if f.params.get("principle") == principle), key=lambda f: ORDER[f.severity])

    def score(self, principle: str) -> int:
        """0-100: the share of this principle's checks that pass, failures weighted by severity."""
        checks = self.checks.get(principle, 0)
        if not checks:
            return 100
        return max(0, round(100 * (1 - self._lost.get(principle, 0.0) / checks)))

    @cached_property  # a frozen dataclass keeps it in its __dict__: the findings are read once for every principle
    def _lost(self) -> dict[str, float]:
        lost: dict[str, float] = {}
        for f in self.findings:
            principle = str(f.params.get("principle"))
            lost[principle] = lost.get(principle, 0.0) + WEIGHT[f.severity]
        return lost

    @property
    def has_errors(self) -> bool:
        """True when any finding is an error."""
        return any(f.severity is Severity.ERROR for f in self.findings)


@dataclass(frozen=True)
class Group:
    """The findings about one node (None: the workshop as a whole), errors first."""

    node: str | None
    findings: tuple[Finding, ...]

    @property
    def has_error(self) -> bool:
        """True when any of the group's findings is an error."""
        return any(f.severity is Severity.ERROR for f in self.findings)


@dataclass(frozen=True)
class Triage:
    """The findings as a facilitator works through them: errors and warnings to fix now, hints to consider, each
    grouped by node (the workshop-wide ones in their own group, first), groups holding an error first, then tree order."""

    fix_now: tuple[Group, ...]
    consider: tuple[Group, ...]
    errors: int
    warnings: int
    hints: int


def triage(findings: list[Finding], ws: Workshop) -> Triage:
    """Sort findings into what to fix now and what to consider, grouped by node."""
    place = {n.id: i for i, (n, _) in enumerate(walk(ws))}
    place.update({n.id: len(place) + i for i, n in enumerate(ws.nodes) if n.id not in place})  # outside the tree (a loop)

    def grouped(chosen: list[Finding]) -> tuple[Group, ...]:
        by_node: dict[str | None, list[Finding]] = {}
        for f in chosen:
            by_node.setdefault(f.node if f.node in place else None, []).append(f)
        groups = [Group(node, tuple(sorted(found, key=lambda f: ORDER[f.severity]))) for node, found in by_node.items()]
        return tuple(sorted(groups, key=lambda g: (not g.has_error, -1 if g.node is None else place[g.node])))

    counts = Counter(f.severity for f in findings)
    return Triage(
        grouped([f for f in findings if f.severity is not Severity.HINT]),
        grouped([f for f in findings if f.severity is Severity.HINT]),
        counts[Severity.ERROR],
        counts[Severity.WARNING],
        counts[Severity.HINT],
    )


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.checks: Counter[str] = Counter()

    def check(self, principle: str, failed: bool, severity: Severity, code: str, node: str | None = None, **params: object) -> None:
        self.checks[principle] += 1
        if failed:
            self.fail(principle, severity, code, node, **params)

    def fail(self, principle: str, severity: Severity, code: str, node: str | None = None, **params: object) -> None:
        """A finding of a check counted elsewhere (checks made by the thousand are counted at once)."""
        self.findings.append(Finding(severity, code, node, {"principle": principle, **params}))


def review(ws: Workshop) -> DesignReview:
    """Run every design check on a workshop."""
    c = _Collector()
    kgi = ws.kgi
    kpis = [n for n in ws.nodes if n.parent is not None]
    for f in check_structure(ws):
        severity = Severity.ERROR if f.code in CONTRADICTIONS else f.severity
        c.findings.append(Finding(severity, f.code, f.node, {"principle": "relevant", **f.params}))
    c.check("time_bound", kgi.deadline is None, Severity.ERROR, "kgi_no_deadline", kgi.id)
    c.check("measurable", not kgi.unit, Severity.WARNING, "no_unit", kgi.id, name=kgi.name)
    for n in ws.nodes:
        _node_checks(c, n)
    _tree_checks(c, ws, kpis)
    _layer_checks(c, kpis)
    for m in consistency(ws):
        c.check(
            "achievable",
            True,
            Severity.ERROR,
            "does_not_add_up",
            m.node,
            basis=m.basis,
            stated=m.stated,
            computed=m.computed,
            name=ws.node(m.node).name,
        )
    c.checks["achievable"] += sum(1 for n in ws.nodes if n.formula) * 2
    return DesignReview(c.findings, dict(c.checks))


def _node_checks(c: _Collector, n: Node) -> None:
    d, th, name = n.definition, n.thresholds, n.name
    warning, hint = Severity.WARNING, Severity.HINT
    simple = (  # (principle, failed, severity, code): checks whose finding names the node alone, made 500 times a review
        ("relevant", not d.why, warning, "no_why"),
        ("repeatable", not d.owner, warning, "no_owner"),
        ("repeatable", not d.frequency, warning, "no_frequency"),
        ("repeatable", not (d.expression or n.formula or d.numerator), hint, "no_expression"),
        ("observable", not d.source, warning, "no_source"),
        ("observable", not d.comparisons, hint, "no_comparisons"),
        ("measurable", n.baseline is not None and n.target is None, warning, "baseline_without_target"),
        ("measurable", n.target is not None and n.baseline is None, warning, "target_without_baseline"),
        ("measurable", n.baseline is None and n.target is None, hint, "no_numbers"),
        ("measurable", th.green is None or th.yellow is None, hint, "no_thresholds"),
    )
    for principle, failed, severity, code in simple:
        c.checks[principle] += 1
        if failed:
            c.fail(principle, severity, code, n.id, name=name)
    wrong = threshold_order(n)
    c.check("measurable", wrong is not None, Severity.ERROR, "threshold_order", n.id, name=name, **(wrong.params if wrong else {}))
    c.check("specific", bool(d.numerator) != bool(d.denominator), Severity.HINT, "half_ratio", n.id, name=name)
    if aggregations.is_inferred_uncertain(n):  # counted only when it fails: a sure inference is no work of the team's to credit
        guess = aggregations.infer(n)[0].value
        c.check("repeatable", True, Severity.HINT, "aggregation_uncertain", n.id, name=name, aggregation=guess)
    if n.baseline and n.target is not None:
        c.check(
            "achievable",
            abs(n.target / n.baseline) > 10 or n.target / n.baseline < 0,
            Severity.HINT,
            "target_far",
            n.id,
            name=name,
            ratio=round(n.target / n.baseline, 1),
        )


def _tree_checks(c: _Collector, ws: Workshop, kpis: list[Node]) -> None:
    depth = levels(ws)
    kids_of = children_map(ws)
    by_id = {n.id: n for n in ws.nodes}
    c.check(
        "specific",
        max(depth.values(), default=0) > MAX_DEPTH,
        Severity.WARNING,
        "too_deep",
        None,
        depth=max(depth.values(), default=0),
        max=MAX_DEPTH,
    )
    for n in ws.nodes:
        kids = [by_id[k] for k in kids_of.get(n.id, [])]
        c.check(
            "specific",
            len(kids) > MAX_CHILDREN,
            Severity.WARNING,
            "too_many_children",
            n.id,
            name=n.name,
            count=len(kids),
            max=MAX_CHILDREN,
        )
        plain = [_plain(k.name) for k in kids]
        c.checks["specific"] += len(kids) * (len(kids) - 1) // 2  # every pair of siblings is a check; a finding only when alike
        for i, a in enumerate(kids):
            for j in range(i + 1, len(kids)):
                ratio = _likeness(plain[i], plain[j])
                if ratio >= SIMILAR:
                    c.fail(
                        "specific",
                        Severity.WARNING if ratio == 1 else Severity.HINT,
                        "similar_siblings",
                        a.id,
                        name=a.name,
                        other=kids[j].name,
                    )
        if not n.formula or not kids:
            continue
        try:
            parsed = formulas.parse(n.formula)
        except formulas.FormulaError:
            continue
        links = parsed.link_types()
        unused = [k.name for k in kids if k.id not in links]
        c.check("relevant", bool(unused), Severity.HINT, "influence_links", n.id, name=n.name, names=", ".join(unused))
        added = [k for k in kids if links.get(k.id) in ("+", "−")]
        units = {k.unit.strip() for k in added if k.unit.strip()}
        c.check("measurable", len(units) > 1, Severity.ERROR, "unit_mismatch", n.id, name=n.name, units=", ".join(sorted(units)))


def _layer_checks(c: _Collector, kpis: list[Node]) -> None:
    if not kpis:
        return
    present = {n.layer for n in kpis if n.layer}
    for layer in (Layer.LEADING, Layer.LAGGING, Layer.INTERMEDIATE):
        c.check(
            "time_bound",
            layer not in present,
            Severity.WARNING if layer != Layer.INTERMEDIATE else Severity.HINT,
            f"no_{layer.value}",
            None,
        )
    speeds = {n.sensitivity for n in kpis if n.sensitivity}
    c.check("time_bound", len(speeds) == 1, Severity.HINT, "one_speed", None, speed=next(iter(speeds)).value if len(speeds) == 1 else "")


@functools.lru_cache(maxsize=1 << 16)
def _likeness(a: str, b: str) -> float:
    """difflib's ratio of two plain names, or 0.0 when its cheap upper bounds already fall short of SIMILAR; remembered,
    since sibling names rarely change between versions (the review is redone on every edit)."""
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "")


def threshold_order(node: Node) -> Finding | None:
    """An error when green and yellow are in the wrong order for the node's direction."""
    th = node.thresholds
    if th.green is None or th.yellow is None or th.green == th.yellow:
        return None
    wrong = th.green < th.yellow if th.direction is Direction.HIGHER_IS_BETTER else th.green > th.yellow
    if not wrong:
        return None
    return Finding(Severity.ERROR, "threshold_order", node.id, {"direction": th.direction.value, "green": th.green, "yellow": th.yellow})


def threshold_findings(ws: Workshop) -> list[Finding]:
    """Threshold warnings for every node."""
    return [f for f in (threshold_order(n) for n in ws.nodes) if f is not None]


@dataclass(frozen=True)
class Balance:
    """How many KPIs (KGI excluded) sit in each layer and each speed."""

    layers: dict[str, int]
    speeds: dict[str, int]

    @property
    def missing_layers(self) -> list[str]:
        """Layers with no indicator at all."""
        return [layer.value for layer in Layer if self.layers.get(layer.value, 0) == 0]

    @property
    def one_speed_only(self) -> bool:
        """True when tagged indicators are all fast or all slow."""
        high, low = self.speeds.get("high", 0), self.speeds.get("low", 0)
        return (high + low) > 0 and (high == 0 or low == 0)


def balance(ws: Workshop) -> Balance:
    """Count the KPIs by layer (leading/intermediate/lagging/untagged) and by sensitivity."""
    kpis = [n for n in ws.nodes if n.parent is not None]
    layers = Counter(n.layer.value if n.layer else "untagged" for n in kpis)
    speeds = Counter(n.sensitivity.value for n in kpis if n.sensitivity)
    return Balance(
        {key: layers[key] for key in [*(layer.value for layer in Layer), "untagged"]},
        {key: speeds[key] for key in (speed.value for speed in Sensitivity)},
    )
