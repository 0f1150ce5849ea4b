"""This session's state: the database, the open workshop and its version, kept in step with the address."""

from __future__ import annotations

from typing import Any, NoReturn

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from kpidesign.i18n import t
from kpidesign.language import choose_language, is_language
from kpidesign.progress import steps_done
from kpidesign.settings import Settings
from kpidesign.store import ENGINE_ERRORS, Loaded, NewerSchemaError, Store, WorkshopNotFoundError
from ui import pages
from ui.keys import LANG, SETTINGS, WS_ID, WS_VERSION
from ui.messages import Kind, flash, forget_refusals
from ui.text import tr


def init(open_from_address: bool = True) -> None:
    """Set up cross-page state once per session (called by the router); ?ws=… opens a workshop when editing."""
    if "store" not in st.session_state:
        try:
            st.session_state["store"] = Store(settings().database, steps_done=steps_done)  # the list shows each workshop's progress
        except NewerSchemaError as e:  # never half-migrated: the app says why and stops, the database untouched
            st.error(t("db_newer_schema", choose_language(st.context.locale), unknown=", ".join(e.unknown)), icon=":material/database:")
            st.stop()
        except ENGINE_ERRORS:  # the database server down or unreachable (PostgreSQL), the file unreadable: said, not a crash
            st.error(t("db_unavailable", choose_language(st.context.locale)), icon=":material/database:")
            st.stop()
    asked = st.query_params.get("lang")  # ?lang=en: the language chosen before a reload (ui.sidebar keeps it there)
    st.session_state.setdefault(LANG, asked if is_language(asked) else choose_language(st.context.locale))
    st.session_state.setdefault(WS_ID, None)
    st.session_state.setdefault(WS_VERSION, None)
    wanted = st.query_params.get("ws") if open_from_address else None
    if st.session_state[WS_ID] is None and wanted and store().exists(wanted):
        open_workshop(wanted)


def sync_url() -> None:
    """Keep the open workshop in the address (?ws=…), so a reload or a bookmark reopens it."""
    wid = st.session_state.get(WS_ID)
    if wid and st.query_params.get("ws") != wid:
        st.query_params["ws"] = wid
    elif not wid and "ws" in st.query_params:
        del st.query_params["ws"]


VIEW_PARAMS = ("lang", "projector")  # the viewer's own view, kept in the address (ui.sidebar.keep_view_in_address)


def go(page: str | StreamlitPage, params: dict[str, str] | None = None) -> NoReturn:
    """Switch to another page keeping the view (language, projector mode) in the address: st.switch_page alone clears
    the address, and the new page's first run would then be drawn without projector mode."""
    kept = {k: str(st.query_params[k]) for k in VIEW_PARAMS if k in st.query_params}
    st.switch_page(page, query_params={**kept, **(params or {})})


def settings() -> Settings:
    """This session's configuration, read once: the environment and Streamlit's secrets (kpidesign.settings)."""
    found = SETTINGS.get()
    if found is None:
        found = Settings.load(secrets=_secrets())
        SETTINGS.set(found)
    return found


def _secrets() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 (no secrets file at all: Streamlit raises its own error; nothing is configured)
        return {}


def store() -> Store:
    """This session's connection to the database."""
    connection: Store = st.session_state["store"]
    return connection


def open_workshop(workshop_id: str | None) -> None:
    """Make a workshop the open one (None closes it)."""
    st.session_state[WS_ID] = workshop_id
    st.session_state[WS_VERSION] = None
    forget_refusals()


def version() -> int:
    """The version of the open workshop as last shown (part of widget keys, so a save refreshes them)."""
    return st.session_state.get(WS_VERSION) or 0


def current() -> Loaded | None:
    """The open workshop freshly loaded from the database (the source of truth), or None."""
    wid = st.session_state.get(WS_ID)
    if not wid:
        return None
    try:
        loaded = store().load(wid)
    except WorkshopNotFoundError:
        open_workshop(None)
        flash(Kind.WARNING, tr("workshop_gone"))
        return None
    st.session_state[WS_VERSION] = loaded.version
    return loaded


def require_workshop() -> Loaded:
    """The open workshop, or stop the page with a way back to the list."""
    loaded = current()
    if loaded is None:
        st.info(tr("no_open_workshop"))
        st.page_link(pages.WORKSHOPS.file, label=tr("go_workshops"), icon=pages.WORKSHOPS.icon)
        st.stop()
    return loaded
