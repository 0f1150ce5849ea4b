"""Step 3's table of layers and speeds (#26 item 4), at 1920x1080 on a projector in Japanese: the names pinned and the
three columns inside the editor's column, every row in the grid without a scroll of its own."""

from __future__ import annotations

import urllib.parse

from kpidesign import tree
from kpidesign.i18n import t
from kpidesign.library import template
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, login
from tests.e2e.test_room import SHOTS

GRID = """() => {
  const grid = document.querySelector('[data-testid="stDataFrame"]');
  const box = grid.getBoundingClientRect();
  const inner = [...grid.querySelectorAll('*')].filter(e => e.scrollHeight > e.clientHeight + 2 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY));
  const heads = [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.innerText.trim());
  return {right: box.right, inner: inner.length, heads};
}"""


def test_the_tagging_table_fits_and_shows_every_row(server: dict[str, str], new_page: NewPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    ws = template("ec_sales", "ja")
    ws = tree.update_node(ws, "brand_association", layer=None, sensitivity=None)  # an untagged node: its cells blank
    wid = Store(server["db"]).create(ws)
    tab = urllib.parse.quote(t("tagging_table", "ja"))
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"decompose?ws={wid}&projector=1&tab={tab}", lang="ja")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    page.wait_for_timeout(1000)
    found = page.evaluate(GRID)
    assert found["right"] <= 1920 and found["inner"] == 0, found
    page.screenshot(path=str(SHOTS / "tagging-ja.png"))
