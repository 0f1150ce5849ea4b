"""The one cache key (ui.cache.Snapshot): every cached view is worked out again when a part of the key it uses
changes, and gives the same result when a part it does not use changes (so leaving that part out is right)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import streamlit as st

import ui
from kpidesign import edits
from kpidesign.model import Actual
from kpidesign.store import Store
from tests.conftest import build_ec
from ui import cache

for module in pkgutil.walk_packages(ui.__path__, "ui."):  # every view registers itself when its module is imported
    importlib.import_module(module.name)

EXTRA_ARGS: dict[str, tuple[Any, ...]] = {  # options besides the snapshot
    "ui.derived.placements": ("new_customers",),
    "ui.graphs._design_dot": (None, "new_customers", None, None),
    "ui.graphs._status_dot": (None, "new_customers", None, None),
    "ui.graphs._depth": (None,),
    "ui.graphs._fold": (1, None, ()),
    "ui.dashboard.why_moved._why": ("sales", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
    "ui.sharing.exports.build": ("yaml", None, False),
    "ui.dashboard.overview._overview": (((), ()),),
    "ui.dashboard.trends.ahead": ("sales",),
    "ui.review.findings._review_view": ("now",),
    "ui.room.inbox.worked_out": (None,),
    "ui.room.vote.results_chart": (None, 1),
}
STORE_KWARG = {"ui.sharing.exports.build"}  # views built outside a script run are given the connection to read through


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.equals(b)
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, cache.Snapshot]:
    """A base snapshot and, for each part of the key that changes, one that differs from it in that part only (and
    where it differs, the workshop really differs: another design, more actuals, another language)."""
    store = Store(tmp_path_factory.mktemp("cache") / "k.db")
    st.session_state["store"] = store
    ws = build_ec()
    wid = store.create(ws)
    day = dt.date(2026, 1, 1)
    store.actuals.add(wid, [Actual(kpi="sales", date=day, value=100.0)])
    base = cache.Snapshot(store.where, wid, 1, store.actuals.rev(wid), "ja")
    changed = edits.set_field(ws, "new_customers", "name", "新しいお客様")
    changed = edits.set_field(changed, "sales", "green", "120")
    store.save(wid, changed, expected_version=1, summary="renamed")
    store.actuals.add(wid, [Actual(kpi="sales", date=day + dt.timedelta(days=31), value=90.0)])
    other = store.create(build_ec())
    return {
        "base": base,
        "version": base._replace(version=2),
        "actuals": base._replace(actuals=store.actuals.rev(wid)),
        "language": base._replace(language="en"),
        "workshop": base._replace(workshop=other),
    }


def test_views_are_registered() -> None:
    assert {
        "ui.sidebar._steps",
        "ui.derived.definition_sheet",
        "ui.derived.readings",
        "ui.graphs._status_dot",
        "ui.sharing.view._thresholds",
    } <= set(cache.CACHED)


def uses(view: Callable[..., Any]) -> tuple[str, ...]:
    """The parts of the snapshot in a cached view's key (ui.cache.cached sets them on the function it returns)."""
    parts: tuple[str, ...] = vars(view)["uses"]
    return parts


def clear(view: Callable[..., Any]) -> None:
    """Empty a cached view's shelf (ui.cache.cached sets its clear on the function it returns)."""
    vars(view)["clear"]()


@pytest.mark.parametrize("name", sorted(cache.CACHED))
@pytest.mark.parametrize("part", ["workshop", *cache.CHANGING])
def test_a_view_follows_each_part_of_its_key(snapshots: dict[str, cache.Snapshot], name: str, part: str) -> None:
    view, args = cache.CACHED[name], EXTRA_ARGS.get(name, ())
    kwargs = {"_store": st.session_state["store"]} if name in STORE_KWARG else {}

    def call(snap: cache.Snapshot) -> Any:
        st.session_state["lang"] = snap.language  # as in a run: the session's language is the snapshot's (tr() reads it)
        return view(snap, *args, **kwargs)

    clear(view)
    first = call(snapshots["base"])
    assert call(snapshots["base"]) is first  # worked out once, then shared
    builds = cache.BUILDS[name]
    again = call(snapshots[part])
    if part in uses(view):
        assert cache.BUILDS[name] == builds + 1, f"{name} was not worked out again when the {part} changed"
    else:  # not part of its key: worked out afresh, it must be the same (else the key leaves out what it depends on)
        assert cache.BUILDS[name] == builds
        clear(view)
        assert _same(call(snapshots[part]), again), f"{name} depends on the {part}, which is not part of its key"
    assert "database" in uses(view) and "workshop" in uses(view)


def test_a_view_is_built_in_its_snapshot_s_language_read_once() -> None:
    from ui.text import lang, speaking

    with speaking("en"):
        assert lang() == "en"
        with speaking("ja"):
            assert lang() == "ja"
        assert lang() == "en"  # the outer view's language again after the inner one was built


def test_a_worded_view_speaks_its_snapshot_s_language() -> None:
    from ui.cache import CACHED, Snapshot, cached
    from ui.text import tr

    @cached()
    def title(snap: Snapshot) -> str:
        return tr("graph")  # no session here: only the snapshot says which language

    try:
        snap = Snapshot("db", "w", 1, 0, "en")
        assert title(snap) == "Tree" and title(snap._replace(language="ja")) == "ツリー"
    finally:
        CACHED.pop(f"{title.__module__}.{title.__qualname__}", None)  # not one of the app's views
