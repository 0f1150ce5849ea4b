"""#26 item 19: on a 1920x1080 projector the tree of a workshop of 12 nodes (Japanese names and ids) is read from the
back row in steps 2 and 3's two-thirds column: every drawn label at least 18 px (its font size times the scale the
column draws the SVG at, measured in Chromium), not ~14 px as when a wide top-down layout was shrunk to fit."""

from __future__ import annotations

import re
from pathlib import Path

from kpidesign.library import template
from kpidesign.model import Workshop
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login

MIN_DRAWN_PX = 18
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
# each label of the graph: its computed font size (px, in the SVG's own units) times the SVG's scale on screen
DRAWN = """() => [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg g.node text')].map(t => {
  const m = t.getScreenCTM();
  return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)];
})"""


def japanese_ids(ws: Workshop) -> Workshop:
    """The workshop with every node's id its (Japanese) name, parents and formulas following."""
    new = {n.id: n.name.replace(" ", "") for n in ws.nodes}
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, new), key=len, reverse=True)) + r")\b")

    def renamed(text: str) -> str:
        return pattern.sub(lambda m: new[m.group(1)], text)

    nodes = [n.model_copy(update={"id": new[n.id], "parent": new.get(n.parent or ""), "formula": renamed(n.formula)}) for n in ws.nodes]
    return Workshop(title=ws.title, language="ja", nodes=nodes)  # validated again: every reference resolves


def test_twelve_nodes_read_at_18px_in_the_two_thirds_column(server: dict[str, str], new_page: NewPage) -> None:
    ws = japanese_ids(template("recruiting", "ja"))
    parents = {n.parent for n in ws.nodes}
    assert len(ws.nodes) == 12 and sum(n.id not in parents for n in ws.nodes) == 8 and not ws.kgi.id.isascii()
    wid = Store(server["db"]).create(ws)
    page = new_page(locale="ja-JP", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1", lang="ja")
    page.wait_for_selector('[data-testid="stGraphVizChart"] svg g.node text')
    idle(page)
    page.wait_for_timeout(500)  # the graph laid out
    drawn = page.evaluate(DRAWN)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "tree-12-nodes-ja-projector.png"))
    names = {n.name for n in ws.nodes}
    assert {text for text, _ in drawn} & names  # the labels measured are the boxes' names
    small = [(text, round(px, 1)) for text, px in drawn if px < MIN_DRAWN_PX]
    assert not small, (small, min(px for _, px in drawn))
