"""Messages to the person at the screen, the one way every refusal and confirmation reaches it: queued for the top of
the next render (`flash`), kept beside the field or section that was refused until it is cleared (`refuse`,
`field_error`, `show_refusal`), or, on a participant's phone (drawn in a fragment, where the top of the page is not
drawn again), shown once where the phone asks (`once`, `show_once`)."""

from __future__ import annotations

from enum import StrEnum

import streamlit as st

from ui.keys import ERRORS, FLASH, ONCE
from ui.text import tr


class Kind(StrEnum):
    """What a message is: a save (a toast), or a box of its kind (st.info, st.warning, st.error)."""

    SAVED = "saved"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    SUCCESS = "success"  # a box, not a toast: the phone's "sent"


def flash(kind: Kind, text: str) -> None:
    """Queue a message for the next render."""
    st.session_state.setdefault(FLASH, []).append((kind, text))


TOAST_MAX = 60  # characters: a longer toast is folded behind Streamlit's English "view more" (the history has it all)


def toast_text(text: str) -> str:
    """A saved-toast's text, short enough to be read whole: cut with … past TOAST_MAX characters."""
    return text if len(text) <= TOAST_MAX else text[: TOAST_MAX - 1] + "…"


def show_flash() -> None:
    """Show and clear queued messages: saves as toasts, problems as boxes at the top."""
    for kind, text in st.session_state.get(FLASH, []):
        if kind == Kind.SAVED:
            st.toast(toast_text(text), icon=":material/check_circle:")
        else:
            getattr(st, kind)(text)
    st.session_state[FLASH] = []


def field_error(error_key: str, kept: str = "kept_previous") -> None:
    """Show the message of a refused input next to its field, and what stays (kept: the text key; "not_added" for a
    form that adds something new, which has no previous value to keep)."""
    message = refusal(error_key)
    if message:
        st.error(f"{message} {tr(kept)}", icon=":material/error:")  # made literal where it was stored


def forget_refusals() -> None:
    """Forget every refusal kept (another workshop is opened)."""
    st.session_state[ERRORS] = {}


def refuse(place: str, text: str) -> None:
    """Keep a refusal (already made literal) beside a place, a field's error key or a section, until it is cleared."""
    st.session_state.setdefault(ERRORS, {})[place] = text


def clear(place: str) -> None:
    """Forget the refusal kept for a place."""
    st.session_state.setdefault(ERRORS, {}).pop(place, None)


def refusal(place: str) -> str | None:
    """The refusal kept for a place, if any."""
    text: str | None = st.session_state.get(ERRORS, {}).get(place)
    return text


def taken(place: str) -> str | None:
    """The refusal kept for a place, forgotten as it is read (to show it once)."""
    text: str | None = st.session_state.setdefault(ERRORS, {}).pop(place, None)
    return text


def show_refusal(place: str) -> None:
    """Show the refusal kept for a section (a list of refused rows, a refused file) as it was kept."""
    if text := refusal(place):
        st.error(text)


def once(kind: Kind, text: str) -> None:
    """Keep a message (already made literal) for a phone to show once where it asks (`show_once`)."""
    st.session_state[ONCE] = (kind, text)


def show_once() -> None:
    """Show the message kept by `once`, once: a refusal as an error, anything else as a success."""
    kind, text = st.session_state.pop(ONCE, (None, ""))
    if kind == Kind.ERROR:
        st.error(text, icon=":material/error:")
    elif kind:
        st.success(text, icon=":material/check_circle:")
