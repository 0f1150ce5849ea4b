"""A participant's phone (a room's join link): the prompt, the time left, an idea field, own and revealed ideas, dots."""

import streamlit as st

from kpidesign import room as R
from kpidesign.store import Membership
from ui.access import joined_workshop
from ui.keys import LANG
from ui.messages import show_flash
from ui.participant import ideas as ideas_ui
from ui.participant import joining as p
from ui.participant import vote as vote_ui
from ui.room import agenda as agenda_ui
from ui.state import store
from ui.text import in_session_language, md, tr

REFRESH_SECONDS = 2


@st.fragment(run_every=REFRESH_SECONDS)
@in_session_language  # a fragment's rerun reads the language once, as the router does for a page
def live() -> None:
    """The whole page, following the room in the database every two seconds (closing the room ends it here)."""
    workshop_id = joined_workshop()
    if workshop_id is None:
        p.not_open()
        return
    room, ws = store().rooms.get(workshop_id), store().load(workshop_id).workshop
    if room is None:
        p.not_open()
        return
    st.caption(md(ws.title))
    show_flash()  # a fragment's rerun: what the router shows at the top of a page is shown here
    p.message()
    secret = p.me(workshop_id)
    if secret is Membership.REMOVED:
        p.removed()
        return
    if secret is Membership.NONE:
        p.join_form(workshop_id)
        return
    p.remember(secret)
    p.prompt(room, ws, p.now(), agenda_ui.asked(workshop_id, room, ws))
    ideas_ui.send_form(workshop_id, secret, room.node)
    rev = store().rooms.rev(workshop_id)  # read before the ideas: a reveal in between is seen at the next refresh, not lost
    ideas = store().rooms.ideas(workshop_id)
    votes = store().votes.all(workshop_id)
    if votes and votes[-1].is_open:
        vote_ui.vote(workshop_id, secret, votes[-1], ws, ideas)
    elif votes and votes[-1].shown(room):
        vote_ui.results(votes[-1], ws, ideas, workshop_id)
    key = R.participant_key(secret)
    ideas_ui.own_ideas(workshop_id, secret, [i for i in ideas if i.participant == key])
    ideas_ui.revealed(ideas, key, room.anonymous, rev)


p.compact()
live()
st.radio(tr("language"), ["ja", "en"], key=LANG, horizontal=True, format_func=lambda code: "日本語" if code == "ja" else "English")
