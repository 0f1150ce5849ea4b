"""The app with its store in PostgreSQL (KPIDESIGN_DATABASE_URL, issue #29 item 3): the same pages, the same write
door. A few of the app tests of SQLite run again here on a PostgreSQL database, and a busy server is a message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NoReturn

import psycopg
import pytest

from kpidesign.store import URL_VAR, Store
from tests.app import test_participant, test_room_page, test_saving
from tests.app.conftest import ok, start
from tests.conftest import drop_pg_database, fresh_pg_database


@pytest.fixture
def pg_db(pg_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's store in a new PostgreSQL database (the setting an operator gives); its URL."""
    url = fresh_pg_database(pg_template)
    monkeypatch.setenv(URL_VAR, url)
    yield url
    drop_pg_database(url)


@pytest.mark.parametrize(
    "test",
    [
        test_saving.test_restoring_over_someone_elses_change_says_what_they_changed,
        test_saving.test_editing_a_node_someone_else_deleted_is_a_conflict_message_not_a_crash,
        test_participant.test_join_send_privacy_reveal_and_close,
        test_room_page.test_inbox_reveal_accept_as_node_and_undo,
    ],
    ids=lambda t: t.__name__,
)
def test_the_app_behaves_on_postgresql_as_on_sqlite(test: Callable[[str], None], pg_db: str) -> None:
    test(pg_db)


def test_a_workshop_created_on_the_page_is_in_postgresql(pg_db: str) -> None:
    at = ok(start())
    at.text_input(key="ws_new_title").input("FY2026").run()
    ok(at.button(key="ws_create").click().run())
    assert [s.title for s in Store(pg_db).workshops()] == ["FY2026"]


def test_a_busy_server_is_a_message_not_a_crash(pg_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*args: object, **kwargs: object) -> NoReturn:
        raise psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")

    at = ok(start())
    monkeypatch.setattr(Store, "create", busy)
    at.text_input(key="ws_new_title").input("FY2026").run()
    ok(at.button(key="ws_create").click().run())
    assert any("混み合って" in e.value or "busy" in e.value.lower() for e in at.error), [e.value for e in at.error]
    assert at.session_state["ws_id"] is None


def test_a_database_server_that_cannot_be_reached_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.launch import free_port

    monkeypatch.setenv(URL_VAR, f"postgresql://kpi:pw@127.0.0.1:{free_port()}/kpidesign")
    at = ok(start())
    assert any("cannot be reached" in e.value or "接続できません" in e.value for e in at.error), [e.value for e in at.error]
    assert "pw@" not in str([e.value for e in at.error])
