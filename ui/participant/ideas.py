"""A participant's ideas on their phone: the field to send one, their own (editable until revealed), everyone's once
revealed. Each list is one Markdown block (a phone refreshes every two seconds: a few elements, however many ideas),
every text made literal by `md`; editing is one switch (its few controls drawn only when on), not widgets per idea."""

from __future__ import annotations

import zlib

import streamlit as st

from kpidesign import room as R
from kpidesign.room import Idea, IdeaStatus
from ui.messages import Kind, once
from ui.participant.joining import refused
from ui.saving import write
from ui.state import store
from ui.text import lang, md, tr

REVEALED = "room_revealed_memo"


def _send(workshop_id: str, secret: str, parent: str | None) -> None:
    text = st.session_state.get("room_idea") or ""
    if not write(lambda: store().rooms.add_idea(workshop_id, secret, text, parent), refused=refused)[0]:
        return
    once(Kind.SUCCESS, tr("room_sent"))


def send_form(workshop_id: str, secret: str, parent: str | None) -> None:
    """The idea field and its send button (a form: the refreshes every two seconds never disturb the typing)."""
    with st.form("room_send_form", clear_on_submit=True, border=False):
        st.text_input(tr("room_idea"), key="room_idea", max_chars=R.MAX_IDEA)
        st.form_submit_button(tr("room_send"), type="primary", width="stretch", on_click=_send, args=(workshop_id, secret, parent))


def _change(workshop_id: str, secret: str, idea_id: int, withdraw: bool) -> None:
    if withdraw:
        write(lambda: store().rooms.withdraw_idea(workshop_id, secret, idea_id), refused=refused)
    else:
        text = st.session_state.get(f"room_edit_{idea_id}") or ""
        write(lambda: store().rooms.edit_idea(workshop_id, secret, idea_id, text), refused=refused)


def number(idea: Idea) -> str:
    """An idea's number as everyone sees it (#12: the phones, the facilitator's inbox, the projector), made literal."""
    return md(f"#{idea.id}")


def listing(ideas: list[Idea], status: bool, anonymous: bool = True) -> str:
    """Ideas as one Markdown list, each with its number and its text (literal), then its status or its author."""
    lines = []
    for idea in ideas:
        who = R.author(idea, anonymous)
        state = "room_status_held" if idea.held else "room_status_" + idea.status.value  # held: waiting for the facilitator
        tail = f" :gray[· {tr(state)}]" if status else (f" :gray[— {md(who)}]" if who else "")
        lines.append(f"- {number(idea)} {md(idea.text)}{tail}")
    return "\n".join(lines)


def own_ideas(workshop_id: str, secret: str, mine: list[Idea]) -> None:
    """One's own ideas in the order sent, with their status; those still private can be edited or withdrawn (a switch
    shows the controls: pick the idea by its number, change it or take it back)."""
    st.markdown(f"**{tr('room_my_ideas')}**\n\n" + (listing(mine, status=True) or tr("room_no_ideas")))
    private = [i for i in mine if i.status is IdeaStatus.PRIVATE]
    if not private:
        return
    if not st.toggle(tr("room_edit_mine"), key="room_editing"):  # the controls are drawn only while wanted
        return
    labels = {i.id: f"#{i.id} {i.text[:60]}" for i in private}
    stamp = zlib.crc32(repr(sorted(labels.items())).encode("utf-8"))  # a new list of ideas: a new choice, never a stale one
    with st.container(border=True):
        picked = st.selectbox(tr("room_edit_which"), list(labels), key=f"room_edit_pick_{stamp}", format_func=labels.__getitem__)
        idea = next(i for i in private if i.id == picked)
        st.text_input(tr("room_edit"), value=idea.text, key=f"room_edit_{idea.id}", max_chars=R.MAX_IDEA)
        save, drop = st.columns(2)
        save.button(tr("room_save"), key=f"room_save_{idea.id}", on_click=_change, args=(workshop_id, secret, idea.id, False))
        drop.button(tr("room_withdraw"), key=f"room_drop_{idea.id}", on_click=_change, args=(workshop_id, secret, idea.id, True))


def revealed(ideas: list[Idea], key: str, anonymous: bool, stamp: object = None) -> None:
    """Everyone else's ideas once the facilitator revealed them (names only when the room shows names): one list of the
    latest PHONE_LIST (a full room's would be too much for a phone every refresh), its Markdown worked out again only
    when the stamp (the room's revision) or the language changed."""
    memo = st.session_state.get(REVEALED)
    wanted = (stamp, key, anonymous, lang())
    if stamp is None or memo is None or memo[0] != wanted:
        others, earlier = R.latest([i for i in R.visible(ideas, key) if i.participant != key])
        text = f"**{tr('room_revealed')}**\n\n" + listing(others, status=False, anonymous=anonymous) if others else ""
        if earlier:
            text += "\n\n" + f":gray[{tr('room_earlier_ideas', count=earlier)}]"
        memo = (wanted, text)
        st.session_state[REVEALED] = memo
    if memo[1]:
        st.markdown(memo[1])
