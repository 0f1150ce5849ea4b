"""A full room (#15) on a real server, in headless Chromium: the facilitator's Room page, a projector, and 30 phones.

Every person is a real browser page in one Chromium (each its own browser context: its own cookies and Streamlit
session, 390×844, touch), so the server does what it does in the room: every phone and both Room pages refresh every
2 s, and ideas are typed into a phone's field and its Send button tapped. Measured: the time from the tap (the click
event's time in the phone's page) until the idea's text is in the facilitator's page (a MutationObserver's time there;
both clocks are this machine's), p50 / p95 over every idea sent; the server's memory (RSS from /proc) with everyone
connected; and what the room costs the machine (CPU of the server and of Chromium, Chromium's memory), since the 30
phones' browsers share the server's two cores here, which a real room's phones do not.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.browser import ARGS, CHROMIUM, ROOT, _rss_kb, _serve
from bench.generate import weekly_actuals, workshop
from kpidesign.store import Store

if TYPE_CHECKING:  # Playwright is imported where the browser starts
    from playwright.sync_api import Page

PARTICIPANTS = 30
IDEAS = 40  # sent in turn by the phones that joined
SATURATED_S = 20.0  # a phone that takes longer than this to join: the server is saturated, no more phones are opened
SPACING_S = 0.6  # between two sends (from different phones): ideas arrive at every phase of the inbox's 2 s refresh
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "ja-JP",
}
CLICKED = "document.addEventListener('click', () => { window.__clickedAt = Date.now(); }, true);"
# in each phone's page: when each idea's marker first appears there (in the phone's own list: the send went through)
# in the facilitator's page: when each idea's marker (ideaNNNx) first appears in the page's text
SEEN = """window.__seen = {};
new MutationObserver(() => {
  const text = document.body ? document.body.textContent : '';
  for (const m of text.matchAll(/idea(\\d{3})x/g)) if (!(m[1] in window.__seen)) window.__seen[m[1]] = Date.now();
}).observe(document, {subtree: true, childList: true, characterData: true});"""
TICK = os.sysconf("SC_CLK_TCK")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else float("nan")


def _tree(root: int) -> list[int]:
    """root and every process descending from it."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        out.append(pid)
        frontier += [child for child, p in parent.items() if p == pid]
    return out


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / TICK


def _pss_mib(pids: list[int]) -> float:
    """Proportional memory of these processes (shared pages divided among them), MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _cores(server: int, browser_pids: list[int], seconds: float) -> tuple[float, float]:
    """Cores used on average over `seconds` by the server and by Chromium (its pages' renderers included)."""
    s0, b0, t0 = _cpu_s([server]), _cpu_s(browser_pids), time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - t0
    return (_cpu_s([server]) - s0) / elapsed, (_cpu_s(browser_pids) - b0) / elapsed


def _wait(check: Callable[..., object], timeout: float) -> bool:
    """Whether check() came true within timeout seconds (asked every 0.2 s)."""
    end = time.time() + timeout
    while time.time() < end:
        if check():
            return True
        time.sleep(0.2)
    return False


def run(participants: int = PARTICIPANTS, ideas: int = IDEAS, size: int = 500) -> list[tuple[str, float, str]]:
    """(measurement, value, unit) rows; empty when no Chromium is installed; one row saying why when the room failed
    (the rest of `make bench` is kept)."""
    try:
        return _run(participants, ideas, size)
    except Exception as e:  # noqa: BLE001 (a bench that broke says so in its report)
        return [(f"room: not measured ({type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''})", float("nan"), "")]


def _run(participants: int, ideas: int, size: int) -> list[tuple[str, float, str]]:
    if not Path(CHROMIUM).exists():
        return []
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out: list[tuple[str, float, str]] = []
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "room.db"
        store = Store(db)
        ws = workshop(size)
        wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
        token = store.rooms.open(wid)
        room = store.rooms.get(wid)
        assert room is not None
        store.rooms.save(room.prompt("tree", ws.nodes[1].id))  # "What drives …?" on every phone
        env = {**os.environ, "KPIDESIGN_DB": str(db)}
        env.pop("KPIDESIGN_EDITOR_PASSWORD", None)
        server, base = _serve("app.py", ROOT, env)
        try:
            idle_kb = _rss_kb(server.pid, "VmRSS")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                chromium = [pid for pid in _tree(os.getpid()) if pid != os.getpid() and pid not in _tree(server.pid)]
                desk_context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ja-JP")
                desk_context.add_init_script(SEEN)
                desk = desk_context.new_page()
                desk.goto(f"{base}/room?ws={wid}&qr={token}")
                projector = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ja-JP").new_page()
                projector.goto(f"{base}/room?ws={wid}&qr={token}&projector=1")
                desk.get_by_test_id("stImage").first.wait_for(timeout=120000)  # the console's QR code
                projector.locator("img[alt=QR]").first.wait_for(timeout=120000)  # the wall's, in its own HTML (#26)
                phones = []
                opened = time.perf_counter()
                joins = []
                for i in range(participants):  # one after the other, as people scan the QR code (a few seconds apart)
                    context = browser.new_context(**PHONE)
                    context.add_init_script(CLICKED)
                    context.add_init_script(SEEN)
                    phone = context.new_page()
                    start = time.perf_counter()
                    try:
                        phone.goto(f"{base}/?join={token}", wait_until="commit", timeout=60000)
                        phone.locator(".st-key-room_name input").fill(f"参加者 {i + 1}", timeout=60000)
                        phone.locator(".st-key-room_join button").tap(timeout=60000)
                        phone.locator(".st-key-room_idea input").wait_for(timeout=60000)
                    except PlaywrightError:
                        context.close()
                        break
                    joins.append((time.perf_counter() - start) * 1000)
                    phones.append(phone)
                    print(f"room bench: phone {i + 1} joined in {joins[-1]:.0f} ms", file=sys.stderr, flush=True)
                    if joins[-1] > SATURATED_S * 1000:
                        break
                joined_s = time.perf_counter() - opened
                chromium = [pid for pid in _tree(os.getpid()) if pid != os.getpid() and pid not in _tree(server.pid)]
                time.sleep(4)  # settled: every page refreshing on its own
                server_cores, browser_cores = _cores(server.pid, chromium, 10)
                steady_kb = _rss_kb(server.pid, "VmRSS")
                sent: dict[str, float] = {}
                sender: dict[str, Page] = {}
                for n in range(1, ideas + 1):  # the phones in turn, one send every SPACING_S
                    phone = phones[(n - 1) % len(phones)]
                    marker = f"{n:03d}"
                    due = time.perf_counter() + SPACING_S
                    phone.locator(".st-key-room_idea input").fill(f"idea{marker}x 配送の速さ")
                    phone.locator("[data-testid=stFormSubmitButton] button").tap()
                    sent[marker] = float(phone.evaluate("window.__clickedAt"))
                    sender[marker] = phone
                    left = due - time.perf_counter()
                    if left > 0:
                        time.sleep(left)
                    if n == ideas // 2:
                        busy_kb = _rss_kb(server.pid, "VmRSS")
                _wait(lambda: len(desk.evaluate("window.__seen")) >= len(sent), 30)
                seen = desk.evaluate("window.__seen")
                on_phone = {m: page.evaluate("window.__seen")[m] for m, page in sender.items() if m in page.evaluate("window.__seen")}
                load_after = os.getloadavg()[0]
                latencies = sorted(seen[m] - t for m, t in sent.items() if m in seen)
                missing = len(sent) - len(latencies)
                stored = len(store.rooms.ideas(wid))
                peak_kb = _rss_kb(server.pid)
                chromium = [pid for pid in _tree(os.getpid()) if pid != os.getpid() and pid not in _tree(server.pid)]
                browser_mib = _pss_mib(chromium)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
            store.close()
    people = f"{len(phones)} phones, the facilitator's Room page and a projector"
    nan = float("nan")
    p95 = _p95(latencies)
    send_path = sorted(on_phone[m] - t for m, t in sent.items() if m in on_phone)
    to_inbox = sorted(seen[m] - on_phone[m] for m in sent if m in seen and m in on_phone)
    out += [
        (
            f"room: an idea sent on a phone until it shows in the facilitator's inbox, p50 ({len(latencies)} ideas; {people})",
            statistics.median(latencies) if latencies else nan,
            "ms",
        ),
        (f"room: an idea sent on a phone until it shows in the facilitator's inbox, p95 ({len(latencies)} ideas)", p95, "ms"),
        ("room: an idea sent until it shows in the inbox, slowest", latencies[-1] if latencies else nan, "ms"),
        (
            "room: where the time goes: the tap until the idea is in the phone's own list (the send's run), p50",
            statistics.median(send_path) if send_path else nan,
            f"ms (p95 {_p95(send_path):.0f} ms)",
        ),
        (
            "room: where the time goes: from the phone's own list until the facilitator's inbox (its refresh), p50",
            statistics.median(to_inbox) if to_inbox else nan,
            f"ms (p95 {_p95(to_inbox):.0f} ms)",
        ),
        ("room: the machine's load average (1 min) at the start and at the end of the room", load_after, f"(start {load_before:.1f})"),
    ]
    if missing or stored != len(sent):
        out.append((f"room: ideas sent but not shown in the inbox within 30 s (stored: {stored} of {len(sent)})", missing, "ideas"))
    out += [
        (
            f"room: server memory with {people} connected (RSS, idle / settled / while ideas arrive)",
            busy_kb / 1024,
            f"MiB ({idle_kb / 1024:.0f} idle, {steady_kb / 1024:.0f} settled)",
        ),
        (f"room: server memory, peak over the whole room (VmHWM, {people})", peak_kb / 1024, "MiB"),
        (
            f"room: phones joined, of {participants} opened one after the other (opening stops when one takes over {SATURATED_S:.0f} s)",
            len(phones),
            f"phones ({joined_s:.0f} s for all of them)",
        ),
        (
            "room: a phone opened the join address until its idea field shows, joined (median; the last)",
            statistics.median(joins),
            f"ms ({joins[-1]:.0f} ms the last)",
        ),
        ("room: server CPU with everyone connected, settled (every page refreshing every 2 s)", server_cores * 100, "% of one core"),
        (
            f"room: Chromium's CPU for the {len(phones) + 2} pages, settled (the bench's cost, not the server's)",
            browser_cores * 100,
            "% of one core",
        ),
        (f"room: Chromium's memory for the {len(phones) + 2} pages (PSS)", browser_mib, "MiB"),
        ("room: this part of the bench took", (time.perf_counter() - started) * 1000, "ms"),
    ]
    return out


if __name__ == "__main__":
    for name, value, unit in run(int(sys.argv[1]) if len(sys.argv) > 1 else PARTICIPANTS):
        print(f"{name}: {value:.0f} {unit}")
