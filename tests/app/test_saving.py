"""The one door for writes (ui.saving.write): a busy or locked database, a conflict or a deleted workshop becomes a
message, the screen keeps what it showed, and nothing is half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NoReturn

import pytest

from kpidesign import edits
from kpidesign.store import Actuals, Store
from tests.app.conftest import ok, open_tab, seeded, start


def _busy(*args: object, **kwargs: object) -> NoReturn:
    raise sqlite3.OperationalError("database is locked")


def test_a_busy_database_when_creating_a_workshop_is_a_message(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = ok(start())
    monkeypatch.setattr(Store, "create", _busy)
    at.text_input(key="ws_new_title").input("FY2026").run()
    ok(at.button(key="ws_create").click().run())
    assert any("混み合って" in e.value or "busy" in e.value.lower() for e in at.error), [e.value for e in at.error]
    assert at.session_state["ws_id"] is None  # nothing opened
    assert at.text_input(key="ws_new_title").value == "FY2026"  # what was typed is kept for another try


def test_restoring_over_someone_elses_change_says_what_they_changed(db: Path | str) -> None:
    at, wid = seeded(db)
    store = Store(db)
    first = store.load(wid)
    store.save(wid, edits.set_field(first.workshop, first.workshop.kgi.id, "unit", "円"), expected_version=first.version, summary="単位")
    ok(at.switch_page("views/history.py").run())  # shows v2, offers to restore v1
    loaded = store.load(wid)
    store.save(
        wid, edits.set_field(loaded.workshop, loaded.workshop.kgi.id, "name", "別のKGI"), expected_version=loaded.version, summary="他の人"
    )
    ok(next(b for b in at.button if b.label == "この版に戻す").click().run())
    assert at.error and "他の人" in at.error[0].value and "別のKGI" in at.error[0].value
    assert store.load(wid).version == loaded.version + 1  # their change stands, nothing restored over it


def test_a_busy_database_when_adding_actuals_is_a_message(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/dashboard.py").run()
    open_tab(at, "Enter data")
    monkeypatch.setattr(Actuals, "add", _busy)
    at.selectbox(key="act_kpi").set_value("purchase_rate")
    at.text_input(key="act_value").input("2.5%")
    ok(at.button(key="FormSubmitter:dash_actual-Add value").click().run())
    assert any("busy" in e.value for e in at.error) and not Store(db).actuals.all(wid)
    assert at.text_input(key="act_value").value == "2.5%"  # kept, to send again


def test_editing_a_node_someone_else_deleted_is_a_conflict_message_not_a_crash(db: Path | str) -> None:
    from kpidesign import tree
    from tests.app.conftest import by_key

    at, wid = seeded(db)
    ok(at.switch_page("views/4_definitions.py").run())
    at.selectbox(key="def_selected").set_value("purchase_rate").run()
    store = Store(db)
    loaded = store.load(wid)
    store.save(wid, tree.delete(loaded.workshop, "purchase_rate"), expected_version=loaded.version, summary="購入率を削除")
    ok(by_key(at.text_input, "f_purchase_rate_owner_").input("誰か").run())
    assert any("他の人" in e.value and "購入率を削除" in e.value for e in at.error), [e.value for e in at.error]
    assert store.load(wid).version == loaded.version + 1  # their deletion stands
