"""In a real headless Chromium: time from navigation to the tree drawn; peak memory of the server with 20 sessions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.generate import weekly_actuals, workshop
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


def run(sizes: tuple[int, ...] = (100, 500), sessions: int = 20) -> list[tuple[str, float, str]]:
    """(measurement, value, unit) rows; empty when no Chromium is installed."""
    if not Path(CHROMIUM).exists():
        return []
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "b.db"
        store = Store(db)
        ids = {}
        for size in sizes:
            ws = workshop(size)
            ids[size] = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
        port = _free_port()
        env = {**os.environ, "KPIDESIGN_DB": str(db)}
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
                                   "--server.headless", "true", "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.5)
            idle_kb = _rss_kb(server.pid, "VmRSS")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(f"{base}/tree?ws={ids[sizes[0]]}")  # warm the server once
                page.wait_for_selector("[data-testid=stGraphVizChart] svg g.node", timeout=120000)
                for size in sizes:
                    samples = []
                    for _ in range(3):
                        fresh = browser.new_page(viewport={"width": 1600, "height": 1000})
                        start = time.perf_counter()
                        fresh.goto(f"{base}/tree?ws={ids[size]}")
                        fresh.wait_for_function(f"document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node').length >= {size}", timeout=120000)
                        samples.append(time.perf_counter() - start)
                        fresh.close()
                    out.append((f"browser: navigation to tree drawn, {size} nodes", sorted(samples)[1] * 1000, "ms"))
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
            server.terminate()
            server.wait(timeout=30)
            store.close()
    return out
