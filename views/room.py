"""The Room: participants join from their phones (QR code), send ideas, vote with dots. In projector mode the page is
the wall (what the room reads: nothing private, no scrolling); without it, the console the facilitator drives."""

import streamlit as st

from ui.cache import snapshot
from ui.messages import show_flash
from ui.room import agenda as agenda_ui
from ui.room import console as r
from ui.room import inbox as inbox_ui
from ui.room import moderation as moderation_ui
from ui.room import people as people_ui
from ui.room import themes as themes_ui
from ui.room import vote as vote_ui
from ui.room import wall as wall_ui
from ui.state import current, require_workshop, store
from ui.text import in_session_language, lang, tr
from ui.theme import projector

loaded = require_workshop()
ws = loaded.workshop


@st.fragment(run_every=r.LIVE_SECONDS)
@in_session_language  # a fragment's rerun reads the language once, as the router does for a page
def wall() -> None:
    """The wall, followed from the database every second (the timer ticks, a reveal shows at once)."""
    rev, fresh = store().rooms.rev(loaded.id), current()
    state = store().rooms.get(loaded.id) if rev is not None else None
    if state is None or fresh is None:
        st.info(tr("room_is_closed"))
        return
    wall_ui.draw(loaded.id, state, fresh.workshop, (loaded.id, rev, fresh.version, lang()))


@st.fragment(run_every=r.LIVE_SECONDS)
@in_session_language  # a fragment's rerun reads the language once, as the router does for a page
def live() -> None:
    """Counts, reveal, the results of the vote and the inbox, followed from the database every second: a few elements,
    worked out again only when the room's revision, the design's version or the language changed."""
    rev, fresh = store().rooms.rev(loaded.id), current()
    state = store().rooms.get(loaded.id) if rev is not None else None
    if state is None or fresh is None:
        return
    show_flash()
    snap = snapshot(fresh)
    worked = inbox_ui.worked_out(snap, rev, bool(st.session_state.get(moderation_ui.SHOW_MUTED)))  # muted ideas when asked
    r.counts(state, worked.ideas, worked.private)
    people_ui.silent_button(loaded.id)
    ideas = store().rooms.ideas(loaded.id)  # read once per room revision (the store keeps it)
    r.reveal_button(loaded.id, worked.private)
    moderation_ui.approve_all(loaded.id, ideas)
    votes = store().votes.all(loaded.id)
    if votes:
        vote_ui.results(snap, rev, votes[-1])
    moderation_ui.shown_in_inbox(ideas)  # the switch for muted participants' ideas (its value read above)
    themes = store().themes.all(loaded.id)  # read once per room revision (the store keeps it)
    if r.view(worked.ideas, len(themes)) == r.THEMES:
        themes_ui.draw(loaded.id, fresh.workshop, themes, ideas)
    else:
        inbox_ui.inbox(loaded.id, worked.groups)
    people_ui.removed(loaded.id)
    moderation_ui.muted(loaded.id)
    st.caption(tr("room_live", seconds=r.LIVE_SECONDS))


if projector():
    st.html(wall_ui.STYLE + agenda_ui.BAND_STYLE)
    r.to_console()
    wall()
else:
    st.html(inbox_ui.STYLE)
    themes_ui.warm()  # what grouping needs, imported on a thread before the first reveal
    st.title(tr("room_title"))
    st.caption(tr("room_intro"))
    room = store().rooms.get(loaded.id)
    r.open_close(loaded.id, room)
    agenda_ui.panel(loaded.id, room, ws)  # the run of the session: the segment, its time left, ahead or behind, Next
    agenda_ui.editor(ws)
    if room is not None and room.is_open:
        code, controls = st.columns([1, 1])
        with code:
            r.qr(loaded.id)
            r.to_wall(loaded.id)
        with controls:
            r.settings(room, ws)
            moderation_ui.controls(loaded.id)
    if room is not None:
        votes = store().votes.all(loaded.id)
        vote_ui.vote_controls(loaded.id, ws, votes[-1] if votes else None)
    live()
