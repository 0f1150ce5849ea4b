"""Moderation on the facilitator's console (kpidesign.moderation, store.moderation): the "hold for approval" switch and
the block-word list, approving held ideas (chosen in the inbox, or all at once), muting the authors of chosen ideas,
and the muted participants, each mute one button away from being taken back."""

from __future__ import annotations

import streamlit as st

from kpidesign import moderation as M
from kpidesign.i18n import problem_text
from kpidesign.room import BLOCK_WORDS, MAX_BLOCK_WORD, Idea
from kpidesign.values import Problem
from ui.messages import Kind, flash
from ui.room.people import taken_back_list
from ui.saving import write
from ui.state import store
from ui.text import lang, md, tr

SHOW_MUTED = "room_show_muted"
WORDS = "room_block_words_text"


def _hold(workshop_id: str) -> None:
    on = bool(st.session_state.get("room_hold"))
    write(lambda: store().moderation.set_hold(workshop_id, on), workshop_id=workshop_id)


def _save_words(workshop_id: str, default: bool) -> None:
    words = None if default else M.parse_words(st.session_state.get(WORDS) or "")
    if isinstance(words, Problem):
        flash(Kind.ERROR, md(problem_text(words, lang())))
        return
    ok, held = write(lambda: store().moderation.set_words(workshop_id, words), workshop_id=workshop_id)
    if ok:
        st.session_state.pop(WORDS, None)  # drawn afresh from the store
        flash(Kind.SUCCESS, tr("room_block_words_saved", held=held or 0))


def controls(workshop_id: str) -> None:
    """The hold switch, and the block-word list in an expander (its text area drawn only when opened)."""
    moderation = store().moderation.get(workshop_id)
    st.toggle(
        tr("room_hold"),
        value=moderation.hold,
        key="room_hold",
        on_change=_hold,
        args=(workshop_id,),
        help=tr("room_hold_help"),
    )
    words = moderation.block_words
    opened = st.expander(tr("room_block_words", count=len(words)), icon=":material/block:", key="room_block_words", on_change="rerun")
    if not opened.open:
        return
    with opened:
        st.caption(tr("room_block_words_hint", max=BLOCK_WORDS, length=MAX_BLOCK_WORD))
        if moderation.words is None:
            st.caption(tr("room_block_words_is_default"))
        with st.form("room_block_words_form", border=False):
            st.text_area(tr("room_block_words_list"), value="\n".join(words), key=WORDS, height=220)
            st.form_submit_button(tr("room_block_words_save"), type="primary", on_click=_save_words, args=(workshop_id, False))
        st.button(
            tr("room_block_words_default"),
            key="room_block_words_default",
            icon=":material/restart_alt:",
            on_click=_save_words,
            args=(workshop_id, True),
            disabled=moderation.words is None,
        )


def shown_in_inbox(ideas: list[Idea]) -> tuple[list[Idea], bool]:
    """The ideas the inbox shows: muted participants' ideas only when the facilitator asks (a switch, drawn only when
    there are some); and whether they are shown."""
    muted = sum(i.muted for i in ideas)
    if not muted:
        return ideas, False
    if st.toggle(tr("room_show_muted", count=muted), key=SHOW_MUTED):
        return ideas, True
    return [i for i in ideas if not i.muted], False


def approve(workshop_id: str, idea_ids: list[int] | None) -> None:
    """Let held ideas through to the room: the chosen ones, or every held one (None)."""
    write(lambda: store().moderation.approve(workshop_id, idea_ids), workshop_id=workshop_id)


def mute_authors(workshop_id: str, picked: set[int]) -> None:
    """Every author of a chosen idea muted, in one write."""
    authors = sorted({i.participant for i in store().rooms.ideas(workshop_id) if i.id in picked})
    write(lambda: store().moderation.mute(workshop_id, authors), workshop_id=workshop_id)


def approve_all(workshop_id: str, ideas: list[Idea]) -> None:
    """One button for every held idea, drawn only while some wait."""
    held = sum(i.waiting for i in ideas)
    if held:
        st.button(
            tr("room_approve_all", count=held),
            key="room_approve_all",
            icon=":material/done_all:",
            on_click=approve,
            args=(workshop_id, None),
            help=tr("room_approve_help"),
        )


def _unmute(workshop_id: str, key: str | None) -> None:
    write(lambda: store().moderation.unmute(workshop_id, key), workshop_id=workshop_id)


def muted(workshop_id: str) -> None:
    """The muted participants: the latest each with a button that takes the mute back, and one button for all."""
    people = store().moderation.muted(workshop_id)
    taken_back_list(workshop_id, people, "room_muted_people", "unmute", ":material/volume_up:", _unmute)
