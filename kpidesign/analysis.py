"""The tree as arithmetic: evaluate bottom-up, what-if, the levers ranked (the KFS candidate), goal seek.

A node with a valid formula takes its value from its children; any other node keeps its own
baseline (or target). A change to one node recomputes only its ancestors, so ranking every lever
of a 1,000-node tree stays fast.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kpidesign import formula as formulas
from kpidesign.model import Workshop
from kpidesign.tree import children_map, walk
from kpidesign.values import in_range

Basis = Literal["baseline", "target"]
TOLERANCE = 0.01


class TreeModel:
    """A workshop prepared for repeated evaluation: parsed formulas, parents, evaluation order."""

    def __init__(self, ws: Workshop, basis: Basis = "baseline"):
        self.ws = ws
        self.basis = basis
        self.root = ws.kgi.id
        walked = list(walk(ws))
        order = [n for n, _ in walked]
        self.depth = {n.id: d for n, d in walked}
        self.parent = {n.id: n.parent for n in order}
        kids = children_map(ws)
        self.children = {n.id: kids.get(n.id, []) for n in order}
        self.own: dict[str, float | None] = {n.id: getattr(n, basis) for n in order}
        self.formula: dict[str, formulas.Formula] = {}
        for n in order:
            if n.formula:
                try:
                    parsed = formulas.parse(n.formula)
                except formulas.FormulaError:
                    continue
                if set(parsed.names) <= set(self.children[n.id]):
                    self.formula[n.id] = parsed
        self.order = [n.id for n in reversed(order)]  # children before parents
        self.values = self._evaluate({})

    def _value(self, node_id: str, values: Mapping[str, float | None], pins: Mapping[str, float], strict: bool = False) -> float | None:
        if node_id in pins:
            return pins[node_id]
        f = self.formula.get(node_id)
        if f is not None:
            computed = f.evaluate(values)
            if computed is not None and math.isfinite(computed):
                return computed
            if strict:  # no value through the formula (a division by zero, an overflow): not the node's own number
                return None
        return self.own[node_id]

    def _evaluate(self, pins: Mapping[str, float]) -> dict[str, float | None]:
        values: dict[str, float | None] = {}
        for node_id in self.order:
            values[node_id] = self._value(node_id, values, pins)
        return values

    def evaluate(self, pins: Mapping[str, float] | None = None) -> dict[str, float | None]:
        """Every node's value, with some nodes pinned to given values."""
        return dict(self.values) if not pins else self._evaluate(pins)

    def kgi_with(self, pins: Mapping[str, float], strict: bool = False) -> float | None:
        """The KGI's value when some nodes are pinned: only their ancestors are recomputed (strict: None when a formula on
        the way has no value, instead of the node's own number)."""
        values: ChainMap[str, float | None] = ChainMap({}, self.values)  # changes over the shared values: no copy
        dirty: set[str] = set()
        for node_id, value in pins.items():
            values[node_id] = value
            parent = self.parent.get(node_id)
            while parent is not None:
                dirty.add(parent)
                parent = self.parent[parent]
        for node_id in sorted(dirty, key=self.depth.__getitem__, reverse=True):
            values[node_id] = self._value(node_id, values, pins, strict)
        return values[self.root]

    def levers(self) -> list[str]:
        """Nodes that move the KGI through formulas: reached from the KGI by formula links, and either without a formula
        of their own or with one their children cannot compute yet (children without numbers: the node's own number is
        what the design stands on, so it is the lever)."""
        out, stack = [], [self.root]
        while stack:
            node_id = stack.pop()
            f = self.formula.get(node_id)
            if f is None or (node_id != self.root and any(self.values.get(name) is None for name in f.names)):
                if node_id != self.root:
                    out.append(node_id)
                continue
            stack.extend(reversed(list(f.names)))
        return out


@dataclass(frozen=True)
class Mismatch:
    """A node whose own number differs from what its children compute."""

    node: str
    basis: Basis
    stated: float
    computed: float

    @property
    def gap(self) -> float:
        """Relative difference (computed vs stated)."""
        return (self.computed - self.stated) / abs(self.stated) if self.stated else math.inf


def consistency(ws: Workshop, tolerance: float = TOLERANCE) -> list[Mismatch]:
    """Formula nodes whose stated baseline/target differ from their children's by more than tolerance."""
    out = []
    bases: tuple[Basis, ...] = ("baseline", "target")
    for basis in bases:
        model = TreeModel(ws, basis)
        for node_id, f in model.formula.items():
            stated = model.own[node_id]
            computed = f.evaluate(model.values)
            if stated is None or computed is None:
                continue
            if not math.isclose(stated, computed, rel_tol=tolerance, abs_tol=1e-9):
                out.append(Mismatch(node_id, basis, stated, computed))
    return out


@dataclass(frozen=True)
class Lever:
    """How much the KGI moves when one lever moves by +1 % and by +10 %."""

    node: str
    value: float
    kgi_change_1: float
    kgi_change_10: float
    kgi_change_minus_10: float
    kgi_change_at_target: float | None = None

    @property
    def elasticity(self) -> float:
        """% change of the KGI per % change of the lever (at +1 %)."""
        return self.kgi_change_1 / 0.01


def rank_levers(ws: Workshop, basis: Basis = "baseline") -> list[Lever]:
    """Every lever's effect on the KGI, largest first; levers without a value are left out."""
    model = TreeModel(ws, basis)
    base = model.values[model.root]
    if base is None or base == 0:
        return []
    targets = {n.id: n.target for n in ws.nodes}
    levers = []
    for node_id in model.levers():
        value = model.values.get(node_id)
        if value is None:
            continue
        up1, up10, down10 = (model.kgi_with({node_id: value * factor}) for factor in (1.01, 1.10, 0.90))
        if up1 is None or up10 is None or down10 is None:
            continue
        goal = targets.get(node_id)
        at_goal = model.kgi_with({node_id: goal}) if goal is not None else None
        levers.append(
            Lever(node_id, value, up1 / base - 1, up10 / base - 1, down10 / base - 1, None if at_goal is None else at_goal / base - 1)
        )
    return sorted(levers, key=_rank)


TIE_DIGITS = 9  # effects at +1 % equal to 9 decimals (a product's factors all give the same) are a tie


def _effect(lever: Lever) -> float:
    """The effect at +1 % as the ranking compares it: equal here is a tie."""
    return round(abs(lever.kgi_change_1), TIE_DIGITS)


def _rank(lever: Lever) -> tuple[float, float, str]:
    """Largest effect at +1 % first; a tie goes to the lever that moves the KGI most if it reaches its own target."""
    return (-_effect(lever), -abs(lever.kgi_change_at_target or 0.0), lever.node)


def kfs(ws: Workshop) -> Lever | None:
    """The KFS candidate: the lever whose +1 % moves the KGI most (ties broken by the effect at its own target)."""
    ranked = rank_levers(ws)
    return ranked[0] if ranked and ranked[0].kgi_change_1 != 0 else None


def tied_with_first(ranked: list[Lever]) -> list[Lever]:
    """The other levers whose +1 % moves the KGI as much as the first's (the ranking's own rule): the headline says they tie."""
    return [lv for lv in ranked[1:] if _effect(lv) == _effect(ranked[0])] if ranked else []


@dataclass(frozen=True)
class WhatIf:
    """The tree's values after some changes (and before them), and the KGI before and after."""

    values: dict[str, float | None]
    kgi_before: float | None
    kgi_after: float | None
    before: dict[str, float | None] = field(default_factory=dict)

    @property
    def moved(self) -> dict[str, float]:
        """The nodes whose value the changes moved, with their new value (a pinned node, and the ancestors it moves)."""
        out = {}
        for node_id, value in self.values.items():
            old = self.before.get(node_id)
            if value is not None and (old is None or not math.isclose(value, old, rel_tol=1e-9, abs_tol=1e-12)):
                out[node_id] = value
        return out

    @property
    def kgi_change(self) -> float | None:
        """Relative change of the KGI."""
        if self.kgi_before in (None, 0) or self.kgi_after is None:
            return None
        return self.kgi_after / self.kgi_before - 1


def what_if(ws: Workshop, changes: Mapping[str, float], basis: Basis = "baseline") -> WhatIf:
    """Pin nodes to new values and recompute the whole tree."""
    model = TreeModel(ws, basis)
    values = model.evaluate(changes)
    return WhatIf(values, model.values[model.root], values[model.root], dict(model.values))


def stops(ws: Workshop, result: WhatIf, changes: Mapping[str, float]) -> dict[str, str]:
    """Where each change stops short of the KGI: changed node -> the first ancestor it does not move (a parent that is
    not computed from its children: no formula, or a sibling without a number). Changes that reach the KGI, or that
    change nothing, are not listed."""
    parent = {n.id: n.parent for n in ws.nodes}
    moved = result.moved
    out: dict[str, str] = {}
    for node_id in changes:
        if node_id not in moved:
            continue
        up = parent.get(node_id)
        while up is not None and up in moved:
            up = parent.get(up)
        if up is not None:
            out[node_id] = up
    return out


def parse_change(text: str, current: float | None) -> float:
    """'+10%' / '-5%' (relative), '=120' or '120' (absolute) -> the new value; ValueError if unreadable."""
    from kpidesign.values import parse_number

    s = text.strip()
    relative = s.endswith("%") and s[:1] in "+-"
    if relative:
        if current is None:
            raise ValueError("no current value to change by a percentage")
        parsed = parse_number(s[:-1])
        if not parsed.ok or parsed.value is None:
            raise ValueError(s)
        return current * (1 + parsed.value / 100)
    parsed = parse_number(s.lstrip("="))
    if not parsed.ok or parsed.value is None:
        raise ValueError(s)
    return parsed.value


@dataclass(frozen=True)
class GoalSeek:
    """The value a lever must reach for the KGI to hit its target, all else equal (None: impossible)."""

    node: str
    current: float | None
    needed: float | None
    kgi_target: float | None
    allowed: bool = True  # False: the value needed is one the lever's unit does not allow (a rate above 100% or below 0)

    @property
    def possible(self) -> bool:
        """True when a value of the lever its unit allows reaches the target."""
        return self.needed is not None and self.allowed


def goal_seek(ws: Workshop, node_id: str, target: float | None = None) -> GoalSeek:
    """Solve KGI(node = x) = target (default: the KGI's target) for x, all other values at baseline."""
    model = TreeModel(ws, "baseline")
    goal = ws.kgi.target if target is None else target
    current = model.values.get(node_id)
    if goal is None or not math.isfinite(goal):
        return GoalSeek(node_id, current, None, goal)

    def f(x: float) -> float | None:
        """KGI(node = x) − target; None where the tree gives the KGI no finite value through its formulas."""
        if not math.isfinite(x):
            return None
        kgi = model.kgi_with({node_id: x}, strict=True)
        gap = None if kgi is None else kgi - goal
        return gap if gap is not None and math.isfinite(gap) else None

    needed = _solve(f, current if current and math.isfinite(current) else 1.0)
    if needed is None or not math.isfinite(needed):
        return GoalSeek(node_id, current, None, goal)
    return GoalSeek(node_id, current, needed, goal, allowed=in_range(needed, ws.node(node_id).unit))


def _solve(f: Callable[[float], float | None], x0: float) -> float | None:
    """A root of f: exact for linear-fractional f (one occurrence of x), else bracket and bisect."""
    points = [x0, x0 * 2 + 1, x0 * 0.5 - 1, x0 * 3 + 7]
    known = [(x, y) for x, y in ((x, f(x)) for x in points) if y is not None][:3]  # a point where f has no value (a pole) is skipped
    if len(known) == 3:
        ys = [y for _, y in known]
        root = _linear_fractional_root([x for x, _ in known], ys)
        if root is not None:
            check = f(root)
            if check is not None and math.isfinite(root) and abs(check) <= 1e-9 * max(1.0, _scale(ys)):
                return root
    grid = sorted({x0 * k for k in (0, 0.001, 0.01, 0.1, 0.5, 1, 2, 10, 100, 1000, 1e4, 1e6)} | {-x0 * k for k in (0.5, 1, 10, 1000)})
    prev_x, prev_y = None, None
    for x in grid:
        y = f(x)
        if y is None:
            prev_x = None
            continue
        if y == 0:
            return x
        if prev_x is not None and prev_y is not None and (prev_y < 0) != (y < 0):
            root = _bisect(f, prev_x, x, prev_y)
            check = None if root is None else f(root)
            if check is not None and abs(check) <= 1e-6 * max(1.0, abs(prev_y), abs(y)):  # a pole changes sign too: not a root
                return root
        prev_x, prev_y = x, y
    return None


def _scale(ys: Sequence[float | None]) -> float:
    return max(abs(y) for y in ys if y is not None)


def _linear_fractional_root(xs: list[float], ys: list[float]) -> float | None:
    """Fit y = (a x + b) / (c x + 1) through three points and return the x where a x + b = 0."""
    # y (c x + 1) = a x + b  ->  a x + b - c x y = y
    rows = [[x, 1.0, -x * y] for x, y in zip(xs, ys)]
    try:
        a, b, _c = _solve3(rows, ys)
    except ZeroDivisionError:
        return None
    if a == 0:
        return None
    return -b / a


def _solve3(m: list[list[float]], v: list[float]) -> list[float]:
    """Solve a 3×3 linear system by Cramer's rule."""

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    if d == 0 or not math.isfinite(d):
        raise ZeroDivisionError
    out = []
    for col in range(3):
        mm = [row[:] for row in m]
        for r in range(3):
            mm[r][col] = v[r]
        out.append(det(mm) / d)
    return out


def _bisect(f: Callable[[float], float | None], lo: float, hi: float, f_lo: float, steps: int = 1100) -> float | None:
    """A root of f in [lo, hi] by halving: 1,100 halvings bring any bracket of doubles down to 1e-12 ([0, 1e305] needs 1,000)."""
    for _ in range(steps):
        mid = lo / 2 + hi / 2  # never overflows
        y = f(mid)
        if y is None:
            return None
        if y == 0 or abs(hi - lo) <= 1e-12 * max(1.0, abs(mid)):
            return mid
        if (y < 0) == (f_lo < 0):
            lo, f_lo = mid, y
        else:
            hi = mid
    return lo / 2 + hi / 2
