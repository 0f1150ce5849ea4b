"""One channel for messages: every refusal and confirmation reaches the screen through ui/messages.py."""

from __future__ import annotations

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent.parent
CHANNEL = {"ui/keys.py", "ui/messages.py"}
KEYS = {"FLASH", "ERRORS", "ONCE"}  # the session keys messages are kept under


def _script() -> None:
    import streamlit as st

    from ui import messages

    step = st.session_state.setdefault("step", 0)
    st.session_state["step"] = step + 1
    if step == 0:
        messages.refuse("rows", "two rows refused")
        messages.refuse("title", "too long")
        messages.once(messages.Kind.ERROR, "room closed")
        messages.flash(messages.Kind.WARNING, "check the file")
    elif step == 1:
        messages.show_flash()
        messages.show_refusal("rows")
        messages.show_once()
        st.session_state["taken"] = (messages.taken("title"), messages.taken("title"))
    elif step == 2:
        messages.show_flash()
        messages.show_once()
        messages.clear("rows")
        messages.show_refusal("rows")
        messages.once(messages.Kind.SUCCESS, "sent")
    else:
        messages.show_once()


def test_each_way_a_message_is_kept_is_shown_as_it_should() -> None:
    at = AppTest.from_function(_script)
    at.run()
    assert not at.error and not at.warning
    at.run()
    assert [e.value for e in at.error] == ["two rows refused", "room closed"]  # a section's refusal, the phone's once
    assert [w.value for w in at.warning] == ["check the file"]
    assert at.session_state["taken"] == ("too long", None)  # shown once
    at.run()
    assert not at.error and not at.warning  # the queue and the phone's message are shown once; the rows were cleared
    at.run()
    assert [s.value for s in at.success] == ["sent"]


def test_no_module_but_ui_messages_keeps_a_message_itself() -> None:
    named = []
    for path in [p for folder in ("ui", "views") for p in (ROOT / folder).rglob("*.py")] + [ROOT / "app.py"]:
        where = path.relative_to(ROOT).as_posix()
        if where in CHANNEL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
        }
        if names & KEYS:
            named.append(where)
    assert not named
