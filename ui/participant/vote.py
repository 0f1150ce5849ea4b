"""A participant's dots on their phone: the open vote as one widget (a pill per option: tap to place a dot, tap again
to take it back) and the results once closed, as one list.

The store is the truth: the pills show the dots this person has placed (read again on every run), a dot beyond the
allowance is refused in the store's write transaction and the pill turns back, and a reload shows the same dots.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from kpidesign import room as R
from kpidesign.model import Workshop
from kpidesign.moderation import hidden_options
from kpidesign.room import Idea, Vote, VoteKind
from ui.participant.joining import refused
from ui.saving import write
from ui.state import store
from ui.text import md, say, tr

TAPS = "room_dot_taps"  # taps on the vote's pills so far in this session (part of the pills' key)


def labels(vote: Vote, ws: Workshop, ideas: list[Idea]) -> dict[str, str]:
    """Every option's label as Markdown made literal: an idea's number and text (#12 …, as in the lists and the inbox),
    or a node's name; worked out in one pass over the ideas or the nodes."""
    if vote.kind is VoteKind.IDEAS:
        texts = {str(i.id): i.text for i in ideas}
        return {o: md(f"#{o}") + " " + md(texts[o]) if o in texts else md(o) for o in vote.options}
    names = {n.id: n.name for n in ws.nodes}
    return {o: md(names.get(o, o)) for o in vote.options}


def shown(vote: Vote, ideas: list[Idea]) -> list[str]:
    """The vote's options a phone shows: not an idea held for approval or of a muted author (kpidesign.moderation)."""
    hidden = hidden_options(ideas, vote.kind)
    return [o for o in vote.options if o not in hidden]


def _pick(workshop_id: str, vote_id: int, secret: str, key: str, options: tuple[str, ...]) -> None:
    """The pills changed: place a dot on each option newly picked, take back the dots of each one let go (of the
    options shown: a dot on one moderation hides stays); then the pills are drawn afresh from the store (a new key),
    whatever was refused."""
    wanted = set(st.session_state.get(key) or [])
    st.session_state[TAPS] = st.session_state.get(TAPS, 0) + 1
    me = R.participant_key(secret)
    placed = Counter(o for who, o in store().votes.dots(vote_id, workshop_id) if who == me)

    def apply() -> None:
        for option in placed:
            if option not in wanted and option in options:
                for _ in range(placed[option]):
                    store().votes.remove_dot(workshop_id, vote_id, secret, option)
        for option in sorted(wanted - set(placed)):
            store().votes.place_dot(workshop_id, vote_id, secret, option)

    write(apply, refused=refused)


def vote(workshop_id: str, secret: str, current: Vote, ws: Workshop, ideas: list[Idea]) -> None:
    """The open vote: the dots left, and one pill per option (a picked pill holds one of this person's dots)."""
    me = R.participant_key(secret)
    mine = Counter(o for who, o in store().votes.dots(current.id, workshop_id) if who == me)
    left = R.dots_left(current, sum(mine.values()))
    st.subheader(say("room_vote", question=current.question))
    st.markdown(f"**{tr('room_dots_left', left=left, dots=current.dots)}** " + "●" * left + "○" * (current.dots - left))
    key = f"room_dots_{current.id}_{st.session_state.get(TAPS, 0)}"  # a new key after each tap: drawn from the store
    names, options = labels(current, ws, ideas), shown(current, ideas)
    st.pills(
        tr("room_vote_pick"),
        options,
        selection_mode="multi",
        default=[o for o in options if mine[o]],
        key=key,
        format_func=names.__getitem__,  # starts with "#12 ": Streamlit's look for a leading emoji stops at once
        on_change=_pick,
        args=(workshop_id, current.id, secret, key, tuple(options)),
        label_visibility="collapsed",
        width="stretch",
    )


def results(closed: Vote, ws: Workshop, ideas: list[Idea], workshop_id: str) -> None:
    """The results of the last vote once closed, most dots first, as one list."""
    st.subheader(say("room_results", question=closed.question))
    names = labels(closed, ws, ideas)
    kept = set(shown(closed, ideas))
    rows = [(o, n) for o, n in store().votes.tally(closed, workshop_id) if o in kept]
    st.markdown("\n".join(f"- **{n}** · {names[o]}" for o, n in rows))
