"""Moderation in Chromium (#30 item 3): a phone sends an idea with a block word, the wall never shows it (watched for
the whole run), the facilitator holds the next reveal and approves one idea from the console, which reaches the wall;
the console at 1920x1080 in Japanese and a phone at 390x844 are screenshotted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page

from kpidesign.store import Store
from tests.e2e.conftest import NOT_RUNNING, NewPage, idle, login
from tests.e2e.test_room import PHONE, SHOTS, wait_for
from tests.e2e.test_wall import japanese

BLOCKED = "部長はバカ"
WATCH = """(text) => {
  window.kdSeen = false;
  const look = () => { if (document.body.innerText.includes(text)) window.kdSeen = true; };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}"""


def settle(page: Page) -> None:
    """Let an action's rerun start and finish once (the console's inbox reruns every second: it is never idle for long
    on a busy machine, so what follows waits for its own outcome)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(NOT_RUNNING, timeout=60_000)


def press(page: Page, key: str) -> None:
    """Click a keyed button once it is enabled."""
    buttons = page.locator(f".st-key-{key} button")
    wait_for(lambda: any(b.is_enabled() for b in buttons.all()), 60)  # a rerun may show the old copy a moment
    next(b for b in buttons.all() if b.is_enabled()).click()
    settle(page)


def send(phone: Page, store: Store, wid: str, text: str) -> None:
    """Send an idea from a phone (in Japanese) and wait until the store holds it."""
    field = phone.locator(".st-key-room_idea input")
    field.fill(text)
    wait_for(lambda: field.input_value() == text, 30)
    phone.get_by_role("button", name="送信", exact=True).click()
    idle(phone, 60)
    wait_for(lambda: text in [i.text for i in store.rooms.ideas(wid)], 60)


def pill(page: Page, text: str) -> Locator:
    """The inbox's pill of the idea with this text."""
    return page.locator("[class*='st-key-room_pick_'] button").filter(has_text=text)


@pytest.mark.e2e
def test_a_blocked_idea_never_reaches_the_wall_and_an_approved_one_does(
    server: dict[str, str], browser: Browser, new_page: NewPage
) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    wid = store.create(japanese())
    console = new_page(locale="ja-JP", width=1920, height=1080)
    login(console, server["base"], f"room?ws={wid}", lang="ja")
    press(console, "room_open")
    console.get_by_test_id("stCode").first.wait_for(timeout=60_000)
    address = console.get_by_test_id("stCode").first.inner_text().strip()
    token = address.split("?join=")[1]
    wall = new_page(locale="ja-JP", width=1920, height=1080)
    login(wall, server["base"], f"room?ws={wid}&projector=1&qr={token}", lang="ja")
    wall.wait_for_selector(".kd-wall")
    wall.evaluate(WATCH, "バカ")  # from now on, any moment the wall shows the word is recorded

    phone = browser.new_context(locale="ja-JP", **PHONE).new_page()
    phone.on("dialog", lambda d: pytest.fail(d.message))
    phone.goto(address)
    idle(phone)
    phone.locator(".st-key-room_name input").fill("佐藤")
    press(phone, "room_join")
    idle(phone, 60)
    send(phone, store, wid, BLOCKED)
    send(phone, store, wid, "指名検索の伸び")
    press(console, "room_reveal")
    wait_for(lambda: "指名検索の伸び" in wall.inner_text("body"), 60)
    assert "バカ" not in wall.inner_text("body")  # held by the block word: revealed, but not to the room
    wait_for(lambda: pill(console, "部長は").count() == 1, 60)
    assert "承認待ち" in pill(console, "部長は").inner_text()

    console.locator(".st-key-room_hold label").click()  # hold every idea revealed from now on
    wait_for(lambda: store.moderation.get(wid).hold, 60)
    send(phone, store, wid, "リピート購入までの日数")
    press(console, "room_reveal")
    wait_for(lambda: pill(console, "リピート購入").count() == 1 and "承認待ち" in pill(console, "リピート購入").inner_text(), 60)
    wall.wait_for_timeout(3000)  # the wall refreshes every second
    assert "リピート購入" not in wall.inner_text("body")
    console.locator(".st-key-room_block_words summary").click()  # the list, for the screenshot
    console.locator(".st-key-room_block_words_text textarea").wait_for(timeout=60_000)
    settle(console)
    console.screenshot(path=str(SHOTS / "room-moderation-console-ja.png"))
    pill(console, "リピート購入").scroll_into_view_if_needed()
    console.screenshot(path=str(SHOTS / "room-moderation-inbox-ja.png"))  # the inbox: held ideas tagged
    pill(console, "リピート購入").click()
    approve = console.locator(".st-key-room_approve button")
    wait_for(lambda: any(b.is_enabled() for b in approve.all()), 60)  # chosen (a rerun may show the old copy a moment)
    next(b for b in approve.all() if b.is_enabled()).click()
    settle(console)
    wait_for(lambda: "リピート購入までの日数" in wall.inner_text("body"), 60)
    wait_for(lambda: "承認待ち" in phone.inner_text("body"), 60)  # its author sees their held idea as waiting
    idle(phone)
    phone.screenshot(path=str(SHOTS / "room-moderation-phone-ja.png"), full_page=True)
    wall.screenshot(path=str(SHOTS / "room-moderation-wall-ja.png"))
    assert wall.evaluate("() => window.kdSeen") is False  # the blocked idea was never on the wall
    assert [i.text for i in Store(server["db"]).rooms.ideas(wid) if i.held] == [BLOCKED]
