"""Themes in Chromium (#30 item 2), in Japanese at 1920x1080: the reveal on the console groups the ideas into themes,
shown on the console and, under their labels, on the wall (no scrolling); a theme renamed on the console is renamed on
the wall."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from kpidesign.i18n import t
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, NewPage
from tests.e2e.test_room import SHOTS, wait_for
from tests.e2e.test_wall import NO_SCROLL, japanese

SENT = [
    "指名検索の伸び",
    "SNS広告のクリック率",
    "メルマガ開封率",
    "指名検索数の増加",
    "SNS広告の表示回数",
    "メルマガ登録者数",
    "指名検索からの流入数",
    "インスタ広告のクリック率",
    "メルマガ経由の売上",
    "指名検索の伸び！",
    "配送日数の短縮",
]


def enter(page: Page, address: str) -> None:
    """Open an address and pass the password gate in Japanese, without waiting for the app to be idle: the console and
    the wall follow the database every second, and on a loaded machine their reruns leave few idle moments."""
    page.goto(address)
    page.get_by_label(t("login_password", "ja")).fill(PASSWORD)
    page.get_by_role("button", name=t("login_button", "ja")).click()


@pytest.mark.e2e
def test_themes_on_the_console_and_the_wall(server: dict[str, str], new_page: NewPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    wid = store.create(japanese())
    token = store.rooms.open(wid)
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.prompt("tree", "新規顧客"))
    people = [store.rooms.join(wid, f"参加者{n}", client=f"10.0.1.{n}") for n in range(6)]
    ids = [store.rooms.add_idea(wid, people[n % len(people)], text, "新規顧客") for n, text in enumerate(SENT)]
    console = new_page(locale="ja-JP", width=1920, height=1080)
    enter(console, f"{server['base']}/room?ws={wid}&qr={token}")
    wait_for(lambda: console.locator("[class*='st-key-room_pick_']").count() > 0)  # the inbox: the console's view before a reveal
    wait_for(lambda: console.locator(".st-key-room_reveal button").is_enabled(), timeout=30)
    console.locator(".st-key-room_reveal button").click()  # the console follows two live fragments: waits are on what shows
    wait_for(lambda: console.locator("[class*='st-key-room_theme_']").count() >= 4, timeout=30)
    themes = store.themes.all(wid)
    assert [t.label for t in themes][:3] == ["指名検索の伸び", "SNS広告のクリック率", "メルマガ開封率"]
    assert console.locator(".st-key-room_view").get_by_text(f"テーマ ({len(themes)})", exact=True).is_visible()  # the view turned to
    assert console.locator("[class*='st-key-room_pick_']").count() == 0  # one view at a time: the inbox is not drawn
    text = console.locator("[class*='st-key-room_theme_']").all_inner_texts()
    assert any("指名検索の伸び" in t and "4件" in t for t in text), text
    assert console.locator(f".st-key-room_theme_merge_{ids[9]}_{ids[0]} button").count() >= 1  # 指名検索の伸び！ ≈ 指名検索の伸び
    console.locator("[class*='st-key-room_theme_']").first.scroll_into_view_if_needed()
    console.screenshot(path=str(SHOTS / "console-themes-ja.png"))

    wall = new_page(locale="ja-JP", width=1920, height=1080)
    enter(wall, f"{server['base']}/room?ws={wid}&projector=1&qr={token}")
    wall.wait_for_selector(".kd-theme", timeout=30_000)
    headings = [h.split(" · ")[0] for h in wall.locator(".kd-theme").all_inner_texts()]
    assert headings == ["指名検索の伸び", "SNS広告のクリック率", "メルマガ開封率"], headings
    assert max(wall.evaluate(NO_SCROLL)) <= 1
    for card in wall.locator(".kd-card").all():  # the cards of the page shown (others wait, hidden, for their turn)
        box = card.bounding_box() if card.is_visible() else None
        assert box is None or box["y"] + box["height"] <= 1080, box
    assert wall.locator(".kd-card:visible").count() > 0
    size = float(wall.locator(".kd-theme").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 30  # read from the back of the room
    wall.screenshot(path=str(SHOTS / "wall-themes-ja.png"))

    console.locator(".st-key-room_themes_edit_open summary").click()  # the forms, drawn only when opened
    console.locator(".st-key-room_theme_label input").wait_for(timeout=20_000)
    console.locator(".st-key-room_theme_label input").fill("指名検索まわり")
    console.locator(".st-key-room_theme_rename button").click()  # the page follows two live fragments: no idle wait
    wait_for(lambda: store.themes.all(wid)[0].label == "指名検索まわり", timeout=20)
    wait_for(lambda: "指名検索まわり" in wall.locator(".kd-theme").first.inner_text(), timeout=15)
