"""The tree drawn on screen: DOT built once per workshop state and options, then reused on every rerun."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kpidesign.model import Workshop
from kpidesign.render import auto_direction, tree_dot


@st.cache_resource(max_entries=64, show_spinner=False)  # a str is immutable: shared, not copied per rerun
def _dot(state: tuple[Any, ...], lang: str, direction: str | None, highlight: str | None, root: str | None, depth: int | None,
         _ws: Workshop, _status: dict[str, str] | None) -> str:
    """DOT of the state named by `state` (workshop id, version and, with statuses, the actuals' revision)."""
    return tree_dot(_ws, lang=lang, direction=direction or auto_direction(_ws, root), highlight=highlight, root=root, status=_status, depth=depth)


def tree(ws: Workshop, state: tuple[Any, ...], lang: str, *, direction: str | None = None, highlight: str | None = None,
         root: str | None = None, status: dict[str, str] | None = None, depth: int | None = None) -> None:
    """Draw the tree of one stored state (state names it: the workshop is not hashed); direction None chooses by shape;
    depth folds the levels below it."""
    st.graphviz_chart(_dot(state, lang, direction, highlight, root, depth, ws, status), width="stretch")
