"""The facilitator's side of a room: open/close, the QR code, settings, prompt, timer, the live inbox, votes and results.

Participants' ideas become nodes only here, through `ui.session.commit` and `kpidesign.tree.add_node`: an accepted idea
is an ordinary, versioned and undoable edit of the design.
"""

from __future__ import annotations

import dataclasses
import io
import os
import time
from collections import Counter

import altair as alt
import pandas as pd
import segno
import streamlit as st

from kpidesign import room as R
from kpidesign import tree
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from kpidesign.room import Idea, IdeaStatus, Room, Vote, VoteKind
from kpidesign.values import EditError, Problem
from ui.messages import flash
from ui.saving import commit
from ui.state import store
from ui.text import labeller, lang, md, say, tr

TOKEN = "room_token"  # the join token of the room this facilitator opened, kept in the session and the address (?qr=)
LIVE_SECONDS = 1  # the facilitator's inbox: an idea sent shows within about a second or two


def token(workshop_id: str) -> str | None:
    """The join token this facilitator may show for the open room (checked against the store: a stale one is dropped)."""
    held = st.session_state.get(TOKEN) or st.query_params.get("qr")
    if held and store().resolve_join(held) == workshop_id:
        st.session_state[TOKEN] = held
        return str(held)
    st.session_state.pop(TOKEN, None)
    if "qr" in st.query_params:
        del st.query_params["qr"]
    return None


def base_url() -> str:
    """The address participants reach the app at: $KPIDESIGN_BASE_URL, else the one this browser uses."""
    configured = os.environ.get(R.BASE_URL_ENV)
    if configured:
        return configured
    url = str(getattr(st.context, "url", "") or "")
    return url.split("?")[0].rsplit("/", 1)[0] if url.startswith("http") else R.DEFAULT_BASE_URL


def _open(workshop_id: str) -> None:
    st.session_state[TOKEN] = store().open_room(workshop_id)
    st.query_params["qr"] = st.session_state[TOKEN]


def _close(workshop_id: str) -> None:
    store().close_room(workshop_id)
    st.session_state.pop(TOKEN, None)
    if "qr" in st.query_params:
        del st.query_params["qr"]


def open_close(workshop_id: str, room: Room | None) -> None:
    """The room's main switch: open (with a new join link) or close; reopen when this session no longer holds the link."""
    if room is None or not room.is_open:
        st.info(tr("room_is_closed"))
        st.button(tr("room_open"), key="room_open", type="primary", icon=":material/qr_code_2:", on_click=_open, args=(workshop_id,))
        return
    left, right = st.columns(2)
    right.button(tr("room_close"), key="room_close", icon=":material/door_front:", on_click=_close, args=(workshop_id,))
    if token(workshop_id) is None:
        left.button(tr("room_reopen"), key="room_reopen", icon=":material/qr_code_2:", on_click=_open, args=(workshop_id,))


def qr(workshop_id: str) -> None:
    """A large QR code of the join address, and the address itself."""
    held = token(workshop_id)
    if held is None:
        st.caption(tr("room_token_hidden"))
        return
    address = R.join_address(held, base_url())
    out = io.BytesIO()
    segno.make(address, error="m").save(out, kind="png", scale=12, border=2)
    st.image(out.getvalue(), width="stretch")
    st.caption(tr("room_join_address"))
    st.code(address, language=None, wrap_lines=True)


def _save(room: Room) -> None:
    store().save_room(room)


def _setting(room: Room, name: str, key: str) -> None:
    value = bool(st.session_state[key])
    _save(dataclasses.replace(room, anonymous=value) if name == "anonymous" else dataclasses.replace(room, follow=value))


def _ask(room: Room) -> None:
    _save(room.prompt(st.session_state["room_step"], st.session_state.get("room_node")))


def _timer(room: Room, action: str) -> None:
    if action == "set":
        made = R.set_timer(float(st.session_state.get("room_minutes") or 0), bool(st.session_state.get("room_close_on_end")))
        if isinstance(made, Problem):
            flash("error", md(problem_text(made, lang())))
            return
        _save(dataclasses.replace(room, timer=made))
    else:
        now = time.time()
        _save(dataclasses.replace(room, timer=room.timer.start(now) if action == "start" else room.timer.pause(now)))


def settings(room: Room, ws: Workshop) -> None:
    """Names shown or not, follow me, the prompt (step and node) and the timer."""
    st.toggle(tr("room_anonymous"), value=room.anonymous, key="room_anon", on_change=_setting, args=(room, "anonymous", "room_anon"))
    st.toggle(tr("room_follow"), value=room.follow, key="room_follow", on_change=_setting, args=(room, "follow", "room_follow"))
    with st.form("room_prompt_form", border=True):
        st.selectbox(tr("room_step"), R.STEPS, index=R.STEPS.index(room.step), key="room_step", format_func=labeller("nav_"))
        ids = [None, *(n.id for n in ws.nodes)]
        names, none = {n.id: n.name for n in ws.nodes}, tr("room_no_node")
        st.selectbox(
            tr("room_node"),
            ids,
            index=ids.index(room.node) if room.node in ids else 0,
            key="room_node",
            format_func=lambda i: names.get(i, none) if i else none,
        )
        st.form_submit_button(tr("room_ask"), type="primary", on_click=_ask, args=(room,))
    with st.form("room_timer_form", border=True):
        st.number_input(
            tr("room_minutes"), 0.0, float(R.MAX_MINUTES), value=max(room.timer.seconds / 60, 5.0), step=1.0, key="room_minutes"
        )
        st.checkbox(tr("room_close_on_end"), value=room.timer.close_on_end, key="room_close_on_end")
        st.form_submit_button(tr("room_timer_set"), on_click=_timer, args=(room, "set"))
    start, pause = st.columns(2)
    start.button(
        tr("room_timer_start"),
        key="room_timer_start",
        icon=":material/play_arrow:",
        on_click=_timer,
        args=(room, "start"),
        disabled=room.timer.seconds <= 0 or room.timer.running,
    )
    pause.button(
        tr("room_timer_pause"),
        key="room_timer_pause",
        icon=":material/pause:",
        on_click=_timer,
        args=(room, "pause"),
        disabled=not room.timer.running,
    )


def counts(room: Room, ideas: list[Idea]) -> None:
    """Participants, ideas, still private, and the time left, in large figures."""
    a, b, c, d = st.columns(4)
    a.metric(tr("room_participants"), store().participant_count(room.workshop_id))
    b.metric(tr("room_ideas"), len(ideas))
    c.metric(tr("room_private_count"), sum(i.status is IdeaStatus.PRIVATE for i in ideas))
    left = room.timer.remaining(time.time())
    if left is not None:
        d.metric(":material/timer:", f"{int(left) // 60}:{int(left) % 60:02d}")


def _reveal(workshop_id: str) -> None:
    flash("info", tr("room_revealed_count", count=store().reveal_ideas(workshop_id)))


def reveal_button(workshop_id: str, ideas: list[Idea]) -> None:
    """Reveal every private idea at once."""
    st.button(
        tr("room_reveal"),
        key="room_reveal",
        type="primary",
        icon=":material/visibility:",
        on_click=_reveal,
        args=(workshop_id,),
        disabled=not any(i.status is IdeaStatus.PRIVATE for i in ideas),
    )


def _accept(workshop_id: str, idea: Idea, parent: str) -> None:
    made: list[str] = []

    def change(ws: Workshop) -> Workshop:
        new, node_id = tree.add_node(ws, parent, idea.text)
        made.append(node_id)
        return new

    if commit(change, tr("room_summary_accept", name=idea.text[:80])) and made:
        store().accept_idea(workshop_id, idea.id, made[0])


def _decide(workshop_id: str, idea_id: int | None = None) -> None:
    """Dismiss one idea, or (without one) merge the duplicate chosen in the merge form into the other."""
    try:
        if idea_id is not None:
            store().dismiss_idea(workshop_id, idea_id)
        else:
            store().merge_idea(
                workshop_id, int(st.session_state.get("room_merge_from") or 0), int(st.session_state.get("room_merge_into") or 0)
            )
    except EditError as e:
        flash("error", md(problem_text(e.problem, lang())))


def merge_form(workshop_id: str, open_ideas: list[Idea]) -> None:
    """Merge a duplicate into another idea: two choices and one button (one form for the whole inbox)."""
    if len(open_ideas) < 2:
        return
    texts = {i.id: i.text[:80] for i in open_ideas}
    with st.expander(tr("room_merge"), icon=":material/merge:"), st.form("room_merge_form", border=False):
        st.selectbox(tr("room_merge_from"), list(texts), key="room_merge_from", format_func=texts.__getitem__)
        st.selectbox(tr("room_merge_into"), list(texts), index=1, key="room_merge_into", format_func=texts.__getitem__)
        st.form_submit_button(tr("room_merge"), key="room_merge_submit", on_click=_decide, args=(workshop_id,))


def idea_row(idea: Idea, ws: Workshop, room: Room, dots: Counter[int]) -> None:
    """One idea in the inbox: its text, author, dots and status; make it a node or dismiss it."""
    who = R.author(idea, room.anonymous)
    parent = idea.parent if idea.parent and any(n.id == idea.parent for n in ws.nodes) else ws.kgi.id
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        status = tr(f"room_status_{idea.status.value}") + (f" · ● {dots[idea.id]}" if dots[idea.id] else "")
        st.markdown(f"{md(idea.text)}" + (f" :gray[— {md(who)}]" if who else "") + f"  \n:gray[{status}]", width="stretch")
        if idea.status not in (IdeaStatus.PRIVATE, IdeaStatus.REVEALED):
            return
        st.button(
            tr("room_accept"),
            key=f"room_accept_{idea.id}",
            icon=":material/add_circle:",
            type="primary",
            on_click=_accept,
            args=(room.workshop_id, idea, parent),
            help=f"{tr('room_accept_under')}: {md(ws.node(parent).name)}",
        )
        st.button(tr("room_dismiss"), key=f"room_dismiss_{idea.id}", on_click=_decide, args=(room.workshop_id, idea.id))


def inbox(ws: Workshop, room: Room, ideas: list[Idea], dots: Counter[int]) -> None:
    """Every idea, grouped by the node it answers (the newest group first)."""
    st.subheader(tr("room_inbox"))
    open_ideas = [i for i in ideas if i.status in (IdeaStatus.PRIVATE, IdeaStatus.REVEALED)]
    names = {n.id: n.name for n in ws.nodes}
    groups: dict[str | None, list[Idea]] = {}
    for idea in ideas:
        groups.setdefault(idea.parent if idea.parent in names else None, []).append(idea)
    merge_form(room.workshop_id, open_ideas)
    for parent, members in groups.items():
        st.markdown(f"**{md(names[parent]) if parent else tr('room_no_parent')}** ({len(members)})")
        for idea in members:
            idea_row(idea, ws, room, dots)


def _open_vote(workshop_id: str, ideas: list[Idea]) -> None:
    kind = VoteKind(st.session_state.get("room_vote_kind") or VoteKind.IDEAS)
    options = (
        [str(i.id) for i in ideas if i.status in (IdeaStatus.REVEALED, IdeaStatus.ACCEPTED)]
        if kind is VoteKind.IDEAS
        else list(st.session_state.get("room_vote_nodes") or [])
    )
    try:
        store().open_vote(
            workshop_id, st.session_state.get("room_vote_question") or "", kind, options, int(st.session_state.get("room_vote_dots") or 3)
        )
    except EditError as e:
        flash("error", md(problem_text(e.problem, lang())))


def vote_controls(workshop_id: str, ws: Workshop, ideas: list[Idea], current: Vote | None) -> None:
    """Open a vote (on the revealed ideas, or on chosen nodes, with N dots each), or close the one open."""
    if current is not None and current.is_open:
        st.button(tr("room_vote_close"), key="room_vote_close", type="primary", on_click=lambda: store().close_vote(workshop_id))
        return
    with st.expander(tr("room_vote_open"), icon=":material/how_to_vote:"), st.form("room_vote_form", border=False):
        st.text_input(tr("room_vote_question"), key="room_vote_question", max_chars=R.MAX_QUESTION)
        st.radio(tr("room_vote_kind"), list(VoteKind), key="room_vote_kind", horizontal=True, format_func=labeller("room_vote_kind_"))
        names = {n.id: n.name for n in ws.nodes}
        st.multiselect(tr("room_vote_nodes"), list(names), key="room_vote_nodes", format_func=lambda i: names.get(i, i))
        st.number_input(tr("room_vote_dots"), 1, R.MAX_DOTS, R.DEFAULT_DOTS, key="room_vote_dots")
        st.form_submit_button(tr("room_vote_open"), key="room_vote_submit", type="primary", on_click=_open_vote, args=(workshop_id, ideas))


def results(vote: Vote, ws: Workshop, ideas: list[Idea]) -> None:
    """The vote's dots per option as a bar chart large enough for the back of the room."""
    st.subheader(say("room_vote", question=vote.question))
    rows = R.tally(vote, store().dots(vote.id))
    labels = {str(i.id): i.text for i in ideas} if vote.kind is VoteKind.IDEAS else {n.id: n.name for n in ws.nodes}
    data = pd.DataFrame({"option": [labels.get(o, o)[:60] for o, _ in rows], "dots": [n for _, n in rows]})
    bars = (
        alt.Chart(data)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X(
                "dots:Q",
                title=tr("room_votes_placed"),
                axis=alt.Axis(tickMinStep=1, labelFontSize=18, titleFontSize=18, labelColor="#222", titleColor="#222"),
            ),
            y=alt.Y("option:N", sort="-x", title=None, axis=alt.Axis(labelFontSize=24, labelLimit=560, labelColor="#222")),
        )
    )
    text = bars.mark_text(align="left", dx=8, fontSize=26, fontWeight="bold").encode(text="dots:Q")
    st.altair_chart((bars + text).properties(height=max(140, 64 * len(rows))), width="stretch")


def follow(workshop_id: str | None, page: str) -> None:
    """ "Follow me": while the room follows the facilitator, the phones' prompt becomes the step and node on screen."""
    if not workshop_id or page not in R.STEPS:
        return
    room = store().room(workshop_id)
    if room is None or not room.is_open or not room.follow:
        return
    node = st.session_state.get("tree_selected")
    moved = room.prompt(page, node if isinstance(node, str) else room.node)
    if moved is not room:
        store().save_room(moved)


def attached(ws: Workshop, workshop_id: str, actuals_rev: int) -> tuple[Workshop, int]:
    """The workshop with its room's ideas and votes for export, and a cache stamp that changes with the actuals and the room."""
    record = store().room_record(workshop_id)
    if record is None:
        return ws, actuals_rev
    return ws.model_copy(update={"room": record}), hash((actuals_rev, record.model_dump_json()))
