"""dbt MetricFlow metrics and the semantic model they stand on, valid for dbt-semantic-interfaces and MetricFlow.

Every KPI is a metric measured at its source: a KPI with numerator and denominator a `ratio` metric over two `simple`
metrics (hidden helpers, each a summed measure: sum over sum), any other KPI a `simple` metric on a measure of its own
aggregated as the KPI's aggregation says (kpidesign.aggregation: a flow summed, a rate or per-unit figure averaged, a
stock's period value its last day's: a sum with a non-additive dimension on the day, the latest day kept). A KPI whose
formula is arithmetic over its own children also gets `<name>_from_drivers`, a `derived` metric over its children's
metrics: the tree's estimate beside the measurement. The workshop's fields (owner, why, thresholds, target, the
aggregation, the links' verdicts in the data…) travel under `config.meta`; the description carries the definition in
words; `time_granularity` follows the KPI's update frequency.

The semantic model reads one table of one row per day (`date_day`) and one column per measure. `--format metricflow`
writes the metrics with the semantic model commented at the end; `--format dbt` (kpidesign.io.dbt) writes both, a
time spine and a README as a folder a dbt project takes as it is, every name behind an optional prefix.

Names follow dsi's rule (lower-case letters, digits and single underscores, a letter first, at least two characters,
not a time granularity nor a MetricFlow keyword) and are unique across the metrics, the generated numerator,
denominator and from-drivers metrics, and the semantic model's own dimension and entity; labels are unique too, as
`dbt parse` requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kpidesign import aggregation as aggregations
from kpidesign import formula as formulas
from kpidesign.aggregation import is_ratio
from kpidesign.i18n import t
from kpidesign.io.yaml_io import DUMPER
from kpidesign.io.yaml_io import plain_number as _number
from kpidesign.links import TESTED, links
from kpidesign.model import Aggregation, Frequency, Node, Workshop
from kpidesign.tree import children_map, walk

__all__ = ["is_ratio"]  # re-exported: the exports ask this module whether a KPI is a ratio

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
FACTS = "kpi_facts"
TIME_SPINE = "time_spine"
GRANULARITY = {
    Frequency.DAILY: "day",
    Frequency.WEEKLY: "week",
    Frequency.MONTHLY: "month",
    Frequency.QUARTERLY: "quarter",
    Frequency.YEARLY: "year",
}


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


@dataclass(frozen=True)
class Naming:
    """Every dbt name of one workshop's export: its metrics, the ratio KPIs' numerator and denominator metrics, the
    formula KPIs' `…_from_drivers` metrics, and the models around them, all behind the prefix when there is one."""

    metric: dict[str, str]
    parts: dict[str, tuple[str, str]]
    from_drivers: dict[str, str]
    prefix: str = ""

    def fixed(self, base: str) -> str:
        """A name of the export's own (table, time spine, semantic model, entity) behind the prefix."""
        return f"{self.prefix}_{base}" if self.prefix else base

    @property
    def facts(self) -> str:
        """The table of daily facts the semantic model reads."""
        return self.fixed(FACTS)

    @property
    def time_spine(self) -> str:
        """The time spine model."""
        return self.fixed(TIME_SPINE)

    @property
    def semantic_model(self) -> str:
        """The semantic model."""
        return f"{self.prefix}_kpis" if self.prefix else SEMANTIC_MODEL

    @property
    def entity(self) -> str:
        """The semantic model's primary entity (one per day)."""
        return self.fixed(ENTITY)


PREFIX = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def naming(ws: Workshop, prefix: str = "") -> Naming:
    """The names of one workshop's export (a node's own id wins over a generated name); prefix as PREFIX allows, or ""."""
    if prefix and not PREFIX.match(prefix):
        raise ValueError(f"not a dbt name prefix: {prefix!r}")
    names = _Names((TIME_DIMENSION, ENTITY, SEMANTIC_MODEL, FACTS, TIME_SPINE))
    base = {node.id: names.take(node.id, f"kpi_{i + 1}") for i, node in enumerate(ws.nodes)}
    parts = {
        node.id: (names.take(f"{base[node.id]}_numerator", "numerator"), names.take(f"{base[node.id]}_denominator", "denominator"))
        for node in ws.nodes
        if is_ratio(node)
    }
    children = children_map(ws)
    drivers = {
        node.id: names.take(f"{base[node.id]}_from_drivers", "from_drivers")
        for node in ws.nodes
        if derived(node, set(children.get(node.id, []))) is not None
    }

    def p(name: str) -> str:
        return f"{prefix}_{name}" if prefix else name

    return Naming(
        {k: p(v) for k, v in base.items()},
        {k: (p(a), p(b)) for k, (a, b) in parts.items()},
        {k: p(v) for k, v in drivers.items()},
        prefix,
    )


def dbt_names(ws: Workshop) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Every node's metric name, then every ratio KPI's numerator and denominator names (no prefix)."""
    n = naming(ws)
    return n.metric, n.parts


def metric_names(ws: Workshop) -> dict[str, str]:
    """A valid, unique dbt name for every node id."""
    return dbt_names(ws)[0]


def aggregation(node: Node) -> str:
    """How the node's own measure adds up over time (kpidesign.aggregation.effective): sum, average or last."""
    return aggregations.effective(node).value


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


def description(node: Node) -> str:
    """The KPI's definition in words (else its numerator over its denominator, else its name), then why it matters."""
    d = node.definition
    words = d.expression or (f"{d.numerator} ÷ {d.denominator}" if is_ratio(node) else "") or node.name
    return (f"{words} — {d.why}" if d.why else words)[:1000]


def verdicts(ws: Workshop) -> dict[str, dict[str, str]]:
    """Per parent id, what the actuals say of each child's link (holds, related, no relation, opposite), where tested."""
    if not ws.actuals:
        return {}
    out: dict[str, dict[str, str]] = {}
    for link in links(ws).links:
        if link.verdict in TESTED:
            out.setdefault(link.parent, {})[link.child] = link.verdict.value
    return out


def _measure(name: str, agg: Aggregation, text: str) -> dict[str, Any]:
    """A measure over the facts table's column of the same name; a stock's period value is its latest day's."""
    measure: dict[str, Any] = {"name": name, "agg": "average" if agg is Aggregation.AVERAGE else "sum", "description": text[:1000]}
    if agg is Aggregation.LAST:
        measure["non_additive_dimension"] = {"name": TIME_DIMENSION, "window_choice": "max"}
    return measure


def plan(ws: Workshop, prefix: str = "") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The metrics, and the measures the simple ones stand on (every name behind the prefix, if any)."""
    names = naming(ws, prefix)
    labels = _Labels()
    numerator_word, denominator_word = t("mf_numerator", ws.language), t("mf_denominator", ws.language)
    drivers_word = t("mf_from_drivers", ws.language)
    children = children_map(ws)
    in_data = verdicts(ws)

    def label(text: str, node_id: str) -> str:
        return labels.take(f"{text} ({prefix})" if prefix else text, node_id)

    metrics: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    for node, _ in walk(ws):
        name = names.metric[node.id]
        d = node.definition
        meta = kpi_meta(node)
        grain = {"time_granularity": GRANULARITY[d.frequency]} if d.frequency else {}
        base: dict[str, Any] = {"name": name, "label": label(node.name, node.id), "description": description(node), **grain}
        if is_ratio(node):
            num, den = names.parts[node.id]
            meta["aggregation"] = "ratio"
            for part, word, text in ((num, numerator_word, d.numerator), (den, denominator_word, d.denominator)):
                metrics.append(
                    {
                        "name": part,
                        "label": label(f"{node.name} {word}", node.id),
                        "description": text[:1000],
                        "type": "simple",
                        "type_params": {"measure": {"name": part}},
                        "config": {"meta": {"kpidesign_id": node.id, "hidden": True}},
                    }
                )
                measures.append(_measure(part, Aggregation.SUM, text))
            base.update(type="ratio", type_params={"numerator": {"name": num}, "denominator": {"name": den}})
        else:
            agg = aggregations.effective(node)
            meta["aggregation"] = agg.value
            if d.aggregation is None:
                meta["aggregation_inferred"] = True
            base.update(type="simple", type_params={"measure": {"name": name}})
            measures.append(_measure(name, agg, f"{node.name} ({node.unit})" if node.unit else node.name))
        kids = children.get(node.id, [])
        if node.id in in_data:
            meta["drivers_in_data"] = {names.metric[k]: v for k, v in in_data[node.id].items() if k in names.metric}
        base["config"] = {"meta": meta}
        metrics.append(base)
        parsed = derived(node, set(kids))
        if parsed is not None:
            metrics.append(
                {
                    "name": names.from_drivers[node.id],
                    "label": label(f"{node.name}{drivers_word}", node.id),
                    "description": f"{node.formula} — {description(node)}"[:1000],
                    **grain,
                    "type": "derived",
                    "type_params": {
                        "expr": formulas.rename(node.formula, names.metric),
                        "metrics": [{"name": names.metric[i]} for i in parsed.names],
                    },
                    "config": {"meta": {"kpidesign_id": node.id, "estimate_of": name}},
                }
            )
    return metrics, measures


def to_metrics(ws: Workshop, prefix: str = "") -> dict[str, Any]:
    """The metrics document as plain data."""
    return {"metrics": plan(ws, prefix)[0]}


def semantic_model_stub(ws: Workshop, prefix: str = "") -> dict[str, Any]:
    """The dbt semantic model that defines every measure the metrics name, over a table of one row per day."""
    return semantic_model(ws, plan(ws, prefix)[1], prefix)


def semantic_model(ws: Workshop, measures: list[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    """The semantic model over the facts table: the day as primary entity and time dimension, the given measures."""
    names = naming(ws, prefix)
    return {
        "name": names.semantic_model,
        "description": f"KPI facts of “{ws.title}” (generated by kpidesign): one row per day in `{names.facts}`, one column per measure"[
            :1000
        ],
        "model": f"ref('{names.facts}')",
        "defaults": {"agg_time_dimension": TIME_DIMENSION},
        "entities": [{"name": names.entity, "type": "primary", "expr": TIME_DIMENSION}],
        "dimensions": [{"name": TIME_DIMENSION, "type": "time", "type_params": {"time_granularity": "day"}}],
        "measures": measures,
    }


_JINJA = re.compile(r"\{(?=[{%#])")


def inert(data: Any) -> Any:
    """Data whose every text is inert for dbt, which renders Jinja in the YAML and Markdown it reads: `{{`, `{%` and `{#`
    get a space (`{ {`), so a name typed in a workshop is never run as a template in the data team's project."""
    if isinstance(data, str):
        return _JINJA.sub("{ ", data)
    if isinstance(data, dict):
        return {inert(k): inert(v) for k, v in data.items()}
    if isinstance(data, list):
        return [inert(v) for v in data]
    return data


def dump(data: Any) -> str:
    """YAML as the exports write it for dbt (Unicode kept, keys in order, no text dbt would run as Jinja)."""
    return yaml.dump(inert(data), Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)


def to_metricflow(ws: Workshop) -> str:
    """The metrics file as YAML text, with the semantic model they stand on as a comment at its end."""
    header = (
        f"# dbt MetricFlow metrics generated by kpidesign from “{inert(ws.title)}”.\n"
        "# The measures they name are defined by the semantic model at the end of this file: uncomment it and point it at your table\n"
        "# (or export --format dbt: a folder with both, a time spine and a README).\n"
    )
    metrics, measures = plan(ws)
    stub = "".join(f"# {line}\n" for line in dump({"semantic_models": [semantic_model(ws, measures)]}).splitlines())
    return header + dump({"metrics": metrics}) + "\n# The semantic model they stand on:\n" + stub
