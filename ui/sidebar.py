"""The sidebar: language switch, the open workshop and its progress through the five steps."""

from __future__ import annotations

import streamlit as st

from kpidesign.progress import step_status
from kpidesign.store import WorkshopNotFoundError
from ui.session import md, store, tr, undo


def render(editing: bool = True) -> None:
    """Draw the sidebar: the language always; the open workshop and its progress only when editing."""
    with st.sidebar:
        st.radio(
            tr("language"), ["ja", "en"], key="lang", horizontal=True,
            format_func=lambda code: "日本語" if code == "ja" else "English",
        )
        st.toggle(tr("projector"), key="projector", help=tr("projector_help"))
        wid = st.session_state.get("ws_id")
        if not editing or not wid:
            return
        try:
            ws = store().load(wid).workshop
        except WorkshopNotFoundError:
            return
        st.caption(tr("open_workshop"))
        st.markdown(f"**{md(ws.title)}**")
        target = store().undo_target(wid)
        st.button(tr("undo"), key="undo", icon=":material/undo:", on_click=undo, disabled=target is None,
                  help=tr("undo_help", version=target) if target else tr("nothing_to_undo"))
        statuses = step_status(ws)
        st.progress(sum(s.done for s in statuses) / len(statuses), text=f"{tr('progress')} {sum(s.done for s in statuses)}/5")
        for i, status in enumerate(statuses, start=1):
            mark = ":green[✔]" if status.done else "○"
            missing = ", ".join(tr(code) for code in status.missing)
            st.markdown(f"{mark} {i}. {tr('step_' + status.step)}" + (f"  \n:gray[{tr('missing')}: {missing}]" if missing else ""))

