"""A share link on a phone (#26 item 14): what is red comes first, whole, without a scroll inside the page; the title
leaves the first screen to the content."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser

from kpidesign.library import template
from kpidesign.model import Actual
from kpidesign.store import Store
from tests.e2e.conftest import idle
from tests.e2e.test_room import PHONE, SHOTS

GRID = """() => {
  const grid = document.querySelector('[data-testid="stDataFrame"]');
  const box = grid.getBoundingClientRect();
  const scroller = [...grid.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 2 && getComputedStyle(e).overflowY !== 'visible');
  const title = document.querySelector('[data-testid="stHeading"]').getBoundingClientRect();
  return {top: box.top, inner: scroller ? scroller.scrollHeight - scroller.clientHeight : 0, title: title.bottom};
}"""


def test_a_share_link_on_a_phone_leads_with_the_status(server: dict[str, str], browser: Browser) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    wid = store.create(template("ec_sales", "ja"))
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.01)])
    page = browser.new_context(locale="ja-JP", **PHONE).new_page()
    page.goto(f"{server['base']}/?share={store.shares.create(wid)}")
    idle(page)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    page.wait_for_timeout(800)
    found = page.evaluate(GRID)
    assert found["title"] < 0.25 * 844, found  # the title no longer fills the first screen
    assert found["inner"] <= 0, found  # every KPI's row in the page's own scroll, none in a scroll of the table's
    assert page.get_by_role("tab", selected=True).inner_text().startswith("状況")
    page.screenshot(path=str(SHOTS / "share-phone-ja.png"))
    page.context.close()
