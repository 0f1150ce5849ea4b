"""The bench's protocol phone (bench/phone_client.py, #29 item 5) against a real `streamlit run`: it joins a room and its
idea lands in the store, behind the shipped nginx it keeps its route cookie like a browser, its fragment reruns every
2 s as the page asks, and it sends the very rerun messages a headless Chromium phone sends for the same taps."""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, WebSocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState

from bench.phone_client import Loop, Phone, auto_intervals, join, key_of, run_apart, send_idea
from kpidesign.model import new_workshop
from kpidesign.store import Store
from tests.launch import ROUTE, nginx_binary, start_nginx

WINDOW_S = 5.0  # seconds watched after an action: two or three of the page's 2 s refreshes


def _room(db: str) -> tuple[Store, str, str]:
    store = Store(Path(db))
    wid = store.create(new_workshop("プロトコルの部屋 Protocol room"))
    return store, wid, store.rooms.open(wid)


def shape(state: ClientState) -> tuple[object, ...]:
    """What a rerun message says, without the browser's context (timezone, address): the query, page, fragment, whether
    automatic, and every widget state (key, kind, value)."""
    widgets = []
    for w in state.widget_states.widgets:
        kind = w.WhichOneof("value")
        widgets.append((key_of(w.id), kind, str(getattr(w, kind)) if kind else ""))
    return (state.query_string, state.page_script_hash, state.fragment_id, state.is_auto_rerun, tuple(sorted(widgets)))


def test_a_protocol_phone_behind_nginx_joins_sends_and_refreshes_every_two_seconds(server: dict[str, str], tmp_path: Path) -> None:
    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no nginx: .ci/run must install Debian's nginx", pytrace=False)
        pytest.skip("no nginx installed (apt-get install nginx)")
    store, wid, token = _room(server["db"])
    proxy, base = start_nginx([int(server["base"].rsplit(":", 1)[1])], tmp_path)
    phone = Phone(base, f"join={token}", source="127.2.0.9")  # its own client address, as the bench's phones

    async def run() -> tuple[float, float | None]:
        await join(phone, "プロトコル 1")
        await asyncio.sleep(WINDOW_S)
        sent = send_idea(phone, "idea901x 在庫の回転", "idea901x")
        end = time.time() + 20
        while phone.seen("idea901x") is None and time.time() < end:
            await asyncio.sleep(0.05)
        await asyncio.sleep(WINDOW_S)
        await phone.close()
        return sent, phone.seen("idea901x")

    try:
        sent, back = run_apart(run(), 120)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    assert phone.closed == "closed by the phone"  # the websocket held until the phone closed it
    # the idea is in the store, from the one participant who joined under that name; and it came back to the phone
    assert [i.text for i in store.rooms.ideas(wid)] == ["idea901x 在庫の回転"]
    assert store.rooms.participant_count(wid) == 1
    assert back is not None and back >= sent
    # nginx's route cookie was kept: every request after the first, the websocket's too, carried the same route
    route = phone.cookies[ROUTE]
    served = (tmp_path / "upstream.log").read_text().splitlines()
    # the page, host-config and the websocket (the shipped site logs no health check)
    assert [line.split('"')[1] for line in served] == ["GET /", "GET /_stcore/host-config", "GET /_stcore/stream"]
    assert all(f" {route} " in line for line in served[1:])  # the first request is the one nginx gave the route to
    assert all(line.startswith("127.2.0.9 ") for line in (tmp_path / "access.log").read_text().splitlines())
    # the fragment's refresh: every 2 s (setInterval's fixed rate), no more and no less, each for the page's fragment
    autos = [r for r in phone.reruns if r.auto]
    gaps = auto_intervals(phone.reruns)
    assert len(autos) >= 4 and {r.fragment for r in autos} == {phone.reruns[1].fragment} and phone.reruns[1].fragment
    assert all(1.8 <= g <= 2.2 for g in gaps), gaps
    span = autos[-1].at - autos[0].at
    assert len(autos) == round(span / 2) + 1
    store.close()


def test_it_sends_what_a_chromium_phone_sends(server: dict[str, str], browser: Browser) -> None:
    store, _, token = _room(server["db"])
    address = f"{server['base']}/?join={token}"
    # a headless Chromium phone: every rerun message its page sends over the websocket
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    frames: list[tuple[float, ClientState]] = []

    def on_socket(ws: WebSocket) -> None:
        def sent(payload: bytes | str) -> None:
            msg = BackMsg()
            msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
            if msg.WhichOneof("type") == "rerun_script":
                frames.append((time.time(), msg.rerun_script))

        ws.on("framesent", sent)

    page.on("websocket", on_socket)
    page.goto(address)
    page.locator(".st-key-room_name input").fill("プロトコル 2")
    page.locator(".st-key-room_join button").tap()
    page.locator(".st-key-room_idea input").wait_for()
    page.wait_for_timeout(WINDOW_S * 1000)
    page.locator(".st-key-room_idea input").fill("idea902x 返品率")
    page.locator("[data-testid=stFormSubmitButton] button").tap()
    page.get_by_text("idea902x 返品率").wait_for()
    page.wait_for_timeout(WINDOW_S * 1000)
    context.close()

    # the protocol phone, the same taps with the same waits
    phone = Phone(server["base"], f"join={token}", locale="en-US", record=True)

    async def run() -> None:
        await join(phone, "プロトコル 2")
        await asyncio.sleep(WINDOW_S)
        send_idea(phone, "idea902x 返品率", "idea902x")
        end = time.time() + 20
        while phone.seen("idea902x") is None and time.time() < end:
            await asyncio.sleep(0.05)
        await asyncio.sleep(WINDOW_S)
        await phone.close()

    loop = Loop()  # Playwright's sync API holds this thread's event loop
    try:
        loop.run(run(), 120)
    finally:
        loop.close()
    store.close()
    ours = [shape(s) for s in phone.sent]
    theirs = [shape(s) for _, s in frames]
    # the first message (the page's query string, no page, no fragment, no widget), then the taps (join, send) exactly
    assert ours[0] == theirs[0] and theirs[0][1:] == ("", "", False, ())
    taps = [s for s in theirs[1:] if not s[3]]
    assert [s for s in ours[1:] if not s[3]] == taps and len(taps) == 2
    # the refreshes: for the page's fragment, with the same widget states once settled (after the idea was sent)
    assert {s for s in ours if s[3]} >= {theirs[-1]} and ours[-1] == theirs[-1] and theirs[-1][3]
    # and at the same interval (2 s) as the browser's timer
    browser_gaps = [b[0] - a[0] for a, b in itertools.pairwise(frames) if a[1].is_auto_rerun and b[1].is_auto_rerun]
    ours_gaps = auto_intervals(phone.reruns)
    assert abs(statistics.median(browser_gaps) - 2.0) < 0.2 and abs(statistics.median(ours_gaps) - 2.0) < 0.05
    assert ours[0][0] == f"join={token}" and all(s.context_info.locale == "en-US" for s in phone.sent)
