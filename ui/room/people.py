"""The participants the facilitator took out of the room (the inbox's "remove their authors"), each removal one
button away from being taken back (kpidesign.store: remove_participant / readmit_participant)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.saving import write
from ui.state import store
from ui.text import md, tr

SHOWN = 20  # removed participants listed one by one (the latest); beyond them, one button takes every one back


def _readmit(workshop_id: str, key: str | None) -> None:
    write(lambda: store().rooms.readmit_participant(workshop_id, key), workshop_id=workshop_id)


def _remove_silent(workshop_id: str) -> None:
    write(lambda: store().rooms.remove_silent(workshop_id), workshop_id=workshop_id)


def silent_button(workshop_id: str) -> None:
    """Take out of the room everyone who joined over two minutes ago and has sent nothing (joins that fill it)."""
    st.button(
        tr("room_remove_silent"),
        key="room_remove_silent",
        icon=":material/person_off:",
        on_click=_remove_silent,
        args=(workshop_id,),
        help=tr("room_remove_silent_help"),
    )


def taken_back_list(
    workshop_id: str, people: list[tuple[str, str]], title: str, kind: str, icon: str, undo: Callable[[str, str | None], None]
) -> None:
    """People set aside (removed, or muted) under `title`, the latest SHOWN each with a button that takes it back, and
    one for all: texts room_<kind>_all / room_<kind>, keys room_<kind>_all / room_<kind>_<key>."""
    if not people:
        return
    with st.expander(tr(title, count=len(people))):
        st.button(tr(f"room_{kind}_all", count=len(people)), key=f"room_{kind}_all", icon=icon, on_click=undo, args=(workshop_id, None))
        for n, (key, name) in enumerate(people[:SHOWN], start=1):
            st.button(
                tr(f"room_{kind}", name=md(name) if name else f"#{n}"),
                key=f"room_{kind}_{key[:16]}",
                icon=icon,
                on_click=undo,
                args=(workshop_id, key),
            )


def removed(workshop_id: str) -> None:
    """The participants taken out of the room: the latest each with a button that takes the removal back, and one
    button for all of them."""
    people = store().rooms.removed_participants(workshop_id)
    taken_back_list(workshop_id, people, "room_removed_people", "readmit", ":material/undo:", _readmit)
