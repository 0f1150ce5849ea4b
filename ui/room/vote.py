"""The facilitator's votes: open one (on the revealed ideas, or on chosen nodes, with N dots each) or close it, and its
results as a bar chart large enough for the back of the room (its Vega-Lite spec built once per room revision)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.moderation import hidden_options
from kpidesign.room import IdeaStatus, Vote, VoteKind
from ui.cache import Snapshot, cached, workshop
from ui.saving import write
from ui.state import store
from ui.text import labeller, say, tr


def _open_vote(workshop_id: str) -> None:
    kind = VoteKind(st.session_state.get("room_vote_kind") or VoteKind.IDEAS)
    options = (
        [str(i.id) for i in store().rooms.ideas(workshop_id) if i.status in (IdeaStatus.REVEALED, IdeaStatus.ACCEPTED) and i.seen]
        if kind is VoteKind.IDEAS
        else list(st.session_state.get("room_vote_nodes") or [])
    )
    question, dots = st.session_state.get("room_vote_question") or "", int(st.session_state.get("room_vote_dots") or 3)
    write(lambda: store().votes.open(workshop_id, question, kind, options, dots), workshop_id=workshop_id)


def _close_vote(workshop_id: str) -> None:
    write(lambda: store().votes.close(workshop_id), workshop_id=workshop_id)


def vote_controls(workshop_id: str, ws: Workshop, current: Vote | None) -> None:
    """Open a vote (on the revealed ideas, or on chosen nodes, with N dots each), or close the one open."""
    if current is not None and current.is_open:
        st.button(
            tr("room_vote_close"),
            key="room_vote_close",
            type="primary",
            on_click=_close_vote,
            args=(workshop_id,),
        )
        return
    opened = st.expander(tr("room_vote_open"), icon=":material/how_to_vote:", key="room_vote_open", on_change="rerun")
    if not opened.open:  # drawn only when opened: its node picker carries every node of the tree, on every rerun
        return
    with opened, st.form("room_vote_form", border=False):
        st.text_input(tr("room_vote_question"), key="room_vote_question", max_chars=R.MAX_QUESTION)
        st.radio(
            tr("room_vote_kind"),
            [VoteKind.IDEAS, VoteKind.NODES],
            key="room_vote_kind",
            horizontal=True,
            format_func=labeller("room_vote_kind_"),
        )
        names = {n.id: n.name for n in ws.nodes}
        st.multiselect(
            tr("room_vote_nodes"),
            list(names),
            key="room_vote_nodes",
            format_func=lambda i: names.get(i, i),
            placeholder=tr("choose"),
            select_all=False,
        )
        st.number_input(tr("room_vote_dots"), 1, R.MAX_DOTS, R.DEFAULT_DOTS, key="room_vote_dots")
        st.form_submit_button(tr("room_vote_open"), key="room_vote_submit", type="primary", on_click=_open_vote, args=(workshop_id,))


def chart(vote: Vote, rows: list[tuple[str, int]], labels: dict[str, str]) -> dict[str, Any]:
    """The results as a Vega-Lite spec (its data as Arrow bytes): a bar per option, most dots first, with large labels
    and figures."""
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
    spec: dict[str, Any] = (bars + text).properties(height=max(140, 64 * len(rows))).to_dict()
    # the data as Arrow once, here: Streamlit sends bytes as they are, and converted a list of rows on every rerun
    spec["datasets"] = {name: convert_anything_to_arrow_bytes(pd.DataFrame(rows)) for name, rows in spec.get("datasets", {}).items()}
    return spec


@cached(uses=("version", "language"), max_entries=16)
def results_chart(snap: Snapshot, rev: int | None, vote_id: int) -> dict[str, Any] | None:
    """A vote's results chart at one revision of the room (rev: every write to the room, a dot too, changes it), worked
    out once and shared by every console; None when the room has no such vote."""
    vote = next((v for v in store().votes.all(snap.workshop) if v.id == vote_id), None)
    if vote is None:
        return None
    ideas = store().rooms.ideas(snap.workshop)
    labels = {str(i.id): i.text for i in ideas} if vote.kind is VoteKind.IDEAS else {n.id: n.name for n in workshop(snap).nodes}
    hidden = hidden_options(ideas, vote.kind)  # held or muted: not on show
    return chart(vote, [(o, n) for o, n in store().votes.tally(vote, snap.workshop) if o not in hidden], labels)


def results(snap: Snapshot, rev: int | None, vote: Vote) -> None:
    """The vote's dots per option as a bar chart (worked out again only when the room's revision, the design's version
    or the language changed)."""
    st.subheader(say("room_vote" if vote.is_open else "room_results", question=vote.question))  # closed: as the phones say it
    spec = results_chart(snap, rev, vote.id)
    if spec is not None:
        st.vega_lite_chart(spec, width="stretch")
