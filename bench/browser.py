"""In a real headless Chromium: time from navigation to the tree drawn; peak memory of the server with 20 sessions."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.generate import weekly_actuals, workshop
from kpidesign.render import fold, fold_depth
from kpidesign.store import Store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


FLOOR_APP = 'import streamlit as st\nst.title("floor")\nst.graphviz_chart("digraph { a }")\n'


def _serve(script: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start `streamlit run script` on a free loopback port; the process and its address once it answers."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--server.headless", "true", "--browser.gatherUsageStats", "false"], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    return server, base


def _drawn_ms(browser: Any, url: str, nodes: int) -> float:
    """Milliseconds from navigating a new tab to url until its graph shows at least `nodes` nodes."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000})
    start = time.perf_counter()
    tab.goto(url)
    tab.wait_for_function(f"document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node').length >= {nodes}", timeout=120000, polling=20)
    elapsed = (time.perf_counter() - start) * 1000
    tab.close()
    return elapsed


def run(sizes: tuple[int, ...] = (100, 500), sessions: int = 20) -> list[tuple[str, float, str]]:
    """(measurement, value, unit) rows; empty when no Chromium is installed.

    The floor is a trivial page (a title and a one-node graph) served by a second Streamlit process: loading
    Streamlit's front end and drawing any graph at all. Tree and floor are timed alternately (5 pairs).
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
        (Path(tmp) / "floor.py").write_text(FLOOR_APP, encoding="utf-8")
        env = {**os.environ, "KPIDESIGN_DB": str(db)}
        server, base = _serve("app.py", ROOT, env)
        floor_server, floor_base = _serve("floor.py", Path(tmp), env)
        try:
            idle_kb = _rss_kb(server.pid, "VmRSS")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                _drawn_ms(browser, f"{base}/tree?ws={ids[sizes[0]]}", 1)  # warm both servers and the browser's cache once
                _drawn_ms(browser, floor_base, 1)
                floors: list[float] = []
                for size in sizes:
                    depth = fold_depth(workshops[size])
                    views = [("whole tree", "&levels=all", size)]
                    if depth is not None:  # the page's default view of a big tree: deep levels folded
                        boxes = len(fold(workshops[size], depth)[0])
                        views.insert(0, (f"default view, {boxes} boxes", "", boxes))
                    for name, query, boxes in views:
                        url = f"{base}/tree?ws={ids[size]}{query}"
                        pairs = [(_drawn_ms(browser, url, boxes), _drawn_ms(browser, floor_base, 1)) for _ in range(5)]
                        tree_ms = statistics.median(a for a, _ in pairs)
                        floor_ms = statistics.median(b for _, b in pairs)
                        floors.append(floor_ms)
                        out.append((f"browser: navigation to tree drawn, {size} nodes ({name})", tree_ms, f"ms ({tree_ms / floor_ms:.2f}× the floor)"))
                out.insert(0, ("browser floor: navigation to a trivial page's one-node graph drawn", statistics.median(floors), "ms"))
                pages = []
                for i in range(sessions):
                    tab = browser.new_page(viewport={"width": 1400, "height": 900})
                    tab.goto(f"{base}/tree?ws={ids[sizes[-1]]}")
                    pages.append(tab)
                for tab in pages:
                    tab.wait_for_selector("[data-testid=stGraphVizChart] svg g.node", timeout=180000)
                out.append(("server memory, idle (RSS)", idle_kb / 1024, "MiB"))
                out.append((f"server memory, peak with {sessions} sessions on {sizes[-1]} nodes (VmHWM)", _rss_kb(server.pid) / 1024, "MiB"))
                browser.close()
        finally:
            for process in (server, floor_server):
                process.terminate()
                process.wait(timeout=30)
            store.close()
    return out
