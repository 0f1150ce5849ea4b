"""The participants the facilitator took out of the room (the inbox's "remove their authors"), each removal one
button away from being taken back (kpidesign.store: rooms.remove_participant / rooms.readmit_participant)."""

from __future__ import annotations

import streamlit as st

from ui.saving import write
from ui.state import store
from ui.text import md, tr


def _readmit(workshop_id: str, key: str) -> None:
    write(lambda: store().rooms.readmit_participant(workshop_id, key), workshop_id=workshop_id)


def removed(workshop_id: str) -> None:
    """The participants taken out of the room, each with a button that takes the removal back."""
    gone = store().rooms.removed_participants(workshop_id)
    if not gone:
        return
    with st.expander(tr("room_removed_people", count=len(gone))):
        for n, (key, name) in enumerate(gone, start=1):
            st.button(
                tr("room_readmit", name=md(name) if name else f"#{n}"),
                key=f"room_readmit_{key[:16]}",
                icon=":material/undo:",
                on_click=_readmit,
                args=(workshop_id, key),
            )
