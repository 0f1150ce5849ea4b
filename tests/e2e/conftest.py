"""Browser tests: `streamlit run` on a free loopback port, driven by Playwright in Debian's headless Chromium.

Outside CI they skip when no Chromium is installed; with CI=true a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TypedDict

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from kpidesign.language import Language
from tests.launch import answers, free_port, streamlit_command

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-パスワード"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ContextOptions(TypedDict, total=False):
    """Keywords of Browser.new_context that the tests pass around (a phone's screen)."""

    viewport: ViewportSize
    is_mobile: bool
    has_touch: bool
    device_scale_factor: float


class NewPage(Protocol):
    """The new_page fixture: a fresh page in its own browser context, in that locale and viewport."""

    def __call__(self, locale: str = "en-US", width: int = 1400, height: int = 1000) -> Page: ...


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here as e2e; skip them only outside CI when there is no browser."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if chromium_path() is None and os.environ.get("CI") != "true":
                item.add_marker(pytest.mark.skip(reason="no Chromium installed (apt-get install chromium)"))


@pytest.fixture(scope="session", autouse=True)
def _browser_required_in_ci() -> None:
    if os.environ.get("CI") == "true" and chromium_path() is None:
        pytest.fail("CI=true but no Chromium: .ci/run must install Debian's chromium", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The app on a free loopback port with its own database and an editor password; yields base URL and db path."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    port = free_port()
    env = {**os.environ, "KPIDESIGN_DB": str(db), "KPIDESIGN_EDITOR_PASSWORD": PASSWORD}
    log = open(db.with_suffix(".log"), "w")  # noqa: SIM115 (the server writes to it until the fixture ends; closed there)
    proc = subprocess.Popen(streamlit_command("app.py", port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    if not answers(base, 90):
        proc.kill()
        pytest.fail("streamlit did not start: " + db.with_suffix(".log").read_text()[-2000:])
    yield {"base": base, "db": str(db), "log": str(db.with_suffix(".log"))}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    text = db.with_suffix(".log").read_text()
    assert "Traceback" not in text, text[-3000:]  # no exception ever reached the server log


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (never downloaded: Debian's binary)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """A fresh browser context (its own cookies and session) per call; closed after the test."""
    contexts: list[BrowserContext] = []

    def make(locale: str = "en-US", width: int = 1400, height: int = 1000) -> Page:
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))
        return page

    yield make
    for context in contexts:
        context.close()


NOT_RUNNING = "[data-testid='stApp'][data-test-script-state='notRunning']"


def idle(page: Page, timeout: float = 30) -> None:
    """Wait until Streamlit has finished the run an action started: the app's script state is 'notRunning'
    and stays so, and no element is left stale from the previous run."""
    end = time.time() + timeout
    page.wait_for_timeout(150)  # let the action reach the server and the rerun start
    stable = 0
    while time.time() < end:
        page.wait_for_selector(NOT_RUNNING, timeout=max(1, end - time.time()) * 1000)
        page.wait_for_timeout(120)
        if page.locator(NOT_RUNNING).count() and page.locator("[data-stale='true']").count() == 0:
            stable += 1
            if stable >= 2:
                return
        else:
            stable = 0
    raise AssertionError("the app did not become idle")


def login(page: Page, base: str, path: str = "", lang: Language = "en") -> None:
    """Open the app and pass the editor-password gate (its words in lang: the page's browser language)."""
    from kpidesign.i18n import t

    page.goto(f"{base}/{path}")
    page.get_by_label(t("login_password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("login_button", lang)).click()
    idle(page)


def fill(page: Page, label: str, value: str, exact: bool = True) -> None:
    """Type into a text field and commit it (Enter for one-line inputs, Tab for text areas)."""
    box = page.get_by_label(label, exact=exact)
    box.fill(value)
    box.press("Tab" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    idle(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox as a keyboard user does: type to filter, take the exact match."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    field = box.locator("input").first
    field.click()
    field.type(option)
    page.wait_for_timeout(300)
    for candidate in page.get_by_role("option").all():
        if candidate.inner_text().strip().lstrip("\u3000└ ").strip() == option:
            candidate.click()
            break
    else:
        page.keyboard.press("Enter")
    idle(page)


def nav(page: Page, title: str) -> None:
    """Go to a page through the sidebar navigation, as a facilitator would."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    idle(page)
