"""The KPI tree for Lightdash: a dbt `schema.yml` whose model carries every KPI as a Lightdash metric, with the tree's
edges as `drivers` (so Lightdash's Saved Trees draw the tree by themselves), and the `lightdash.config.yml` that declares
the Spotlight categories the metrics use (Lightdash's compiler refuses a category its project config does not declare).

Written for dbt 1.10+ (`config.meta`; for dbt 1.9 and earlier move `config.meta` up to `meta`), checked against
Lightdash's published JSON schema (lightdash-dbt-2.0) and compiled by its own compiler (`convertExplores`) in the tests.
The model is a wide table of daily facts, one column per measure, named as in the dbt export (its `kpi_facts`): every
KPI is measured at its source, aggregated as its aggregation says (kpidesign.aggregation: `sum`, `average`, or a stock's
latest day with MAX_BY over the day), a KPI with numerator and denominator a `number` metric dividing two summed
columns; a KPI with a formula over its children also gets `<name>_from_drivers`, a `number` metric over its drivers'
metrics. Targets and thresholds go in each metric's `meta` in the shape Lightdash's proposal for them uses
(lightdash/lightdash#20205: `targets` of date and value, `thresholds` as fractions of the target), kpidesign's own
levels beside them under `meta.kpidesign`, and in words in the description; the owner goes to `spotlight.owner` only
when it is an e-mail address (Lightdash's rule). A unit Lightdash cannot format (anything but %, JPY and USD) stays in
the label; a ratio shows as a percent.
"""

from __future__ import annotations

import ast
import re
from typing import Any, cast

import yaml

from kpidesign import aggregation as aggregations
from kpidesign.i18n import t
from kpidesign.io import yaml_read
from kpidesign.io.metricflow import TIME_DIMENSION, derived, dump, inert, is_ratio, kpi_meta, naming
from kpidesign.io.yaml_io import DUMPER, plain_number
from kpidesign.language import Language
from kpidesign.model import Aggregation, Direction, Layer, Node, Workshop
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

    def level(value: float) -> str:  # 「0.2 以上」 in Japanese, "at or above 0.2" in English
        shown, side = format_value(value, node.unit), w(th.direction.value)
        return f"{shown} {side}" if lang == "ja" else f"{side} {shown}"

    parts = [d.why or d.expression or node.name]
    if node.target is not None:
        deadline = f" ({w('by')} {node.deadline.isoformat()})" if node.deadline else ""
        parts.append(f"{w('target')}: {format_value(node.target, node.unit)}{deadline}")
    if node.baseline is not None:
        parts.append(f"{w('baseline')}: {format_value(node.baseline, node.unit)}")
    if th.green is not None and th.yellow is not None:
        parts.append(f"{w('green')}: {level(th.green)} / {w('yellow')}: {level(th.yellow)}")
    if d.owner and not _EMAIL.match(d.owner):
        parts.append(f"{w('owner')}: {d.owner}")
    return " · ".join(parts)[:2000]


_PERCENT_UNITS = ("%", "％", "ratio", "比率", "割合")


def _format(node: Node) -> dict[str, Any]:
    """Lightdash's format for the unit, when it has one (a ratio KPI without a unit shows as a percent too)."""
    unit = (node.unit or "").strip().lower()
    if unit in _PERCENT_UNITS or (not unit and is_ratio(node)):
        return {"format": "percent", "round": 1}
    if unit in ("円", "jpy", "yen", "¥"):
        return {"format": "jpy", "round": 0}
    if unit in ("usd", "$"):
        return {"format": "usd", "round": 2}
    return {}


def _label(node: Node, suffix: str = "") -> str:
    """The node's name, with its unit when Lightdash has no format that shows it (人, accounts, 点…)."""
    unit = (node.unit or "").strip()
    shown = f"{node.name} ({unit})" if unit and not _format(node) else node.name
    return f"{shown}{suffix}"[:200]


def categories(ws: Workshop) -> list[str]:
    """The Spotlight categories the metrics use: the layers present, then kpidesign's own."""
    layers = {n.layer for n in ws.nodes}
    return [layer.value for layer in Layer if layer in layers] + ["kpidesign"]


def _spotlight(node: Node) -> dict[str, Any]:
    spot: dict[str, Any] = {"visibility": "show", "categories": [c for c in (node.layer.value if node.layer else None, "kpidesign") if c]}
    if node.definition.owner and _EMAIL.match(node.definition.owner.strip()):
        spot["owner"] = node.definition.owner.strip()
    return spot


def targets_meta(node: Node) -> dict[str, Any]:
    """The metric's meta in the shape of Lightdash's proposal #20205 (targets by date, thresholds as fractions of the
    target, colour by comparison), and kpidesign's own levels, direction and aggregation under `kpidesign`."""
    th = node.thresholds
    meta: dict[str, Any] = {}
    if node.target is not None:
        target: dict[str, Any] = {"value": plain_number(node.target)}
        if node.deadline:
            target = {"date": node.deadline.isoformat(), **target}
        meta["targets"] = [target]
        if node.target and th.green is not None and th.yellow is not None:
            low, high = ("below_target", "above_target") if th.direction is Direction.HIGHER_IS_BETTER else ("above_target", "below_target")
            meta["thresholds"] = [
                {"comparison": low, "color": "red", "threshold": plain_number(round(th.yellow / node.target, 6))},
                {"comparison": "at_target", "color": "yellow", "threshold": plain_number(round(th.green / node.target, 6))},
                {"comparison": high, "color": "green"},
            ]
    own = kpi_meta(node)
    own["aggregation"] = "ratio" if is_ratio(node) else aggregations.effective(node).value
    meta["kpidesign"] = own
    return meta


def to_model(ws: Workshop) -> dict[str, Any]:
    """The schema.yml document as plain data: one model, its date column, every KPI a metric, the tree as drivers."""
    names = naming(ws)
    children = children_map(ws)
    drivers_word = t("mf_from_drivers", ws.language)
    metrics: dict[str, dict[str, Any]] = {}
    for node, _ in walk(ws):
        name = names.metric[node.id]
        metric: dict[str, Any] = {"label": _label(node), "description": _description(node, ws.language)}
        if is_ratio(node):
            num, den = names.parts[node.id]
            for part, text in ((num, node.definition.numerator), (den, node.definition.denominator)):
                metrics[part] = {"type": "sum", "sql": f"${{TABLE}}.{part}", "label": f"{node.name}: {text}"[:200], "hidden": True}
            metric.update(type="number", sql=f"(1.0 * ${{{num}}} / NULLIF(${{{den}}}, 0))")
        elif aggregations.effective(node) is Aggregation.LAST:  # a stock: the latest day's value (Lightdash has no such type)
            metric.update(type="number", sql=f"MAX_BY(${{TABLE}}.{name}, ${{TABLE}}.{TIME_DIMENSION})")
        else:
            metric.update(type=aggregations.effective(node).value, sql=f"${{TABLE}}.{name}")
        metric.update(_format(node))
        metric["spotlight"] = _spotlight(node)
        kids = children.get(node.id, [])
        if kids:
            metric["drivers"] = [names.metric[k] for k in kids]
        metric["tags"] = [
            t for t in (node.layer.value if node.layer else None, node.sensitivity.value if node.sensitivity else None) if t
        ] or ["kpi"]
        metric["meta"] = targets_meta(node)
        metrics[name] = metric
        parsed = derived(node, set(kids))
        if parsed is not None:  # the tree's estimate beside the measurement, out of Spotlight (the tree is the drivers)
            metrics[names.from_drivers[node.id]] = {
                "label": _label(node, drivers_word),
                "description": f"{node.formula} — {_description(node, ws.language)}"[:2000],
                "type": "number",
                "sql": formula_sql(parsed.text, names.metric),
                **_format(node),
                "spotlight": {"visibility": "hide", "categories": ["kpidesign"]},
                "tags": ["estimate"],
            }
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


CONFIG = "lightdash.config.yml"


def to_config(ws: Workshop, existing: str = "") -> str:
    """The lightdash.config.yml that declares every Spotlight category the metrics use; given the project's own file
    (existing), the same with the missing categories added and nothing else changed (ValueError if it is no mapping)."""
    try:  # a project's own file: no anchors nor aliases (kpidesign's YAML reader refuses them, and alias bombs with them)
        doc = yaml_read.load(existing) if existing.strip() else {}
    except (yaml.YAMLError, yaml_read.Refused) as e:
        raise ValueError(f"{CONFIG} is not YAML kpidesign can read ({type(e).__name__})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{CONFIG} is not a YAML mapping")
    spotlight = doc.get("spotlight") or {}
    declared = (spotlight.get("categories") or {}) if isinstance(spotlight, dict) else None
    if not isinstance(declared, dict):
        raise ValueError(f"{CONFIG}: spotlight.categories is not a mapping")
    doc["spotlight"] = {**spotlight, "categories": declared}
    colours = {"leading": "green", "intermediate": "blue", "lagging": "violet", "kpidesign": "gray"}
    for category in categories(ws):
        declared.setdefault(
            category, {"label": t(category, ws.language) if category != "kpidesign" else "kpidesign", "color": colours[category]}
        )
    header = "# Lightdash project config: the Spotlight categories the KPI metrics use (kpidesign). Keep it at the dbt project's root.\n"
    return (header if not existing.strip() else "") + yaml.dump(doc, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)


def to_lightdash(ws: Workshop) -> str:
    """The schema.yml as YAML text; it says where the lightdash.config.yml it needs goes, and what it holds."""
    config = "".join(f"#   {line}\n" for line in to_config(ws).splitlines()[1:])
    header = (
        f"# Lightdash metrics and metric tree generated by kpidesign from “{ws.title}” (dbt 1.10+: config.meta).\n"
        f"# Point the model `{MODEL}` at a table of one row per day with a column per measure (see kpidesign's dbt export's README).\n"
        f"# Lightdash needs the Spotlight categories declared in {CONFIG} at the dbt project's root (the command line writes it):\n"
        + config
    )
    return str(inert(header)) + dump(to_model(ws))
