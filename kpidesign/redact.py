"""What a share link may carry: the workshop a stakeholder sees and downloads, without what only the organisation's
operators should hold. One rule for the share screen and the files it offers (a download must never carry more
than the screen shows): no alert recipients (e-mail addresses, Slack channels), no KPI's SQL query or connection
name, no review participant written as an address, no room.
"""

from __future__ import annotations

import re

from kpidesign.model import Workshop

_ADDRESS = re.compile(r"@|https?://|mailto:", re.IGNORECASE)  # an e-mail address, a Slack @handle, a link


def is_address(entry: str) -> bool:
    """True for a participant entry that reaches a person (an e-mail address, an @handle, a link), not a team's name."""
    return _ADDRESS.search(entry) is not None


def for_share(ws: Workshop) -> Workshop:
    """The workshop as a share link shows and downloads it (see the module's docstring)."""
    nodes = [
        n.model_copy(update={"definition": n.definition.model_copy(update={"query": "", "connection": ""})})
        if n.definition.query or n.definition.connection
        else n
        for n in ws.nodes
    ]
    monitoring = ws.monitoring.model_copy(
        update={
            "alerts": [a.model_copy(update={"to": ""}) for a in ws.monitoring.alerts],
            "reviews": [
                r.model_copy(update={"participants": [p for p in r.participants if not is_address(p)]}) for r in ws.monitoring.reviews
            ],
        }
    )
    return ws.model_copy(update={"nodes": nodes, "monitoring": monitoring, "room": None})
