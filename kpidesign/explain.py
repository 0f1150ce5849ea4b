"""Why a node moved between two dates: its change split through the tree's own formulas, down to every node below.

**The split: Shapley values over a formula's inputs.** For a node ``y = f(x1, …, xk)`` moving from the inputs' values
``a`` to ``b``, input i gets the average, over every order in which the inputs could switch from ``a`` to ``b``, of the
change in ``f`` when it switches. The parts add up to ``f(b) − f(a)`` exactly, for *any* formula (products, quotients,
sums, differences, constants, parentheses), and they stay defined when a value is zero or changes sign. LMDI (log-mean
Divisia) is also exact for pure products, but it takes logarithms of every factor: a zero, a negative value or a sign
change breaks it, and a formula mixing sums and products needs its own derivation. Shapley needs no such care. Its
cost is ``2^k`` evaluations of the formula for ``k`` inputs; inputs that did not move get exactly zero (the "null
player" property) and are left out of the enumeration, so only the inputs that moved count. Formulas that are linear
in their inputs (sums, differences, constant multiples) are split directly (coefficient × the input's change, which is
what Shapley gives for them) at any size. A non-linear formula with more than ``MAX_SHAPLEY_INPUTS`` moving inputs is
not split, and says so.

**Deeper levels.** A node's contribution (in the explained node's unit) is shared among its own formula inputs in
proportion to their Shapley parts of *its* change: ``C_child = C_node × φ_child / Σφ``. So at every level the
children's contributions add up to their parent's contribution, and the explained node's direct children add up to its
change. A node whose own actual change differs from what its formula gives from its children's actuals is still split
(its parts are scaled to its own change) and a ``explain_does_not_add_up`` finding gives both numbers. Children that are
not in the formula are *influences*: they get no arithmetic share and are listed apart with their own change.

**Values at a date.** A node's value at a date is its latest actual *on or before* that date, provided that actual is
no older than one and a half periods of its own series (the median spacing of its dates; with a single observation, the
declared update frequency, monthly when none). An older one is *stale* and not used: the number would be silently out
of date. A node without a usable actual is computed from its children through its formula when all of them have a
value. Everything that stops or bends the answer is a finding (``kpidesign.findings.Finding``) tied to its node,
never an exception and never a silent number.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import cast

from kpidesign.analysis import TOLERANCE, TreeModel
from kpidesign.findings import Finding, Severity
from kpidesign.formula import Formula
from kpidesign.model import Frequency, Workshop
from kpidesign.monitor import PERIOD
from kpidesign.observations import GAP_FACTOR, Series, all_series

MAX_SHAPLEY_INPUTS = 12


@dataclass(frozen=True)
class Value:
    """A node's value at a date: the number, where it comes from ('actual' or 'computed'), and the actual's own date."""

    value: float | None
    basis: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Contribution:
    """A node's share of the explained node's change, in the explained node's unit."""

    node: str
    parent: str
    contribution: float
    value_from: float | None
    value_to: float | None
    depth: int


@dataclass(frozen=True)
class Influence:
    """A child outside its parent's formula: no arithmetic share, only its own change (in its own unit)."""

    node: str
    parent: str
    value_from: float | None
    value_to: float | None

    @property
    def change(self) -> float | None:
        """Its own change between the two dates, None when a value is missing."""
        return None if self.value_from is None or self.value_to is None else self.value_to - self.value_from


@dataclass(frozen=True)
class Explanation:
    """A node's change between two dates and its split: contributions of every node below, influences, findings."""

    node: str
    date_from: dt.date
    date_to: dt.date
    value_from: float | None
    value_to: float | None
    contributions: list[Contribution] = field(default_factory=list)
    influences: list[Influence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """to − from, None when either value is missing (or the difference overflows)."""
        if self.value_from is None or self.value_to is None:
            return None
        change = self.value_to - self.value_from
        return change if math.isfinite(change) else None


def values_at(
    ws: Workshop, date: dt.date, model: TreeModel | None = None, series: Mapping[str, Series] | None = None
) -> tuple[dict[str, Value], list[Finding]]:
    """Every node's value at a date (latest fresh actual on or before it, else computed), and the findings on the way."""
    model = model or TreeModel(ws)
    series = all_series(ws) if series is None else series
    values: dict[str, Value] = {}
    findings: list[Finding] = []
    plain: dict[str, float | None] = {}
    for node_id in model.order:  # children before parents
        actual, stale = _as_of(series.get(node_id), date, ws, node_id)
        if stale is not None:
            findings.append(Finding(Severity.WARNING, "explain_stale", node_id, {"date": date.isoformat(), "last": stale.isoformat()}))
        if actual is not None:
            values[node_id] = actual
        else:
            f = model.formula.get(node_id)
            computed = f.evaluate(plain) if f is not None else None
            values[node_id] = Value(computed, "computed") if computed is not None else Value(None)
        plain[node_id] = values[node_id].value
    return values, findings


def _as_of(s: Series | None, date: dt.date, ws: Workshop, node_id: str) -> tuple[Value | None, dt.date | None]:
    """The latest actual on or before date if fresh; else (None, the stale actual's date or None)."""
    if s is None or not s.dates:
        return None, None
    i = bisect_right(s.dates, date)
    if i == 0:
        return None, None
    when = s.dates[i - 1]
    if (date - when).days > _max_age(s, ws, node_id):
        return None, when
    return Value(s.values[i - 1], "actual", when), None


def _max_age(s: Series, ws: Workshop, node_id: str) -> float:
    """How old (days) an actual may be and still stand for a later date: 1.5 periods of its series."""
    days = s.period_days
    if not days:
        step, tolerance = PERIOD[ws.node(node_id).definition.frequency or Frequency.MONTHLY]
        return step + tolerance
    return GAP_FACTOR * days


def explain(ws: Workshop, date_from: dt.date, date_to: dt.date, node: str | None = None) -> Explanation:
    """Split a node's change (the KGI by default) between two dates through the formulas below it."""
    model = TreeModel(ws)
    target = node or model.root
    if target not in model.parent:
        return Explanation(
            target, date_from, date_to, None, None, findings=[Finding(Severity.ERROR, "explain_unknown_node", target, {"id": target})]
        )
    series = all_series(ws)
    before, found_before = values_at(ws, date_from, model, series)
    after, found_after = values_at(ws, date_to, model, series)
    below = _subtree(model, target)
    findings = [f for f in found_before + found_after if f.node in below]
    for node_id in below:
        if node_id in series:
            findings.extend(series[node_id].data_findings())
    a, b = before[target].value, after[target].value
    result = Explanation(target, date_from, date_to, a, b, findings=findings)
    for date, vals in ((date_from, before), (date_to, after)):
        if vals[target].value is None:
            findings.append(Finding(Severity.ERROR, "explain_no_value", target, {"date": date.isoformat()}))
    if a is None or b is None:
        return result
    if result.change is None:
        findings.append(Finding(Severity.WARNING, "explain_not_finite", target, {}))
        return result
    _split(model, target, b - a, before, after, result, depth=1)
    return result


def movement_shares(e: Explanation) -> dict[str, float]:
    """Each contribution's share of all the movement under its parent (the sum of its siblings' absolute contributions),
    signed as it pushed: +37.5 % for a push of 15 among moves of 15 and −25. Not a share of the net change, whose sign
    would turn a push into a pull whenever the others pulled harder (+1,651万 of a −1,345万 change read as −122.8 %)."""
    gross: dict[str, float] = {}
    for c in e.contributions:
        gross[c.parent] = gross.get(c.parent, 0.0) + abs(c.contribution)
    return {c.node: c.contribution / gross[c.parent] if gross[c.parent] else 0.0 for c in e.contributions}


def _subtree(model: TreeModel, root: str) -> set[str]:
    out, stack = set(), [root]
    while stack:
        n = stack.pop()
        out.add(n)
        stack.extend(model.children.get(n, []))
    return out


def _split(
    model: TreeModel, root: str, change: float, before: Mapping[str, Value], after: Mapping[str, Value], out: Explanation, depth: int
) -> None:
    """Walk down from root, giving every formula input its share and listing influences (iterative: deep trees)."""
    stack: list[tuple[str, float, int]] = [(root, change, depth)]
    while stack:
        node_id, share, level = stack.pop()
        f = model.formula.get(node_id)
        inputs = set(f.names) if f else set()
        for child in model.children.get(node_id, []):
            if child not in inputs:
                out.influences.append(Influence(child, node_id, before[child].value, after[child].value))
        if f is None:
            continue
        parts = _parts(node_id, f, before, after, out.findings, (out.date_from.isoformat(), out.date_to.isoformat()))
        if parts is None:
            continue
        formula_change = _fsum(parts.values())
        if not math.isfinite(formula_change):
            out.findings.append(Finding(Severity.WARNING, "explain_not_finite", node_id, {}))
            continue
        scale = max(_fsum(abs(p) for p in parts.values()), abs(share))
        if share != 0 and abs(formula_change) <= 1e-9 * scale:  # the node moved, its inputs' parts cancel (to rounding): nothing to share
            out.findings.append(
                Finding(Severity.WARNING, "explain_no_formula_change", node_id, {"change": _change(before[node_id], after[node_id])})
            )
            continue
        shares = {child: 0.0 if share == 0 else share * (parts[child] / formula_change) for child in f.names}
        if not all(math.isfinite(c) for c in shares.values()):  # an overflow on the way: said, not a number
            out.findings.append(Finding(Severity.WARNING, "explain_not_finite", node_id, {}))
            continue
        for child in f.names:
            out.contributions.append(Contribution(child, node_id, shares[child], before[child].value, after[child].value, level))
        stack.extend((child, shares[child], level + 1) for child in reversed(f.names))
    rank = _preorder(model, root)
    out.contributions.sort(key=lambda c: rank[c.node])
    out.influences.sort(key=lambda i: rank[i.node])


def _preorder(model: TreeModel, root: str) -> dict[str, int]:
    """Node id -> its position in a depth-first walk from root in display order."""
    seen: dict[str, int] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        seen[n] = len(seen)
        stack.extend(reversed(model.children.get(n, [])))
    return seen


def _change(a: Value, b: Value) -> float | None:
    return None if a.value is None or b.value is None else b.value - a.value


def _parts(
    node_id: str, f: Formula, before: Mapping[str, Value], after: Mapping[str, Value], findings: list[Finding], dates: tuple[str, str]
) -> dict[str, float] | None:
    """The Shapley parts of a node's formula change, or None with a finding saying why it cannot be split."""
    a = {n: before[n].value for n in f.names}
    b = {n: after[n].value for n in f.names}
    missing = [n for n in f.names if a[n] is None or b[n] is None]
    if missing:
        findings.append(Finding(Severity.WARNING, "explain_cannot_split", node_id, {"inputs": ", ".join(missing)}))
        for n in missing:
            for date, vals in zip(dates, (a, b)):
                if vals[n] is None:
                    findings.append(Finding(Severity.WARNING, "explain_no_value", n, {"date": date}))
        return None
    linear = linear_coefficients(f)
    if linear is None:
        for date, vals in zip(dates, (a, b)):
            zeros = [n for n, v in vals.items() if v == 0]
            negatives = [n for n, v in vals.items() if v is not None and v < 0]
            if zeros:
                findings.append(Finding(Severity.HINT, "explain_zero_value", node_id, {"inputs": ", ".join(zeros), "date": date}))
            if negatives:
                findings.append(Finding(Severity.HINT, "explain_negative_value", node_id, {"inputs": ", ".join(negatives), "date": date}))
    for date, side, vals in zip(dates, (before, after), (a, b)):
        stated = side[node_id]
        computed = f.evaluate(vals)
        if (
            stated.basis == "actual"
            and computed is not None
            and stated.value is not None
            and not math.isclose(stated.value, computed, rel_tol=TOLERANCE, abs_tol=1e-9)
        ):
            findings.append(
                Finding(Severity.WARNING, "explain_does_not_add_up", node_id, {"date": date, "stated": stated.value, "computed": computed})
            )
    parts = shapley(f, a, b)  # type: ignore[arg-type]
    if isinstance(parts, Finding):
        findings.append(Finding(parts.severity, parts.code, node_id, parts.params))
        return None
    return parts


def shapley(f: Formula, a: Mapping[str, float], b: Mapping[str, float], limit: int = MAX_SHAPLEY_INPUTS) -> dict[str, float] | Finding:
    """Each input's exact share of f(b) − f(a) (Shapley values), or a Finding when it cannot be worked out."""
    linear = linear_coefficients(f)
    if linear is not None:
        return {n: linear.get(n, 0.0) * (b[n] - a[n]) for n in f.names}
    moved = [n for n in f.names if b[n] != a[n]]
    k = len(moved)
    if k > limit:
        return Finding(Severity.WARNING, "explain_too_many_inputs", None, {"count": k, "max": limit})
    v: list[float] = []
    point = dict(a)
    for mask in range(1 << k):
        for j, name in enumerate(moved):
            point[name] = b[name] if mask >> j & 1 else a[name]
        y = f.evaluate(point)
        if y is None:
            return Finding(Severity.WARNING, "explain_undefined", None, {})
        v.append(y)
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    out = {n: 0.0 for n in f.names}
    for j, name in enumerate(moved):
        bit = 1 << j
        out[name] = _fsum(weight[mask.bit_count()] * (v[mask | bit] - v[mask]) for mask in range(1 << k) if not mask & bit)
    return out


def _fsum(xs: Iterable[float]) -> float:
    """math.fsum, NaN instead of an exception when the numbers overflow."""
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return math.nan


def linear_coefficients(f: Formula) -> Mapping[str, float] | None:
    """The coefficient of each input when the formula is linear in its inputs (sums, differences, constant factors), else
    None; worked out once per formula text (every explanation asks it of every node, twice)."""
    return _linear_by_text(f.text, f.tree)


@lru_cache(maxsize=4096)
def _linear_by_text(_text: str, tree: ast.expr) -> Mapping[str, float] | None:
    result = _linear(tree)
    return None if result is None else MappingProxyType(result[0])  # shared: read-only


def _linear(node: ast.expr) -> tuple[dict[str, float], float] | None:
    if isinstance(node, ast.Constant):
        return {}, float(cast("int | float", node.value))  # a parsed formula holds only number constants
    if isinstance(node, ast.Name):
        return {node.id: 1.0}, 0.0
    if isinstance(node, ast.UnaryOp):
        inner = _linear(node.operand)
        if inner is None or isinstance(node.op, ast.UAdd):
            return inner
        return {k: -v for k, v in inner[0].items()}, -inner[1]
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _linear(node.left), _linear(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Add, ast.Sub)):
        sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
        coefs = dict(left[0])
        for k, v in right[0].items():
            coefs[k] = coefs.get(k, 0.0) + sign * v
        return coefs, left[1] + sign * right[1]
    if isinstance(node.op, ast.Mult):
        if not left[0]:
            return {k: left[1] * v for k, v in right[0].items()}, left[1] * right[1]
        if not right[0]:
            return {k: right[1] * v for k, v in left[0].items()}, left[1] * right[1]
        return None
    if isinstance(node.op, ast.Div) and not right[0] and right[1] != 0:
        return {k: v / right[1] for k, v in left[0].items()}, left[1] / right[1]
    return None
