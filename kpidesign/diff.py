"""What changed between two states of a workshop, in a few plain lines (for conflicts and history)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpidesign.model import Workshop


@dataclass(frozen=True)
class Change:
    """One difference: a message code for i18n and its parameters."""

    code: str
    params: dict[str, Any]


def changes(old: Workshop, new: Workshop, limit: int = 8) -> list[Change]:
    """Nodes added, removed or edited (with the fields), title and monitoring changes."""
    out: list[Change] = []
    if old.title != new.title:
        out.append(Change("diff_title", {"old": old.title, "new": new.title}))
    before, after = {n.id: n for n in old.nodes}, {n.id: n for n in new.nodes}
    for node_id in after.keys() - before.keys():
        out.append(Change("diff_added", {"name": after[node_id].name}))
    for node_id in before.keys() - after.keys():
        out.append(Change("diff_removed", {"name": before[node_id].name}))
    for node_id in before.keys() & after.keys():
        a, b = before[node_id].model_dump(), after[node_id].model_dump()
        fields = [k for k in a if a[k] != b[k] and k not in ("definition", "thresholds")]
        fields += [k for k in a["definition"] if a["definition"][k] != b["definition"][k]]
        fields += [k for k in a["thresholds"] if a["thresholds"][k] != b["thresholds"][k]]
        if fields:
            out.append(Change("diff_edited", {"name": after[node_id].name, "fields": fields}))
    for part in ("reviews", "alerts", "learning_log"):
        if getattr(old.monitoring, part) != getattr(new.monitoring, part):
            out.append(Change("diff_monitoring", {"part": part}))
    if old.agenda != new.agenda:
        out.append(Change("diff_agenda", {"count": len(new.agenda)}))
    return out[:limit]
