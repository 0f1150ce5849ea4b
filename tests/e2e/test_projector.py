"""Read from the back row (#20): in projector mode at 1920x1080 no text on step 1, the review or the dashboard is under
22 px (computed in Chromium); a finding of the review opens the field that fixes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from kpidesign import edits
from kpidesign.library import template
from kpidesign.model import Actual, Definition, Node, Workshop
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login, nav
from ui.keys import field_key

MIN_PX = 22
# every kind of text Streamlit draws: paragraphs and list items (markdown, alerts, captions, radio options, links),
# widget, tab and metric labels, metric values, HTML tables' cells, text inputs
TEXT = """() => {
  const found = [];
  const main = document.querySelector('[data-testid="stMain"]');
  for (const el of main.querySelectorAll('p, li, td, th, input[type=text], textarea, [data-testid="stMetricValue"]')) {
    const box = el.getBoundingClientRect();
    const text = String((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' ? el.value : el.innerText) ?? '').trim();  // a list item's value is its number
    if (!box.width || !box.height || (!text && el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA')) continue;
    if (el.closest('[data-testid="stTooltipContent"], [data-testid="stGraphVizChart"], [data-testid="stToast"]')) continue;
    const where = el.closest('[data-testid]')?.getAttribute('data-testid');
    found.push([where, el.tagName, text.slice(0, 40), parseFloat(getComputedStyle(el).fontSize)]);
  }
  return found;
}"""


@pytest.fixture
def room_workshop(server: dict[str, str]) -> str:
    """The recruiting template half filled in (findings to fix), with three monthly actuals of one KPI."""
    ws = template("recruiting", "en")
    ws = edits.set_field(ws, "applications", "owner", "")
    ws = edits.set_field(ws, "applications", "source", "")
    store = Store(server["db"])
    wid = store.create(ws)
    kpi = ws.nodes[1].id
    store.actuals.add(wid, [Actual(kpi=kpi, date=dt.date(2026, m, 1), value=400 + 40 * m) for m in (1, 2, 3)])
    return wid


def sizes(page: Page) -> list[list[Any]]:
    """Every visible text element of the main area: (container, tag, text, px)."""
    found: list[list[Any]] = page.evaluate(TEXT)
    assert len(found) > 5, found
    return found


def test_no_text_under_22px_on_the_wall(server: dict[str, str], new_page: NewPage, room_workshop: str) -> None:
    page = new_page(width=1920, height=1080)
    login(page, server["base"], f"kgi?ws={room_workshop}&projector=1")
    for title, tab in (
        (None, None),
        ("Review & what-if", None),
        ("Dashboard", None),
        (None, "Trends"),
        ("4 Definitions & thresholds", None),
    ):
        if title:
            nav(page, title)
        if tab:
            page.get_by_role("tab", name=tab).click()
            idle(page)
        page.wait_for_timeout(1500)  # charts and graphs drawn
        small = [s for s in sizes(page) if s[3] < MIN_PX - 0.1]
        assert not small, (title, tab, small[:10])
        if tab == "Trends":  # the trend's chart is drawn, taller than on a laptop
            chart = page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').first
            box = chart.bounding_box()
            assert box is not None and box["height"] >= 360


def test_a_finding_opens_the_field_that_fixes_it(server: dict[str, str], new_page: NewPage, room_workshop: str) -> None:
    page = new_page(width=1920, height=1080)
    login(page, server["base"], f"review?ws={room_workshop}&projector=1")
    page.wait_for_selector('[data-testid="stMain"] h1')
    idle(page)
    page.get_by_text("“Applications” has no owner").first.click()
    page.wait_for_url("**/definitions**")
    idle(page)
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'Owner'")
    assert page.locator(".st-key-def_selected input").input_value() == "Applications"
    assert "projector=1" in page.url  # still in projector mode after a reload


def test_a_finding_on_a_japanese_id_node_puts_the_cursor_in_its_field(server: dict[str, str], new_page: NewPage) -> None:
    """Streamlit writes each non-ASCII character of a key as '-' in its container's class: the landing must look for
    the class of the field's key made from the node id's ASCII form, not 'st-key-f_受注率_owner'."""
    ws = Workshop(
        title="受注の設計",
        nodes=[
            Node(id="売上高", name="売上高", unit="円", formula="受注率 * 商談数", definition=Definition(owner="営業部長")),
            Node(id="受注率", parent="売上高", name="受注率", unit="%", definition=Definition(source="CRM")),
            Node(id="商談数", parent="売上高", name="商談数", unit="件", definition=Definition(owner="営業", source="CRM")),
        ],
    )
    wid = Store(server["db"]).create(ws)
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"review?ws={wid}&projector=1", lang="ja")
    page.wait_for_selector('[data-testid="stMain"] h1')
    idle(page)
    page.get_by_text("「受注率」に責任者がいません").first.click()
    page.wait_for_url("**/definitions**")
    idle(page)
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('aria-label') === '責任者'")
    focused = page.evaluate("() => document.activeElement.closest('[class*=\"st-key-f_\"]').className")
    assert f"st-key-{field_key('受注率', 'owner')}" in focused.split()
    assert page.locator(".st-key-def_selected input").input_value() == "受注率"
    page.screenshot(path=str(Path(server["db"]).parent / "japanese_id_landing.png"))


SIDEBAR = """() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  const cut = [...bar.querySelectorAll('[data-testid="stSidebarNav"] a span')].filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.innerText);
  const undo = bar.querySelector('.st-key-undo').getBoundingClientRect();
  const last = [...bar.querySelectorAll('[data-testid="stMarkdownContainer"] p')].filter(p => p.innerText.startsWith('✔ 5') || p.innerText.startsWith('○ 5')).map(p => p.getBoundingClientRect().bottom);
  return {cut, undo: undo.bottom, last};
}"""


def test_the_sidebar_s_undo_and_checklist_are_on_the_first_screen(server: dict[str, str], new_page: NewPage, room_workshop: str) -> None:
    """#26 item 13: in projector mode at 1920x1080 every page's name is whole in the sidebar (Japanese), and Undo and
    the fifth step of the checklist are above the fold."""
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={room_workshop}&projector=1", lang="ja")
    page.wait_for_timeout(1000)
    found = page.evaluate(SIDEBAR)
    assert found["cut"] == [], found
    assert found["undo"] <= 1080 and found["last"] and max(found["last"]) <= 1080, found


def test_the_graph_of_step_2_starts_on_the_first_screen_of_a_projector(server: dict[str, str], new_page: NewPage) -> None:
    """#26 item 19: the three switches (show, direction, levels) took two rows above the graph; behind one button that
    names them, the graph starts right under the title, and the switches still work."""
    wid = Store(server["db"]).create(template("recruiting", "ja"))
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1", lang="ja")
    chart = page.locator('[data-testid="stGraphVizChart"]').first
    chart.wait_for()
    page.wait_for_timeout(1500)
    box = chart.bounding_box()
    assert box is not None and box["y"] < 380, box
    page.get_by_role("button", name="表示: ツリー全体 · 自動 · 自動（150個まで）").click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(Path(server["db"]).parent / "tree_popover.png"))
    page.get_by_text("左から右", exact=True).click()
    idle(page)
    assert page.get_by_role("button", name="表示: ツリー全体 · 左から右 · 自動（150個まで）").count() == 1
    page.screenshot(path=str(Path(server["db"]).parent / "tree_first_screen.png"))


def test_no_button_of_the_node_editor_is_cut_on_a_projector(server: dict[str, str], new_page: NewPage) -> None:
    """#26 item 18: 「このノードを削除」 read 「この…」 in a third of the editor's column at 1920x1080."""
    ws = template("recruiting", "ja")
    wid = Store(server["db"]).create(ws)
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1&go=1&pick=1&node={ws.nodes[1].id}", lang="ja")
    delete = page.get_by_role("button", name="このノードを削除")
    delete.wait_for()
    cut = delete.evaluate("b => [...b.querySelectorAll('p, div')].some(e => e.scrollWidth > e.clientWidth + 1)")
    assert not cut
