"""In a real headless Chromium: time from navigation to the tree drawn; peak memory of the server with 20 sessions."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from bench.generate import weekly_actuals, workshop
from kpidesign.i18n import t
from kpidesign.model import Workshop
from kpidesign.render import SELECTED_COLOUR, fold, fold_depth
from kpidesign.store import Store
from tests.launch import answers, free_port, streamlit_command

if TYPE_CHECKING:  # Playwright is imported where a browser is started: the bench's other rows run without it
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _rss_kb(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


FLOOR_APP = 'import streamlit as st\nst.title("floor")\nst.graphviz_chart("digraph { a }")\n'
# The floor of a page switch: a two-page app whose second page draws a one-node graph.
FLOOR_NAV_APP = """import streamlit as st
first = st.Page(lambda: st.title("first"), title="first", url_path="first", default=True)
second = st.Page(lambda: st.graphviz_chart("digraph { a }"), title="second", url_path="second")
st.navigation([first, second]).run()
"""


def _serve(script: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start `streamlit run script` on a free loopback port; the process and its address once it answers."""
    port = free_port()
    server = subprocess.Popen(streamlit_command(script, port), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    answers(base, 60)
    return server, base


def _wait_boxes(tab: Page, count: int) -> None:
    """Wait until the page's graph shows at least `count` boxes."""
    tab.wait_for_function(
        f"document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node').length >= {count}", timeout=120000, polling=20
    )


def _drawn_ms(browser: Browser, url: str, nodes: int) -> float:
    """Milliseconds from navigating a new tab to url until its graph shows at least `nodes` nodes."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000})
    start = time.perf_counter()
    tab.goto(url)
    _wait_boxes(tab, nodes)
    elapsed = (time.perf_counter() - start) * 1000
    tab.close()
    return elapsed


def _switched_ms(browser: Browser, url: str, link: str, nodes: int) -> float:
    """Milliseconds from clicking the sidebar link `link` (an address ending) on the page at url, once it has settled,
    until the graph it leads to shows at least `nodes` nodes: a page switch inside the app, as in the workshop."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000})
    tab.goto(url)
    target = tab.locator(f'[data-testid=stSidebarNav] a[href$="/{link}"]')
    target.wait_for(timeout=120000)
    tab.wait_for_timeout(1500)  # the first page finished drawing
    start = time.perf_counter()
    target.click()
    _wait_boxes(tab, nodes)
    elapsed = (time.perf_counter() - start) * 1000
    tab.close()
    return elapsed


def _unfolded_ms(browser: Browser, url: str, folded: int, nodes: int) -> float:
    """Milliseconds from choosing "Levels: All" on a tree page showing `folded` boxes until `nodes` boxes are drawn."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="en-US")
    tab.goto(url)
    _wait_boxes(tab, folded)
    tab.wait_for_timeout(1000)
    tab.get_by_role("button", name=re.compile(r"^View: ")).click()  # the switches are behind the View button (#26)
    all_levels = tab.get_by_text("All", exact=True)
    all_levels.wait_for()
    start = time.perf_counter()
    all_levels.click()
    _wait_boxes(tab, nodes)
    elapsed = (time.perf_counter() - start) * 1000
    tab.close()
    return elapsed


def _highlighted(tab: Page, name: str) -> None:
    """Wait until the box whose first line is `name` (after its speed's glyph) is drawn with the selection's outline."""
    tab.wait_for_function(
        """([name, colour]) => Array.from(document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node')).some(
            g => g.querySelector('text')?.textContent.endsWith(name) && g.querySelector(`[stroke="${colour}"]`))""",
        arg=[name, SELECTED_COLOUR],
        timeout=120000,
        polling=20,
    )


def _picked_ms(browser: Browser, url: str, boxes: int, names: list[str]) -> list[float]:
    """Milliseconds from choosing each node of `names` in the tree page's node picker until the graph shows it selected:
    the click a facilitator makes most (the graph changes, so the browser draws it again)."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000})
    tab.goto(url)
    _wait_boxes(tab, boxes)
    tab.wait_for_timeout(1000)
    picker = tab.locator("[data-testid=stSelectbox]").first
    out = []
    for name in names:
        picker.click()
        tab.keyboard.type(name)
        tab.wait_for_timeout(300)  # the list filtered to that node
        start = time.perf_counter()
        tab.keyboard.press("Enter")
        _highlighted(tab, name)
        out.append((time.perf_counter() - start) * 1000)
        tab.wait_for_timeout(300)
    tab.close()
    return out


def _default_boxes(ws: Workshop) -> int:
    """How many boxes the tree page draws by default: all of them, or those above the fold of a big tree."""
    depth = fold_depth(ws)
    return len(ws.nodes) if depth is None else len(fold(ws, depth)[0])


def run(sizes: tuple[int, ...] = (100, 500), sessions: int = 20) -> list[tuple[str, float, str]]:
    """(measurement, value, unit) rows; empty when no Chromium is installed.

    Two ways to reach the tree: navigation in a new browser context (a share link or a bookmark opened cold: the whole
    front end loads), and a page switch by the sidebar inside the app (what the facilitator does in the room). Each has
    its floor, served by its own Streamlit process: a trivial page drawing a one-node graph, reached the same way.
    Tree and floor are timed alternately (5 pairs).
    """
    if not Path(CHROMIUM).exists():
        return []
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "b.db"
        store = Store(db)
        workshops = {size: workshop(size) for size in sizes}
        ids = {size: store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)})) for size, ws in workshops.items()}
        shown = {size: _default_boxes(ws) for size, ws in workshops.items()}  # boxes the tree page draws before "Levels: All"
        (Path(tmp) / "floor.py").write_text(FLOOR_APP, encoding="utf-8")
        (Path(tmp) / "floor_nav.py").write_text(FLOOR_NAV_APP, encoding="utf-8")
        env = {**os.environ, "KPIDESIGN_DB": str(db)}
        server, base = _serve("app.py", ROOT, env)
        floor_server, floor_base = _serve("floor.py", Path(tmp), env)
        nav_server, nav_base = _serve("floor_nav.py", Path(tmp), env)
        try:
            idle_kb = _rss_kb(server.pid, "VmRSS")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                _drawn_ms(browser, f"{base}/tree?ws={ids[sizes[0]]}", 1)  # warm both servers and the browser's cache once
                _drawn_ms(browser, floor_base, 1)
                floors: list[float] = []
                for size in sizes:
                    tree_page = f"{base}/tree?ws={ids[size]}"
                    views = [("whole tree", f"{tree_page}&levels=all", size)]
                    if shown[size] < size:  # the page's default view of a big tree: deep levels folded
                        views.insert(0, (f"default view, {shown[size]} boxes", tree_page, shown[size]))
                    # what a stakeholder opens cold: the read-only view of a share link, on its tree tab (it opens on the
                    # status table; ?tab= names a tab by its title in the viewer's language, English in this browser)
                    share = f"{base}/?share={store.shares.create(ids[size])}&tab={quote(t('graph', 'en'))}"
                    views.append((f"share link, tree tab, {shown[size]} boxes", share, shown[size]))
                    for name, url, boxes in views:
                        pairs = [(_drawn_ms(browser, url, boxes), _drawn_ms(browser, floor_base, 1)) for _ in range(5)]
                        tree_ms = statistics.median(a for a, _ in pairs)
                        floor_ms = statistics.median(b for _, b in pairs)
                        floors.append(floor_ms)
                        out.append(
                            (
                                f"browser: navigation to tree drawn, {size} nodes ({name})",
                                tree_ms,
                                f"ms ({tree_ms / floor_ms:.2f}× the floor)",
                            )
                        )
                out.insert(0, ("browser floor: navigation to a trivial page's one-node graph drawn", statistics.median(floors), "ms"))
                switch_floors: list[float] = []
                for size in sizes:  # in the workshop: from step 1 to step 2 by the sidebar, the page already loaded
                    pairs = [
                        (
                            _switched_ms(browser, f"{base}/kgi?ws={ids[size]}", "tree", shown[size]),
                            _switched_ms(browser, nav_base, "second", 1),
                        )
                        for _ in range(5)
                    ]
                    tree_ms, floor_ms = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
                    switch_floors.append(floor_ms)
                    out.append(
                        (
                            f"browser: page switch from step 1 to the tree drawn, {size} nodes ({shown[size]} boxes)",
                            tree_ms,
                            f"ms ({tree_ms / floor_ms:.2f}× the floor)",
                        )
                    )
                out.append(("browser floor: page switch to a trivial page's one-node graph drawn", statistics.median(switch_floors), "ms"))
                for size, ws in workshops.items():  # on the tree page: pick another node to edit (its box turns red in the graph)
                    names = [ws.nodes[i].name for i in (2, 5, 3, 6, 4, 7, 2)]  # near the top: drawn in the default view
                    ms = statistics.median(_picked_ms(browser, f"{base}/tree?ws={ids[size]}", shown[size], names))
                    out.append(
                        (f"browser: a node picked on the tree page until the graph shows it, {size} nodes ({shown[size]} boxes)", ms, "ms")
                    )
                for size in sizes:  # on the tree page: unfold a big tree
                    if shown[size] < size:
                        ms = statistics.median(_unfolded_ms(browser, f"{base}/tree?ws={ids[size]}", shown[size], size) for _ in range(3))
                        out.append((f'browser: "Levels: All" clicked until the whole tree is drawn, {size} nodes', ms, "ms"))
                pages = []
                for _ in range(sessions):
                    tab = browser.new_page(viewport={"width": 1400, "height": 900})
                    tab.goto(f"{base}/tree?ws={ids[sizes[-1]]}")
                    pages.append(tab)
                for tab in pages:
                    tab.wait_for_selector("[data-testid=stGraphVizChart] svg g.node", timeout=180000)
                out.append(("server memory, idle (RSS)", idle_kb / 1024, "MiB"))
                out.append(
                    (f"server memory, peak with {sessions} sessions on {sizes[-1]} nodes (VmHWM)", _rss_kb(server.pid) / 1024, "MiB")
                )
                browser.close()
        finally:
            for process in (server, floor_server, nav_server):
                process.terminate()
                process.wait(timeout=30)
            store.close()
    return out
