"""The facilitator's side of a room: open/close, the QR code, settings, prompt, timer, counts and reveal; "follow me".

The inbox is in ui.room.inbox, votes and their results in ui.room.vote.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from kpidesign import room as R
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from kpidesign.room import Room
from kpidesign.values import Problem
from ui import qr as codes
from ui.keys import PROJECTOR, ROOM_MINUTES, ROOM_NODE, ROOM_PROMPT_OPEN, ROOM_STEP, ROOM_TIMER_OPEN, ROOM_VIEW, TREE_SELECTED
from ui.messages import Kind, flash
from ui.pages import ROOM
from ui.saving import write
from ui.state import settings as configuration
from ui.state import store
from ui.text import labeller, lang, md, tr

TOKEN = "room_token"  # the join token of the room this facilitator opened, kept in the session and the address (?qr=)
LIVE_SECONDS = 1  # the facilitator's inbox: an idea sent shows within about a second or two
INBOX, THEMES = "inbox", "themes"


def token(workshop_id: str) -> str | None:
    """The join token this facilitator may show for the open room (checked against the store: a stale one is dropped)."""
    held = st.session_state.get(TOKEN) or st.query_params.get("qr")
    if held and store().rooms.resolve(held) == workshop_id:
        st.session_state[TOKEN] = held
        return str(held)
    st.session_state.pop(TOKEN, None)
    if "qr" in st.query_params:
        del st.query_params["qr"]
    return None


def base_url() -> str:
    """The address participants reach the app at: $KPIDESIGN_BASE_URL, else the one this browser uses."""
    configured = configuration().base_url
    if configured:
        return configured
    url = str(getattr(st.context, "url", "") or "")
    return url.split("?")[0].rsplit("/", 1)[0] if url.startswith("http") else R.DEFAULT_BASE_URL


def _open(workshop_id: str) -> None:
    ok, token = write(lambda: store().rooms.open(workshop_id), workshop_id=workshop_id)
    if not ok or token is None:
        return
    st.session_state[TOKEN] = token
    st.query_params["qr"] = st.session_state[TOKEN]


def _close(workshop_id: str) -> None:
    if not write(lambda: store().rooms.close(workshop_id), workshop_id=workshop_id)[0]:
        return
    st.session_state.pop(TOKEN, None)
    if "qr" in st.query_params:
        del st.query_params["qr"]


def open_close(workshop_id: str, room: Room | None) -> None:
    """The room's main switch: open (with a new join link) or close; reopen when this session no longer holds the link."""
    if room is None or not room.is_open:
        st.info(tr("room_is_closed"))
        st.button(tr("room_open"), key="room_open", type="primary", icon=":material/qr_code_2:", on_click=_open, args=(workshop_id,))
        return
    with st.container(horizontal=True):
        if token(workshop_id) is None:
            st.button(tr("room_reopen"), key="room_reopen", icon=":material/qr_code_2:", on_click=_open, args=(workshop_id,))
        st.button(tr("room_close"), key="room_close", icon=":material/door_front:", on_click=_close, args=(workshop_id,))


def qr(workshop_id: str) -> None:
    """A large QR code of the join address, and the address itself."""
    held = token(workshop_id)
    if held is None:
        st.caption(tr("room_token_hidden"))
        return
    address = R.join_address(held, base_url())
    st.image(codes.svg_uri(address), width="stretch")  # made once per address (ui.qr); a data URI: no decoding per rerun
    st.caption(tr("room_join_address"))
    st.code(address, language=None, wrap_lines=True)


def _projector(on: bool) -> None:
    st.session_state[PROJECTOR] = on


def to_wall(workshop_id: str) -> None:
    """One click to the wall on this screen, and the address that opens it on the projector's own browser."""
    st.button(tr("room_show_wall"), key="room_to_wall", icon=":material/co_present:", on_click=_projector, args=(True,))
    held = token(workshop_id)
    if held is not None:
        st.caption(tr("room_wall_link"))
        st.code(f"{base_url()}/{ROOM.url}?ws={workshop_id}&projector=1&qr={held}", language=None, wrap_lines=True)


def to_console() -> None:
    """The wall's one way back to the console (a facilitator with one screen)."""
    st.button(tr("room_show_console"), key="room_to_console", icon=":material/tune:", on_click=_projector, args=(False,))


def _save(room: Room) -> None:
    write(lambda: store().rooms.save(room), workshop_id=room.workshop_id)


def _setting(room: Room, name: str, key: str) -> None:
    value = bool(st.session_state[key])
    _save(dataclasses.replace(room, anonymous=value) if name == "anonymous" else dataclasses.replace(room, follow=value))


def _ask(room: Room) -> None:
    _save(room.prompt(st.session_state[ROOM_STEP], st.session_state.get(ROOM_NODE) or None))


def _timer(room: Room, action: str) -> None:
    if action == "set":
        made = R.set_timer(float(st.session_state.get(ROOM_MINUTES) or 0), bool(st.session_state.get("room_close_on_end")))
        if isinstance(made, Problem):
            flash(Kind.ERROR, md(problem_text(made, lang())))
            return
        _save(dataclasses.replace(room, timer=made))
    else:
        now = time.time()
        _save(dataclasses.replace(room, timer=room.timer.start(now) if action == "start" else room.timer.pause(now)))


def settings(room: Room, ws: Workshop) -> None:
    """Names shown or not, follow me, the prompt (step and node) and the timer (their forms drawn only when opened)."""
    st.toggle(tr("room_anonymous"), value=room.anonymous, key="room_anon", on_change=_setting, args=(room, "anonymous", "room_anon"))
    st.toggle(tr("room_follow"), value=room.follow, key="room_follow", on_change=_setting, args=(room, "follow", "room_follow"))
    prompt_form(room, ws)
    timer_form(room)


def prompt_form(room: Room, ws: Workshop) -> None:
    """The prompt the phones show (a step, a node of it), drawn only when opened: its node picker carries every node."""
    opened = st.expander(tr("room_prompt_open"), icon=":material/campaign:", key=ROOM_PROMPT_OPEN, on_change="rerun")
    if not opened.open:
        return
    with opened, st.form("room_prompt_form", border=False):
        st.selectbox(
            tr("room_step"),
            R.STEPS,
            index=R.STEPS.index(room.step),
            key=ROOM_STEP,
            format_func=labeller("nav_"),
            placeholder=tr("choose"),
        )
        ids = ["", *(n.id for n in ws.nodes)]  # "": no node (a None value would show the placeholder, not "no node")
        names, none = {n.id: n.name for n in ws.nodes}, tr("room_no_node")
        st.selectbox(
            tr("room_node"),
            ids,
            index=ids.index(room.node) if room.node in ids else 0,
            key=ROOM_NODE,
            format_func=lambda i: names.get(i, none) if i else none,
            placeholder=tr("choose"),
        )
        st.form_submit_button(tr("room_ask"), type="primary", on_click=_ask, args=(room,))


def timer_form(room: Room) -> None:
    """The timer's length and whether the room stops taking ideas at its end (drawn only when opened), and start/pause."""
    opened = st.expander(tr("room_timer_open"), icon=":material/timer:", key=ROOM_TIMER_OPEN, on_change="rerun")
    if opened.open:
        with opened, st.form("room_timer_form", border=False):
            st.number_input(tr("room_minutes"), 0, R.MAX_MINUTES, value=max(round(room.timer.seconds / 60), 5), step=1, key=ROOM_MINUTES)
            st.checkbox(tr("room_close_on_end"), value=room.timer.close_on_end, key="room_close_on_end")
            st.form_submit_button(tr("room_timer_set"), on_click=_timer, args=(room, "set"))
    with st.container(horizontal=True):
        _start_pause(room)


def _start_pause(room: Room) -> None:
    """Start the timer (when set and stopped), pause it (when running)."""
    st.button(
        tr("room_timer_start"),
        key="room_timer_start",
        icon=":material/play_arrow:",
        on_click=_timer,
        args=(room, "start"),
        disabled=room.timer.seconds <= 0 or room.timer.running,
    )
    st.button(
        tr("room_timer_pause"),
        key="room_timer_pause",
        icon=":material/pause:",
        on_click=_timer,
        args=(room, "pause"),
        disabled=not room.timer.running,
    )


def counts(room: Room, ideas: int, private: int) -> None:
    """Participants, ideas, still private, and the time left, in large figures."""
    with st.container(horizontal=True):
        st.metric(tr("room_participants"), store().rooms.participant_count(room.workshop_id))
        st.metric(tr("room_ideas"), ideas)
        st.metric(tr("room_private_count"), private)
        left = room.timer.remaining(time.time())
        if left is not None:
            st.metric(":material/timer:", f"{int(left) // 60}:{int(left) % 60:02d}")


def _reveal(workshop_id: str) -> None:
    ok, count = write(lambda: store().rooms.reveal_ideas(workshop_id), workshop_id=workshop_id)
    if ok:
        flash(Kind.INFO, tr("room_revealed_count", count=count))
        write(lambda: store().themes.regroup(workshop_id), workshop_id=workshop_id)  # the revealed ideas grouped into themes
        if not any(i.waiting for i in store().rooms.ideas(workshop_id)):  # held ones wait for approval in the inbox
            st.session_state[ROOM_VIEW] = THEMES


def view(ideas: int, themes: int) -> str:
    """The ideas by the node they answer (the inbox) or by what they say (the themes), one view at a time; the reveal
    turns to the themes it made (unless ideas are held for approval, which the inbox shows)."""
    labels = {INBOX: f"{tr('room_inbox')} ({ideas})", THEMES: f"{tr('room_themes')} ({themes})"}
    st.session_state.setdefault(ROOM_VIEW, INBOX)
    picked = st.segmented_control(
        tr("room_view"), list(labels), key=ROOM_VIEW, format_func=labels.__getitem__, label_visibility="collapsed", required=True
    )
    return picked if picked in labels else INBOX


def reveal_button(workshop_id: str, private: int) -> None:
    """Reveal every private idea at once (`private` of them)."""
    st.button(
        tr("room_reveal"),
        key="room_reveal",
        type="primary",
        icon=":material/visibility:",
        on_click=_reveal,
        args=(workshop_id,),
        disabled=not private,
    )


def follow(workshop_id: str | None, page: str) -> None:
    """ "Follow me": while the room follows the facilitator, the phones' prompt becomes the step and node on screen."""
    if not workshop_id or page not in R.STEPS:
        return
    room = store().rooms.get(workshop_id)
    if room is None or not room.is_open or not room.follow:
        return
    node = st.session_state.get(TREE_SELECTED)
    moved = room.prompt(page, node if isinstance(node, str) else room.node)
    if moved is not room:
        write(lambda: store().rooms.save(moved), workshop_id=workshop_id)
