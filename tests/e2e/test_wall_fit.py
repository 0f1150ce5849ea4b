"""The wall fits the window it is in (review F20; #26 item 2): a projector's browser in full screen (1920×1080,
1920×1200), with tabs and an address bar (1920×947), or a 1280×720 / 1366×768 projector. Nothing of the wall below the
window, no scroll, every card whole inside the ideas' area (none pushed into a clipped extra column), no text under the
wall's smallest size, and every revealed idea on some page."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page

from kpidesign import wall
from kpidesign.room import VoteKind
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login
from tests.e2e.test_room import SHOTS
from tests.e2e.test_wall import japanese

SIZES = [(1920, 1080), (1920, 947), (1280, 720), (1366, 768), (1920, 1200)]
NODES = ["新規顧客", "既存顧客", "客単価"]
CHECK = """() => {
  const wall = document.querySelector('.kd-wall'), ideas = document.querySelector('.kd-ideas');
  const area = ideas.getBoundingClientRect(), out = [], small = [];
  for (const e of [wall, ...wall.querySelectorAll('*')]) {
    let [left, top, right, bottom] = (({left, top, right, bottom}) => [left, top, right, bottom])(e.getBoundingClientRect());
    for (let a = e.parentElement; a && a !== wall.parentElement; a = a.parentElement) {  // what an ancestor clips is not shown
      if (getComputedStyle(a).overflow === 'visible') continue;
      const c = a.getBoundingClientRect();
      [left, top, right, bottom] = [Math.max(left, c.left), Math.max(top, c.top), Math.min(right, c.right), Math.min(bottom, c.bottom)];
    }
    if (right - left <= 0 || bottom - top <= 0) continue;
    if (bottom > innerHeight + 0.5 || right > innerWidth + 0.5) out.push(e.className + ' ' + Math.round(bottom));
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && parseFloat(getComputedStyle(e).fontSize) < MIN_FONT) small.push(e.className + ' ' + getComputedStyle(e).fontSize);
  }
  const cut = [...document.querySelectorAll('.kd-card')].filter(c => {  // a card is whole: nothing that clips cuts it
    const r = c.getBoundingClientRect(), boxes = [area, {left: 0, top: 0, right: innerWidth, bottom: innerHeight}];
    for (let a = c.parentElement; a && a !== wall.parentElement; a = a.parentElement)
      if (getComputedStyle(a).overflow !== 'visible') boxes.push(a.getBoundingClientRect());
    return boxes.some(b => r.bottom > b.bottom + 0.5 || r.right > b.right + 0.5 || r.left < b.left - 0.5 || r.top < b.top - 0.5);
  }).map(c => c.innerText.slice(0, 20));
  const main = document.querySelector('[data-testid="stMain"]');
  return {out, small, cut, scroll: document.scrollingElement.scrollHeight - innerHeight,
          main: main.scrollHeight - main.clientHeight,
          measured: `${Math.floor(document.querySelector('.kd-body').clientWidth)}x${Math.floor(ideas.clientHeight)}`,
          area: ideas.dataset.area, page: document.querySelector('.kd-page').innerText.trim(),
          shown: [...document.querySelectorAll('.kd-card .kd-no')].map(n => parseInt(n.innerText.slice(1)))};
}""".replace("MIN_FONT", str(wall.SIZES[-1][0]))


def idea(n: int) -> str:
    """Ideas as a room writes them: short Japanese, long Japanese (cut at four lines), English with long words."""
    if n % 5 == 0:
        return f"Idea {n}: reduce checkout abandonment by simplifying the payment confirmation internationalization flow"
    return f"アイデア{n} " + "顧客の声をもとに改善する施策" * (1 + n % 4)


def settled(page: Page, timeout: float = 20) -> dict[str, Any]:
    """The wall once laid out for the area this window gives it (the browser measured it and the server redrew)."""
    end = time.time() + timeout
    while True:
        seen: dict[str, Any] = page.evaluate(CHECK)
        if seen["area"] == seen["measured"] and seen["shown"]:
            return seen
        assert time.time() < end, seen
        page.wait_for_timeout(300)


def test_the_wall_fits_every_window(server: dict[str, str], new_page: NewPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    wid = store.create(japanese())
    token = store.rooms.open(wid)
    people = [store.rooms.join(wid, f"参加者{n}", client=f"10.0.1.{n}") for n in range(10)]
    for n in range(60):
        store.rooms.add_idea(wid, people[n % len(people)], idea(n), NODES[n % 3])
    store.rooms.reveal_ideas(wid)
    texts = {i.id: i.text for i in store.rooms.ideas(wid)}
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"room?ws={wid}&projector=1&qr={token}", lang="ja")
    page.wait_for_selector(".kd-card", timeout=15_000)
    fonts = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        seen = settled(page)
        assert not seen["out"] and not seen["small"] and not seen["cut"], seen
        assert seen["scroll"] <= 0 and seen["main"] <= 1, seen
        sends = page.evaluate("() => window.__kpidesignWall.sends")
        page.wait_for_timeout(3000)  # settled: the wall redraws every second, and sends its size again only on a change
        assert page.evaluate("() => window.__kpidesignWall.sends") == sends
        fonts[(width, height)] = float(page.locator(".kd-ideas").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        page.screenshot(path=str(SHOTS / f"wall-fit-{width}x{height}.png"))
        pages = int(m.group(1)) if (m := re.search(r"/ (\d+)", seen["page"])) else 1
        # every idea on some page: the pages turn every PAGE_SECONDS; all of them are watched at the smallest window
        if (width, height) == (1280, 720) or pages <= 2:
            found = set(seen["shown"])
            end = time.time() + pages * wall.PAGE_SECONDS + 15
            while found != set(texts) and time.time() < end:
                page.wait_for_timeout(1000)
                now = page.evaluate(CHECK)
                assert not now["cut"] and not now["out"], now
                found |= set(now["shown"])
            assert found == set(texts), (width, height, pages, sorted(set(texts) - found))
    assert fonts[(1920, 1200)] >= fonts[(1920, 1080)] >= fonts[(1920, 947)] >= fonts[(1280, 720)] >= wall.SIZES[-1][0], fonts
    # a closed vote's results beside the ideas: the ideas take the width left, still whole and on the first screen
    vote = store.votes.open(wid, "最初に取り組むのは？", VoteKind.NODES, NODES)
    for n, p in enumerate(people):
        store.votes.place_dot(wid, vote, p, NODES[n % 3])
    store.votes.close(wid)
    page.wait_for_selector(".kd-fill", timeout=15_000)
    for width, height in [(1280, 720), (1920, 947)]:
        page.set_viewport_size({"width": width, "height": height})
        idle(page)
        seen = settled(page)
        assert not seen["out"] and not seen["small"] and not seen["cut"] and seen["scroll"] <= 0, seen
        page.screenshot(path=str(SHOTS / f"wall-fit-vote-{width}x{height}.png"))
