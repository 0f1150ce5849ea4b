"""The participant cookie in Chromium (review F19, cookie tossing): over HTTPS the writer sets `__Host-kpidesign_room`
(Secure, Path=/, host-only), which a sibling subdomain cannot plant; over plain HTTP the plain name; a real join sets it."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, BrowserContext, Cookie

from kpidesign.model import new_workshop
from kpidesign.store import Membership, Store
from tests.e2e.conftest import idle
from ui.participant import joining

RUN_WRITER = "([src, data]) => new Function(src.replace('export default function', 'return function'))()({ data })"


def served(context: BrowserContext) -> None:
    """Every address answers an empty page (no network): the hosts below are made up, their schemes real to the browser."""
    context.route("**/*", lambda route: route.fulfill(status=200, content_type="text/html", body="<html><body></body></html>"))


def ours(context: BrowserContext) -> list[Cookie]:
    """The participant cookies this browser holds (Streamlit sets its own too)."""
    return [c for c in context.cookies() if c["name"] in (joining.COOKIE, joining.HOST_COOKIE)]


def test_the_writer_uses_host_over_https_and_a_sibling_cannot_plant_it(browser: Browser) -> None:
    context = browser.new_context()
    served(context)
    page = context.new_page()
    data = {"name": joining.COOKIE, "value": "S3cret_-x", "age": joining.COOKIE_SECONDS}
    page.goto("https://kpi.example.test/?join=x")
    page.evaluate(RUN_WRITER, [joining._COOKIE_JS, data])
    [cookie] = context.cookies("https://kpi.example.test/")
    assert cookie["name"] == joining.HOST_COOKIE and cookie["value"] == "S3cret_-x"
    assert cookie["secure"] and cookie["path"] == "/" and cookie["domain"] == "kpi.example.test" and cookie["sameSite"] == "Strict"
    assert cookie["expires"] - time.time() > joining.COOKIE_SECONDS - 60
    # a sibling subdomain tries to toss cookies onto kpi.example.test: the __Host- one is refused, the plain one is not
    page.goto("https://files.example.test/")
    page.evaluate(
        """() => {
      document.cookie = "__Host-kpidesign_room=evil; Domain=example.test; Path=/; Secure";
      document.cookie = "kpidesign_room=evil; Domain=example.test; Path=/; Secure";
    }"""
    )
    sent = {c["name"]: c["value"] for c in context.cookies("https://kpi.example.test/")}
    assert sent == {joining.HOST_COOKIE: "S3cret_-x", joining.COOKIE: "evil"}
    assert joining.held_cookie(sent, https=True) == "S3cret_-x"  # what the server reads: never the tossed one
    assert joining.held_cookie({joining.COOKIE: "evil"}, https=True) is None
    for bad in ({**data, "value": "a; Domain=example.test"}, {**data, "name": "x=y; Path"}, {**data, "age": "1; Domain=x"}):
        page.goto("https://kpi.example.test/")
        page.evaluate(RUN_WRITER, [joining._COOKIE_JS, bad])  # anything but a secret, a name and seconds: nothing written
    assert {c["value"] for c in context.cookies("https://kpi.example.test/")} == {"S3cret_-x", "evil"}
    context.close()


def test_the_writer_uses_the_plain_name_over_http(browser: Browser) -> None:
    context = browser.new_context()
    served(context)
    page = context.new_page()
    page.goto("http://kpi.example.test/")
    page.evaluate(RUN_WRITER, [joining._COOKIE_JS, {"name": joining.COOKIE, "value": "abc", "age": 60}])
    [cookie] = context.cookies("http://kpi.example.test/")
    assert cookie["name"] == joining.COOKIE and not cookie["secure"] and cookie["path"] == "/" and cookie["sameSite"] == "Strict"
    context.close()


def test_joining_the_app_over_http_sets_the_plain_cookie(server: dict[str, str], browser: Browser) -> None:
    store = Store(server["db"])
    wid = store.create(new_workshop("cookie"))
    token = store.rooms.open(wid)
    context = browser.new_context(locale="en-US")
    phone = context.new_page()
    phone.goto(f"{server['base']}/?join={token}")
    idle(phone)
    phone.locator(".st-key-room_join button").click()
    idle(phone)
    end = time.time() + 30  # the writer runs in the rerun the join starts: slow on a loaded machine
    while time.time() < end and not ours(context):
        time.sleep(0.3)
    found = ours(context)
    assert found, phone.locator("[data-testid='stMain']").inner_text()
    [cookie] = found
    assert cookie["name"] == joining.COOKIE and cookie["path"] == "/" and cookie["sameSite"] == "Strict"
    assert store.rooms.membership(wid, cookie["value"]) is Membership.ACTIVE  # the secret of the person who joined
    context.close()
