"""Projector mode is kept through Create and open, and Open (#26 item 6): the text stays at 22 px and projector=1
stays in the address."""

from __future__ import annotations

from kpidesign.library import template
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login

ROOT_PX = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"


def test_projector_mode_is_kept_by_create_and_open(server: dict[str, str], new_page: NewPage) -> None:
    Store(server["db"]).create(template("ec_sales", "en"))
    page = new_page(width=1920, height=1080)
    login(page, server["base"], "?projector=1")
    assert page.evaluate(ROOT_PX) == 22

    def press(button: str, lands_on: str) -> None:
        page.locator(f".st-key-{button} button").click() if button else page.get_by_role("link", name="Workshops").click()
        idle(page)
        page.wait_for_url(f"**/{lands_on}**")
        assert page.evaluate(ROOT_PX) == 22 and "projector=1" in page.url, page.url

    for attempt in range(2):
        page.locator(".st-key-ws_new_title input").fill(f"Projected {attempt}")
        press("ws_create", "kgi")
        press("", "")
        press("ws_open", "kgi")
        press("", "")
