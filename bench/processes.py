"""A room on one app process and on two behind the shipped nginx (#29 item 5): how much a phone costs the server, and
the largest room one process holds with an idea on the facilitator's screen within 2 s (p95) and every phone's own
rerun within 1 s (p95).

The phones speak Streamlit's own protocol (bench/phone_client.py, the default): each opens the join address through
nginx as a browser does (the page, the frontend's ping, the websocket; its own cookies, so nginx's route cookie spreads
the phones over the processes as real ones are spread; its own loopback address, 127.2.x.y, so the app counts each as
its own client as phones on mobile data are: one venue address joins at most 60 people a minute), joins, and refreshes its fragment every 2 s with the same
rerun messages a browser sends (tests/e2e/test_phone_client.py compares them with a headless Chromium phone's), from
one asyncio thread of this process: hundreds of phones cost the machine little, so the servers' limit is what is
measured. They do not render nor load the static assets (once per phone, then cached by its browser). The
facilitator's Room page stays ONE real Chromium page (routed to the first process): its screen is what the 2 s target
is about, so an idea is timed from the tap (the send's time in the protocol phone) until its text is on that screen (a
MutationObserver's time there; both clocks are this machine's), and until the ForwardMsg carrying its text reaches the
phone that sent it (the phone's own rerun, which its person waits for).

At each size the room settles, the CPU of every app process (and of this process: the phones themselves) is read from
/proc over a few seconds, and phones send ideas in turn; the room grows to the next size until a target breaks. "The
largest room one process holds" is the largest size at which both targets held, as measured; the CPU a phone costs
gives the estimate beyond the sizes tried (one process runs Python on one core).

`--browsers` measures with real browsers instead (every phone a page of headless Chromium, its own context, 390×844,
touch): on a 2-core machine Chromium saturates it at about 17 phones, long before the server is busy.

    python -m bench.processes 25 50 100 200 300          # protocol phones
    python -m bench.processes --browsers 10 20           # Chromium phones
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.browser import ARGS, CHROMIUM, ROOT
from bench.generate import workshop
from bench.phone_client import Loop, Phone, join, send_idea
from bench.room_live import CLICKED, PHONE, SEEN, _cpu_s, _p95, _wait
from kpidesign.store import Store
from tests.launch import ROUTE, answers, free_port, nginx_binary, route_to, start_nginx, streamlit_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SIZES = (25, 50, 100, 200, 300)  # protocol phones at which the room is measured (each size on one process and on two)
BROWSER_SIZES = (10, 20)  # Chromium phones (--browsers): the machine, not the server, is the limit past ~17
IDEAS = 30  # ideas sent at each size, by the phones in turn (each p95 is of 30 samples)
SPACING_S = 0.6
SETTLE_S = 4.0
CPU_S = 8.0
DESK_TARGET_MS = 2000.0  # an idea on the facilitator's screen, p95 (#29)
PHONE_TARGET_MS = 1000.0  # a phone's own rerun (the tap until its idea is back in its list), p95: the bench's choice
JOINS_AT_ONCE = 10  # phones opening the join address at the same moment (a room scanning the QR code)
JOIN_S = 60.0  # a phone that cannot join within this: the room is past what the servers hold
Row = tuple[str, float, str]


def _stop(proxy: Any, procs: list[Any], store: Store) -> None:
    """nginx and the app processes stopped, the store closed."""
    proxy.terminate()
    proxy.wait(timeout=10)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)
    store.close()


def _cpu_rows(label: str, cores: list[float], phones: int) -> list[Row]:
    """The servers' CPU, settled: every process together, per phone, and the busiest process."""
    return [
        (f"rooms: {label}: server CPU, settled (every app process together)", sum(cores) * 100, "% of one core"),
        (
            f"rooms: {label}: server CPU per phone, settled",
            sum(cores) * 100 / phones,
            f"% of one core (busiest process {max(cores) * 100:.0f} %)",
        ),
    ]


def facilitator(browser: Browser, base: str, route: str, wid: str) -> Page:
    """The facilitator's Room page: a real Chromium page (its screen is what the 2 s target is about), routed by nginx's
    cookie to the first process, watching for each idea's text (room_live.SEEN), once it shows the console."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ja-JP")
    context.add_cookies([{"name": ROUTE, "value": route, "url": base}])
    context.add_init_script(SEEN)
    desk = context.new_page()
    desk.goto(f"{base}/room?ws={wid}")
    desk.locator(".st-key-room_reveal").wait_for(timeout=120000)
    return desk


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


def _measure_browsers(count: int, sizes: tuple[int, ...], ideas: int) -> list[Row]:
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
                desk = facilitator(browser, base, route_to(base, ports[0], work), wid)
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
                        *_cpu_rows(label, cores, size),
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
            _stop(proxy, procs, store)
    return out


def _source(n: int) -> str:
    """Phone n's own loopback address (127.2.x.y; the facilitator is 127.0.0.1): the app counts each phone as its own
    client, as phones on mobile data are (a venue's one address joins 60 a minute: kpidesign.room.JOINS_PER_CLIENT)."""
    return f"127.2.{n // 250}.{n % 250 + 1}"


async def _join_all(phones: list[Phone], first: int) -> list[BaseException | None]:
    """Join these protocol phones, JOINS_AT_ONCE at a time; for each, None or what stopped it."""
    gate = asyncio.Semaphore(JOINS_AT_ONCE)

    async def one(n: int, phone: Phone) -> None:
        async with gate:
            await asyncio.wait_for(join(phone, f"参加者 {n}", JOIN_S), JOIN_S)

    return list(await asyncio.gather(*(one(first + i, p) for i, p in enumerate(phones)), return_exceptions=True))


async def _close_all(phones: list[Phone]) -> None:
    await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)


def _measure(count: int, sizes: tuple[int, ...], ideas: int) -> list[Row]:
    """The room with protocol phones through nginx and the facilitator's page in Chromium, growing until a target
    breaks; the rows, the last one the largest size at which both targets held."""
    from playwright.sync_api import sync_playwright

    out: list[Row] = []
    plural = "es" if count > 1 else ""
    held_at, broke_at = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "room.db"
        store = Store(db)
        wid = store.create(workshop(100))
        token = store.rooms.open(wid)
        procs, ports = _servers(count, db, work)
        proxy, base = start_nginx(ports, work)
        loop = Loop()
        phones: list[Phone] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                desk = facilitator(browser, base, route_to(base, ports[0], work), wid)
                sent_n = 0
                for size in sizes:
                    label = f"{count} process{plural}, {size} phones"
                    new = [Phone(base, f"join={token}", source=_source(n)) for n in range(len(phones) + 1, size + 1)]
                    opened = time.perf_counter()
                    failed = [e for e in loop.run(_join_all(new, len(phones) + 1)) if e is not None]
                    phones += new
                    joined_s = time.perf_counter() - opened
                    if failed:
                        out.append(
                            (
                                f"rooms: {label}: phones that could not join within {JOIN_S:.0f} s",
                                len(failed),
                                f"phones ({type(failed[0]).__name__}: {str(failed[0])[:80]})",
                            )
                        )
                        broke_at = size
                        break
                    time.sleep(SETTLE_S)
                    before, mine, t0, w0 = [_cpu_s([proc.pid]) for proc in procs], _cpu_s([os.getpid()]), time.perf_counter(), time.time()
                    time.sleep(CPU_S)
                    elapsed, w1 = time.perf_counter() - t0, time.time()
                    cores = [(_cpu_s([proc.pid]) - b) / elapsed for proc, b in zip(procs, before, strict=True)]
                    client = (_cpu_s([os.getpid()]) - mine) / elapsed
                    refreshes = sum(1 for ph in phones for r in list(ph.reruns) if r.auto and w0 <= r.at < w1) / (len(phones) * (w1 - w0))
                    sent: dict[str, float] = {}
                    sender: dict[str, Phone] = {}
                    for _ in range(ideas):
                        sent_n += 1
                        marker, phone = f"{sent_n:03d}", phones[sent_n % len(phones)]
                        due = time.perf_counter() + SPACING_S
                        sent[marker] = loop.call(send_idea, phone, f"idea{marker}x 配送の速さ", f"idea{marker}x") * 1000
                        sender[marker] = phone
                        time.sleep(max(0.0, due - time.perf_counter()))
                    _wait(lambda sent=sent: all(m in desk.evaluate("window.__seen") for m in sent), 30)
                    _wait(lambda sender=sender: all(ph.seen(f"idea{m}x") is not None for m, ph in sender.items()), 10)
                    seen = desk.evaluate("window.__seen")
                    to_desk = sorted(seen[m] - t for m, t in sent.items() if m in seen)
                    back = {m: ph.seen(f"idea{m}x") for m, ph in sender.items()}
                    own = sorted(b * 1000 - sent[m] for m, b in back.items() if b is not None)
                    dropped = sum(1 for ph in phones if ph.closed is not None)
                    desk_p95, own_p95 = _p95(to_desk), _p95(own)
                    held = len(to_desk) == len(sent) and len(own) == len(sent) and desk_p95 <= DESK_TARGET_MS and own_p95 <= PHONE_TARGET_MS
                    out += [
                        *_cpu_rows(label, cores, size),
                        (
                            f"rooms: {label}: an idea from the tap until the facilitator's screen, p95",
                            desk_p95,
                            f"ms ({len(to_desk)} of {len(sent)} shown; target {DESK_TARGET_MS:.0f} ms; load average {os.getloadavg()[0]:.1f})",
                        ),
                        (
                            f"rooms: {label}: a phone's own rerun (the tap until its idea's text is back on the phone), p95",
                            own_p95,
                            f"ms (p50 {statistics.median(own) if own else float('nan'):.0f} ms; target {PHONE_TARGET_MS:.0f} ms)",
                        ),
                        (
                            f"rooms: {label}: refreshes sent per phone per second, settled (the page asks for 0.5)",
                            refreshes,
                            f"/s ({dropped} phones' websockets closed)",
                        ),
                        (
                            f"rooms: {label}: the protocol phones' own CPU (this process, Playwright's client included)",
                            client * 100,
                            f"% of one core (joining took {joined_s:.0f} s)",
                        ),
                    ]
                    print(
                        f"rooms bench: {label}: desk p95 {desk_p95:.0f} ms, own p95 {own_p95:.0f} ms, {sum(cores) * 100:.0f} % CPU",
                        file=sys.stderr,
                        flush=True,
                    )
                    if not held:
                        broke_at = size
                        break
                    held_at = size
                browser.close()
        finally:
            try:
                loop.run(_close_all(phones), 60)
            finally:
                loop.close()
                _stop(proxy, procs, store)
    why = f"the targets broke at {broke_at} phones" if broke_at else f"the largest size tried, {sizes[-1]} phones, held"
    out.append(
        (
            f"rooms: the largest room {count} process{plural} held, measured (facilitator p95 ≤ {DESK_TARGET_MS / 1000:.0f} s, "
            f"a phone's own rerun p95 ≤ {PHONE_TARGET_MS / 1000:.0f} s)",
            held_at,
            f"phones ({why})",
        )
    )
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
            f"rooms: the largest room one process holds, estimated from the CPU (one core at {cost:.2f} % a phone, {size} phones)",
            100 / cost if cost else float("nan"),
            "phones",
        )
    ]


def run(sizes: tuple[int, ...] | None = None, ideas: int = IDEAS, browsers: bool = False) -> list[Row]:
    """(measurement, value, unit) rows for one process and for two, with protocol phones (or Chromium ones: browsers);
    empty without Chromium or nginx; one row saying why when it failed (the rest of `make bench` is kept)."""
    if not Path(CHROMIUM).exists() or nginx_binary() is None:
        return []
    sizes = tuple(sorted(set(sizes or (BROWSER_SIZES if browsers else SIZES))))  # the room only grows
    started = time.perf_counter()
    rows: list[Row] = []
    for count in (1, 2):
        try:
            rows += (_measure_browsers if browsers else _measure)(count, sizes, ideas)
        except Exception as e:  # noqa: BLE001 (a bench that broke says so in its report)
            said = str(e).splitlines()[0][:120] if str(e) else ""
            rows.append((f"rooms: {count} process(es): not measured ({type(e).__name__}: {said})", float("nan"), ""))
    return [*rows, *per_process(rows), ("rooms: this part of the bench took", (time.perf_counter() - started) * 1000, "ms")]


if __name__ == "__main__":
    chromium = "--browsers" in sys.argv[1:]
    asked = tuple(int(a) for a in sys.argv[1:] if a != "--browsers") or None
    for name, value, unit in run(asked, browsers=chromium):
        print(f"{name}: {value:.1f} {unit}")
