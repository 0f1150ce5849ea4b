"""Participant mode in Chromium: a facilitator on a projector-sized screen and five phones (390×844, touch) join, send ideas
(one hostile), stay private until the reveal, vote with bounded dots, one idea becomes a node, and a reload keeps it all."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from kpidesign.library import template
from kpidesign.room import IdeaStatus
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, ContextOptions, idle, login

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](https://evil.example) {{x}}"
PHONE: ContextOptions = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def wait_for(check: Callable[[], object], timeout: float = 15) -> None:
    """Poll until check() is true (the pages follow the database every two seconds)."""
    end = time.time() + timeout
    while time.time() < end:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def click(page: Page, key: str) -> None:
    """Click the button of a keyed widget (Streamlit marks its container with st-key-KEY)."""
    page.locator(f".st-key-{key} button").first.click()
    idle(page)


def pills(page: Page, vote: int) -> Locator:
    """The vote's pills on a phone (one per option)."""
    return page.locator(f"[class*='st-key-room_dots_{vote}_'] button")


def chosen(page: Page, vote: int) -> list[str]:
    """The texts of the pills holding this phone's dots."""
    found = page.locator(f"[class*='st-key-room_dots_{vote}_'] button[aria-pressed='true']")
    return sorted(re.sub(r"^#\d+ ", "", b.inner_text().strip()) for b in found.all())


def send(phone: Page, text: str, label: str) -> None:
    phone.locator(".st-key-room_idea input").fill(text)
    phone.get_by_role("button", name=label, exact=True).click()
    idle(phone)


def test_a_room_from_join_to_node(server: dict[str, str], browser: Browser) -> None:
    store = Store(server["db"])
    wid = store.create(template("ec_sales", "en"))
    facilitator = browser.new_context(locale="en-US", viewport={"width": 1600, "height": 1000}).new_page()
    facilitator.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(d.message)))
    login(facilitator, server["base"], f"room?ws={wid}")  # the console (projector mode is the wall, #26)
    click(facilitator, "room_open")
    address = facilitator.get_by_test_id("stCode").first.inner_text().strip()  # the join address (the wall's is after it)
    assert re.match(r"^http://127\.0\.0\.1:\d+/\?join=[\w-]{43,}$", address), address
    expect(facilitator.get_by_test_id("stImage").first).to_be_visible()  # the QR code

    phones = []
    for i, locale in enumerate(("ja-JP", "en-US", "en-US", "en-US", "ja-JP")):  # five phones, as the issue asks
        context = browser.new_context(locale=locale, **PHONE)
        phone = context.new_page()
        phone.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(d.message)))  # the hostile idea must never run
        phone.goto(address)
        idle(phone)
        assert phone.get_by_test_id("stSidebar").count() == 0 or not phone.get_by_test_id("stSidebar").is_visible()
        phone.locator(".st-key-room_name input").fill(f"Person {i}" if i else "")
        click(phone, "room_join")
        phones.append(phone)
    ja, en1, en2, en3, ja2 = phones
    send(ja, "指名検索の伸び", "送信")
    send(en1, HOSTILE, "Send")
    send(en2, "Repeat purchase coupons", "Send")
    send(en2, "Delivery speed", "Send")
    send(en3, "Gift wrapping", "Send")
    send(ja2, "レビュー数", "送信")
    wait_for(lambda: len(store.rooms.ideas(wid)) == 6)

    # privacy before the reveal: each phone shows its own ideas only
    time.sleep(2.5)
    assert ja.get_by_text("Repeat purchase coupons").count() == 0 and en2.get_by_text("指名検索の伸び").count() == 0
    assert en3.get_by_text("レビュー数").count() == 0 and ja2.get_by_text("Gift wrapping").count() == 0
    assert en3.get_by_text("Gift wrapping").count() > 0  # one's own ideas are shown
    SHOTS.mkdir(exist_ok=True)
    ja.screenshot(path=str(SHOTS / "room-phone-ja-private.png"), full_page=True)

    wait_for(lambda: facilitator.get_by_text("Delivery speed").count() > 0)
    click(facilitator, "room_reveal")
    assert {i.status for i in store.rooms.ideas(wid)} == {IdeaStatus.REVEALED}
    wait_for(lambda: ja.get_by_text("Repeat purchase coupons").count() > 0)
    wait_for(lambda: en2.get_by_text("**bold**", exact=False).count() > 0)  # literal, never bold, never a link
    wait_for(lambda: en3.get_by_text("レビュー数").count() > 0 and ja2.get_by_text("Gift wrapping").count() > 0)
    assert en2.locator("main img[src='x'], main a[href*='evil']").count() == 0

    # a vote on the revealed ideas, 3 dots each (a pill per idea: tap = one dot): a fourth is not given, a reload gives none back
    facilitator.locator("[data-testid='stExpander'] summary").filter(has_text="Open the vote").click()
    facilitator.locator(".st-key-room_vote_question input").fill("Which first?")
    click(facilitator, "room_vote_submit")
    wait_for(lambda: len(store.votes.all(wid)) == 1)  # the submit's rerun may start after idle() looked
    [vote] = store.votes.all(wid)
    wait_for(lambda: pills(ja, vote.id).count() == 6)
    for text in ("Delivery speed", "Gift wrapping", "レビュー数", "Repeat purchase coupons"):
        pills(ja, vote.id).filter(has_text=text).tap()
        idle(ja)
    wait_for(lambda: len(store.votes.dots(vote.id)) == 3)
    mine = ["Delivery speed", "Gift wrapping", "レビュー数"]
    wait_for(lambda: chosen(ja, vote.id) == mine)  # the fourth turned back
    ja.reload()
    idle(ja)
    wait_for(lambda: pills(ja, vote.id).count() == 6)
    wait_for(lambda: chosen(ja, vote.id) == mine and ja.get_by_text("0 / 3").count() > 0)
    for phone in (en1, en3, ja2):
        pills(phone, vote.id).filter(has_text="Delivery speed").tap()
        idle(phone)
    wait_for(lambda: len(store.votes.dots(vote.id)) == 6)
    ja.screenshot(path=str(SHOTS / "room-phone-ja-vote.png"), full_page=True)
    en2.screenshot(path=str(SHOTS / "room-phone-en-revealed.png"), full_page=True)
    click(facilitator, "room_vote_close")
    expect(facilitator.locator("[data-testid='stVegaLiteChart'], .stVegaLiteChart").first).to_be_visible()

    # re-scanning the QR code (the join address again, same browser) finds the same person; another phone is someone new
    again = ja.context.new_page()
    again.goto(address)
    idle(again)
    wait_for(lambda: again.get_by_text("指名検索の伸び").count() > 0)  # ja's own idea: the same participant
    assert again.locator(".st-key-room_join").count() == 0 and store.rooms.participant_count(wid) == 5
    assert "me=" not in again.url  # found by the cookie: the secret stays out of an address that may be copied or shown
    again.reload()
    idle(again)
    wait_for(lambda: again.get_by_text("指名検索の伸び").count() > 0)  # a reload keeps the person too
    again.close()
    stranger = browser.new_context(locale="en-US", **PHONE).new_page()
    stranger.goto(address)
    idle(stranger)
    expect(stranger.locator(".st-key-room_join button")).to_be_visible()
    stranger.context.close()

    # one idea becomes a node under the node it answers, as an ordinary versioned edit (tap it in the inbox, then the button)
    idea = next(i for i in store.rooms.ideas(wid) if i.text == "Delivery speed")
    before = store.load(wid).version
    facilitator.locator(".st-key-room_view button").first.click()  # the reveal turned the console to the themes: back to the inbox
    idle(facilitator)
    facilitator.locator("[class*='st-key-room_pick_'] button").filter(has_text=f"#{idea.id} Delivery speed").click()
    idle(facilitator)
    click(facilitator, "room_accept")
    wait_for(lambda: store.load(wid).version == before + 1)
    accepted = next(i for i in store.rooms.ideas(wid) if i.id == idea.id)
    assert accepted.status is IdeaStatus.ACCEPTED and store.load(wid).workshop.node(accepted.node or "").name == "Delivery speed"
    facilitator.wait_for_timeout(2500)
    facilitator.screenshot(path=str(SHOTS / "room-projector.png"), full_page=False)

    # everything kept after a reload
    for page in (facilitator, *phones):
        page.reload()
        idle(page)
    facilitator.get_by_label("Editor password").fill(PASSWORD)  # a reload is a new session: log in again
    facilitator.get_by_role("button", name="Log in").click()
    idle(facilitator)
    wait_for(lambda: facilitator.get_by_text("accepted").count() > 0)
    expect(facilitator.get_by_test_id("stImage").first).to_be_visible()  # the QR code is still shown (?qr= in the address)
    wait_for(lambda: en2.get_by_text("Delivery speed").count() > 0)
    assert en2.get_by_text(re.compile("Which first")).count() > 0
    facilitator.get_by_test_id("stVegaLiteChart").first.scroll_into_view_if_needed()
    facilitator.screenshot(path=str(SHOTS / "room-projector-results.png"))
    facilitator.get_by_test_id("stImage").first.scroll_into_view_if_needed()
    facilitator.screenshot(path=str(SHOTS / "room-projector-qr.png"))
    store.rooms.close(wid)
    try:
        wait_for(lambda: ja.get_by_text("ルームは開いていません").count() > 0, timeout=10)  # closing ends access at the next refresh
    finally:
        ja.screenshot(path=str(SHOTS / "room-phone-ja-closed.png"), full_page=True)
    for phone in phones:
        phone.context.close()
    facilitator.context.close()
