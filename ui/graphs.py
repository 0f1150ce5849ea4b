"""The tree drawn on screen: DOT built once per snapshot (ui.cache) and options, then reused on every rerun.

A tree of more than render.MAX_SHOWN boxes folds its deep levels by default; the "Levels" switch draws it whole.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from kpidesign.model import Node
from kpidesign.render import auto_direction, fold, fold_depth, kept_drawn, legend, tree_dot
from ui import derived
from ui.cache import Snapshot, cached, workshop
from ui.text import labeller, tr

# a click on a box names its node (st.components.v2: inline in the page, no iframe); see assets/graph_click.js
_CLICK = st.components.v2.component("kpidesign.graph_click", js=(Path(__file__).parent / "assets" / "graph_click.js").read_text())


@cached(uses=("version", "language"))
def _design_dot(snap: Snapshot, direction: str | None, highlight: str | None, root: str | None, depth: int | None) -> str:
    """DOT of the design (boxes coloured by layer); a str is immutable: shared, not copied per rerun."""
    ws = workshop(snap)
    folded = _fold(snap, depth, root, kept_drawn(highlight, None)) if depth is not None else None  # the info line's too
    return tree_dot(
        ws, lang=snap.language, direction=direction or auto_direction(ws, root), highlight=highlight, root=root, depth=depth, folded=folded
    )


@cached(uses=("version", "actuals", "language"))
def _status_dot(
    snap: Snapshot, direction: str | None, highlight: str | None, root: str | None, depth: int | None, shared: bool = False
) -> str:
    """DOT of the design with each box coloured by its status now (the dashboard's rule: actuals alone); shared: labelled
    as a share link may show it (ui.derived.shared_copy)."""
    ws = derived.shared_copy(snap) if shared else workshop(snap)
    status = derived.status_colours(snap)
    latest = {k: r.value for k, r in derived.readings(snap)[0].items()}  # each box shows what its colour was judged on
    return tree_dot(
        ws,
        lang=snap.language,
        direction=direction or auto_direction(ws, root),
        highlight=highlight,
        root=root,
        status=status,
        depth=depth,
        latest=latest,
        # the info line's fold, but never the shared tree's: its boxes must be the redacted copy's nodes
        folded=_fold(snap, depth, root, kept_drawn(highlight, None)) if depth is not None and not shared else None,
    )


@cached(uses=("version",))
def _depth(snap: Snapshot, root: str | None) -> int | None:
    """The level to fold the tree (or branch) at; None when every box fits."""
    return fold_depth(workshop(snap), root)


@cached(uses=("version",))
def _fold(snap: Snapshot, depth: int, root: str | None, keep: tuple[str, ...]) -> tuple[list[Node], dict[str, list[str]]]:
    """The boxes drawn and the nodes folded under them (shared, never mutated)."""
    return fold(workshop(snap), depth, root, keep)


def levels(snap: Snapshot, *, key: str, root: str | None = None, always: bool = False, container: Any = None) -> int | None:
    """The "Levels" switch (auto folds a big tree, all draws it whole; `?levels=all` opens it whole): the depth to fold
    at, or None to draw everything. Without `always`, the switch shows only on a tree big enough to fold."""
    depth = _depth(snap, root)
    if depth is None and not always:
        return None
    choice = (container or st).segmented_control(
        tr("levels"),
        ["auto", "all"],
        default="all" if st.query_params.get("levels") == "all" else "auto",
        key=key,
        format_func=labeller("levels_"),  # not bound to the address: it would write the translated label there
    )
    return None if choice == "all" else depth


def tree(
    snap: Snapshot,
    *,
    direction: str | None = None,
    highlight: str | None = None,
    root: str | None = None,
    by_status: bool = False,
    depth: int | None = None,
    hint: str = "tree_folded_all",
    whatif: dict[str, float] | None = None,
    shared: bool = False,
) -> None:
    """Draw the tree of a snapshot (an earlier version too: a snapshot names any version), coloured by layer or, with
    by_status, by each KPI's status now; direction None chooses by shape; depth folds the levels below it and says so
    (hint: the message's key, naming how to see the rest). With whatif (the nodes a what-if moved, with their new
    values), those show baseline ⇒ new and stay drawn: that drawing is made on each rerun. shared: the share view's tree,
    coloured by status and labelled from the redacted copy."""
    if whatif is not None:
        ws = workshop(snap)
        direction = direction or auto_direction(ws, root)
        dot = tree_dot(ws, lang=snap.language, direction=direction, highlight=highlight, root=root, whatif=whatif, depth=depth)
    else:
        dot = (
            _status_dot(snap, direction, highlight, root, depth, shared)
            if by_status or shared
            else _design_dot(snap, direction, highlight, root, depth)
        )
    st.graphviz_chart(dot, width="content")  # never stretched: a lone KGI stays the size of its text (CSS shrinks a wide tree)
    if depth is not None:
        drawn, hidden = _fold(snap, depth, root, kept_drawn(highlight, whatif))
        total = len(drawn) + sum(len(v) for v in hidden.values())
        st.info(tr(hint, levels=depth + 1, shown=len(drawn), total=total), icon=":material/unfold_more:")


def clickable(box: str, ids: set[str] | frozenset[str], pick: Callable[[str], None]) -> None:
    """Let a click on a box of the graph drawn inside the keyed container `box` (st.container(key=box)) call pick
    with its node's id (one of ids; anything else is ignored), before the rerun it starts draws anything."""
    key = f"{box}_click"
    _CLICK(key=key, data={"box": box}, on_selected_change=lambda: _clicked(key, ids, pick), width="stretch", height=0)


def _clicked(key: str, ids: set[str] | frozenset[str], pick: Callable[[str], None]) -> None:
    chosen = (st.session_state.get(key) or {}).get("selected")
    if isinstance(chosen, str) and chosen in ids:
        pick(chosen)


def show_legend(status: bool = False) -> None:
    """Swatches of every look the tree uses (the KGI, layers or statuses, speeds, the box being edited), in one line."""
    items = []
    for swatch in legend(status):
        frame = f"{swatch.width}px {swatch.border} {swatch.frame}"
        look = f"background:{swatch.fill};border:{frame};color:{swatch.text}"
        sample = f'<span class="kpi-swatch" style="{look}">{html.escape(swatch.glyph)}</span>'
        items.append(f'<span class="kpi-legend-item">{sample}{html.escape(tr(swatch.key))}</span>')
    st.html(f'<div class="kpi-legend" role="list" aria-label="{html.escape(tr("legend_title"))}">{"".join(items)}</div>')
