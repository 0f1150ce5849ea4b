from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpidesign.library import template
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander, seeded, start
from ui.pages import ALL, BY_URL, STEPS, PageSpec, next_step, spec_at
from ui.text import md


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.url)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_renders_with_a_workshop(db: Path, spec: PageSpec, lang: str) -> None:
    at, _ = seeded(db, lang)
    ok(at.switch_page(spec.file).run())
    assert at.title, spec.file
    assert not at.error


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.url)
def test_every_page_renders_without_a_workshop(db: Path, spec: PageSpec) -> None:
    at = ok(start())
    ok(at.switch_page(spec.file).run())
    if spec.needs_workshop:  # the router stops before the page runs: its title is never drawn
        assert at.info and "ワークショップを開いて" in at.info[0].value
        assert not at.title


def test_language_switch(db: Path) -> None:
    at, _ = seeded(db)
    at.switch_page("views/1_kgi.py").run()
    assert at.title[0].value.startswith("ステップ1")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value.startswith("Step 1")


def test_unknown_workshop_in_the_address_opens_nothing(db: Path) -> None:
    at = ok(start({"ws": "does-not-exist"}))
    assert at.session_state["ws_id"] is None


def test_workshops_create_rename_duplicate_delete(db: Path) -> None:
    at = ok(start())
    at.text_input(key="ws_new_title").input("FY2026 EC売上").run()
    ok(at.button(key="ws_create").click().run())
    wid = at.session_state["ws_id"]
    assert Store(db).load(wid).workshop.title == "FY2026 EC売上"
    assert at.title[0].value.startswith("1") or "KGI" in at.title[0].value  # a new workshop opens at step 1
    at.switch_page("views/workshops.py").run()
    at.text_input(key=f"ws_rename_text_{wid}").input("Renamed").run()
    ok(at.button(key="ws_rename").click().run())
    assert Store(db).load(wid).workshop.title == "Renamed"
    ok(at.button(key="ws_duplicate").click().run())
    assert len(Store(db).workshops()) == 2
    at.switch_page("views/workshops.py").run()
    at.selectbox(key="ws_choice").set_value(wid).run()
    ok(at.button(key="ws_delete").click().run())
    assert at.warning  # asks first
    assert Store(db).exists(wid)
    ok(at.button(key="ws_delete_yes").click().run())
    assert not Store(db).exists(wid) and len(Store(db).workshops()) == 1


def test_empty_title_is_refused(db: Path) -> None:
    at = ok(start())
    at.text_input(key="ws_new_title").input("   ").run()
    ok(at.button(key="ws_create").click().run())
    assert at.error and Store(db).workshops() == []


def test_create_from_template(db: Path) -> None:
    at = ok(start())
    at.text_input(key="ws_new_title").input("From template").run()
    from kpidesign.library import TEMPLATES

    at.selectbox(key="ws_new_from").set_value(TEMPLATES / "ec_sales.ja.yaml").run()
    ok(at.button(key="ws_create").click().run())
    ws = Store(db).load(at.session_state["ws_id"]).workshop
    assert ws.title == "From template" and len(ws.nodes) == 19


def test_import_a_file_warns_about_what_it_cannot_use(db: Path) -> None:
    at = ok(start())
    at.sidebar.radio(key="lang").set_value("en").run()
    text = b"kpidesign: 1\nworkshop: {title: Imported}\nkgi: {id: k, name: K}\nactuals: [{kpi: typo, date: 2026-10-01, value: 2}]\n"
    ok(at.file_uploader[0].set_value(("w.yaml", text, "application/x-yaml")).run())
    [summary] = Store(db).workshops()
    assert summary.title == "Imported" and at.session_state["ws_id"] == summary.id
    assert any("typo" in w.value and "not in the tree" in w.value for w in at.warning)


def test_a_refused_import_names_the_problem_and_stores_nothing(db: Path) -> None:
    at = ok(start())
    ok(at.file_uploader[0].set_value(("w.yaml", b"kpidesign: 9\n", "application/x-yaml")).run())
    assert Store(db).workshops() == [] and any("9" in e.value for e in at.error)


def _styles(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_projector_mode_enlarges_the_page_and_stays_on(db: Path) -> None:
    at, _ = seeded(db)
    assert "font-size: 22px" not in _styles(at)
    ok(at.sidebar.toggle(key="projector").set_value(True).run())
    assert "html { font-size: 22px; }" in _styles(at)
    at.switch_page("views/2_tree.py")
    assert "html { font-size: 22px; }" in _styles(ok(at.run()))  # kept on every page of the session
    ok(at.sidebar.toggle(key="projector").set_value(False).run())
    assert "font-size: 22px" not in _styles(at)


def test_projector_mode_from_the_address_also_on_a_share_link(db: Path) -> None:
    wid = Store(db).create(template("ec_sales", "en"))
    token = Store(db).shares.create(wid)
    at = ok(start({"share": token, "projector": "1"}))
    assert "html { font-size: 22px; }" in _styles(at) and at.sidebar.toggle(key="projector").value
    assert at.subheader[0].value == md("E-commerce sales +20% (example)")  # as typed (Markdown escaped: shown literally)


def test_the_registry_names_every_page_once() -> None:
    assert len({s.file for s in BY_URL.values()}) == len(BY_URL) and spec_at("") is spec_at("nowhere") is ALL[0]
    assert [next_step(s) for s in STEPS] == [*STEPS[1:], None]


@pytest.mark.parametrize("spec", [s for s in ALL if s.url not in ("room", "join")], ids=lambda s: s.url)
def test_no_english_left_in_the_japanese_pickers(db: Path, spec: PageSpec) -> None:
    """#26 item 18: a selectbox without a placeholder shows Streamlit's English "Choose an option", a multiselect offers
    "Select all": every picker says 選んでください, and no multiselect offers the English bulk action."""
    at, _ = seeded(db, "ja")
    ok(at.switch_page(spec.file).run())
    for box in at.selectbox:
        assert box.proto.placeholder, (spec.url, box.key)
    for many in at.multiselect:
        assert many.proto.placeholder and many.proto.select_all == 0, (spec.url, many.key)


def test_no_english_left_in_the_room_console_s_pickers(db: Path) -> None:
    """#26 item 18 on the Room page, the room open (its prompt and vote pickers drawn)."""
    at, _ = seeded(db, "ja")
    ok(at.switch_page("views/room.py").run())
    ok(next(b for b in at.button if b.key == "room_open").click().run())
    open_expander(at, "room_vote_open")  # the vote's form, drawn only when opened
    open_expander(at, "room_prompt_open")  # and the prompt's (its step and node pickers)
    assert {"room_step", "room_node"} <= {b.key for b in at.selectbox} and at.multiselect
    for box in at.selectbox:
        assert box.proto.placeholder, box.key
    for many in at.multiselect:
        assert many.proto.placeholder and many.proto.select_all == 0, many.key


def test_a_saved_toast_is_short_enough_never_to_offer_view_more(db: Path) -> None:
    from ui.messages import TOAST_MAX, toast_text

    long = "「" + "とても長い名前の指標" * 20 + "」を保存しました"
    assert len(toast_text(long)) <= TOAST_MAX and toast_text(long).endswith("…") and toast_text("保存しました") == "保存しました"
