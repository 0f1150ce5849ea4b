"""The parts of a participant's phone page: joining, the prompt and timer, sending ideas, own and revealed ideas, dots.

A participant writes only rows of their own (ideas, dots) through the store, which checks every bound; nothing here
touches the design. Every text a person typed is shown through `md`, so markup is shown literally.
"""

from __future__ import annotations

import time
from collections import Counter

import streamlit as st

from kpidesign import room as R
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from kpidesign.room import Idea, IdeaStatus, Room, Vote, VoteKind
from kpidesign.values import EditError
from ui.state import store
from ui.text import lang, md, say, tr

ME = "room_me"  # this session's participant id (also in the address as ?me=, so a reload keeps the same person and dots)
MESSAGE = "room_message"


COMPACT = """<style>
/* a phone held in one hand: little space above the content, large touch targets */
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; padding-bottom: 4rem; }
[data-testid="stMainBlockContainer"] button { min-height: 3rem; font-size: 1.1rem; }
</style>"""


def compact() -> None:
    """Styles for a phone: the page starts at the top and buttons are easy to hit with a thumb."""
    st.html(COMPACT)


def not_open() -> None:
    """The one plain page for a forged, expired or closed-room token: it reveals nothing."""
    st.title(tr("room_not_open_title"))
    st.write(tr("room_not_open"))


def me(workshop_id: str) -> str | None:
    """This session's participant id in this room (from the session or the address), if they joined."""
    pid = st.session_state.get(ME) or st.query_params.get("me")
    if pid and store().is_participant(workshop_id, pid):
        st.session_state[ME] = pid
        return str(pid)
    return None


def _refused(error: EditError) -> None:
    st.session_state[MESSAGE] = ("error", problem_text(error.problem, lang()))


def _join(workshop_id: str) -> None:
    try:
        pid = store().join_room(workshop_id, st.session_state.get("room_name") or "")
    except EditError as e:
        _refused(e)
        return
    st.session_state[ME] = pid
    st.query_params["me"] = pid


def join_form(workshop_id: str) -> None:
    """Name (optional) and a Join button."""
    st.write(tr("room_join_intro"))
    st.text_input(tr("room_your_name"), key="room_name", max_chars=R.MAX_NAME)
    st.button(tr("room_join"), key="room_join", type="primary", width="stretch", on_click=_join, args=(workshop_id,))


def message() -> None:
    """The last refusal, once."""
    kind, text = st.session_state.pop(MESSAGE, (None, ""))
    if kind == "error":
        st.error(md(text), icon=":material/error:")
    elif kind:
        st.success(text, icon=":material/check_circle:")


def prompt(room: Room, ws: Workshop, now: float) -> None:
    """What the facilitator asks now (the step, and the node when there is one), and the time left."""
    node = ws.node(room.node) if room.node and any(n.id == room.node for n in ws.nodes) else None
    if node:
        st.caption(tr(f"nav_{room.step}"))
    st.subheader(say("room_prompt_node", node=node.name) if node else say("room_prompt_step", step=tr(f"nav_{room.step}")))
    left = room.timer.remaining(now)
    if left is not None:
        text = tr("room_time_over") if left <= 0 else tr("room_time_left", time=f"{int(left) // 60}:{int(left) % 60:02d}")
        st.markdown(f"### :material/timer: {text}")


def _send(workshop_id: str, pid: str, parent: str | None) -> None:
    try:
        store().add_idea(workshop_id, pid, st.session_state.get("room_idea") or "", parent)
    except EditError as e:
        _refused(e)
        return
    st.session_state[MESSAGE] = ("sent", tr("room_sent"))


def send_form(workshop_id: str, pid: str, parent: str | None) -> None:
    """The idea field and its send button (a form: the refreshes every two seconds never disturb the typing)."""
    with st.form("room_send_form", clear_on_submit=True, border=False):
        st.text_input(tr("room_idea"), key="room_idea", max_chars=R.MAX_IDEA)
        st.form_submit_button(tr("room_send"), type="primary", width="stretch", on_click=_send, args=(workshop_id, pid, parent))


def _change(workshop_id: str, pid: str, idea_id: int, withdraw: bool) -> None:
    try:
        if withdraw:
            store().withdraw_idea(workshop_id, pid, idea_id)
        else:
            store().edit_idea(workshop_id, pid, idea_id, st.session_state.get(f"room_edit_{idea_id}") or "")
    except EditError as e:
        _refused(e)


def own_ideas(workshop_id: str, pid: str, mine: list[Idea]) -> None:
    """One's own ideas: editable and withdrawable while private, their status once decided."""
    st.markdown(f"**{tr('room_my_ideas')}**")
    if not mine:
        st.caption(tr("room_no_ideas"))
    for idea in reversed(mine):
        with st.container(border=True):
            if idea.status is IdeaStatus.PRIVATE:
                with st.popover(md(idea.text), width="stretch"):
                    st.text_input(tr("room_edit"), value=idea.text, key=f"room_edit_{idea.id}", max_chars=R.MAX_IDEA)
                    save, drop = st.columns(2)
                    save.button(tr("room_save"), key=f"room_save_{idea.id}", on_click=_change, args=(workshop_id, pid, idea.id, False))
                    drop.button(tr("room_withdraw"), key=f"room_drop_{idea.id}", on_click=_change, args=(workshop_id, pid, idea.id, True))
            else:
                st.markdown(f"{md(idea.text)}  \n:gray[{tr('room_status_' + idea.status.value)}]")


def revealed(ideas: list[Idea], pid: str, anonymous: bool) -> None:
    """Everyone else's ideas once the facilitator revealed them (names only when the room shows names)."""
    others = [i for i in R.visible(ideas, pid) if i.participant != pid]
    if not others:
        return
    st.markdown(f"**{tr('room_revealed')}**")
    for idea in others:
        who = R.author(idea, anonymous)
        st.markdown(f"- {md(idea.text)}" + (f" :gray[— {md(who)}]" if who else ""))


def option_label(vote: Vote, option: str, ws: Workshop, ideas: list[Idea]) -> str:
    """What an option of a vote reads as: the idea's text or the node's name (plain text)."""
    if vote.kind is VoteKind.IDEAS:
        return next((i.text for i in ideas if str(i.id) == option), option)
    return next((n.name for n in ws.nodes if n.id == option), option)


def _dot(workshop_id: str, vote_id: int, pid: str, option: str, add: bool) -> None:
    try:
        if add:
            store().place_dot(workshop_id, vote_id, pid, option)
        else:
            store().remove_dot(workshop_id, vote_id, pid, option)
    except EditError as e:
        _refused(e)


def vote(workshop_id: str, pid: str, current: Vote, ws: Workshop, ideas: list[Idea]) -> None:
    """The open vote: dots left, and a row per option with this person's dots on it, + and −."""
    placed = store().dots(current.id)
    mine = Counter(option for who, option in placed if who == pid)
    left = R.dots_left(current, sum(mine.values()))
    st.subheader(say("room_vote", question=current.question))
    st.markdown(f"**{tr('room_dots_left', left=left, dots=current.dots)}** " + "●" * left + "○" * (current.dots - left))
    for option in current.options:
        with st.container(border=True):
            st.markdown(md(option_label(current, option, ws, ideas)))
            with st.container(horizontal=True, vertical_alignment="center", gap="medium"):  # side by side, even on a phone
                st.button(
                    tr("room_dot_remove"),
                    key=f"room_minus_{current.id}_{option}",
                    disabled=not mine[option],
                    on_click=_dot,
                    args=(workshop_id, current.id, pid, option, False),
                    width=72,
                )
                st.markdown(f"**{'●' * mine[option] or '–'}**", width="content")
                st.button(
                    tr("room_dot_add"),
                    key=f"room_plus_{current.id}_{option}",
                    disabled=left == 0,
                    type="primary",
                    on_click=_dot,
                    args=(workshop_id, current.id, pid, option, True),
                    width=72,
                )


def results(closed: Vote, ws: Workshop, ideas: list[Idea]) -> None:
    """The results of the last vote once closed, most dots first."""
    st.subheader(say("room_results", question=closed.question))
    for option, n in R.tally(closed, store().dots(closed.id)):
        st.markdown(f"**{n}** · {md(option_label(closed, option, ws, ideas))}")


def now() -> float:
    """The time timers are read at (seconds since the epoch)."""
    return time.time()
