"""Widgets bound to stored values and to the address: given their value before they are drawn, kept across pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.keys import TAB
from ui.messages import refusal
from ui.state import version
from ui.text import tr


def sync(key: str, stored: Any, error_key: str | None = None) -> None:
    """Give a bound widget the stored value before it is drawn (widgets take their value from session state).

    Set on first use, and whenever the workshop has a new version and the stored value differs from what the
    widget holds, unless the widget holds an input that was refused (kept so it can be corrected). A field whose
    stored value did not change is never touched, so typing in it is never disturbed by a save elsewhere.
    """
    synced = st.session_state.setdefault("_synced", {})
    current_version = version()
    refused = bool(error_key and refusal(error_key))
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
    """Tabs named by stable ids (their i18n keys: kpidesign.fixes names the ones a review link opens) and titled in the
    session's language, bound to ?tab= in the address (which holds the title, as Streamlit keeps it); only the open one
    is drawn (its function called), so a click on one tab never rebuilds the others' tables and lists of every KPI.

    keep: keys of widgets on a tab whose value must outlive a visit to another tab (the node being edited), handed on
    (`hand_on`) on every run.
    """
    hand_on(*keep)
    titles = [tr(tab_id) for tab_id in sections]
    for tab, draw in zip(st.tabs(titles, key=TAB, on_change="rerun", bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                draw()


def tab_title(tab_id: str) -> str:
    """What the tab with this id is called on screen (and in ?tab=, ?open=)."""
    return tr(tab_id)


def is_open(tab_id: str) -> bool:
    """Whether the address opens the tab with this id (read before the tabs are drawn)."""
    return st.query_params.get("tab") == tab_title(tab_id)
