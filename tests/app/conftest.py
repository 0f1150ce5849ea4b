"""AppTest helpers: start the app from its router on a fresh database and find widgets by key prefix."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

from kpidesign.library import template
from kpidesign.store import Store

E = TypeVar("E", bound=Element)

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database file for the app under test."""
    path = tmp_path / "app.db"
    monkeypatch.setenv("KPIDESIGN_DB", str(path))
    return path


def start(query: dict[str, str] | None = None) -> AppTest:
    """Run the app from its entry point, as a browser would."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def seeded(db: Path | str, lang: str = "ja") -> tuple[AppTest, str]:
    """The app with the e-commerce template in that language stored and open, the interface in that language (db: the
    database file, or a PostgreSQL URL: tests/app/test_on_postgresql.py runs some tests again on one)."""
    wid = Store(db).create(template("ec_sales", lang))
    at = start({"ws": wid})
    if lang != "ja":
        at.sidebar.radio(key="lang").set_value(lang).run()
    return at, wid


def by_key(elements: Iterable[E], prefix: str) -> E:
    """The one element whose key is prefix without its last '_', or starts with prefix (buttons carry the version)."""
    found = [e for e in elements if (e.key or "") == prefix.rstrip("_") or (e.key or "").startswith(prefix)]
    assert len(found) == 1, (prefix, [e.key for e in elements])
    return found[0]


def ok(at: AppTest) -> AppTest:
    """Assert the last run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open a lazy expander (its content is drawn only while it is open), as a click on its header does."""
    at.session_state[key] = True
    return ok(at.run())


def open_tab(at: AppTest, name: str) -> AppTest:
    """Open a tab of the page (tabs are bound to ?tab=, and only the open one is drawn), the first one too (Streamlit
    keeps the default tab out of the address, so the address alone cannot bring it back)."""
    at.query_params["tab"] = name
    at.session_state["tab"] = name
    return ok(at.run())
