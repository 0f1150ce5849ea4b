"""The Room: participants join from their phones (QR code), send ideas, vote with dots; the facilitator runs it here."""

from collections import Counter

import streamlit as st

from kpidesign import room as R
from ui import room as r
from ui.messages import show_flash
from ui.state import current, require_workshop, store
from ui.text import tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("room_title"))
st.caption(tr("room_intro"))
room = store().room(loaded.id)
r.open_close(loaded.id, room)
if room is not None and room.is_open:
    code, controls = st.columns([1, 1])
    with code:
        r.qr(loaded.id)
    with controls:
        r.settings(room, ws)


@st.fragment(run_every=r.LIVE_SECONDS)
def live() -> None:
    """Counts, reveal, the vote and its results, and the inbox, followed from the database every two seconds."""
    state, fresh = store().room(loaded.id), current()
    if state is None or fresh is None:
        return
    show_flash()
    design = fresh.workshop
    ideas, votes = store().ideas(loaded.id), store().votes(loaded.id)
    dots = R.idea_votes(votes, [R.tally(v, store().dots(v.id)) for v in votes]) if votes else Counter[int]()
    r.counts(state, ideas)
    r.reveal_button(loaded.id, ideas)
    latest = votes[-1] if votes else None
    if latest is not None:
        r.results(latest, design, ideas)
    r.vote_controls(loaded.id, design, ideas, latest)
    r.inbox(design, state, ideas, dots)
    st.caption(tr("room_live", seconds=r.LIVE_SECONDS))


live()
