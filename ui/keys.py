"""Widget keys that a second module finds by name: a node's field (the review's landing focuses it) and where a node
hangs (tree_parent_). They are built from `ascii_id`, a stable ASCII form of the node id, never from the id itself:
Streamlit's front end names a keyed element's container `st-key-<key>` with every character outside [a-zA-Z0-9_-]
written as '-', so 'f_受注率_why' would be found as 'st-key-f_---_why', the same class as 'f_商談数_why'.

And every session-state key that a second module reads, as a `Key` carrying the type of its value: a module that
writes a key and a module that reads it name the same constant (tests/app/test_keys.py checks that no other module
spells such a key as a literal)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Generic, TypeVar, overload

import streamlit as st

from kpidesign.language import Language
from kpidesign.settings import Settings

T = TypeVar("T")


class Key(str, Generic[T]):
    """A session-state key with the type of its value: as a str it is the key itself (`st.session_state[WS_ID]`,
    `key=TREE_SELECTED`); `WS_ID.get()` reads it typed."""

    __slots__ = ()

    @overload
    def get(self) -> T | None: ...
    @overload
    def get(self, default: T) -> T: ...
    def get(self, default: Any = None) -> Any:
        """The value in this session, or default."""
        return st.session_state.get(str(self), default)

    def set(self, value: T) -> None:
        """Store a value in this session."""
        st.session_state[str(self)] = value


WS_ID: Key[str] = Key("ws_id")  # the open workshop (ui.state opens and closes it)
WS_VERSION: Key[int] = Key("ws_version")  # its version as last shown (part of widget keys)
SETTINGS: Key[Settings] = Key("settings")  # the configuration, read once per session (ui.state.settings)
FLASH: Key[list[tuple[str, str]]] = Key("flash")  # messages queued for the next render (ui.messages)
ERRORS: Key[dict[str, str]] = Key("errors")  # a refusal kept by its field or section (ui.messages: refuse, field_error)
ONCE: Key[tuple[str, str]] = Key("room_message")  # a phone's message to show once (ui.messages: once, show_once)
LANG: Key[Language] = Key("lang")  # the interface's language (ui.sidebar's and the phone's language switch)
PROJECTOR: Key[bool] = Key("projector")  # projector mode (ui.sidebar's switch, the room console's, ui.theme reads it)
TAB: Key[str] = Key("tab")  # the open tab of a page's ui.binding.tabs (ui.jump opens one)
LOGIN_PASSWORD: Key[str] = Key("login_password")  # the editor password typed on the login page (ui.access checks it)
# the node being edited, picked on steps 2-3 (ui.steps.tree_editor) and on step 4; ui.jump picks it, the room follows it
TREE_SELECTED: Key[str] = Key("tree_selected")
DEF_SELECTED: Key[str] = Key("def_selected")
# widgets on a tab whose value a page keeps across a look at another tab (views hand them to ui.binding.tabs)
DASH_REVIEW: Key[int] = Key("dash_review")
WHY_NODE: Key[str] = Key("why_node")
WHY_PERIOD: Key[str] = Key("why_period")
WI_LEVERS: Key[list[str]] = Key("wi_levers")
GS_LEVER: Key[str] = Key("gs_lever")
# the room console's prompt and timer (ui.room.console draws them, ui.room.agenda moves them to the next segment)
ROOM_STEP: Key[str] = Key("room_step")
ROOM_NODE: Key[str] = Key("room_node")
ROOM_MINUTES: Key[int] = Key("room_minutes")
ROOM_PROMPT_OPEN: Key[bool] = Key("room_prompt_open")  # whether the prompt's form is open (it holds ROOM_STEP, ROOM_NODE)
ROOM_TIMER_OPEN: Key[bool] = Key("room_timer_open")  # whether the timer's form is open (it holds ROOM_MINUTES)
ROOM_VIEW: Key[str] = Key("room_view")  # the console's view of the ideas: "inbox" or "themes" (the bench times both)
# the Workshops page's form and upload (views/workshops.py draws them, ui.workshops acts on them)
GO_TO_FIRST_STEP: Key[bool] = Key("go_to_first_step")  # set by a new workshop's callback; the page's next run goes to step 1
WS_NEW_TITLE: Key[str] = Key("ws_new_title")
WS_NEW_FROM: Key[object] = Key("ws_new_from")  # a template's path, or None: blank
WS_UPLOAD: Key[object] = Key("ws_upload")  # the uploaded file (Streamlit's UploadedFile)
# the learning log's form (step 5 draws it, ui.steps.monitoring records it)
LOG_DATE: Key[object] = Key("log_date")
LOG_KPI: Key[str] = Key("log_kpi")


@lru_cache(maxsize=4096)
def ascii_id(node_id: str) -> str:
    """A node id as [A-Za-z0-9_-] only, one to one: an ASCII id as it is; any other as 'u-' and its Punycode
    (RFC 3492, as in internationalised domain names: '受注率' -> 'u-uor469ckve'). A node id never holds '-', so the
    two forms never meet."""
    if node_id.isascii():
        return node_id
    return "u-" + node_id.encode("punycode").decode("ascii")


def field_key(node_id: str, field: str) -> str:
    """The key of the widget that edits one field of one node (ui.widgets draws it, ui.jump focuses it)."""
    return f"f_{ascii_id(node_id)}_{field}"


def parent_key(node_id: str) -> str:
    """The key of the selectbox that says where a node hangs (ui.steps.tree_editor draws it, ui.jump focuses it)."""
    return f"tree_parent_{ascii_id(node_id)}"


def browser_class(key: str) -> str:
    """The class Streamlit's front end gives the container of the element with this key."""
    return "st-key-" + "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "-" for c in key.strip())
