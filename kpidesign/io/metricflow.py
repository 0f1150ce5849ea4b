"""A dbt MetricFlow `metrics:` file a dbt project can start from, valid for dbt-semantic-interfaces' parser and validator.

A KPI with numerator and denominator becomes a `ratio` metric over two `simple` metrics; a node with an arithmetic
formula becomes a `derived` metric over its children; any other node is a `simple` metric on a measure of its own.
The workshop's fields (owner, why, thresholds, target…) travel under `config.meta`. The file ends with a commented
semantic model that defines every measure named (a rate averaged, a count or an amount summed), for the data team to
point at its table.

Names follow dsi's rule (lower-case letters, digits and single underscores, a letter first, at least two characters,
not a time granularity nor a MetricFlow keyword) and are unique across the metrics, the generated numerator and
denominator metrics, and the stub's own dimension and entity; labels are unique too, as `dbt parse` requires.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kpidesign import formula as formulas
from kpidesign.i18n import t
from kpidesign.io.yaml_io import DUMPER
from kpidesign.io.yaml_io import plain_number as _number
from kpidesign.model import Node, Workshop
from kpidesign.tree import children_map, walk

_NOT_NAME = re.compile(r"[^a-z0-9]+")
# dsi refuses these as names: time granularities and MetricFlow's reserved keywords
_RESERVED = frozenset(
    {
        "nanosecond",
        "microsecond",
        "millisecond",
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "quarter",
        "year",
        "metric_time",
        "mf_internal_uuid",
    }
)
TIME_DIMENSION = "date_day"
ENTITY = "kpi_fact"
SEMANTIC_MODEL = "kpidesign_kpis"
# rates, scores, prices and per-unit figures: summing them across days would be meaningless (told by the unit, else the name)
_AVERAGED_UNITS = re.compile(r"%|％|percent|\bpts?\b|ポイント|/|点|\bpoints?\b|score|倍|^\s*x\s*$", re.IGNORECASE)
_AVERAGED_NAMES = re.compile(
    r"率|rate|ratio|単価|price|平均|average|\bavg|\bper\b|あたり|満足度|satisfaction|score|スコア|\bnps\b|頻度|frequency|\btime\b|時間|日数|\bdays\b|料金|\bfee\b",
    re.IGNORECASE,
)


class _Names:
    """Hands out dsi-valid names, each once."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self.taken: set[str] = set(reserved)

    def take(self, text: str, fallback: str) -> str:
        """A valid name close to text (fallback when nothing of it survives), never one already given."""
        base = _NOT_NAME.sub("_", text.lower()).strip("_") or fallback
        if not base[0].isalpha():
            base = f"m_{base}"
        if len(base) < 2 or base in _RESERVED:
            base = f"kpi_{base}"
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name


class _Labels:
    """Unique labels: a repeated one gets the node's id, then a number."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, label: str, node_id: str) -> str:
        """The label itself when free, else a distinct variant."""
        label = label[:200]
        candidate, n = label, 2
        if candidate in self.taken:
            candidate = f"{label} ({node_id})"
        while candidate in self.taken:
            candidate, n = f"{label} ({node_id} {n})", n + 1
        self.taken.add(candidate)
        return candidate


def dbt_names(ws: Workshop) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Every node's metric name, then every ratio KPI's numerator and denominator names (a node's own id wins over a generated name)."""
    names = _Names((TIME_DIMENSION, ENTITY, SEMANTIC_MODEL))
    metric = {node.id: names.take(node.id, f"kpi_{i + 1}") for i, node in enumerate(ws.nodes)}
    parts = {
        node.id: (names.take(f"{metric[node.id]}_numerator", "numerator"), names.take(f"{metric[node.id]}_denominator", "denominator"))
        for node in ws.nodes
        if is_ratio(node)
    }
    return metric, parts


def metric_names(ws: Workshop) -> dict[str, str]:
    """A valid, unique dbt name for every node id."""
    return dbt_names(ws)[0]


def is_ratio(node: Node) -> bool:
    """True when the KPI is defined as a numerator over a denominator."""
    return bool(node.definition.numerator and node.definition.denominator)


def aggregation(node: Node) -> str:
    """How the node's measure adds up over time: `average` for a rate, a score or a per-unit figure, `sum` otherwise."""
    return "average" if _AVERAGED_UNITS.search(node.unit or "") or _AVERAGED_NAMES.search(node.name) else "sum"


def kpi_meta(node: Node) -> dict[str, Any]:
    """The workshop's fields of one node, for a metric's meta (empty ones left out)."""
    d, th = node.definition, node.thresholds
    meta: dict[str, Any] = {
        "kpidesign_id": node.id,
        "unit": node.unit or None,
        "layer": node.layer.value if node.layer else None,
        "sensitivity": node.sensitivity.value if node.sensitivity else None,
        "baseline": _number(node.baseline),
        "target": _number(node.target),
        "owner": d.owner or None,
        "why": d.why or None,
        "source": d.source or None,
        "frequency": d.frequency.value if d.frequency else None,
        "period": d.period or None,
        "comparisons": [c.value for c in d.comparisons] or None,
    }
    if th.green is not None or th.yellow is not None:
        meta["thresholds"] = {"direction": th.direction.value, "green": _number(th.green), "yellow": _number(th.yellow)}
    if node.deadline:
        meta["deadline"] = node.deadline.isoformat()
    return {k: v for k, v in meta.items() if v is not None}


def derived(node: Node, kids: set[str]) -> formulas.Formula | None:
    """The node's formula when it is arithmetic over its own children, else None."""
    if not node.formula:
        return None
    try:
        parsed = formulas.parse(node.formula)
    except formulas.FormulaError:
        return None
    return parsed if set(parsed.names) <= kids else None


def _plan(ws: Workshop) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The metrics, and the measures the simple ones stand on."""
    names, parts = dbt_names(ws)
    labels = _Labels()
    numerator_word, denominator_word = t("mf_numerator", ws.language), t("mf_denominator", ws.language)
    children = children_map(ws)
    metrics: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    for node, _ in walk(ws):
        name = names[node.id]
        d = node.definition
        base: dict[str, Any] = {
            "name": name,
            "label": labels.take(node.name, node.id),
            "description": (d.why or d.expression or node.name)[:1000],
            "config": {"meta": kpi_meta(node)},
        }
        parsed = derived(node, set(children.get(node.id, [])))
        if parsed is not None:
            base.update(
                type="derived",
                type_params={"expr": formulas.rename(node.formula, names), "metrics": [{"name": names[i]} for i in parsed.names]},
            )
        elif is_ratio(node):
            num, den = parts[node.id]
            for part, word, text in ((num, numerator_word, d.numerator), (den, denominator_word, d.denominator)):
                metrics.append(
                    {
                        "name": part,
                        "label": labels.take(f"{node.name} {word}", node.id),
                        "description": text[:1000],
                        "type": "simple",
                        "type_params": {"measure": {"name": part}},
                    }
                )
                measures.append({"name": part, "agg": "sum", "description": text[:1000]})
            base.update(type="ratio", type_params={"numerator": {"name": num}, "denominator": {"name": den}})
        else:
            agg = aggregation(node)
            base["config"]["meta"]["aggregation"] = agg
            base.update(type="simple", type_params={"measure": {"name": name}})
            measures.append(
                {"name": name, "agg": agg, "description": f"{node.name} ({node.unit})"[:1000] if node.unit else node.name[:1000]}
            )
        metrics.append(base)
    return metrics, measures


def to_metrics(ws: Workshop) -> dict[str, Any]:
    """The metrics document as plain data."""
    return {"metrics": _plan(ws)[0]}


def semantic_model_stub(ws: Workshop, model: str = "kpi_facts") -> dict[str, Any]:
    """A dbt semantic model that defines every measure the metrics name, over a table of one row per KPI fact and day."""
    return _stub(ws, _plan(ws)[1], model)


def _stub(ws: Workshop, measures: list[dict[str, Any]], model: str = "kpi_facts") -> dict[str, Any]:
    return {
        "name": SEMANTIC_MODEL,
        "description": f"KPI facts for “{ws.title}” (generated by kpidesign: point `model` at your table, adjust each measure's expr)"[
            :1000
        ],
        "model": f"ref('{model}')",
        "defaults": {"agg_time_dimension": TIME_DIMENSION},
        "entities": [{"name": ENTITY, "type": "primary", "expr": "fact_id"}],
        "dimensions": [{"name": TIME_DIMENSION, "type": "time", "type_params": {"time_granularity": "day"}}],
        "measures": measures,
    }


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)


def to_metricflow(ws: Workshop) -> str:
    """The metrics file as YAML text, with the semantic model to start from as a comment at its end."""
    header = (
        f"# dbt MetricFlow metrics generated by kpidesign from “{ws.title}”.\n"
        "# The measures they name are defined by the semantic model at the end of this file: uncomment it and point it at your table.\n"
    )
    metrics, measures = _plan(ws)
    stub = "".join(f"# {line}\n" for line in _dump({"semantic_models": [_stub(ws, measures)]}).splitlines())
    return header + _dump({"metrics": metrics}) + "\n# A semantic model to start from:\n" + stub
