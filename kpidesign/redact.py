"""What a share link may carry: the workshop a stakeholder sees and downloads, without what only the organisation's
operators should hold. One rule for the share screen and the files it offers (a download must never carry more
than the screen shows): no alert recipients (e-mail addresses, Slack channels), no KPI's SQL query or connection
name, no review participant written as an address, no room; and in every text (owners, sources, purposes, actions,
the learning log, the description) an e-mail address (ASCII or full-width ＠), a link or connection string
(`postgresql://user:pw@host/db`) or a Slack mention or ID is replaced by HIDDEN.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from kpidesign.model import Definition, Node, Workshop

HIDDEN = "[…]"
_ADDRESS = re.compile(r"[@＠]|://|mailto:|^\s*#[\w\-]+\s*$|^\s*slack:", re.IGNORECASE)  # a participant entry that reaches someone
_SLACK_ID = re.compile(r"\b[UWCG](?=[A-Z0-9]*\d)[A-Z0-9]{8,}\b")  # a Slack member or channel id (upper case, with a digit)
_IN_TEXT = re.compile(
    r"[^\s@＠<>()\[\]{}「」（）、。,;:'\"]+[@＠][^\s@＠<>()\[\]{}「」（）、。,;:'\"]+"  # an e-mail address, ASCII or full-width ＠
    r"|\b[a-z][a-z0-9+.\-]*://\S+"  # a link or a connection string (with its password)
    r"|mailto:\S+"
    r"|<[@#!][^>]*>"  # a Slack mention
    rf"|(?-i:{_SLACK_ID.pattern})",  # case-sensitive inside the case-insensitive rest
    re.IGNORECASE,
)
_REFERENCES = frozenset({"id", "parent", "kpi", "kpis", "formula", "date"})  # what names nodes and dates: kept as is


def is_address(entry: str) -> bool:
    """True for a participant entry that reaches a person or a channel (an e-mail address, an @handle, a #channel, a
    link, a Slack id), not a team's name."""
    return _ADDRESS.search(entry) is not None or _SLACK_ID.search(entry) is not None


def scrub(text: str) -> str:
    """Text with every address, link, connection string and Slack mention or id replaced by HIDDEN."""
    return _IN_TEXT.sub(HIDDEN, text) if may_hold_address(text) else text


def may_hold_address(text: str) -> bool:
    """False when no part of _IN_TEXT can match: it has no @ or ＠ (an address), no :// (a link), no mailto:, no < (a
    mention) and no Slack id. Most texts of a workshop have none, and these tests cost a tenth of the search."""
    return (
        "@" in text
        or "＠" in text
        or "<" in text
        or "://" in text
        or (":" in text and _MAILTO.search(text) is not None)
        or _SLACK_ID.search(text) is not None
    )


_MAILTO = re.compile("mailto:", re.IGNORECASE)  # as _IN_TEXT reads it (a dotless ı matches i there too)


def _scrubbed(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in _REFERENCES else scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, k) for k, v in value.items()}
    return value


def for_share(ws: Workshop) -> Workshop:
    """The workshop as a share link shows and downloads it (see the module's docstring).

    A node with nothing to scrub is kept as it is (the same object): its texts are read once (`_texts`) and only a node
    that may hold an address is dumped, scrubbed and validated again, which at 500 KPIs took 25 ms after every edit.
    The result equals `thoroughly_shared`'s (tests/test_redact.py checks it on generated workshops)."""
    rest = _shareable(ws.model_dump(mode="python", exclude={"actuals", "nodes", "room"}))
    kept = Workshop.model_validate(_scrubbed(rest) | {"nodes": []})
    return kept.model_copy(update={"nodes": [_shared_node(n) for n in ws.nodes], "actuals": ws.actuals})


def thoroughly_shared(ws: Workshop) -> Workshop:
    """for_share's result worked out the long way: every text of every node dumped, scrubbed and validated again."""
    data = _shareable(ws.model_dump(mode="python", exclude={"actuals", "room"}))
    for node in data["nodes"]:
        _no_query(node)
    # the actuals kept as they are: a year of weekly actuals of 500 KPIs is 26,000 rows, which dumped, walked and
    # validated again took most of a second and carry nothing to hide
    return Workshop.model_validate(_scrubbed(data)).model_copy(update={"actuals": ws.actuals})


def _shareable(data: dict[str, Any]) -> dict[str, Any]:
    """A dumped workshop (its room left out of the dump) without its room, alert recipients and review participants
    written as addresses."""
    data["room"] = None
    for alert in data["monitoring"]["alerts"]:
        alert["to"] = ""
    for review in data["monitoring"]["reviews"]:
        review["participants"] = [p for p in review["participants"] if not is_address(p)]
    return data


def _no_query(node: dict[str, Any]) -> dict[str, Any]:
    node["definition"]["query"] = ""
    node["definition"]["connection"] = ""
    return node


def _shared_node(node: Node) -> Node:
    """One node as a share link may show it: the same object when it has no query and nothing to scrub."""
    texts = _texts(node)
    if texts is None or may_hold_address("\n".join(texts)):  # a line break between texts: no address spans two
        return Node.model_validate(_scrubbed(_no_query(node.model_dump(mode="python"))))
    if not (node.definition.query or node.definition.connection):
        return node
    return node.model_copy(update={"definition": node.definition.model_copy(update={"query": "", "connection": ""})})


_NO_TEXT = (int, float, dt.date, enum.Enum)  # what a field may hold that is never free text (an enum's values are fixed)


def _texts(model: BaseModel) -> list[str] | None:
    """Every free text of a model and the models in it, references, queries and connections left out; None when a
    field may hold text in a shape this does not read (a list of strings, a mapping): that model takes the long way."""
    plan = _plan(type(model))
    if plan is None:
        return None
    text_fields, model_fields = plan
    found = [value for name in text_fields if (value := getattr(model, name))]
    for name in model_fields:
        inner = _texts(getattr(model, name))
        if inner is None:
            return None
        found += inner
    return found


@functools.cache  # once per model class
def _plan(cls: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The fields of a model class that hold a text and those that hold a model; None when one holds anything else
    that may carry text."""
    texts, models = [], []
    for name, info in cls.model_fields.items():
        kind = _kind(info.annotation)
        if kind == "text" and name not in _REFERENCES and not (cls is Definition and name in _QUERY_FIELDS):
            texts.append(name)
        elif kind == "model":
            models.append(name)
        elif kind is None:
            return None
    return tuple(texts), tuple(models)


def _kind(annotation: Any) -> str | None:
    """ "text", "model" or "none" (a number, a date, an enum, a list of enums), or None for anything else."""
    options = [a for a in typing.get_args(annotation) if a is not type(None)] if isinstance(annotation, types.UnionType) else [annotation]
    if len(options) != 1:
        return None
    (kind,) = options
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind)
        return "none" if isinstance(item, type) and issubclass(item, enum.Enum) else None
    if kind is str:
        return "text"
    if isinstance(kind, type) and issubclass(kind, enum.Enum | BaseModel):
        return "none" if issubclass(kind, enum.Enum) else "model"  # a StrEnum is a str: asked before
    if isinstance(kind, type) and issubclass(kind, _NO_TEXT):
        return "none"
    return None


_QUERY_FIELDS = frozenset({"query", "connection"})  # a definition's: emptied on a share link (_shared_node), never shown
