"""One key for every cached view of a workshop, and one decorator.

The key is a `Snapshot`: which database, which workshop, at which version, with which revision of its actuals, in
which language. A cached function takes the snapshot first (then only hashable options, such as a node's id), and
reads the workshop through `workshop(snap)` / `workshop_with_actuals(snap)`, never from a variable around it: nothing
a view depends on can be left out of its key, so a view is never stale (tests/app/test_cache.py changes each part of
the key and sees every cached view worked out again). What a cached function returns is shared by every rerun and
session: never mutate it.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

import streamlit as st

from kpidesign.language import Language
from kpidesign.lru import LRU
from kpidesign.model import Actual, Workshop
from kpidesign.store import Loaded, Store, attached
from ui.keys import WS_ID
from ui.state import store, version
from ui.text import lang, speaking

P = ParamSpec("P")
R = TypeVar("R")

CACHED: dict[str, Callable[..., Any]] = {}  # every view cached through `cached`, by name: the key's test calls each one
BUILDS: Counter[str] = Counter()  # how many times each view was worked out in this process (the key's test reads it)


class Snapshot(NamedTuple):
    """What a view of a workshop is drawn from."""

    database: str
    workshop: str
    version: int
    actuals: int
    language: Language


def snapshot(loaded: Loaded) -> Snapshot:
    """The key of the loaded workshop as this run shows it."""
    return Snapshot(store().where, loaded.id, loaded.version, store().actuals.rev(loaded.id), lang())


def open_snapshot() -> Snapshot:
    """The snapshot of the open workshop at the version this run loaded (for parts of a screen drawn deep inside it)."""
    wid = st.session_state.get(WS_ID) or ""
    return Snapshot(store().where, wid, version(), store().actuals.rev(wid) if wid else 0, lang())


WHICH = ("database", "workshop")  # always part of the key
CHANGING = ("version", "actuals", "language")  # what a view may or may not depend on


def cached(
    uses: tuple[str, ...] = CHANGING, max_entries: int = 64
) -> Callable[[Callable[Concatenate[Snapshot, P], R]], Callable[Concatenate[Snapshot, P], R]]:
    """Work a view out once per snapshot and options, then share it.

    The function's first argument is the Snapshot; the others are hashable options. `uses` names the parts of the
    snapshot besides the database and workshop that the view depends on: a view of the actuals alone is not worked out
    again after an edit of the design. tests/app/test_cache.py checks both ways: a change of a part used gives a new
    result, a change of another part the same one.
    """
    parts = WHICH + tuple(p for p in CHANGING if p in uses)
    key_of = operator.attrgetter(*parts)

    def wrap(build: Callable[Concatenate[Snapshot, P], R]) -> Callable[Concatenate[Snapshot, P], R]:
        name = f"{build.__module__}.{build.__qualname__}"
        shelf: LRU[Hashable, R] = LRU(max_entries)  # shared by every session of the server process

        def view(snap: Snapshot, /, *args: P.args, **kwargs: P.kwargs) -> R:
            options = tuple((k, v) for k, v in kwargs.items() if not k.startswith("_"))  # _name: not part of the key
            return shelf.get_or_build((key_of(snap), args, options), lambda: _built(name, build, snap, args, kwargs, "language" in uses))

        functools.update_wrapper(view, build)
        view.uses = parts  # type: ignore[attr-defined]
        view.clear = shelf.clear  # type: ignore[attr-defined]
        CACHED[name] = view
        return view

    return wrap


def _built(name: str, build: Callable[..., R], snap: Snapshot, args: tuple[Any, ...], kwargs: dict[str, Any], worded: bool) -> R:
    """Build a view; one that depends on the language (worded) is built in its snapshot's (ui.text.speaking)."""
    BUILDS[name] += 1
    if not worded:
        return build(snap, *args, **kwargs)
    with speaking(snap.language):
        return build(snap, *args, **kwargs)


_WORKSHOPS: LRU[Hashable, Workshop] = LRU(32)
_ACTUALS: LRU[Hashable, list[Actual]] = LRU(16)
_WITH_ACTUALS: LRU[Hashable, Workshop] = LRU(16)


def _workshop(database: str, workshop_id: str, version: int, via: Store) -> Workshop:
    """One version of a workshop (versions never change once written)."""

    def load() -> Workshop:
        loaded = via.load(workshop_id)
        return loaded.workshop if loaded.version == version else via.load_version(workshop_id, version)

    return _WORKSHOPS.get_or_build((database, workshop_id, version), load)


def _actuals(database: str, workshop_id: str, revision: int, via: Store) -> list[Actual]:
    """One revision of a workshop's actuals, read once: an edit of the design (a new version) does not change them."""
    return _ACTUALS.get_or_build((database, workshop_id, revision), lambda: via.actuals.all(workshop_id))


def _with_actuals(database: str, workshop_id: str, version: int, revision: int, via: Store) -> Workshop:
    """One version with one revision of its actuals, shared by reference (workshops are never mutated in place)."""
    return _WITH_ACTUALS.get_or_build(
        (database, workshop_id, version, revision),
        lambda: attached(_workshop(database, workshop_id, version, via), _actuals(database, workshop_id, revision, via)),
    )


def workshop(snap: Snapshot, via: Store | None = None) -> Workshop:
    """The workshop of a snapshot, without its actuals (via: the connection to read it through, outside a script run)."""
    return _workshop(snap.database, snap.workshop, snap.version, via or store())


def workshop_with_actuals(snap: Snapshot, via: Store | None = None) -> Workshop:
    """The workshop of a snapshot with its actuals attached."""
    return _with_actuals(snap.database, snap.workshop, snap.version, snap.actuals, via or store())


def stored_actuals(snap: Snapshot) -> list[Actual]:
    """Every stored actual of the snapshot's workshop."""
    return _actuals(snap.database, snap.workshop, snap.actuals, store())


def with_actuals(loaded: Loaded) -> tuple[Workshop, int]:
    """The loaded workshop with its actuals attached, and the actuals' revision (cached per revision)."""
    snap = snapshot(loaded)
    return workshop_with_actuals(snap), snap.actuals


def old_version(workshop_id: str, number: int) -> Workshop:
    """An earlier version of a workshop, read once and then shared (never mutate it)."""
    return _workshop(store().where, workshop_id, number, store())


def reused(name: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """What build returns, made once per session and language: the router's page objects, the same on every rerun
    (not a view of a workshop, so not keyed by a snapshot)."""
    cache = st.session_state.setdefault("_reused", {})
    key = (*name, lang())
    if key not in cache:
        cache[key] = build()
    return cache[key]
