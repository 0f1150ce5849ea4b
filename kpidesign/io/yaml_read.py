"""YAML text to plain Python data, as ``yaml.load`` with libyaml's safe loader gives it, refusing what kpidesign never writes.

kpidesign YAML never needs anchors or aliases, and an alias nest of a few hundred bytes (a "billion laughs") expands to
hundreds of millions of items once validated: any anchor or alias is refused, with its line, before anything is built.

The document is built straight from libyaml's events: each plain scalar is typed by PyYAML's own implicit resolvers and
constructed by its own SafeConstructor, once per distinct text (a year of actuals repeats its dates and ids thousands of
times), without PyYAML's node graph. Anything kpidesign never writes (a tag other than the core ones, such as `!!set` or
`!!binary`, a `<<` merge key, a key that is a list or a mapping) is refused with its line: handing such a file to
``yaml.load`` cost a whole extra reading in pure Python (a 5 MB upload with one `!!binary` line took ~14 s of a core).

The `actuals:` block kpidesign writes at the end of a file (52,000 rows for a year of weekly values of 1,000 KPIs) is read
row by row with one regular expression when every row has exactly the shape kpidesign writes; anything else in it, and the
whole text is read from events as above (tests compare both readings with ``yaml.load`` on generated files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # safe either way: no Python tags

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SCALARS = {  # the tags a kpidesign file can hold, each built by PyYAML's own SafeConstructor method
    f"tag:yaml.org,2002:{name}": getattr(Loader, f"construct_yaml_{name}") for name in ("null", "bool", "int", "float", "timestamp")
}
# PyYAML's implicit resolvers by first character (the wildcard ones appended), as Resolver.resolve tries them
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(Loader.yaml_implicit_resolvers.get(first, []) + Loader.yaml_implicit_resolvers.get(None, []))
    for first in set(Loader.yaml_implicit_resolvers) - {None}
}
_WILDCARD: tuple[tuple[str, re.Pattern[str]], ...] = tuple(Loader.yaml_implicit_resolvers.get(None, []))
_NO_KEY, _IN_LIST = object(), object()  # a mapping awaiting its next key; a sequence (a key may be None)
_NOTHING = object()
_ACTUALS = "\nactuals:\n"
_NUMBER = r"[-+]?(?:[0-9][0-9_.]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))"
_ACTUAL_ROW = re.compile(rf"- kpi: (\w+)\n  date: ([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\n  value: ({_NUMBER})\n(?:  market: ({_NUMBER})\n)?")


@dataclass
class Refused(Exception):
    """A document refused while it was read: a Finding's code and parameters (field: where in the file)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


class _Unusual(Exception):
    """Something kpidesign never writes (the event where it was met, when known): refused by load()."""

    def __init__(self, event: Any = None) -> None:
        super().__init__()
        self.event = event


# what PyYAML's constructors raise on a value they cannot build: int('9' * 5000), 2026-02-30, and for explicitly tagged
# text such as `!!bool maybe`, `!!int ""` or `!!timestamp x`, a KeyError, an IndexError or an AttributeError
_CANNOT_BUILD = (ValueError, OverflowError, KeyError, IndexError, AttributeError, TypeError)


def load(text: str | bytes) -> Any:
    """The single document in text as plain data; Refused for an anchor, an alias or an unreadable value; yaml.YAMLError for bad YAML."""
    if isinstance(text, str):
        try:
            doc = _with_actuals_block(text)
        except (yaml.YAMLError, Refused, _Unusual, *_CANNOT_BUILD):  # any doubt: the whole text, read the ordinary way, says
            doc = _NOTHING
        if doc is not _NOTHING:
            return doc
    try:
        return _from_events(text)
    except _Unusual as e:
        mark = getattr(e.event, "start_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise Refused(
            "yaml_unsupported",
            {
                "field": f"line {line}" if line else "",
                "line": line,
                "text": _short(str(getattr(e.event, "tag", None) or getattr(e.event, "value", "") or "")),
            },
        ) from None


def _from_events(text: str | bytes) -> Any:
    loader = Loader(text)
    try:
        return _build(loader)
    finally:
        loader.dispose()


def _with_actuals_block(text: str) -> Any:
    """The document when it ends in an `actuals:` block as kpidesign writes it, read a hundred times faster; else _NOTHING.

    Every row must be exactly `- kpi: ID`, `  date: YYYY-MM-DD`, `  value: N` and optionally `  market: N`, each a plain
    scalar typed as the event reader types it. What comes before is read the ordinary way with `actuals: []` put in the
    block's place: it must be a mapping that takes that line as its last top-level key (not a flow mapping, a second
    document, an unclosed quote...), so the rows are that key's value exactly as the whole text would give it.
    """
    at = text.rfind(_ACTUALS)
    if at < 0:
        return _NOTHING
    rows, pos = [], at + len(_ACTUALS)
    for found in _ACTUAL_ROW.finditer(text, pos):
        if found.start() != pos:
            return _NOTHING
        rows.append(found.groups())
        pos = found.end()
    if not rows or pos != len(text):
        return _NOTHING
    doc = _from_events(text[: at + 1] + "actuals: []\n")
    if not isinstance(doc, dict) or doc.get("actuals") != []:
        return _NOTHING
    loader = Loader("")
    try:  # each distinct text typed once: a year of weekly actuals has 52 dates, one id per KPI
        known = {part: _plain(loader, part) for part in {part for row in rows for part in row} - {None}}
    finally:
        loader.dispose()
    doc["actuals"] = [
        {"kpi": known[kpi], "date": known[date], "value": known[value]}
        if market is None
        else {"kpi": known[kpi], "date": known[date], "value": known[value], "market": known[market]}
        for kpi, date, value, market in rows
    ]
    return doc


def _plain(loader: Any, text: str) -> Any:
    """A plain scalar's value, typed by PyYAML's implicit resolvers and built by its SafeConstructor."""
    tag = _resolve(text)
    if tag == _STR:
        return text
    if tag not in _SCALARS:
        raise _Unusual
    return _SCALARS[tag](loader, ScalarNode(tag, text, None, None))


def _anchor(event: Any) -> Refused:
    return Refused("yaml_anchor", {"field": f"line {event.start_mark.line + 1}", "anchor": str(event.anchor)[:40]})


def _unreadable(event: Any, where: str) -> Refused:
    """A scalar PyYAML typed but could not build: an integer of thousands of digits, a date that does not exist."""
    text, line = event.value, event.start_mark.line + 1
    digits = sum(ch.isdigit() for ch in text)
    if digits > 1000:
        return Refused("yaml_number_too_long", {"field": where, "line": line, "digits": f"{digits:,}"})
    return Refused("yaml_bad_value", {"field": where, "line": line, "text": _short(text)})


def _build(loader: Any) -> Any:
    """The single document of a stream, from its events."""
    get = loader.get_event
    get()  # StreamStartEvent
    event = get()
    if isinstance(event, StreamEndEvent):
        return None  # an empty stream, as yaml.load reads it
    value = _document(loader)
    get()  # DocumentEndEvent
    event = get()
    if isinstance(event, DocumentStartEvent):
        # types-PyYAML types an event's mark as either loader's Mark; ComposerError's parameter names only the pure-Python one
        raise ComposerError("expected a single document in the stream", None, "but found another document", event.start_mark)  # type: ignore[arg-type]
    return value


def _document(loader: Any) -> Any:
    """The document's root value, built from its events without recursion."""
    get = loader.get_event
    known: dict[str, Any] = {}  # plain scalar text -> its value (immutable: str, int, float, bool, None, date)
    stack: list[list[Any]] = []  # the open containers, each [container, the key awaiting its value, _NO_KEY or _IN_LIST]
    top: list[Any] = [None, _IN_LIST]  # the innermost open container
    while True:
        event = get()
        kind = event.__class__
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _anchor(event)
            text = event.value
            if event.tag is None and event.implicit[0] and text in known:
                value = known[text]  # most scalars of a big file: a date, an id, a key met before
            else:
                try:
                    value = _scalar(loader, event, known)
                except _CANNOT_BUILD:  # PyYAML lets int('9' * 5000), 2026-02-30 or `!!bool maybe` through as they are
                    raise _unreadable(event, _path(stack)) from None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                raise _anchor(event)
            if event.tag not in (None, "!", _MAP if kind is MappingStartEvent else _SEQ):
                raise _Unusual(event)
            top = [{}, _NO_KEY] if kind is MappingStartEvent else [[], _IN_LIST]
            stack.append(top)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()[0]
            if not stack:
                return value
            top = stack[-1]
        elif kind is AliasEvent:
            raise _anchor(event)
        else:
            raise ComposerError(None, None, f"unexpected {kind.__name__}", event.start_mark)
        key = top[1]
        if key is _IN_LIST:
            if not stack:
                return value  # the document is one scalar
            top[0].append(value)
        elif key is _NO_KEY:
            if kind is not ScalarEvent:
                raise _Unusual(event)  # a list or a mapping as a key
            top[1] = value
        else:
            top[0][key] = value
            top[1] = _NO_KEY


def _scalar(loader: Any, event: Any, known: dict[str, Any]) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return event.value  # quoted or block text: a string
        text = event.value
        if text in known:
            return known[text]
        tag = _resolve(text)
        value = known[text] = text if tag == _STR else _construct(loader, tag, event)
        return value
    return event.value if tag == _STR else _construct(loader, tag, event)


def _resolve(text: str) -> str:
    for tag, pattern in _RESOLVERS.get(text[:1], _WILDCARD):
        if pattern.match(text):
            return tag
    return _STR


def _construct(loader: Any, tag: str, event: Any) -> Any:
    build = _SCALARS.get(tag)
    if build is None:
        raise _Unusual(event)  # !!binary, a `<<` merge key, `=`, a tag of its own: never written by kpidesign
    return build(loader, ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style))


def _path(stack: list[list[Any]]) -> str:
    """Where the value being read sits: kgi.baseline, nodes[3].thresholds.green."""
    out = ""
    for container, key in stack:
        if key is _IN_LIST:
            out += f"[{len(container)}]"
        elif key is not _NO_KEY:  # (a key being read: the mapping's own path)
            out += ("." if out else "") + _short(str(key))
    return out


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
