"""What a share link may carry: the workshop a stakeholder sees and downloads, without what only the organisation's
operators should hold. One rule for the share screen and the files it offers (a download must never carry more
than the screen shows): no alert recipients (e-mail addresses, Slack channels), no KPI's SQL query or connection
name, no review participant written as an address, no room; and in every text (owners, sources, purposes, actions,
the learning log, the description) an e-mail address (ASCII or full-width ＠), a link or connection string
(`postgresql://user:pw@host/db`) or a Slack mention or ID is replaced by HIDDEN.
"""

from __future__ import annotations

import re
from typing import Any

from kpidesign.model import Workshop

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
    """False when no part of _IN_TEXT can match: it has no @ or ＠ (an address), no colon (a link, mailto:), no < (a
    mention) and no Slack id. Most texts of a workshop have none, and these tests cost a tenth of the search."""
    return "@" in text or "＠" in text or ":" in text or "<" in text or _SLACK_ID.search(text) is not None


def _scrubbed(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in _REFERENCES else scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, k) for k, v in value.items()}
    return value


def for_share(ws: Workshop) -> Workshop:
    """The workshop as a share link shows and downloads it (see the module's docstring)."""
    data = ws.model_dump(mode="python", exclude={"actuals"})  # observed values: a KPI id, a date and numbers, no text
    data["room"] = None
    for node in data["nodes"]:
        node["definition"]["query"] = ""
        node["definition"]["connection"] = ""
    for alert in data["monitoring"]["alerts"]:
        alert["to"] = ""
    for review in data["monitoring"]["reviews"]:
        review["participants"] = [p for p in review["participants"] if not is_address(p)]
    # the actuals kept as they are: a year of weekly actuals of 500 KPIs is 26,000 rows, which dumped, walked and
    # validated again took most of a second and carry nothing to hide
    return Workshop.model_validate(_scrubbed(data)).model_copy(update={"actuals": ws.actuals})
