"""The agenda as the facilitator edits it: the default agendas (120 and 60 minutes, Japanese and English) and pure edits
(add, change, remove, move a segment; a whole table at once), each a new workshop or an EditError with a Problem.

The default follows the method (../shared/method.md) on the time boxes of the published two-hour metric-tree workshop
(opening 10 min, a silent brainstorm of 20, the metric drafted, its inputs, the map, the review cadence agreed) and the
North Star playbook's hour: each of the five steps has its segment, the brainstorm asks what drives the KGI.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kpidesign import agenda as plan
from kpidesign.edits import apply_rows_delta
from kpidesign.i18n import t
from kpidesign.language import Language
from kpidesign.model import AgendaSegment, Workshop
from kpidesign.values import EditError, Problem, parse_name, parse_number, parse_text

LENGTHS = (120, 60)  # the default agendas, in minutes
# (text key, step, minutes, asks about the KGI) per segment; the keys name agenda_d_<key> (title) and _q (prompt)
DEFAULTS: dict[int, tuple[tuple[str, plan.AgendaStep, int, bool], ...]] = {
    120: (
        ("opening", "room", 10, False),
        ("kgi", 1, 15, False),
        ("brainstorm", 2, 20, True),
        ("draft", 2, 15, True),
        ("inputs", 3, 20, False),
        ("kfs", "room", 10, False),
        ("definitions", 4, 15, False),
        ("cadence", 5, 10, False),
        ("closing", "review", 5, False),
    ),
    60: (
        ("opening", "room", 5, False),
        ("kgi", 1, 10, False),
        ("brainstorm", 2, 10, True),
        ("draft", 2, 10, True),
        ("inputs", 3, 10, False),
        ("cadence", 5, 10, False),
        ("closing", "review", 5, False),
    ),
}
COLUMNS = ("title", "step", "node", "minutes", "prompt")  # a segment as a table row


def default_agenda(ws: Workshop, length: int, lang: Language) -> list[AgendaSegment]:
    """The default agenda of this many minutes (LENGTHS) in lang, its brainstorm asking about this workshop's KGI."""
    if length not in DEFAULTS:
        raise EditError(Problem("agenda_no_default", {"lengths": ", ".join(map(str, LENGTHS))}))
    return [
        AgendaSegment(
            title=t(f"agenda_d_{key}", lang),
            step=step,
            node=ws.kgi.id if on_kgi else None,
            minutes=minutes,
            prompt=t(f"agenda_d_{key}_q", lang),
        )
        for key, step, minutes, on_kgi in DEFAULTS[length]
    ]


def use_default(ws: Workshop, length: int, lang: Language) -> Workshop:
    """Replace the agenda by the default one of this length (an ordinary, versioned edit: undo brings the old back)."""
    return ws.model_copy(update={"agenda": default_agenda(ws, length, lang)})


def _node(ws: Workshop, raw: Any) -> str | None:
    """The node a segment asks about, by id or name ("" or None for none)."""
    text = str(raw or "").strip()
    if not text or text == "—":
        return None
    ids = {n.id for n in ws.nodes}
    if text in ids:
        return text
    by_name = {n.name: n.id for n in ws.nodes}
    if text in by_name:
        return by_name[text]
    raise EditError(Problem("kpi_unknown", {"text": text[:40]}))


def make_segment(ws: Workshop, row: dict[str, Any]) -> AgendaSegment:
    """A segment from raw input (title, step, node, minutes, prompt), or EditError naming what is wrong."""
    title = parse_name(row.get("title"), max_len=plan.MAX_TITLE).get() or ""
    step = plan.parse_step(row.get("step") if row.get("step") not in (None, "") else "room")
    if step is None:
        raise EditError(Problem("agenda_step_invalid", {"text": str(row.get("step"))[:20]}))
    minutes = parse_number(row.get("minutes")).get()
    if minutes is None or not float(minutes).is_integer() or not 1 <= minutes <= plan.MAX_MINUTES:
        raise EditError(Problem("agenda_minutes_range", {"max": plan.MAX_MINUTES}))
    prompt = (parse_text(row.get("prompt"), max_len=plan.MAX_PROMPT).get() or "").replace("\n", " ").strip()
    return AgendaSegment(title=title, step=step, node=_node(ws, row.get("node")), minutes=int(minutes), prompt=prompt)


def _checked(ws: Workshop, segments: list[AgendaSegment]) -> Workshop:
    """The workshop with this agenda, within the agenda's bounds (EditError otherwise)."""
    if len(segments) > plan.MAX_SEGMENTS:
        raise EditError(Problem("agenda_full", {"max": plan.MAX_SEGMENTS}))
    total = sum(s.minutes for s in segments)
    if total > plan.MAX_TOTAL_MINUTES:
        raise EditError(Problem("agenda_too_long", {"max": plan.MAX_TOTAL_MINUTES, "minutes": total}))
    try:
        return ws.model_copy(update={"agenda": [AgendaSegment.model_validate(s.model_dump()) for s in segments]})
    except ValidationError as e:  # a bound the parsers above do not know of
        raise EditError(Problem("agenda_invalid", {"detail": str(e.errors()[0]["msg"])[:200]})) from None


def add_segment(ws: Workshop, row: dict[str, Any], at: int | None = None) -> Workshop:
    """Insert a segment at position at (the end when None)."""
    segments = list(ws.agenda)
    segments.insert(len(segments) if at is None else max(0, min(at, len(segments))), make_segment(ws, row))
    return _checked(ws, segments)


def edit_segment(ws: Workshop, index: int, row: dict[str, Any]) -> Workshop:
    """Replace segment index by one made from row (its fields not in row kept)."""
    if not 0 <= index < len(ws.agenda):
        raise EditError(Problem("agenda_no_segment"))
    segments = list(ws.agenda)
    segments[index] = make_segment(ws, {**segment_row(segments[index]), **row})
    return _checked(ws, segments)


def remove_segment(ws: Workshop, index: int) -> Workshop:
    """Remove segment index."""
    if not 0 <= index < len(ws.agenda):
        raise EditError(Problem("agenda_no_segment"))
    return ws.model_copy(update={"agenda": [s for i, s in enumerate(ws.agenda) if i != index]})


def move_segment(ws: Workshop, index: int, by: int) -> Workshop:
    """Move segment index by `by` places (negative: earlier), stopping at either end; the workshop itself if it stays."""
    if not 0 <= index < len(ws.agenda):
        raise EditError(Problem("agenda_no_segment"))
    to = max(0, min(index + by, len(ws.agenda) - 1))
    if to == index:
        return ws
    segments = list(ws.agenda)
    segments.insert(to, segments.pop(index))
    return ws.model_copy(update={"agenda": segments})


def segment_row(segment: AgendaSegment) -> dict[str, Any]:
    """A segment as a table row (COLUMNS)."""
    return {
        "title": segment.title,
        "step": str(segment.step),
        "node": segment.node or "",
        "minutes": segment.minutes,
        "prompt": segment.prompt,
    }


def agenda_rows(ws: Workshop) -> list[dict[str, Any]]:
    """The agenda as table rows."""
    return [segment_row(s) for s in ws.agenda]


def set_agenda(ws: Workshop, delta: dict[str, Any]) -> tuple[Workshop, list[tuple[int, Problem]]]:
    """Apply a table's delta (edited, added, deleted rows) to the agenda: all of it, or nothing with each refused row."""
    built, problems = apply_rows_delta(agenda_rows(ws), delta, lambda r: make_segment(ws, r))
    if problems:
        return ws, problems
    try:
        return _checked(ws, built), []
    except EditError as e:
        return ws, [(len(built) - 1, e.problem)]
