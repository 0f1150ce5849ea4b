"""Who may do what: a join link opens only the participant page, a share link only the read-only view; editing may need a password, or st.login and the
allow-list (the rules themselves are in kpidesign.access)."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from enum import StrEnum

import streamlit as st

from kpidesign.access import AllowList, parse_editors
from ui import client
from ui.keys import LOGIN_PASSWORD, WS_ID
from ui.messages import Kind, flash
from ui.saving import write
from ui.state import settings, store
from ui.text import tr


def editor_password() -> str | None:
    """The editor password from the environment or Streamlit secrets, if one is set."""
    return settings().editor_password


def login_configured() -> bool:
    """True when Streamlit's own login (st.login, an [auth] section in secrets) is set up."""
    return settings().login


def editors() -> AllowList:
    """The allow-list of signed-in editors (KPIDESIGN_EDITORS, environment or Streamlit secrets); unset allows anyone."""
    return parse_editors(settings().editors)


def signed_in_editor() -> bool:
    """True when the person st.login signed in is on the allow-list (or no list is set)."""
    return editors().allows(st.user.get("email"), st.user.get("email_verified"))


class Mode(StrEnum):
    """What this session may do: join a room, see a shared workshop, sign in first, nothing (denied), or edit."""

    JOIN = "join"
    SHARE = "share"
    LOGIN = "login"
    DENIED = "denied"
    EDIT = "edit"


def mode() -> Mode:
    """'join' for a room's join link and 'share' for a share link (each sticky for the session: a session is never both),
    'login' while editing needs credentials, 'denied' for a signed-in person not on the allow-list, else 'edit'."""
    if not st.session_state.get("share_mode") and (st.session_state.get("join_mode") or "join" in st.query_params):
        st.session_state["join_mode"] = True
        st.session_state[WS_ID] = None
        token = st.query_params.get("join")
        st.session_state["join_token"] = token if token is not None else st.session_state.get("join_token")
        return Mode.JOIN
    if st.session_state.get("share_mode") or "share" in st.query_params:
        st.session_state["share_mode"] = True
        st.session_state[WS_ID] = None
        token = st.query_params.get("share")
        st.session_state["share_token"] = token if token is not None else st.session_state.get("share_token")
        return Mode.SHARE
    if login_configured():
        if not getattr(st.user, "is_logged_in", False):
            return Mode.LOGIN
        return Mode.EDIT if signed_in_editor() else Mode.DENIED
    if editor_password() and not st.session_state.get("editor_ok"):
        return Mode.LOGIN
    return Mode.EDIT


def shared_workshop() -> str | None:
    """The workshop this session's share token opens right now (re-checked: a revoke takes effect at once)."""
    return store().shares.resolve(st.session_state.get("share_token"))


def joined_workshop() -> str | None:
    """The workshop whose open room this session's join token enters right now (re-checked: closing ends it at once)."""
    return store().rooms.resolve(st.session_state.get("join_token"))


def link_check(workshop_id: str) -> Callable[[], bool]:
    """A check that this session's share link still opens workshop_id, safe to run outside the page's run (a download
    built on click asks it: a link revoked since the page was drawn gets no file)."""
    token, links = st.session_state.get("share_token"), store()
    return lambda: links.shares.resolve(token) == workshop_id


def check_password() -> None:
    """Compare the typed password in constant time; a wrong one costs a second, and too many wrong ones from this client,
    then on the whole server (any session of any process: the count is in the database, kpidesign.store.limits), refuse
    attempts for a while."""
    typed = st.session_state.get(LOGIN_PASSWORD) or ""
    st.session_state[LOGIN_PASSWORD] = ""
    who = client.client_address()
    ok, attempt = write(lambda: store().attempts.acquire(time.time(), who))
    if not ok or attempt is None:  # the database could not count it: no attempt (write said why)
        return
    if attempt.wait:
        flash(Kind.ERROR, tr("login_throttled", minutes=max(1, math.ceil(attempt.wait / 60))))
        return
    expected = editor_password() or ""
    if expected and hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8")):
        write(lambda: store().attempts.succeeded(attempt.ticket))
        st.session_state["editor_ok"] = True
        return
    time.sleep(1)
    flash(Kind.ERROR, tr("login_wrong"))
