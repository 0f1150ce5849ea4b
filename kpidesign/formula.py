"""Safe arithmetic formulas over child ids: numbers, ids, + - * / and parentheses, nothing else.

Parsed with Python's ``ast`` and walked against a whitelist; never ``eval``. Limits on length,
depth and size keep hostile input cheap. Division by zero is reported, not raised.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from kpidesign.values import Problem, normalize

MAX_LENGTH = 500
MAX_DEPTH = 30
MAX_NODES = 300

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class FormulaError(ValueError):
    """A formula that cannot be used; ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Formula:
    """A checked formula: its normalised text, its syntax tree and the ids it names."""

    text: str
    tree: ast.expr
    names: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The formula's value, or None if a name has no value, a division by zero or an overflow occurs."""
        return _eval(self.tree, values)

    def link_types(self) -> dict[str, str]:
        """For each id, how it enters the formula: '×', '÷', '+', '−' (the operator that joins it)."""
        types: dict[str, str] = {}
        _link_types(self.tree, "+", types)
        return types


@lru_cache(maxsize=4096)  # every save checks every formula: a text already checked is not parsed again
def parse(text: str) -> Formula:
    """Check a formula and return it (shared: a Formula is immutable); raise FormulaError if it is not allowed."""
    s = normalize(text).replace("×", "*").replace("÷", "/").replace("−", "-")
    if not s:
        raise FormulaError(Problem("formula_empty"))
    if len(s) > MAX_LENGTH:
        raise FormulaError(Problem("too_long", {"max": MAX_LENGTH, "length": len(s)}))
    if s.count("(") > MAX_DEPTH:
        raise FormulaError(Problem("formula_too_deep", {"max": MAX_DEPTH}))
    try:
        tree = ast.parse(s, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise FormulaError(Problem("formula_syntax", {"text": s[:60]})) from None
    names: list[str] = []
    _check(tree, 0, names, [0])
    return Formula(s, tree, tuple(dict.fromkeys(names)))


def _check(node: ast.AST, depth: int, names: list[str], count: list[int]) -> None:
    count[0] += 1
    if depth > MAX_DEPTH:
        raise FormulaError(Problem("formula_too_deep", {"max": MAX_DEPTH}))
    if count[0] > MAX_NODES:
        raise FormulaError(Problem("too_long", {"max": MAX_NODES, "length": count[0]}))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        _check(node.left, depth + 1, names, count)
        _check(node.right, depth + 1, names, count)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, depth + 1, names, count)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not abs(node.value) < 1e300:
            raise FormulaError(Problem("number_too_large", {"text": str(node.value)[:20], "max": "1e300"}))
    elif isinstance(node, ast.Name):
        names.append(node.id)
    else:
        raise FormulaError(Problem("formula_forbidden", {"what": type(node).__name__}))


def _eval(node: ast.expr, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(cast("int | float", node.value))  # _check lets no other constant through
    if isinstance(node, ast.Name):
        v = values.get(node.id)
        return None if v is None else float(v)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    assert isinstance(node, ast.BinOp)
    a, b = _eval(node.left, values), _eval(node.right, values)
    if a is None or b is None:
        return None
    op = type(node.op)
    if op is ast.Add:
        result = a + b
    elif op is ast.Sub:
        result = a - b
    elif op is ast.Mult:
        result = a * b
    else:
        result = a / b if b != 0 else math.nan
    return result if math.isfinite(result) else None  # overflow or division by zero: no value


def _link_types(node: ast.expr, context: str, out: dict[str, str]) -> None:
    additive = context in ("+", "−")
    if isinstance(node, ast.Name):
        out.setdefault(node.id, context)
    elif isinstance(node, ast.UnaryOp):
        _link_types(node.operand, "−" if additive and isinstance(node.op, ast.USub) else context, out)
    elif isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.Add:
            _link_types(node.left, context, out)
            _link_types(node.right, context, out)
        elif op is ast.Sub:
            _link_types(node.left, context, out)
            _link_types(node.right, "−" if additive else context, out)
        elif op is ast.Mult:
            _link_types(node.left, "÷" if context == "÷" else "×", out)
            _link_types(node.right, "÷" if context == "÷" else "×", out)
        else:
            _link_types(node.left, "÷" if context == "÷" else "×", out)
            _link_types(node.right, "×" if context == "÷" else "÷", out)


def rename(text: str, mapping: dict[str, str]) -> str:
    """The formula with ids replaced through mapping, re-written from its syntax tree."""
    parsed = parse(text)

    class _Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.Name:
            return ast.copy_location(ast.Name(id=mapping.get(node.id, node.id), ctx=node.ctx), node)

    # the transformer rewrites the tree it is given: a fresh one, never the shared tree of a parsed formula
    return ast.unparse(_Rename().visit(ast.parse(parsed.text, mode="eval").body))


def product_of(ids: list[str]) -> str:
    """A formula multiplying the ids."""
    return " * ".join(ids)


def sum_of(ids: list[str]) -> str:
    """A formula adding the ids."""
    return " + ".join(ids)
