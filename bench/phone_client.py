"""A participant's phone that speaks Streamlit's own protocol (#29 item 5): hundreds of them from one light process
(asyncio), so a room's load on the server is measured without a browser per phone.

What it reproduces of the browser (Streamlit 1.67's frontend, read from its bundle, streamlit/static, and checked
against the frames a headless Chromium phone sends to this app: tests/e2e/test_phone_client.py):
- Opening the join address: GET of the page (index.html, whose answer sets the XSRF cookie and, behind the shipped
  nginx, the route cookie of the session affinity), then GET /_stcore/health and /_stcore/host-config (the frontend's
  "ping" before its websocket), then the websocket /_stcore/stream with the browser's subprotocols ("streamlit", the
  XSRF cookie's value), its Origin and its cookies. Cookies are kept per phone, as a browser's context keeps them, so
  behind nginx each phone stays on one process. A phone may connect from its own loopback address (`source`, e.g.
  127.2.0.7), so that the app counts it as its own client, as phones on mobile data are; phones on one venue's Wi-Fi
  share one address, and the app then joins at most 60 of them a minute (kpidesign.room.JOINS_PER_CLIENT).
- The first message: rerun_script with the page's query string (e.g. "join=TOKEN"), no widget states, no page hash
  (the server picks the page), and the browser's context (timezone, locale, url, embedded, colour scheme).
- The widget states a browser holds: every widget drawn gets its value when drawn (text input: its value or default;
  checkbox and toggle: their value or default; radio and selectbox: the label of their option), a value typed into a
  form's field is held by the form until its submit button is tapped, and widgets no longer drawn are forgotten when a
  run (or a fragment's run) finishes. Every rerun sends all the states held, as WidgetStateManager does.
- Typing then tapping a button: one rerun with the field's value and the button's trigger_value, scoped to the
  fragment the button is drawn in (a tap blurs the field: its value and the click go in one message). A form's submit:
  the form's values and the submit button's trigger in one rerun; a form with clear_on_submit is reset to its
  defaults at once.
- ForwardMsg.auto_rerun (st.fragment(run_every=…)): a timer per fragment id at the interval given, firing at a fixed
  rate like setInterval whether or not a run is in progress (a new auto_rerun with the same interval keeps the
  timer; stop_auto_rerun ends it), each firing a rerun with that fragment_id and is_auto_rerun set.
- The ForwardMsg cache: cacheable messages (deltas of 10 kB or more) are kept by hash, expired after
  max_cached_message_age runs, their hashes sent in every rerun (cached_message_hashes) and ref_hash messages resolved
  from them, so the server sends what it sends to a browser.

What it does not do: it does not render or run JavaScript (so the participant cookie the app's component writes is
never set: a reconnection would need to join again, and it never reconnects), does not load the static assets (the
JS and CSS a phone loads once when it first opens the page, then from its cache), the favicon or the icon fonts,
sends no app heartbeat (the frontend sends one only when embedded in a host), and knows only the widgets the phone
page draws (text input, button, form submit, checkbox/toggle, radio, selectbox; other widgets hold no state here).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import http.cookies
import threading
import time
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # the frontend's second subprotocol when it holds no XSRF cookie
XSRF_COOKIE = "_streamlit_xsrf"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) kpidesign-phone-client"
WIDGETS = ("text_input", "checkbox", "radio", "selectbox", "button")
T = TypeVar("T")


def key_of(widget_id: str) -> str:
    """The user key of a widget id ("$$ID-<hash>-room_name" -> "room_name"; a form's submit button gives its
    "FormSubmitter:<form>-<label>")."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2 else widget_id


def initial_state(element: Element) -> WidgetState | None:
    """The state a browser gives a widget when it draws it (None: a widget that holds no state until used)."""
    kind = element.WhichOneof("type")
    if kind == "text_input":
        w = element.text_input
        return WidgetState(id=w.id, string_value=w.value if w.set_value else w.default)
    if kind == "checkbox":
        c = element.checkbox
        return WidgetState(id=c.id, bool_value=c.value if c.set_value else c.default)
    if kind in ("radio", "selectbox"):
        r = element.radio if kind == "radio" else element.selectbox
        if r.set_value and r.HasField("raw_value"):
            return WidgetState(id=r.id, string_value=r.raw_value)
        if r.HasField("default") and 0 <= r.default < len(r.options):
            return WidgetState(id=r.id, string_value=r.options[r.default])
        return None
    return None


@dataclass
class Widget:
    """A widget drawn on the phone's page: its element, the fragment it is drawn in, its form."""

    element: Element
    fragment: str
    form: str


@dataclass
class Rerun:
    """A rerun_script the phone sent: when (epoch seconds), for which fragment ("" the whole page), automatic or not."""

    at: float
    fragment: str
    auto: bool


@dataclass
class _Cached:
    payload: bytes
    run: int
    fragment: str


@dataclass
class Phone:
    """One phone: open() connects as a browser opening `base/?query` does; then type() and tap() act on widgets by their
    key, and the auto-reruns the server asks for run by themselves until close()."""

    base: str  # e.g. http://127.0.0.1:8080 (the app, or nginx in front of it)
    query: str  # the page's query string without "?", e.g. "join=TOKEN"
    locale: str = "ja-JP"
    timezone: str = "Asia/Tokyo"
    timezone_offset: int = -540  # minutes, as JavaScript's getTimezoneOffset() gives them
    cookies: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the local address its connections come from (a loopback alias, 127.x.y.z: its own client)
    record: bool = False  # keep every ClientState sent in `sent` (a test compares them with a browser's)
    sent: list[ClientState] = field(default_factory=list)
    reruns: list[Rerun] = field(default_factory=list)
    runs_finished: int = 0
    received: int = 0  # ForwardMsgs received
    closed: str | None = None  # why the websocket closed, once it did
    _states: dict[str, WidgetState] = field(default_factory=dict)
    _drawn: dict[str, Widget] = field(default_factory=dict)
    _run_ids: set[str] = field(default_factory=set)
    _run_fragments: set[str] = field(default_factory=set)
    _forms: dict[str, dict[str, WidgetState]] = field(default_factory=dict)
    _clear_on_submit: dict[str, bool] = field(default_factory=dict)
    _page_hash: str = ""
    _timers: dict[str, tuple[float, asyncio.Task[None]]] = field(default_factory=dict)
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _run_count: int = 0
    _max_age: int = 2
    _watched: dict[bytes, float | None] = field(default_factory=dict)
    _changed: asyncio.Event | None = None
    _ws: ClientConnection | None = None
    _reader: asyncio.Task[None] | None = None

    # -- connecting --------------------------------------------------------------------------------------------------

    def _get(self, path: str) -> None:
        """One GET as the browser makes it, with this phone's cookies; the cookies it sets are kept."""
        parts = urlsplit(self.base)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        source = (self.source, 0) if self.source else None
        conn = kind(parts.hostname or "127.0.0.1", parts.port, timeout=60, source_address=source)
        headers = {"User-Agent": USER_AGENT, "Accept-Language": self.locale}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request("GET", f"{parts.path.rstrip('/')}{path}", headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                raise ConnectionError(f"GET {path}: HTTP {response.status}")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
                jar.load(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        finally:
            conn.close()

    async def open(self) -> None:
        """The page, the frontend's ping, the websocket and its first rerun (the page's query string)."""
        self._changed = asyncio.Event()
        await asyncio.to_thread(self._get, f"/?{self.query}" if self.query else "/")
        await asyncio.gather(asyncio.to_thread(self._get, "/_stcore/health"), asyncio.to_thread(self._get, "/_stcore/host-config"))
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await connect(
            f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream",
            subprotocols=[Subprotocol("streamlit"), Subprotocol(self.cookies.get(XSRF_COOKIE, PLACEHOLDER_TOKEN))],
            origin=Origin(f"{parts.scheme}://{parts.netloc}"),
            additional_headers=headers,
            max_size=None,
            compression=None,
            open_timeout=60,
            local_addr=(self.source, 0) if self.source else None,  # passed on to loop.create_connection
        )
        self._reader = asyncio.create_task(self._read())
        self._send_rerun("", auto=False)

    async def close(self) -> None:
        """Stop the timers and close the websocket (a phone's page closed)."""
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        self.closed = self.closed or "closed by the phone"
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    # -- what the person does -------------------------------------------------------------------------------------

    def widget_id(self, key: str) -> str | None:
        """The id of the widget drawn now with this user key (a form's submit button: "FormSubmitter:<form>", its key
        without the "-<label>" Streamlit appends)."""
        for wid in self._drawn:
            k = key_of(wid)
            if k == key or k.startswith(key + "-"):
                return wid
        return None

    async def wait_for(self, key: str, timeout: float = 60.0) -> str:
        """The id of the widget with this key once it is drawn; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        assert self._changed is not None, "open() first"
        while True:
            self._changed.clear()
            if (wid := self.widget_id(key)) is not None:
                return wid
            if self.closed is not None:
                raise ConnectionError(f"the websocket closed: {self.closed}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no widget {key!r} within {timeout:.0f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def type(self, key: str, text: str) -> None:
        """Type into a text field (no message: as in the browser, the value goes with the next tap)."""
        wid = self.widget_id(key)
        if wid is None:
            raise LookupError(f"no widget {key!r} on the page")
        state = WidgetState(id=wid, string_value=text)
        form = self._drawn[wid].form
        if form:
            self._forms.setdefault(form, {})[wid] = state
        else:
            self._states[wid] = state

    def tap(self, key: str) -> float:
        """Tap a button (a form's submit button: "FormSubmitter:<form>"): one rerun with its trigger; its time (epoch
        seconds)."""
        wid = self.widget_id(key)
        if wid is None:
            raise LookupError(f"no widget {key!r} on the page")
        widget = self._drawn[wid]
        form = widget.element.button.form_id if widget.element.button.is_form_submitter else ""
        if form:
            pending = self._forms.pop(form, {})
            self._states.update(pending)
        self._states[wid] = WidgetState(id=wid, trigger_value=True)
        at = self._send_rerun(widget.fragment, auto=False)
        del self._states[wid]  # a trigger is sent once
        if form and self._clear_on_submit.get(form):
            for held in pending:
                drawn = self._drawn.get(held)
                first = initial_state(drawn.element) if drawn is not None else None
                if first is not None:
                    self._states[held] = first
        return at

    def watch(self, text: str) -> None:
        """Note the time at which a ForwardMsg carrying this text first reaches the phone (seen())."""
        self._watched.setdefault(text.encode("utf-8"), None)

    def seen(self, text: str) -> float | None:
        """When (epoch seconds) a ForwardMsg carrying a watched text first arrived; None before."""
        return self._watched.get(text.encode("utf-8"))

    # -- the protocol ---------------------------------------------------------------------------------------------

    def _send_rerun(self, fragment: str, auto: bool) -> float:
        page_name = ""  # the first rerun: no page known yet, the address's path ("/") names none
        state = ClientState(
            query_string=self.query,
            page_script_hash=self._page_hash,
            page_name=page_name,
            fragment_id=fragment,
            is_auto_rerun=auto,
            cached_message_hashes=list(self._cache),
            context_info=ContextInfo(
                timezone=self.timezone,
                timezone_offset=self.timezone_offset,
                locale=self.locale,
                url=f"{self.base}/",
                is_embedded=False,
                color_scheme="light",
            ),
        )
        state.widget_states.SetInParent()  # present, if empty, as the browser sends it
        state.widget_states.widgets.extend(self._states.values())
        at = time.time()
        if self._ws is not None and self.closed is None:
            self.reruns.append(Rerun(at, fragment, auto))
            if self.record:
                self.sent.append(state)
            asyncio.get_running_loop().create_task(self._send(BackMsg(rerun_script=state).SerializeToString()))
        return at

    async def _send(self, payload: bytes) -> None:
        assert self._ws is not None
        with contextlib.suppress(Exception):  # closed meanwhile: the reader says why
            await self._ws.send(payload)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for payload in self._ws:
                if isinstance(payload, bytes):
                    self._on_message(payload)
        except Exception as e:  # noqa: BLE001 (a phone whose connection broke says why, the others go on)
            self.closed = self.closed or f"{type(e).__name__}: {e}"
        finally:
            self.closed = self.closed or "closed by the server"
            for _, task in self._timers.values():
                task.cancel()
            if self._changed is not None:
                self._changed.set()

    def _on_message(self, payload: bytes) -> None:
        now = time.time()
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        self.received += 1
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise RuntimeError(f"cached ForwardMsg missing: {msg.ref_hash}")
            cached.run = self._run_count
            payload = cached.payload
            msg.ParseFromString(payload)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash and msg.hash not in self._cache:
            fragment = msg.delta.fragment_id if kind == "delta" else ""
            self._cache[msg.hash] = _Cached(payload, self._run_count, fragment)
        for needle, at in self._watched.items():
            if at is None and needle in payload:
                self._watched[needle] = now
        if kind == "new_session":
            self._page_hash = msg.new_session.page_script_hash or self._page_hash
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            self._run_ids, self._run_fragments = set(), set()
        elif kind == "navigation":
            self._page_hash = msg.navigation.page_script_hash or self._page_hash
        elif kind == "delta":
            self._on_delta(msg)
        elif kind == "auto_rerun":
            self._on_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment)
        elif kind == "script_finished":
            self._on_finished(msg.script_finished)
        if self._changed is not None:
            self._changed.set()

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        fragment = delta.fragment_id
        self._run_fragments.add(fragment)
        if delta.WhichOneof("type") == "add_block" and delta.add_block.WhichOneof("type") == "form":
            self._clear_on_submit[delta.add_block.form.form_id] = delta.add_block.form.clear_on_submit
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind not in WIDGETS:
            return
        widget = getattr(element, kind)
        wid = str(widget.id)
        if not wid:
            return
        self._drawn[wid] = Widget(element, fragment, str(widget.form_id))
        self._run_ids.add(wid)
        first = initial_state(element)
        if first is not None and (wid not in self._states or getattr(widget, "set_value", False)):
            self._states[wid] = first

    def _on_finished(self, status: int) -> None:
        self.runs_finished += 1
        if status not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            return
        fragment_run = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        fragments = self._run_fragments - {""} if fragment_run else set()
        # widgets not drawn by this run (for a fragment's run: those of its fragments only) are forgotten
        gone = [w for w, d in self._drawn.items() if w not in self._run_ids and (not fragment_run or d.fragment in fragments)]
        for wid in gone:
            del self._drawn[wid]
            self._states.pop(wid, None)
            for pending in self._forms.values():
                pending.pop(wid, None)
        self._run_count += 1
        for digest, entry in list(self._cache.items()):
            if fragments and entry.fragment not in fragments:
                continue
            if self._run_count - entry.run > self._max_age:
                del self._cache[digest]
        self._run_ids, self._run_fragments = set(), set()

    def _on_auto_rerun(self, fragment: str, interval: float) -> None:
        if not fragment or interval <= 0:
            return
        held = self._timers.get(fragment)
        if held is not None and held[0] == interval:
            return
        self._stop_timer(fragment)
        self._timers[fragment] = (interval, asyncio.get_running_loop().create_task(self._every(fragment, interval)))

    def _stop_timer(self, fragment: str) -> None:
        held = self._timers.pop(fragment, None)
        if held is not None:
            held[1].cancel()

    async def _every(self, fragment: str, interval: float) -> None:
        """setInterval: a rerun of the fragment every `interval` seconds, at a fixed rate from now."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            self._send_rerun(fragment, auto=True)


async def join(phone: Phone, name: str, timeout: float = 60.0) -> None:
    """Open the join address and join the room under this name: the name field typed, Join tapped, until the idea
    field is drawn."""
    await phone.open()
    await phone.wait_for("room_name", timeout)
    await phone.wait_for("room_join", timeout)
    phone.type("room_name", name)
    phone.tap("room_join")
    await phone.wait_for("room_idea", timeout)


def send_idea(phone: Phone, text: str, marker: str) -> float:
    """Type an idea into the phone's field and tap Send (the form's submit button); the tap's time (epoch seconds).
    The marker is watched: Phone.seen(marker) is when the idea's text came back to this phone."""
    phone.watch(marker)
    phone.type("room_idea", text)
    return phone.tap("FormSubmitter:room_send_form")


def auto_intervals(reruns: Iterable[Rerun]) -> list[float]:
    """Seconds between consecutive automatic reruns of the same fragment."""
    last: dict[str, float] = {}
    gaps: list[float] = []
    for r in reruns:
        if not r.auto:
            continue
        if r.fragment in last:
            gaps.append(r.at - last[r.fragment])
        last[r.fragment] = r.at
    return gaps


class Loop:
    """An asyncio loop in a thread of its own, for the phones next to Playwright's sync API (which holds the main
    thread's loop): run() waits for a coroutine's result from the calling thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="phones", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """The coroutine's result, run on the phones' loop."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def call(self, fn: Any, *args: Any) -> Any:
        """A plain function run on the phones' loop (a tap must be made there: it schedules the message), its result."""

        async def call() -> Any:
            return fn(*args)

        return self.run(call(), 30)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def run_apart(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """A coroutine's result, run on a Loop of its own and then closed: asyncio.run refuses to start beside Playwright's
    sync API, which holds the calling thread's loop (a test after a browser test, in one pytest process)."""
    loop = Loop()
    try:
        return loop.run(coro, timeout)
    finally:
        loop.close()
