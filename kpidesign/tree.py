"""Edits of the KPI tree (add, rename, update, move, reorder, delete), the loop guard, levels and walks.

Every edit is pure: it takes a Workshop and returns a new one, or raises TreeEditError with a Problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kpidesign import formula as formulas
from kpidesign.findings import Finding, Severity
from kpidesign.index import index
from kpidesign.model import Node, Workshop
from kpidesign.values import EditError, Problem, make_id, parse_id, parse_name

MAX_NODES = 2000


class TreeEditError(EditError):
    """An edit that would break the tree; ``problem`` says why and nothing was changed."""


def _fail(code: str, **params: Any) -> TreeEditError:
    return TreeEditError(Problem(code, params))


def children_map(ws: Workshop) -> dict[str | None, list[str]]:
    """Parent id -> child ids in display order (the KGI under None)."""
    out: dict[str | None, list[str]] = defaultdict(list)
    for n in ws.nodes:
        out[n.parent].append(n.id)
    return out


def walk(ws: Workshop) -> Iterator[tuple[Node, int]]:
    """Every node reachable from the KGI with its depth (KGI = 0), depth first in display order.

    Workshops are never changed in place (every edit makes a copy with a new node list), so the order is worked out
    once per workshop object and kept in its index (kpidesign.index): a rerun of any page walks a 500-node tree once.
    """
    return iter(index(ws).kept("walk", lambda: tuple(_walk(ws))))


def _walk(ws: Workshop) -> Iterator[tuple[Node, int]]:
    kids = children_map(ws)
    by_id = {n.id: n for n in ws.nodes}
    stack = [(nid, 0) for nid in reversed(kids[None])]
    seen: set[str] = set()
    while stack:
        nid, depth = stack.pop()
        if nid in seen:
            continue
        seen.add(nid)
        yield by_id[nid], depth
        stack.extend((c, depth + 1) for c in reversed(kids.get(nid, [])))


def levels(ws: Workshop) -> dict[str, int]:
    """Node id -> depth below the KGI."""
    return {n.id: d for n, d in walk(ws)}


def descendants(ws: Workshop, node_id: str) -> set[str]:
    """The ids below a node (not including it)."""
    kids = children_map(ws)
    out: set[str] = set()
    stack = list(kids.get(node_id, []))
    while stack:
        nid = stack.pop()
        if nid not in out:
            out.add(nid)
            stack.extend(kids.get(nid, []))
    return out


def path_to(ws: Workshop, node_id: str) -> list[str]:
    """Ids from the KGI down to the node."""
    by_id = {n.id: n for n in ws.nodes}
    path, cur, guard = [], by_id.get(node_id), 0
    while cur is not None and guard <= len(by_id):
        path.append(cur.id)
        cur, guard = by_id.get(cur.parent) if cur.parent else None, guard + 1
    return list(reversed(path))


def _replace(ws: Workshop, nodes: list[Node], **extra: Any) -> Workshop:
    return ws.model_copy(update={"nodes": nodes, **extra})


def _index(ws: Workshop, node_id: str) -> int:
    for i, n in enumerate(ws.nodes):
        if n.id == node_id:
            return i
    raise _fail("node_missing", id=node_id)


def add_node(ws: Workshop, parent_id: str, name: str, node_id: str | None = None, **fields: Any) -> tuple[Workshop, str]:
    """Add a child under parent_id (after its last descendant); return the workshop and the new id."""
    parent_at = _index(ws, parent_id)
    if len(ws.nodes) >= MAX_NODES:
        raise _fail("too_many_nodes", max=MAX_NODES)
    clean_name = parse_name(name).get() or ""
    taken = {n.id for n in ws.nodes}
    if node_id:
        new_id = parse_id(node_id).get() or ""
        if new_id in taken:
            raise _fail("id_taken", id=new_id)
    else:
        new_id = make_id(clean_name, taken)
    node = Node(id=new_id, parent=parent_id, name=clean_name, **fields)
    below = descendants(ws, parent_id)
    insert_at = max([parent_at] + [i for i, n in enumerate(ws.nodes) if n.id in below]) + 1
    nodes = ws.nodes[:insert_at] + [node] + ws.nodes[insert_at:]
    return _replace(ws, nodes), new_id


def update_node(ws: Workshop, node_id: str, **changes: Any) -> Workshop:
    """Change fields of one node (already parsed values); name and formula are checked here."""
    i = _index(ws, node_id)
    node = ws.nodes[i]
    if "name" in changes:
        changes["name"] = parse_name(changes["name"]).get()
    if "formula" in changes:
        changes["formula"] = check_formula(ws, node_id, changes["formula"] or "")
    for key in ("id", "parent"):
        if key in changes:
            raise _fail("field_not_editable", field=key)
    updated = node.model_validate({**node.model_dump(), **changes})
    nodes = list(ws.nodes)
    nodes[i] = updated
    return _replace(ws, nodes)


def check_formula(ws: Workshop, node_id: str, text: str) -> str:
    """The normalised formula text if it names only children of node_id ('' clears it)."""
    if not text.strip():
        return ""
    try:
        parsed = formulas.parse(text)
    except formulas.FormulaError as e:
        raise TreeEditError(e.problem) from None
    kids = {n.id for n in ws.children(node_id)}
    strangers = [name for name in parsed.names if name not in kids]
    if strangers:
        raise _fail("formula_not_child", names=", ".join(strangers), children=", ".join(sorted(kids)) or "-")
    return parsed.text


def move(ws: Workshop, node_id: str, new_parent: str) -> Workshop:
    """Give a node (with its subtree) a new parent; refuse the KGI and loops."""
    i = _index(ws, node_id)
    _index(ws, new_parent)
    if ws.nodes[i].parent is None:
        raise _fail("kgi_cannot_move")
    if new_parent == node_id or new_parent in descendants(ws, node_id):
        raise _fail("move_loop", node=ws.nodes[i].name, parent=ws.node(new_parent).name)
    if ws.nodes[i].parent == new_parent:
        return ws
    subtree = {node_id} | descendants(ws, node_id)
    moving = [n if n.id != node_id else n.model_copy(update={"parent": new_parent}) for n in ws.nodes if n.id in subtree]
    rest = [n for n in ws.nodes if n.id not in subtree]
    tmp = _replace(ws, rest)
    below = descendants(tmp, new_parent)
    anchor = max(i for i, n in enumerate(rest) if n.id == new_parent or n.id in below)
    return _replace(ws, rest[: anchor + 1] + moving + rest[anchor + 1 :])


def reorder(ws: Workshop, node_id: str, step: int) -> Workshop:
    """Move a node up (step < 0) or down (step > 0) among its siblings, subtree and all."""
    node = ws.nodes[_index(ws, node_id)]
    siblings = [n.id for n in ws.nodes if n.parent == node.parent]
    pos = siblings.index(node_id)
    new_pos = max(0, min(len(siblings) - 1, pos + step))
    if new_pos == pos:
        return ws
    siblings.insert(new_pos, siblings.pop(pos))
    return _replace(ws, _ordered(ws, node.parent, siblings))


def _ordered(ws: Workshop, parent: str | None, sibling_order: list[str]) -> list[Node]:
    kids = children_map(ws)
    kids[parent] = sibling_order
    by_id = {n.id: n for n in ws.nodes}
    out: list[Node] = []
    stack = list(reversed(kids[None]))
    while stack:
        nid = stack.pop()
        out.append(by_id[nid])
        stack.extend(reversed(kids.get(nid, [])))
    return out


def delete(ws: Workshop, node_id: str) -> Workshop:
    """Remove a node and its subtree, and the review/alert references to them; the KGI stays."""
    node = ws.nodes[_index(ws, node_id)]
    if node.parent is None:
        raise _fail("kgi_cannot_delete")
    gone = {node_id} | descendants(ws, node_id)
    mon = ws.monitoring
    monitoring = mon.model_copy(
        update={
            "reviews": [r.model_copy(update={"kpis": [k for k in r.kpis if k not in gone]}) for r in mon.reviews],
            "alerts": [a for a in mon.alerts if a.kpi not in gone],
        }
    )
    nodes = [n for n in ws.nodes if n.id not in gone]
    return _replace(ws, nodes, monitoring=monitoring, actuals=[a for a in ws.actuals if a.kpi not in gone])


@lru_cache(maxsize=8192)
def _valid_id(text: str) -> bool:
    """parse_id's verdict, kept: every save checks every id, and ids rarely change."""
    return parse_id(text).ok


def check_structure(ws: Workshop) -> list[Finding]:
    """Structural findings: one KGI, valid unique ids, parents that exist, no loops, formulas over children."""
    findings: list[Finding] = []
    roots = [n for n in ws.nodes if n.parent is None]
    if len(roots) != 1:
        findings.append(Finding(Severity.ERROR, "kgi_count", None, {"count": len(roots)}))
    seen: set[str] = set()
    for n in ws.nodes:
        if not _valid_id(n.id):
            findings.append(Finding(Severity.ERROR, "id_invalid", n.id, {"text": n.id}))
        if n.id in seen:
            findings.append(Finding(Severity.ERROR, "id_taken", n.id, {"id": n.id}))
        seen.add(n.id)
    ids = {n.id for n in ws.nodes}
    for n in ws.nodes:
        if n.parent is not None and n.parent not in ids:
            findings.append(Finding(Severity.ERROR, "parent_missing", n.id, {"parent": n.parent}))
    reachable = {n.id for n, _ in walk(ws)}
    for n in ws.nodes:
        if n.id not in reachable and (n.parent in ids):
            findings.append(Finding(Severity.ERROR, "loop", n.id, {"id": n.id}))
    kids = children_map(ws)
    for n in ws.nodes:
        if not n.formula:
            continue
        try:
            parsed = formulas.parse(n.formula)
        except formulas.FormulaError as e:
            findings.append(Finding(Severity.ERROR, e.problem.code, n.id, dict(e.problem.params)))
            continue
        strangers = [x for x in parsed.names if x not in kids.get(n.id, [])]
        if strangers:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "formula_not_child",
                    n.id,
                    {"names": ", ".join(strangers), "children": ", ".join(kids.get(n.id, [])) or "-"},
                )
            )
    return findings
