"""Messages to the person at the screen: queued for the next render, or shown beside the field that was refused."""

from __future__ import annotations

import streamlit as st

from ui.keys import ERRORS, FLASH
from ui.text import tr


def flash(kind: str, text: str) -> None:
    """Queue a message for the next render (kinds: saved, info, warning, error)."""
    st.session_state.setdefault(FLASH, []).append((kind, text))


TOAST_MAX = 60  # characters: a longer toast is folded behind Streamlit's English "view more" (the history has it all)


def toast_text(text: str) -> str:
    """A saved-toast's text, short enough to be read whole: cut with … past TOAST_MAX characters."""
    return text if len(text) <= TOAST_MAX else text[: TOAST_MAX - 1] + "…"


def show_flash() -> None:
    """Show and clear queued messages: saves as toasts, problems as boxes at the top."""
    for kind, text in st.session_state.get(FLASH, []):
        if kind == "saved":
            st.toast(toast_text(text), icon=":material/check_circle:")
        else:
            getattr(st, kind)(text)
    st.session_state[FLASH] = []


def field_error(error_key: str, kept: str = "kept_previous") -> None:
    """Show the message of a refused input next to its field, and what stays (kept: the text key; "not_added" for a
    form that adds something new, which has no previous value to keep)."""
    message = st.session_state.get(ERRORS, {}).get(error_key)
    if message:
        st.error(f"{message} {tr(kept)}", icon=":material/error:")  # made literal where it was stored
