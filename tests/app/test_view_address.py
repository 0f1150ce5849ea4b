"""A reload keeps the language and projector mode: both live in the address (#20 item 10)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import ok, start


def _param(at: AppTest, key: str) -> object:
    value: object = at.query_params.get(key)
    return value[0] if isinstance(value, list) and value else value


def test_the_language_and_projector_mode_survive_a_reload(db: Path) -> None:
    at = ok(start())
    assert _param(at, "lang") is None and _param(at, "projector") is None  # the browser's language (ja here): a clean address
    at.sidebar.radio(key="lang").set_value("en").run()
    at.sidebar.toggle(key="projector").set_value(True).run()
    assert _param(at, "lang") == "en" and _param(at, "projector") == "1"
    reloaded = ok(start({"lang": "en", "projector": "1"}))  # what the address now says, opened in a new session
    assert reloaded.title[0].value == "Workshops" and reloaded.sidebar.toggle(key="projector").value is True
    reloaded.sidebar.toggle(key="projector").set_value(False).run()
    assert _param(reloaded, "projector") is None
