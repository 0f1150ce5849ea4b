"""The KPI tree for Lightdash: a dbt `schema.yml` whose model carries every KPI as a Lightdash metric, with the tree's
edges as `drivers` (so Lightdash's Saved Trees draw the tree by themselves).

Written for dbt 1.10+ (`config.meta`; for dbt 1.9 and earlier move `config.meta` up to `meta`) and checked against
Lightdash's published JSON schema (lightdash-dbt-2.0). The model is a wide table of daily facts, one column per measured
KPI, named as in the MetricFlow export: a leaf KPI is a `sum` or `average` of its column, a KPI with numerator and
denominator a `number` metric dividing two summed columns, a node with a formula a `number` metric over its children's
metrics. Lightdash has no place for a target, a baseline or thresholds: they are written into the metric's
description, and its owner goes to `spotlight.owner` only when it is an e-mail address (Lightdash's rule).
"""

from __future__ import annotations

import ast
import re
from typing import Any, cast

import yaml

from kpidesign.i18n import t
from kpidesign.io.metricflow import TIME_DIMENSION, aggregation, dbt_names, derived, is_ratio
from kpidesign.io.yaml_io import DUMPER, plain_number
from kpidesign.language import Language
from kpidesign.model import Node, Workshop
from kpidesign.tree import children_map, walk
from kpidesign.values import format_value

MODEL = "kpi_facts"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


def _sql(node: ast.AST, names: dict[str, str]) -> str:
    """A formula's syntax tree as Lightdash SQL over other metrics (`${name}`); a division never divides by zero."""
    if isinstance(node, ast.Name):
        return "${" + names[node.id] + "}"
    if isinstance(node, ast.Constant):
        return repr(plain_number(float(cast("int | float", node.value))))  # a parsed formula holds only number constants
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"-({_sql(node.operand, names)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return _sql(node.operand, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return f"(1.0 * {_sql(node.left, names)} / NULLIF({_sql(node.right, names)}, 0))"
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return f"({_sql(node.left, names)} {_OPERATORS[type(node.op)]} {_sql(node.right, names)})"
    raise ValueError(f"not a kpidesign formula: {ast.dump(node)}")  # formula.parse admits nothing else


def formula_sql(text: str, names: dict[str, str]) -> str:
    """A kpidesign formula over node ids as Lightdash metric SQL over the metrics of those ids."""
    return _sql(ast.parse(text, mode="eval").body, names)


def _description(node: Node, lang: Language) -> str:
    """What Lightdash cannot hold in a field of its own, in words: why, target, baseline, deadline, thresholds, owner."""
    d, th = node.definition, node.thresholds

    def w(word: str) -> str:
        return t(f"ld_{word}", lang)

    parts = [d.why or d.expression or node.name]
    if node.target is not None:
        deadline = f" ({w('by')} {node.deadline.isoformat()})" if node.deadline else ""
        parts.append(f"{w('target')}: {format_value(node.target, node.unit)}{deadline}")
    if node.baseline is not None:
        parts.append(f"{w('baseline')}: {format_value(node.baseline, node.unit)}")
    if th.green is not None and th.yellow is not None:
        side = w(th.direction.value)
        parts.append(
            f"{w('green')}: {side} {format_value(th.green, node.unit)} / {w('yellow')}: {side} {format_value(th.yellow, node.unit)}"
        )
    if d.owner and not _EMAIL.match(d.owner):
        parts.append(f"{w('owner')}: {d.owner}")
    return " · ".join(parts)[:2000]


def _format(node: Node) -> dict[str, Any]:
    unit = (node.unit or "").strip().lower()
    if unit in ("%", "％"):
        return {"format": "percent", "round": 1}
    if unit in ("円", "jpy", "yen", "¥"):
        return {"format": "jpy", "round": 0}
    if unit in ("usd", "$"):
        return {"format": "usd", "round": 2}
    return {}


def _spotlight(node: Node) -> dict[str, Any]:
    spot: dict[str, Any] = {"visibility": "show", "categories": [c for c in (node.layer.value if node.layer else None, "kpidesign") if c]}
    if node.definition.owner and _EMAIL.match(node.definition.owner.strip()):
        spot["owner"] = node.definition.owner.strip()
    return spot


def to_model(ws: Workshop) -> dict[str, Any]:
    """The schema.yml document as plain data: one model, its date column, every KPI a metric, the tree as drivers."""
    names, parts = dbt_names(ws)
    children = children_map(ws)
    metrics: dict[str, dict[str, Any]] = {}
    for node, _ in walk(ws):
        name = names[node.id]
        metric: dict[str, Any] = {"label": node.name[:200], "description": _description(node, ws.language)}
        parsed = derived(node, set(children.get(node.id, [])))
        if parsed is not None:
            metric.update(type="number", sql=formula_sql(parsed.text, names))
        elif is_ratio(node):
            num, den = parts[node.id]
            for part, text in ((num, node.definition.numerator), (den, node.definition.denominator)):
                metrics[part] = {"type": "sum", "sql": f"${{TABLE}}.{part}", "label": f"{node.name}: {text}"[:200], "hidden": True}
            metric.update(type="number", sql=f"(1.0 * ${{{num}}} / NULLIF(${{{den}}}, 0))")
        elif aggregation(node) == "last":  # a stock: the latest day's value in the period (Lightdash has no such type)
            metric.update(type="number", sql=f"MAX_BY(${{TABLE}}.{name}, ${{TABLE}}.{TIME_DIMENSION})")
        else:
            metric.update(type=aggregation(node), sql=f"${{TABLE}}.{name}")
        metric.update(_format(node))
        metric["spotlight"] = _spotlight(node)
        kids = children.get(node.id, [])
        if kids:
            metric["drivers"] = [names[k] for k in kids]
        metric["tags"] = [
            t for t in (node.layer.value if node.layer else None, node.sensitivity.value if node.sensitivity else None) if t
        ] or ["kpi"]
        metrics[name] = metric
    date = {
        "name": TIME_DIMENSION,
        "description": "The day each fact describes",
        "config": {"meta": {"dimension": {"type": "date", "time_intervals": ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]}}},
    }
    model = {
        "name": MODEL,
        "description": f"KPIs of “{ws.title}” (generated by kpidesign)"[:1000],
        "columns": [date],
        "config": {"meta": {"default_time_dimension": {"field": TIME_DIMENSION, "interval": "MONTH"}, "metrics": metrics}},
    }
    return {"version": 2, "models": [model]}


def to_lightdash(ws: Workshop) -> str:
    """The schema.yml as YAML text."""
    header = (
        f"# Lightdash metrics and metric tree generated by kpidesign from “{ws.title}” (dbt 1.10+: config.meta).\n"
        f"# Point the model `{MODEL}` at a table of one row per day with a column per measured KPI.\n"
    )
    return header + yaml.dump(to_model(ws), Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)
