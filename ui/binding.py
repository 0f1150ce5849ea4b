"""Widgets bound to stored values and to the address: given their value before they are drawn, kept across pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.keys import ERRORS, TAB
from ui.state import version


def sync(key: str, stored: Any, error_key: str | None = None) -> None:
    """Give a bound widget the stored value before it is drawn (widgets take their value from session state).

    Set on first use, and whenever the workshop has a new version and the stored value differs from what the
    widget holds, unless the widget holds an input that was refused (kept so it can be corrected). A field whose
    stored value did not change is never touched, so typing in it is never disturbed by a save elsewhere.
    """
    synced = st.session_state.setdefault("_synced", {})
    current_version = version()
    refused = bool(error_key and st.session_state.get(ERRORS, {}).get(error_key))
    if key not in st.session_state or (synced.get(key) != current_version and st.session_state[key] != stored and not refused):
        st.session_state[key] = stored
    else:  # as it is, handed on: the same field on the next step (steps 2 and 3 share the node editor) would start blank
        hand_on(key)
    synced[key] = current_version


def hand_on(*keys: str) -> None:
    """Give widgets the value their keys hold, before they are drawn: Streamlit forgets a widget's value after a run that
    does not draw it, and keys a widget by its page too, so the node picked on step 2 would be gone on step 3, and a
    choice on a closed tab gone when it is opened again."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def tabs(sections: dict[str, Callable[[], None]], keep: tuple[str, ...] = ()) -> None:
    """Tabs titled by the keys, bound to ?tab= in the address; only the open one is drawn (its function called), so a
    click on one tab never rebuilds the others' tables and lists of every KPI.

    keep: keys of widgets on a tab whose value must outlive a visit to another tab (the node being edited), handed on
    (`hand_on`) on every run.
    """
    hand_on(*keep)
    for tab, draw in zip(st.tabs(list(sections), key=TAB, on_change="rerun", bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                draw()
