"""The index of a workshop's tree: nodes by id, the walk order with depths, and what is derived from a version once
(its picture's layout). Built once per workshop object and kept in a side table, never inside the pydantic model:
workshops are never changed in place (every edit makes a copy, and a copy gets its own index; a loaded version is one
object shared by every session, so its index is built once), a node list appended to in place is indexed again, and
the entry goes when the workshop is garbage collected."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


N = TypeVar("N", bound=_HasId)


class Tree(Protocol[N]):
    """What is indexed: a workshop (kpidesign.model imports this module, so this one names no model class)."""

    @property
    def nodes(self) -> list[N]: ...


@dataclass
class TreeIndex(Generic[N]):
    """One version's nodes by id and, worked out on first use, its walk order and other derived views."""

    nodes: list[N]
    size: int  # the node list's length when built: a list appended to in place (tests do it) is indexed again
    by_id: dict[str, N]
    derived: dict[Hashable, Any] = field(default_factory=dict)

    def kept(self, key: Hashable, build: Callable[[], T]) -> T:
        """What build returns for this version under key (e.g. ("layout", lang, direction)), worked out once."""
        if key not in self.derived:
            self.derived[key] = build()
        return self.derived[key]  # type: ignore[no-any-return]


_KEPT: dict[int, TreeIndex[Any]] = {}
_LOCK = threading.Lock()


def index(ws: Tree[N]) -> TreeIndex[N]:
    """The index of a workshop object, built on first use."""
    key = id(ws)
    found = _KEPT.get(key)
    if found is not None and found.nodes is ws.nodes and found.size == len(ws.nodes):
        return found
    by_id: dict[str, N] = {}
    for n in ws.nodes:
        by_id.setdefault(n.id, n)  # the first one if an id were repeated
    built = TreeIndex(ws.nodes, len(ws.nodes), by_id)
    with _LOCK:
        if key not in _KEPT:  # the first index of this object: dropped when the object goes
            weakref.finalize(ws, _KEPT.pop, key, None)
        _KEPT[key] = built
    return built
