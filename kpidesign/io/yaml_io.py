"""The canonical kpidesign YAML format (version 1), to and from the model.

Loading counts the size limit in bytes, reads with PyYAML's safe loader (no Python tags; anchors and aliases refused,
see yaml_read), then pydantic validation and the tree's structural checks; every problem becomes a Finding that names
the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload

import yaml
from pydantic import ValidationError

from kpidesign.findings import Finding, Severity, errors
from kpidesign.io import yaml_read
from kpidesign.model import Actual, RoomRecord, Workshop
from kpidesign.tree import check_structure, walk

FORMAT_VERSION = 1
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when the wheel has it: same output, far faster
_Loader = yaml_read.Loader  # the safe loader (the KPI library is read with it too)
MAX_BYTES = 5 * 1024 * 1024
_KGI_ONLY = ("deadline", "objective")


@dataclass(frozen=True)
class ImportResult:
    """A workshop read from a file, or None with the findings that explain why not."""

    workshop: Workshop | None
    findings: list[Finding] = field(default_factory=list)


@overload
def plain_number(v: float) -> float | int: ...
@overload
def plain_number(v: float | None) -> float | int | None: ...
def plain_number(v: float | None) -> float | int | None:
    """A whole number as int (800000000, not 800000000.0), anything else unchanged."""
    return int(v) if v is not None and float(v).is_integer() else v


_number = plain_number


def _node_dict(node: Any, *, kgi: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"id": node.id}
    if not kgi:
        d["parent"] = node.parent
    d["name"] = node.name
    for key in ("unit", "layer", "sensitivity"):
        value = getattr(node, key)
        if value:
            d[key] = value.value if hasattr(value, "value") else value
    for key in ("baseline", "target"):
        if getattr(node, key) is not None:
            d[key] = _number(getattr(node, key))
    if kgi:
        if node.deadline:
            d["deadline"] = node.deadline
        if node.definition.why:
            d["why"] = node.definition.why
        if node.objective:
            d["objective"] = node.objective
    if node.formula:
        d["formula"] = node.formula
    definition = node.definition.model_dump(mode="json", exclude_defaults=True)
    if kgi:
        definition.pop("why", None)
    if definition:
        d["definition"] = definition
    th = node.thresholds
    if th.green is not None or th.yellow is not None or th.direction.value != "higher_is_better":
        d["thresholds"] = {"direction": th.direction.value, "green": _number(th.green), "yellow": _number(th.yellow)}
    return d


def to_dict(ws: Workshop) -> dict[str, Any]:
    """The workshop in the canonical YAML shape (plain Python data)."""
    kgi = ws.kgi
    doc: dict[str, Any] = {"kpidesign": FORMAT_VERSION, "workshop": {"title": ws.title}}
    if ws.description:
        doc["workshop"]["description"] = ws.description
    doc["workshop"]["language"] = ws.language
    doc["kgi"] = _node_dict(kgi, kgi=True)
    doc["nodes"] = [_node_dict(n, kgi=False) for n in ws.nodes if n.parent is not None]
    mon = ws.monitoring.model_dump(mode="python", exclude_defaults=True)
    if mon:
        doc["monitoring"] = _plain(mon)
    if _observed(ws.actuals):
        doc["actuals"] = [
            {"kpi": a.kpi, "date": a.date, "value": _number(a.value), **({"market": _number(a.market)} if a.market is not None else {})}
            for a in _observed(ws.actuals)
        ]
    if ws.agenda:
        doc["agenda"] = [
            {"title": a.title, "step": a.step, "node": a.node, "minutes": a.minutes, **({"prompt": a.prompt} if a.prompt else {})}
            for a in ws.agenda
        ]
    if ws.room is not None:
        doc["room"] = _room_dict(ws.room)
    return doc


def _room_dict(room: RoomRecord) -> dict[str, Any]:
    """The `room:` part: ideas with their literal text (author null when anonymous or unnamed), votes with results."""
    ideas = []
    for i in room.ideas:
        idea: dict[str, Any] = {"id": i.id, "text": i.text}
        if i.parent is not None:
            idea["parent"] = i.parent
        idea["author"] = i.author
        idea["status"] = str(i.status)
        idea |= {k: v for k, v in (("node", i.node), ("merged_into", i.merged_into)) if v is not None}
        if i.held:
            idea["held"] = True  # waiting for the facilitator's approval: not shown to the room
        ideas.append(idea)
    votes = [{"question": v.question, "kind": str(v.kind), "dots": v.dots, "results": dict(v.results)} for v in room.votes]
    out: dict[str, Any] = {"anonymous": room.anonymous, "ideas": ideas, "votes": votes}
    if room.moderation is not None:
        m = room.moderation
        out["moderation"] = {"hold": m.hold} | ({"block_words": list(m.block_words)} if m.block_words is not None else {})
    themes = [{"label": t.label, "ideas": list(t.ideas), **({"node": t.node} if t.node else {})} for t in room.themes]
    if themes:
        out["themes"] = themes
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value
    if isinstance(value, str) and hasattr(value, "value"):
        return value.value
    return _number(value) if isinstance(value, float) else value


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)


def to_yaml(ws: Workshop) -> str:
    """The workshop as canonical kpidesign YAML text (UTF-8, Japanese kept readable)."""
    if not _observed(ws.actuals):
        return _dump(to_dict(ws))
    # `actuals:` comes last; its rows (26,000 for a year of weekly values of 500 KPIs) are written as PyYAML writes
    # them, a hundred times faster: each KPI id is written once by PyYAML in the same place, dates and numbers are plain
    return _dump(to_dict(ws.model_copy(update={"actuals": []}))) + "actuals:\n" + "".join(_actual_rows(_observed(ws.actuals)))


def _observed(actuals: list[Actual]) -> list[Actual]:
    """The actuals that hold a value: a database row whose value is NULL (a NaN imported before NaN was refused) is no observation."""
    return actuals if all(a.value is not None for a in actuals) else [a for a in actuals if a.value is not None]


def _actual_rows(actuals: list[Actual]) -> Iterator[str]:
    kpis: dict[str, str] = {}
    for a in actuals:
        kpi = kpis.get(a.kpi)
        if kpi is None:  # "- kpi: …\n" as PyYAML writes it in a block sequence (quoting, folding and all)
            kpi = kpis[a.kpi] = _dump([{"kpi": a.kpi}])
        market = "" if a.market is None else f"  market: {_scalar(_number(a.market))}\n"
        yield f"{kpi}  date: {a.date.isoformat()}\n  value: {_scalar(_number(a.value))}\n{market}"


def _scalar(number: float | int) -> str:
    """A number as PyYAML's safe representer writes it."""
    if isinstance(number, int):
        return str(number)
    if number != number:
        return ".nan"
    if number in (math.inf, -math.inf):
        return ".inf" if number > 0 else "-.inf"
    text = repr(number).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def from_dict(doc: Any) -> ImportResult:
    """Read a workshop from canonical YAML data; findings name the field and the problem."""
    if not isinstance(doc, dict):
        return _refuse("yaml_not_mapping", "")
    version = doc.get("kpidesign")
    if version != FORMAT_VERSION:
        return _refuse("yaml_version", "kpidesign", got=str(version), want=FORMAT_VERSION)
    head, kgi, nodes = doc.get("workshop"), doc.get("kgi"), doc.get("nodes", [])
    if not isinstance(head, dict):
        return _refuse("yaml_missing", "workshop")
    if not isinstance(kgi, dict):
        return _refuse("yaml_missing", "kgi")
    if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
        return _refuse("yaml_bad_list", "nodes")
    kgi = dict(kgi)
    definition = dict(kgi.pop("definition", None) or {})
    if "why" in kgi:
        definition["why"] = kgi.pop("why")
    root = {**kgi, "parent": None, "definition": definition}
    data = {
        "title": head.get("title"),
        "description": head.get("description") or "",
        "language": head.get("language") or "ja",
        "nodes": [root, *nodes],
        "monitoring": doc.get("monitoring") or {},
        "actuals": doc.get("actuals") or [],
        "room": doc.get("room"),
        "agenda": doc.get("agenda") or [],
    }
    try:
        ws = Workshop.model_validate(data)
    except ValidationError as e:
        return ImportResult(None, [_finding(err, nodes) for err in e.errors()[:20]])
    for i, n in enumerate(nodes):
        if n.get("parent") is None:
            return _refuse("yaml_missing", f"nodes[{i}].parent")
    findings = check_structure(ws)
    if errors(findings):
        return ImportResult(None, findings)
    findings += _orphan_actuals(ws) + _agenda_nodes(ws)
    return ImportResult(ws.model_copy(update={"nodes": [n for n, _ in walk(ws)]}), findings)  # display order: depth first


def size_in_bytes(text: str | bytes) -> int:
    """The size of text as a file: its UTF-8 bytes (a Japanese character is three), not its characters."""
    return len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))


def from_yaml(text: str | bytes) -> ImportResult:
    """Read a workshop from YAML text, safely (no tags, no anchors or aliases, at most MAX_BYTES of UTF-8)."""
    size = size_in_bytes(text)
    if size > MAX_BYTES:
        return _refuse("file_too_large", "", size=size, max=MAX_BYTES)
    try:
        doc = yaml_read.load(text)
    except yaml_read.Refused as e:
        return ImportResult(None, [Finding(Severity.ERROR, e.code, None, e.params)])
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        return _refuse("yaml_syntax", where, detail=str(getattr(e, "problem", "") or e)[:200])
    except UnicodeError:  # a str holding a lone surrogate (from Python, never from an upload: those are decoded strictly)
        return _refuse("not_utf8", "")
    return from_dict(doc)


def _orphan_actuals(ws: Workshop) -> list[Finding]:
    """A warning per KPI id in `actuals` that names no node: the values are kept, but no status is drawn from them."""
    ids = {n.id for n in ws.nodes}
    first: dict[str, int] = {}
    for i, a in enumerate(ws.actuals):
        if a.kpi not in ids:
            first.setdefault(a.kpi, i)
    return [Finding(Severity.WARNING, "actual_unknown_kpi", None, {"field": f"actuals[{i}].kpi", "text": kpi}) for kpi, i in first.items()]


def _agenda_nodes(ws: Workshop) -> list[Finding]:
    """A warning per agenda segment that asks about a node the tree does not have: kept, and asked without a node."""
    ids = {n.id for n in ws.nodes}
    return [
        Finding(Severity.WARNING, "agenda_unknown_node", None, {"field": f"agenda[{i}].node", "text": a.node})
        for i, a in enumerate(ws.agenda)
        if a.node is not None and a.node not in ids
    ]


def _refuse(code: str, where: str, **params: Any) -> ImportResult:
    return ImportResult(None, [Finding(Severity.ERROR, code, None, {"field": where, **params})])


def _finding(err: Any, nodes: list[dict[str, Any]]) -> Finding:
    """A validation error as a Finding naming the field as the file writes it: kgi.target, nodes[2].name, actuals[7].value."""
    loc = list(err.get("loc", ()))
    if loc[:1] == ["nodes"] and len(loc) > 1 and isinstance(loc[1], int):
        loc = ["kgi", *loc[2:]] if loc[1] == 0 else ["nodes", loc[1] - 1, *loc[2:]]
    if loc[:1] in (["title"], ["description"], ["language"]):
        loc = ["workshop", *loc]
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f"{'.' if path else ''}{str(part)[:40]}"
    return Finding(Severity.ERROR, "yaml_field", None, {"field": path, "detail": str(err.get("msg", ""))[:200]})
