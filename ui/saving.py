"""The one door for writes: every change to the database goes through `write`, which turns each store error into a
message (the screen keeps what it showed); design edits go through `commit`, versioned on top of the version shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from kpidesign.diff import changes
from kpidesign.i18n import finding_text, problem_text
from kpidesign.model import Workshop
from kpidesign.store import FAILURES, InvalidWorkshopError, StaleVersionError, WorkshopNotFoundError
from kpidesign.values import EditError
from ui.keys import WS_ID, WS_VERSION
from ui.messages import Kind, clear, flash, refuse
from ui.state import open_workshop, store
from ui.text import lang, md, say, tr

T = TypeVar("T")


def write(
    action: Callable[[], T],
    *,
    error_key: str | None = None,
    workshop_id: str | None = None,
    seen: int | None = None,
    refused: Callable[[str], None] | None = None,
) -> tuple[bool, T | None]:
    """Run one write against the database: (True, what it returned), or on any refusal say why and return (False, None)
    (nothing is half-written: each store write is one transaction).

    error_key: where an input's refusal is shown (beside its field); else it is a message at the top of the page.
    workshop_id, seen: the workshop written and the version the screen showed, for the conflict message.
    refused: where every message goes instead (a participant's phone, drawn in a fragment, shows them its own way).
    """

    def tell(kind: Kind, message: str) -> None:
        if refused is not None:
            refused(message)
        else:
            flash(kind, message)

    if error_key:
        clear(error_key)
    try:
        return True, action()
    except EditError as e:
        message = md(problem_text(e.problem, lang()))  # it may quote what was typed
        if error_key and refused is None:
            refuse(error_key, message)
        else:
            tell(Kind.ERROR, message)
    except StaleVersionError as e:
        tell(Kind.ERROR, stale_message(workshop_id or e.workshop_id, seen, e))
    except InvalidWorkshopError as e:
        tell(Kind.ERROR, say("p_invalid_workshop", detail="; ".join(finding_text(f, lang()) for f in e.findings)))
    except WorkshopNotFoundError:
        if workshop_id is None or workshop_id == st.session_state.get(WS_ID):
            open_workshop(None)
        tell(Kind.WARNING, tr("workshop_gone"))
    except FAILURES:  # busy, locked, read-only, full disk…
        tell(Kind.ERROR, tr("db_busy"))
    return False, None


def commit(change: Callable[[Workshop], Workshop], summary: str, error_key: str | None = None, workshop_id: str | None = None) -> bool:
    """Apply change to a workshop (the open one by default) on top of the version shown; report any refusal.

    The store refuses when the workshop moved on since the version this screen was drawn from (another person saved):
    before the change is worked out (so it is never applied to a state its author did not see: a field of a node they
    deleted, a name they took) and again when saving (a save between the two)."""
    is_open = workshop_id is None or workshop_id == st.session_state.get(WS_ID)
    wid = (WS_ID.get() or "") if workshop_id is None else workshop_id  # "" as None did: WorkshopNotFoundError
    shown = st.session_state.get(WS_VERSION) if is_open else None

    def save() -> int | None:
        loaded = store().load(wid, expected_version=shown)
        changed = change(loaded.workshop)
        if changed is loaded.workshop:
            return None
        return store().save(wid, changed, expected_version=loaded.version, summary=summary)

    ok, new_version = write(save, error_key=error_key, workshop_id=wid, seen=shown)
    if not ok or new_version is None:
        return ok
    if is_open:
        st.session_state[WS_VERSION] = new_version
    flash(Kind.SAVED, say("saved_version", version=new_version, summary=summary))
    return True


def undo() -> None:
    """Undo the open workshop's last change (saved as a new version), or say why it cannot be undone."""
    wid, shown = st.session_state.get(WS_ID), st.session_state.get(WS_VERSION)
    if not wid or shown is None:
        return
    ok, done = write(lambda: store().undo(wid, expected_version=shown), workshop_id=wid, seen=shown)
    if not ok:
        return
    if done is None:
        flash(Kind.INFO, tr("nothing_to_undo"))
        return
    st.session_state[WS_VERSION], target = done
    flash(Kind.SAVED, tr("undone", version=target))


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
