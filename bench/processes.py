"""A room on one app process and on two behind the shipped nginx (#29 item 5): how much a phone costs the server, and
how large a room one process holds.

The load is real browsers: every phone is a page in headless Chromium (its own context, 390×844, touch), which opens
the join address through nginx, joins, and refreshes every 2 s as in the room; nginx gives each new browser its route
cookie, so the phones spread over the processes as real ones would. The facilitator's Room page is a Chromium page too
(routed to the first process). At each size the room settles, the CPU of every app process is read from /proc over a
few seconds, and phones send ideas in turn: from the tap (the click's time in the phone's page) until the idea's text
is on the facilitator's screen (a MutationObserver's time there), and until it is in the phone's own list (the phone's
own rerun, as its person waits for it). Chromium runs on the same two cores as the servers here, which a real room's
phones do not: the server CPU per phone is the figure that carries to another machine; the largest room one process
holds is worked out from it (one core per process) and checked against the 2 s target at the sizes measured.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.browser import ARGS, CHROMIUM, ROOT
from bench.generate import workshop
from bench.room_live import CLICKED, PHONE, SEEN, _cpu_s, _p95, _wait
from kpidesign.store import Store
from tests.launch import ROUTE, answers, free_port, nginx_binary, route_to, start_nginx, streamlit_command

SIZES = (10, 20)  # phones at which the room is measured (each size on one process and on two)
IDEAS = 12  # ideas sent at each size, by the phones in turn
SPACING_S = 0.6
SETTLE_S = 4.0
CPU_S = 8.0
Row = tuple[str, float, str]


def _servers(count: int, db: Path, work: Path) -> tuple[list[Any], list[int]]:
    import subprocess

    env = {**os.environ, "KPIDESIGN_DB": str(db)}
    env.pop("KPIDESIGN_EDITOR_PASSWORD", None)
    ports = [free_port() for _ in range(count)]
    procs = [
        subprocess.Popen(streamlit_command("app.py", p), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for p in ports
    ]
    for p in ports:
        if not answers(f"http://127.0.0.1:{p}", 90):
            raise RuntimeError(f"streamlit on {p} did not start")
    return procs, ports


def _measure(count: int, sizes: tuple[int, ...], ideas: int) -> list[Row]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "room.db"
        store = Store(db)
        ws = workshop(100)
        wid = store.create(ws)
        token = store.rooms.open(wid)
        procs, ports = _servers(count, db, work)
        proxy, base = start_nginx(ports, work)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                desk_context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ja-JP")
                desk_context.add_cookies([{"name": ROUTE, "value": route_to(base, ports[0], work), "url": base}])
                desk_context.add_init_script(SEEN)
                desk = desk_context.new_page()
                desk.goto(f"{base}/room?ws={wid}")
                desk.locator(".st-key-room_reveal").wait_for(timeout=120000)
                phones: list[Any] = []
                sent_n = 0
                for size in sizes:
                    while len(phones) < size:
                        context = browser.new_context(**PHONE)
                        context.add_init_script(CLICKED)
                        context.add_init_script(SEEN)
                        phone = context.new_page()
                        try:
                            phone.goto(f"{base}/?join={token}", wait_until="commit", timeout=60000)
                            phone.locator(".st-key-room_name input").fill(f"参加者 {len(phones) + 1}", timeout=60000)
                            phone.locator(".st-key-room_join button").tap(timeout=60000)
                            phone.locator(".st-key-room_idea input").wait_for(timeout=60000)
                        except PlaywrightError:  # the machine (servers and Chromium on its cores) is saturated
                            context.close()
                            out.append(
                                (f"rooms: {count} process(es): a phone could not join within 60 s", len(phones), "phones had joined")
                            )
                            break
                        phones.append(phone)
                    if len(phones) < size:
                        break
                    time.sleep(SETTLE_S)
                    before, t0 = [_cpu_s([proc.pid]) for proc in procs], time.perf_counter()
                    time.sleep(CPU_S)
                    cores = [(_cpu_s([proc.pid]) - b) / (time.perf_counter() - t0) for proc, b in zip(procs, before, strict=True)]
                    sent: dict[str, float] = {}
                    sender: dict[str, Any] = {}
                    for _ in range(ideas):
                        sent_n += 1
                        marker, phone = f"{sent_n:03d}", phones[sent_n % len(phones)]
                        due = time.perf_counter() + SPACING_S
                        phone.locator(".st-key-room_idea input").fill(f"idea{marker}x 配送の速さ")
                        phone.locator("[data-testid=stFormSubmitButton] button").tap()
                        sent[marker], sender[marker] = float(phone.evaluate("window.__clickedAt")), phone
                        time.sleep(max(0.0, due - time.perf_counter()))
                    _wait(lambda sent=sent: all(m in desk.evaluate("window.__seen") for m in sent), 30)
                    seen = desk.evaluate("window.__seen")
                    to_desk = sorted(seen[m] - t for m, t in sent.items() if m in seen)
                    own = sorted(
                        page.evaluate("window.__seen")[m] - sent[m] for m, page in sender.items() if m in page.evaluate("window.__seen")
                    )
                    label = f"{count} process{'es' if count > 1 else ''}, {size} phones"
                    out += [
                        (f"rooms: {label}: server CPU, settled (every app process together)", sum(cores) * 100, "% of one core"),
                        (
                            f"rooms: {label}: server CPU per phone, settled",
                            sum(cores) * 100 / size,
                            f"% of one core (busiest process {max(cores) * 100:.0f} %)",
                        ),
                        (
                            f"rooms: {label}: an idea from the tap until the facilitator's screen, p95",
                            _p95(to_desk),
                            f"ms ({len(to_desk)} of {len(sent)} shown; the machine's load average {os.getloadavg()[0]:.1f})",
                        ),
                        (
                            f"rooms: {label}: a phone's own rerun (the tap until the idea is in its list), p95",
                            _p95(own),
                            f"ms (p50 {statistics.median(own) if own else float('nan'):.0f} ms)",
                        ),
                    ]
                    print(f"rooms bench: {label}: {out[-2][1]:.0f} ms p95, {sum(cores) * 100:.0f} % CPU", file=sys.stderr, flush=True)
                browser.close()
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
            store.close()
    return out


def per_process(rows: list[Row]) -> list[Row]:
    """The largest room one process holds, worked out from the CPU a phone costs at the largest size measured on one
    process (one process runs Python on one core): phones = 100 % / (% per phone)."""
    one = [r for r in rows if r[0].startswith("rooms: 1 process,") and "CPU per phone" in r[0]]
    if not one:
        return []
    name, cost, _ = one[-1]
    size = name.split(", ")[1].split(" phones")[0]
    return [
        (
            f"rooms: the largest room one process holds (one core at {cost:.2f} % a phone, measured with {size} phones)",
            100 / cost if cost else float("nan"),
            "phones",
        )
    ]


def run(sizes: tuple[int, ...] = SIZES, ideas: int = IDEAS) -> list[Row]:
    """(measurement, value, unit) rows for one process and for two; empty without Chromium or nginx; one row saying why
    when it failed (the rest of `make bench` is kept)."""
    if not Path(CHROMIUM).exists() or nginx_binary() is None:
        return []
    started = time.perf_counter()
    rows: list[Row] = []
    for count in (1, 2):
        try:
            rows += _measure(count, sizes, ideas)
        except Exception as e:  # noqa: BLE001 (a bench that broke says so in its report)
            said = str(e).splitlines()[0][:120] if str(e) else ""
            rows.append((f"rooms: {count} process(es): not measured ({type(e).__name__}: {said})", float("nan"), ""))
    return [*rows, *per_process(rows), ("rooms: this part of the bench took", (time.perf_counter() - started) * 1000, "ms")]


if __name__ == "__main__":
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    for name, value, unit in run(sizes):
        print(f"{name}: {value:.1f} {unit}")
