"""The parts of a participant's phone page that say who they are and what is asked: the closed page, joining, keeping
the same person (address and cookie), the prompt and timer, messages.

A participant is named by a secret only their browser holds (256 bits; the store keeps its hash): in the session and
in a cookie (so a reload, or opening the join address again, re-scanning the QR code, finds them too). Never in the
address: an address is anyone's to write and to paste in a chat, so a `?me=` someone hands out would make everyone who
opens it act as them (read and rewrite their private ideas, spend their dots). A secret of another room names no one
here, and a participant's key read from the database is not one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import streamlit as st

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.room import Room
from kpidesign.store import Membership
from ui.client import client_address
from ui.messages import Kind, once, show_once
from ui.saving import write
from ui.state import settings, store
from ui.text import md, say, tr

ME = "room_me"  # this session's participant secret
COOKIE = "kpidesign_room"  # the browser's participant secret (the last room joined in this browser), over plain HTTP
HOST_COOKIE = "__Host-" + COOKIE  # the same over HTTPS: the browser takes it only from this host (no Domain, Secure, Path=/)
COOKIE_SECONDS = 24 * 3600  # a workshop's day

COMPACT = """<style>
/* a phone held in one hand: little space above the content, large touch targets */
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; padding-bottom: 4rem; }
[data-testid="stMainBlockContainer"] button { min-height: 3rem; font-size: 1.1rem; }
</style>"""

# Writes the participant's secret into a cookie of this site (Streamlit reads cookies, st.context.cookies, but cannot
# set one). The data is the secret the server made (URL-safe base64), never text a person typed. Over HTTPS the name
# carries the __Host- prefix: a browser then refuses the cookie from any other host, so a sibling subdomain cannot
# plant one (cookie tossing); over plain HTTP (local use) a __Host- cookie cannot be set, and the plain name is used.
_COOKIE_JS = """
export default function ({ data }) {
  if (!data || !/^[a-z_]+$/.test(data.name || "") || !/^[A-Za-z0-9_-]+$/.test(data.value || "")) return;
  if (!/^[0-9]+$/.test(String(data.age))) return;
  const https = window.location.protocol === "https:";
  const name = https ? `__Host-${data.name}` : data.name;
  document.cookie = `${name}=${data.value}; Path=/; Max-Age=${data.age}; SameSite=Strict${https ? "; Secure" : ""}`;
}
"""
_cookie_writer = st.components.v2.component("kpidesign_room_cookie", js=_COOKIE_JS)


def compact() -> None:
    """Styles for a phone: the page starts at the top and buttons are easy to hit with a thumb."""
    st.html(COMPACT)


def not_open() -> None:
    """The one plain page for a forged, expired or closed-room token: it reveals nothing."""
    st.title(tr("room_not_open_title"))
    st.write(tr("room_not_open"))


def me(workshop_id: str) -> str | Membership:
    """This session's participant secret in this room, if they joined: from the session, else this browser's cookie (a
    reload, the join address opened again). Membership.REMOVED when either names someone the facilitator took out of
    the room (that browser does not join again), Membership.NONE when neither names anyone here. A `me=` in the address
    is never read (an address is anyone's to write), and is taken out of it."""
    if "me" in st.query_params:
        del st.query_params["me"]
    removed = False
    for held in (st.session_state.get(ME), _cookie()):
        if not isinstance(held, str) or not held:
            continue
        member = store().rooms.membership(workshop_id, held)
        if member is Membership.ACTIVE:
            st.session_state[ME] = held
            return held
        removed = removed or member is Membership.REMOVED
    st.session_state.pop(ME, None)
    return Membership.REMOVED if removed else Membership.NONE


def held_cookie(cookies: Mapping[str, str], https: bool) -> str | None:
    """The participant secret among the cookies a browser sent: the __Host- one first; the plain name only when the
    page is not served over HTTPS (there it is the only one that can be set; over HTTPS a plain one may have been planted
    by a sibling subdomain, so it names no one)."""
    for name in (HOST_COOKIE,) if https else (HOST_COOKIE, COOKIE):
        held = cookies.get(name)
        if isinstance(held, str) and held:
            return held
    return None


def is_https(url: str | None, origin: str | None) -> bool:
    """Whether the browser's page is served over HTTPS: its address (st.context.url) or, when the frontend has not
    said it yet, the Origin its websocket was opened from."""
    seen = url or origin or ""
    return seen.lower().startswith("https:")


def _cookie() -> str | None:
    """The participant secret in the cookie this browser sent when the session began, if any."""
    try:
        return held_cookie(st.context.cookies, is_https(st.context.url, st.context.headers.get("Origin")))
    except Exception:  # noqa: BLE001 (no browser request behind this session, e.g. a test harness)
        return None


def remember(secret: str) -> None:
    """Keep the participant's secret in this browser's cookie. The writer is drawn on every run of a session whose
    browser did not send the cookie when it began (the only time Streamlit reads cookies): drawn once only, the phone's
    next refresh could take it off the page before its script ran, and a reload then lost the person (the cookie is
    the only place the secret is kept besides the session: never the address)."""
    if _cookie() == secret:
        return
    _cookie_writer(data={"name": COOKIE, "value": secret, "age": COOKIE_SECONDS}, key="room_cookie", height=0)


def refused(message: str) -> None:
    """Keep a refusal (already made literal) to show once, at the top of the next run."""
    once(Kind.ERROR, message)


def _join(workshop_id: str) -> None:
    name = st.session_state.get("room_name") or ""
    ok, secret = write(
        lambda: store().rooms.join(workshop_id, name, client=client_address(), per_client=settings().joins_per_address), refused=refused
    )
    if ok and secret is not None:
        st.session_state[ME] = secret


def removed() -> None:
    """The page of a participant the facilitator took out of the room: no join form (this browser does not join again)."""
    st.info(tr("room_removed"), icon=":material/block:")


def join_form(workshop_id: str) -> None:
    """Name (optional) and a Join button."""
    st.write(tr("room_join_intro"))
    st.text_input(tr("room_your_name"), key="room_name", max_chars=R.MAX_NAME)
    st.button(tr("room_join"), key="room_join", type="primary", width="stretch", on_click=_join, args=(workshop_id,))


def message() -> None:
    """The last refusal, once."""
    show_once()  # made literal when it was kept (ui.saving.write)


def prompt(room: Room, ws: Workshop, now: float, asked: str | None = None) -> None:
    """What the facilitator asks now (the agenda's segment's own question, else the step, and the node when there is
    one), and the time left."""
    node = ws.node(room.node) if room.node and any(n.id == room.node for n in ws.nodes) else None
    step = tr(f"nav_{room.step}")
    title = say("room_prompt_node", node=node.name) if node else say("room_prompt_step", step=step)
    if asked:
        title = md(asked)
    left = room.timer.remaining(now)
    timer = ""
    if left is not None:
        text = tr("room_time_over") if left <= 0 else tr("room_time_left", time=f"{int(left) // 60}:{int(left) % 60:02d}")
        timer = f"\n\n### :material/timer: {text}"
    st.markdown((f":gray[{step}]\n\n" if node else "") + f"### {title}{timer}")


def now() -> float:
    """The time timers are read at (seconds since the epoch)."""
    return time.time()
