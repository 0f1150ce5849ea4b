"""Per-session state: the store, the language, the open workshop, saving with conflict checks, messages."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import streamlit as st

from kpidesign.diff import changes
from kpidesign.i18n import LANGUAGES, choose_language, finding_text, problem_text, t
from kpidesign.model import Actual, Workshop
from kpidesign.store import InvalidWorkshopError, Loaded, NewerSchemaError, StaleVersionError, Store, WorkshopNotFoundError, attached
from kpidesign.values import EditError


def init(open_from_address: bool = True) -> None:
    """Set up cross-page state once per session (called by the router); ?ws=… opens a workshop when editing."""
    if "store" not in st.session_state:
        try:
            st.session_state["store"] = Store()
        except NewerSchemaError as e:  # never half-migrated: the app says why and stops, the database untouched
            st.error(t("db_newer_schema", choose_language(st.context.locale), unknown=", ".join(e.unknown)), icon=":material/database:")
            st.stop()
    asked = st.query_params.get("lang")  # ?lang=en: the language chosen before a reload (ui.sidebar keeps it there)
    st.session_state.setdefault("lang", asked if asked in LANGUAGES else choose_language(st.context.locale))
    st.session_state.setdefault("ws_id", None)
    st.session_state.setdefault("ws_version", None)
    st.session_state.setdefault("flash", [])
    st.session_state.setdefault("errors", {})
    wanted = st.query_params.get("ws") if open_from_address else None
    if st.session_state["ws_id"] is None and wanted and store().exists(wanted):
        open_workshop(wanted)


def sync_url() -> None:
    """Keep the open workshop in the address (?ws=…), so a reload or a bookmark reopens it."""
    wid = st.session_state.get("ws_id")
    if wid and st.query_params.get("ws") != wid:
        st.query_params["ws"] = wid
    elif not wid and "ws" in st.query_params:
        del st.query_params["ws"]


def store() -> Store:
    """This session's connection to the database."""
    return st.session_state["store"]


def lang() -> str:
    """The language of the interface: 'ja' or 'en'."""
    return st.session_state.get("lang", "ja")


def tr(key: str, **params: Any) -> str:
    """Translate a key into the current language (plain text: for a stored summary, a table, an option's label)."""
    return t(key, lang(), **params)


def say(key: str, **params: Any) -> str:
    """Translate a key for an element that renders Markdown (title, message, caption, toast, a button's or metric's
    label): every text parameter is made literal (`md`), so a name never becomes a link, an image or emphasis."""
    return t(key, lang(), **{k: md(v) if isinstance(v, str) else v for k, v in params.items()})


def reused(name: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """What build returns, made once per session and language (e.g. the page objects, the same on every rerun)."""
    cache = st.session_state.setdefault("_reused", {})
    key = (*name, lang())
    if key not in cache:
        cache[key] = build()
    return cache[key]


def tabs(sections: dict[str, Callable[[], None]], keep: tuple[str, ...] = ()) -> None:
    """Tabs titled by the keys, bound to ?tab= in the address; only the open one is drawn (its function called), so a
    click on one tab never rebuilds the others' tables and lists of every KPI.

    keep: keys of widgets on a tab whose value must outlive a visit to another tab (the node being edited), handed on
    (`hand_on`) on every run.
    """
    hand_on(*keep)
    for tab, draw in zip(st.tabs(list(sections), key="tab", on_change="rerun", bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                draw()


def hand_on(*keys: str) -> None:
    """Give widgets the value their keys hold, before they are drawn: Streamlit forgets a widget's value after a run that
    does not draw it, and keys a widget by its page too, so the node picked on step 2 would be gone on step 3, and a
    choice on a closed tab gone when it is opened again."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def labeller(prefix: str = "", none: str = "none") -> Callable[[Any], str]:
    """A format_func translating prefix+value in this run's language (it may be called after the run)."""
    code = lang()
    return lambda v: t(none, code) if v is None else t(f"{prefix}{v}", code)


def open_workshop(workshop_id: str | None) -> None:
    """Make a workshop the open one (None closes it)."""
    st.session_state["ws_id"] = workshop_id
    st.session_state["ws_version"] = None
    st.session_state["errors"] = {}


def sync(key: str, stored: Any, error_key: str | None = None) -> None:
    """Give a bound widget the stored value before it is drawn (widgets take their value from session state).

    Set on first use, and whenever the workshop has a new version and the stored value differs from what the
    widget holds, unless the widget holds an input that was refused (kept so it can be corrected). A field whose
    stored value did not change is never touched, so typing in it is never disturbed by a save elsewhere.
    """
    synced = st.session_state.setdefault("_synced", {})
    current_version = version()
    refused = bool(error_key and st.session_state.get("errors", {}).get(error_key))
    if key not in st.session_state or (synced.get(key) != current_version and st.session_state[key] != stored and not refused):
        st.session_state[key] = stored
    else:  # as it is, handed on: the same field on the next step (steps 2 and 3 share the node editor) would start blank
        hand_on(key)
    synced[key] = current_version


def current() -> Loaded | None:
    """The open workshop freshly loaded from the database (the source of truth), or None."""
    wid = st.session_state.get("ws_id")
    if not wid:
        return None
    try:
        loaded = store().load(wid)
    except WorkshopNotFoundError:
        open_workshop(None)
        flash("warning", tr("workshop_gone"))
        return None
    st.session_state["ws_version"] = loaded.version
    return loaded


@st.cache_resource(max_entries=16, show_spinner=False)
def _actuals(workshop_id: str, actuals_rev: int, _store: Store) -> list[Actual]:
    """One revision of a workshop's actuals, read once: an edit of the design (a new version) does not change them."""
    return _store.actuals(workshop_id)


def stored_actuals(workshop_id: str, actuals_rev: int) -> list[Actual]:
    """Every stored actual of a workshop at one revision (read once, shared: never mutate it)."""
    return _actuals(workshop_id, actuals_rev, store())


@st.cache_resource(max_entries=16, show_spinner=False)
def _with_actuals(workshop_id: str, version: int, actuals_rev: int, _ws: Workshop, _store: Store) -> Workshop:
    """One version with one revision of its actuals, shared by reference (workshops are never mutated in place)."""
    return attached(_ws, _actuals(workshop_id, actuals_rev, _store))


@st.cache_resource(max_entries=256, show_spinner=False)
def _kept(name: str, workshop_id: str, version: int, language: str, _build: Callable[[], Any]) -> Any:
    return _build()


def kept(name: str, loaded: Loaded, build: Callable[[], Any]) -> Any:
    """What build returns for one part of a screen, worked out once per workshop version and language, then shared
    by every rerun and session (a table of 500 KPIs is not rebuilt for each click; never mutate what it returns)."""
    return _kept(name, loaded.id, loaded.version, lang(), build)


def per_version(name: str, build: Callable[[], Any]) -> Any:
    """As kept, for the open workshop at the version this run loaded (for parts drawn from it deep in a screen)."""
    return _kept(name, st.session_state.get("ws_id") or "", version(), lang(), build)


@st.cache_resource(max_entries=16, show_spinner=False)
def _old_version(workshop_id: str, number: int, _store: Store) -> Workshop:
    """A saved version (versions never change once written)."""
    return _store.load_version(workshop_id, number)


def old_version(workshop_id: str, number: int) -> Workshop:
    """An earlier version of a workshop, read once and then shared (never mutate it)."""
    return _old_version(workshop_id, number, store())


def with_actuals(loaded: Loaded) -> tuple[Workshop, int]:
    """The loaded workshop with its actuals attached, and the actuals' revision (cached per revision)."""
    rev = store().actuals_rev(loaded.id)
    return _with_actuals(loaded.id, loaded.version, rev, loaded.workshop, store()), rev


def version() -> int:
    """The version of the open workshop as last shown (part of widget keys, so a save refreshes them)."""
    return st.session_state.get("ws_version") or 0


def commit(change: Callable[[Workshop], Workshop], summary: str, error_key: str | None = None, workshop_id: str | None = None) -> bool:
    """Apply change to a workshop (the open one by default) on top of the version shown; report any refusal."""
    is_open = workshop_id is None or workshop_id == st.session_state.get("ws_id")
    wid = st.session_state.get("ws_id") if workshop_id is None else workshop_id
    expected = st.session_state.get("ws_version") if is_open else None
    if error_key:
        st.session_state["errors"].pop(error_key, None)
    try:
        loaded = store().load(wid)
        if expected is not None and loaded.version != expected:
            raise StaleVersionError(wid, expected, loaded.version, store().history(wid, 1)[0].summary)
        changed = change(loaded.workshop)
        if changed is loaded.workshop:
            return True
        new_version = store().save(wid, changed, expected_version=loaded.version, summary=summary)
    except EditError as e:
        message = md(problem_text(e.problem, lang()))  # it may quote what was typed
        if error_key:
            st.session_state["errors"][error_key] = message
        else:
            flash("error", message)
        return False
    except StaleVersionError as e:
        flash("error", stale_message(wid, expected, e))
        return False
    except sqlite3.OperationalError:
        flash("error", tr("db_busy"))
        return False
    except InvalidWorkshopError as e:
        flash("error", say("p_invalid_workshop", detail="; ".join(finding_text(f, lang()) for f in e.findings)))
        return False
    except WorkshopNotFoundError:
        if is_open:
            open_workshop(None)
        flash("warning", tr("workshop_gone"))
        return False
    if is_open:
        st.session_state["ws_version"] = new_version
    flash("saved", say("saved_version", version=new_version, summary=summary))
    return True


def undo() -> None:
    """Undo the open workshop's last change (saved as a new version), or say why it cannot be undone."""
    wid, expected = st.session_state.get("ws_id"), st.session_state.get("ws_version")
    if not wid or expected is None:
        return
    try:
        done = store().undo(wid, expected_version=expected)
    except StaleVersionError as e:
        flash("error", stale_message(wid, expected, e))
        return
    except sqlite3.OperationalError:
        flash("error", tr("db_busy"))
        return
    except WorkshopNotFoundError:
        open_workshop(None)
        flash("warning", tr("workshop_gone"))
        return
    if done is None:
        flash("info", tr("nothing_to_undo"))
        return
    st.session_state["ws_version"], target = done
    flash("saved", tr("undone", version=target))


def stale_message(workshop_id: str, seen: int | None, error: StaleVersionError) -> str:
    """The conflict message, with what the other person changed since the version this screen showed."""
    text = say("stale", current=error.current, summary=error.summary)
    if seen is None:
        return text
    try:
        found = changes(store().load_version(workshop_id, seen), store().load(workshop_id).workshop)
    except WorkshopNotFoundError:
        return text
    if found:
        text += "\n\n" + tr("stale_changes") + "\n" + "\n".join(f"- {md(tr(c.code, **_shown(c.params)))}" for c in found)
    return text


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    return {k: ", ".join(tr(x) for x in v) if isinstance(v, list) else (tr(v) if k == "part" else v) for k, v in params.items()}


def flash(kind: str, text: str) -> None:
    """Queue a message for the next render (kinds: saved, info, warning, error)."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    """Show and clear queued messages: saves as toasts, problems as boxes at the top."""
    for kind, text in st.session_state.get("flash", []):
        if kind == "saved":
            st.toast(text, icon=":material/check_circle:")
        else:
            getattr(st, kind)(text)
    st.session_state["flash"] = []


def field_error(error_key: str) -> None:
    """Show the message of a refused input next to its field."""
    message = st.session_state.get("errors", {}).get(error_key)
    if message:
        st.error(f"{message} {tr('kept_previous')}", icon=":material/error:")  # made literal where it was stored


def require_workshop() -> Loaded:
    """The open workshop, or stop the page with a way back to the list."""
    loaded = current()
    if loaded is None:
        st.info(tr("no_open_workshop"))
        st.page_link("views/workshops.py", label=tr("go_workshops"), icon=":material/folder_open:")
        st.stop()
    return loaded


def md(text: str) -> str:
    """User text made literal for st.markdown (no emphasis, links, images, bare-URL or e-mail autolinks, HTML, entities,
    headings, colours or shortcodes): every Markdown punctuation character gets a backslash, which renders as itself;
    "." and ":" also get an invisible word joiner before them, because GFM turns `https://…`, `www.…` and `a@b.c` into
    links after the escapes are read (the browser showed `https\\://evil\\.example` as a link)."""
    return text.translate(_LITERAL)


_LITERAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]()#+-!<>|~$&=@^"} | {ch: "\u2060\\" + ch for ch in ".:"})
