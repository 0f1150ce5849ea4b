"""Edits as people make them: raw text from a field or a table cell -> a new workshop, or a Problem.

Pages call these and nothing else to change a workshop, so every screen parses and refuses input
the same way; the command line and the tests use them too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kpidesign import tree
from kpidesign.language import Language
from kpidesign.model import (
    Aggregation,
    Alert,
    AlertLevel,
    Cadence,
    Channel,
    ComparisonAxis,
    Direction,
    Frequency,
    Layer,
    LearningEntry,
    ReviewMeeting,
    Sensitivity,
    Workshop,
)
from kpidesign.values import EditError, Problem, connection_problem, parse_date, parse_name, parse_number, parse_text

TEXT_FIELDS = {"unit": 40, "objective": 1000}
DEFINITION_TEXT = {
    "expression": 500,
    "numerator": 300,
    "denominator": 300,
    "period": 60,
    "source": 300,
    "owner": 120,
    "why": 2000,
    "query": 5000,
    "connection": 64,
}
ENUM_FIELDS: dict[str, type[StrEnum]] = {"layer": Layer, "sensitivity": Sensitivity}
DEFINITION_ENUMS: dict[str, type[StrEnum]] = {"frequency": Frequency, "aggregation": Aggregation}
THRESHOLD_NUMBERS = ("green", "yellow")
NODE_NUMBERS = ("baseline", "target")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_SLACK = re.compile(r"^[#@][^\s,;]{1,80}$")

#: The columns of the definition sheet, in order; each is a field that set_field understands.
SHEET_COLUMNS = (
    "expression",
    "numerator",
    "denominator",
    "period",
    "source",
    "frequency",
    "aggregation",
    "owner",
    "why",
    "comparisons",
    "direction",
    "green",
    "yellow",
    "baseline",
    "target",
)


def _choice(enum: type[StrEnum], raw: Any, *, allow_empty: bool = True) -> StrEnum | None:
    if raw is None or raw == "" or raw == "—":
        if allow_empty:
            return None
        raise EditError(Problem("required"))
    value = raw.value if isinstance(raw, StrEnum) else str(raw).strip()
    try:
        return enum(value)
    except ValueError:
        raise EditError(Problem("choice_invalid", {"text": str(raw)[:40], "choices": ", ".join(e.value for e in enum)})) from None


def _comparisons(raw: Any) -> list[ComparisonAxis]:
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, (list, tuple)) else [x for x in re.split(r"[,、\s]+", str(raw)) if x]
    return list(dict.fromkeys(_choice(ComparisonAxis, x, allow_empty=False) for x in items))  # type: ignore[misc]


def parse_field(field: str, raw: Any) -> Any:
    """Parse a raw input for a node field; raise EditError with a Problem if it cannot be used."""
    if field == "name":
        return parse_name(raw).get()
    if field in NODE_NUMBERS or field in THRESHOLD_NUMBERS:
        return parse_number(raw).get()
    if field in TEXT_FIELDS:
        return parse_text(raw, max_len=TEXT_FIELDS[field]).get()
    if field == "connection":
        name = parse_text(raw, max_len=DEFINITION_TEXT[field]).get()
        problem = connection_problem(name) if name else None
        if problem is not None:
            raise EditError(problem)
        return name
    if field in DEFINITION_TEXT:
        return parse_text(raw, max_len=DEFINITION_TEXT[field]).get()
    if field in ENUM_FIELDS:
        return _choice(ENUM_FIELDS[field], raw)
    if field in DEFINITION_ENUMS:
        return _choice(DEFINITION_ENUMS[field], raw)
    if field == "direction":
        return _choice(Direction, raw, allow_empty=False)
    if field == "comparisons":
        return _comparisons(raw)
    if field == "deadline":
        return parse_date(raw).get()
    if field == "formula":
        return parse_text(raw, max_len=500).get() or ""
    raise EditError(Problem("field_not_editable", {"field": field}))


def set_field(ws: Workshop, node_id: str, field: str, raw: Any) -> Workshop:
    """Set one field of one node from raw input (name, numbers, layer, formula, definition, thresholds)."""
    value = parse_field(field, raw)
    node = ws.node(node_id)
    if field == "deadline" and value is not None and value < dt.date.today() and value != node.deadline:
        raise EditError(Problem("deadline_past", {"date": value.isoformat()}))
    if field in DEFINITION_TEXT or field in DEFINITION_ENUMS or field == "comparisons":
        return tree.update_node(ws, node_id, definition=node.definition.model_copy(update={field: value}))
    if field in THRESHOLD_NUMBERS or field == "direction":
        return tree.update_node(ws, node_id, thresholds=node.thresholds.model_copy(update={field: value}))
    return tree.update_node(ws, node_id, **{field: value})


def set_title(ws: Workshop, raw: Any) -> Workshop:
    """Rename the workshop."""
    return ws.model_copy(update={"title": parse_name(raw, max_len=120).get()})


def set_description(ws: Workshop, raw: Any) -> Workshop:
    """Change the workshop's description."""
    return ws.model_copy(update={"description": parse_text(raw, max_len=2000).get()})


@dataclass(frozen=True)
class CellProblem:
    """A table cell that was refused: the row's id, the column and why."""

    row: str
    column: str
    problem: Problem


def apply_sheet_edits(
    ws: Workshop, row_ids: list[str], edited_rows: dict[Any, dict[str, Any]], columns: tuple[str, ...] = SHEET_COLUMNS
) -> tuple[Workshop, list[CellProblem]]:
    """Apply a data editor's edited cells (rows are nodes); keep good cells, list refused ones."""
    problems: list[CellProblem] = []
    for row, changes in sorted(edited_rows.items(), key=lambda kv: int(kv[0])):
        index = int(row)
        if not 0 <= index < len(row_ids):
            continue
        for column, raw in changes.items():
            if column not in columns:
                problems.append(CellProblem(row_ids[index], column, Problem("field_not_editable", {"field": column})))
                continue
            try:
                ws = set_field(ws, row_ids[index], column, raw)
            except EditError as e:
                problems.append(CellProblem(row_ids[index], column, e.problem))
    return ws, problems


def pending_cells(edited_rows: dict[Any, dict[str, Any]], applied: dict[tuple[int, str], Any]) -> dict[int, dict[str, Any]]:
    """The cells of a data editor's edited_rows (every edit since the grid was drawn) not yet applied with that value."""
    pending: dict[int, dict[str, Any]] = {}
    for row, changes in edited_rows.items():
        for column, raw in changes.items():
            key = (int(row), column)
            if key not in applied or applied[key] != raw:
                pending.setdefault(int(row), {})[column] = raw
    return pending


def _names(raw: Any) -> list[str]:
    items = raw if isinstance(raw, (list, tuple)) else re.split(r"[,、\n]+", str(raw or ""))
    return [parse_name(x, max_len=120).get() or "" for x in items if str(x).strip()]


def _kpis(ws: Workshop, raw: Any) -> list[str]:
    ids = {n.id for n in ws.nodes}
    by_name = {n.name: n.id for n in ws.nodes}
    items = raw if isinstance(raw, (list, tuple)) else [x.strip() for x in re.split(r"[,、\n]+", str(raw or "")) if x.strip()]
    out = []
    for x in items:
        kpi = x if x in ids else by_name.get(x)
        if kpi is None:
            raise EditError(Problem("kpi_unknown", {"text": str(x)[:40]}))
        out.append(kpi)
    return list(dict.fromkeys(out))


def make_review_meeting(ws: Workshop, row: dict[str, Any]) -> ReviewMeeting:
    """A review meeting from a table row (name, cadence, kpis, participants)."""
    name = parse_name(row.get("name"), max_len=120)
    if not name.ok:
        raise EditError(Problem("review_name_empty") if name.problem and name.problem.code == "name_empty" else name.problem)  # type: ignore[arg-type]
    return ReviewMeeting(
        name=name.value or "",
        cadence=_choice(Cadence, row.get("cadence") or "weekly", allow_empty=False),
        kpis=_kpis(ws, row.get("kpis")),
        participants=_names(row.get("participants")),
    )


def make_alert(ws: Workshop, row: dict[str, Any]) -> Alert:
    """An alert rule from a table row (kpi, when, channel, to, action); the recipient must fit the channel."""
    kpis = _kpis(ws, [row.get("kpi")] if row.get("kpi") else [])
    if not kpis:
        raise EditError(Problem("kpi_unknown", {"text": str(row.get("kpi") or "")}))
    channel = _choice(Channel, row.get("channel") or "slack", allow_empty=False)
    to = (parse_text(row.get("to"), max_len=200).get() or "").strip()
    if to and channel is Channel.EMAIL and not _EMAIL.match(to):
        raise EditError(Problem("email_invalid", {"text": to[:60]}))
    if to and channel is Channel.SLACK and not _SLACK.match(to):
        raise EditError(Problem("slack_invalid", {"text": to[:60]}))
    return Alert(
        kpi=kpis[0],
        when=_choice(AlertLevel, row.get("when") or "red", allow_empty=False),
        channel=channel,
        to=to,
        action=parse_text(row.get("action"), max_len=1000).get() or "",
    )


def apply_rows_delta(
    rows: list[dict[str, Any]], delta: dict[str, Any], build: Callable[[dict[str, Any]], Any]
) -> tuple[list[Any], list[tuple[int, Problem]]]:
    """Apply a data editor's delta (edited, added, deleted rows) to a list of rows; build each row, list refusals."""
    problems: list[tuple[int, Problem]] = []
    current = [dict(r) for r in rows]
    for row, changes in (delta.get("edited_rows") or {}).items():
        if 0 <= int(row) < len(current):
            current[int(row)].update(changes)
    deleted = {int(i) for i in (delta.get("deleted_rows") or [])}
    current = [r for i, r in enumerate(current) if i not in deleted]
    current.extend(dict(r) for r in (delta.get("added_rows") or []))
    built = []
    for i, r in enumerate(current):
        try:
            built.append(build(r))
        except EditError as e:
            problems.append((i, e.problem))
    return built, problems


def review_rows(ws: Workshop) -> list[dict[str, Any]]:
    """The review meetings as table rows."""
    return [
        {"name": r.name, "cadence": r.cadence.value, "kpis": list(r.kpis), "participants": ", ".join(r.participants)}
        for r in ws.monitoring.reviews
    ]


def alert_rows(ws: Workshop) -> list[dict[str, Any]]:
    """The alert rules as table rows."""
    return [{"kpi": a.kpi, "when": a.when.value, "channel": a.channel.value, "to": a.to, "action": a.action} for a in ws.monitoring.alerts]


def set_reviews(ws: Workshop, delta: dict[str, Any]) -> tuple[Workshop, list[tuple[int, Problem]]]:
    """Apply a table delta to the review meetings; refused rows keep their previous state."""
    return _set_monitoring(ws, "reviews", review_rows(ws), delta, lambda r: make_review_meeting(ws, r))


def set_alerts(ws: Workshop, delta: dict[str, Any]) -> tuple[Workshop, list[tuple[int, Problem]]]:
    """Apply a table delta to the alert rules; refused rows keep their previous state."""
    return _set_monitoring(ws, "alerts", alert_rows(ws), delta, lambda r: make_alert(ws, r))


def _set_monitoring(
    ws: Workshop, part: str, rows: list[dict[str, Any]], delta: dict[str, Any], build: Callable[[dict[str, Any]], Any]
) -> tuple[Workshop, list[tuple[int, Problem]]]:
    built, problems = apply_rows_delta(rows, delta, build)
    if problems:
        return ws, problems
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={part: built})}), []


def add_review(ws: Workshop, row: dict[str, Any]) -> Workshop:
    """Append a review meeting built from form fields."""
    reviews = [*ws.monitoring.reviews, make_review_meeting(ws, row)]
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={"reviews": reviews})})


def add_alert(ws: Workshop, row: dict[str, Any]) -> Workshop:
    """Append an alert rule built from form fields."""
    alerts = [*ws.monitoring.alerts, make_alert(ws, row)]
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={"alerts": alerts})})


def add_learning(ws: Workshop, *, date: Any, kpi: str | None, observe: Any, insight: Any, act: Any, integrate: Any) -> Workshop:
    """Record one turn of the learning loop; at least 'observe' must be written."""
    entry = LearningEntry(
        date=parse_date(date or dt.date.today()).get() or dt.date.today(),
        kpi=_kpis(ws, [kpi])[0] if kpi else "",
        observe=parse_text(observe, max_len=2000).get() or "",
        insight=parse_text(insight, max_len=2000).get() or "",
        act=parse_text(act, max_len=2000).get() or "",
        integrate=parse_text(integrate, max_len=2000).get() or "",
    )
    if not entry.observe:
        raise EditError(Problem("observe_required"))
    log = [*ws.monitoring.learning_log, entry]
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={"learning_log": log})})


def remove_learning(ws: Workshop, index: int) -> Workshop:
    """Remove one learning-log entry by its position."""
    log = [e for i, e in enumerate(ws.monitoring.learning_log) if i != index]
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={"learning_log": log})})


def add_from_library(ws: Workshop, parent_id: str, key: str, lang: Language) -> tuple[Workshop, str]:
    """Add a KPI of the library under parent_id, with its unit, layer, speed, formula in words and direction."""
    from kpidesign import library

    kpi = next((k for k in library.library() if k.key == key), None)
    if kpi is None:
        raise EditError(Problem("kpi_unknown", {"text": key[:40]}))
    return tree.add_node(ws, parent_id, kpi.name.get(lang) or kpi.name["en"], **library.as_node_fields(kpi, lang))


def add_children(ws: Workshop, parent_id: str, raw_names: str) -> tuple[Workshop, list[str]]:
    """Add one child per non-empty line of raw_names under parent_id; all or nothing."""
    names = [line for line in (raw_names or "").splitlines() if line.strip()]
    if not names:
        raise EditError(Problem("name_empty"))
    added = []
    for name in names:
        ws, new_id = tree.add_node(ws, parent_id, name)
        added.append(new_id)
    return ws, added
