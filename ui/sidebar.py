"""The sidebar: language switch, the open workshop and its progress through the five steps."""

from __future__ import annotations

import streamlit as st

from kpidesign.language import choose_language
from kpidesign.progress import step_status
from kpidesign.store import WorkshopNotFoundError
from ui.cache import Snapshot, cached, snapshot, workshop
from ui.keys import LANG, PROJECTOR, WS_ID
from ui.saving import undo
from ui.state import store
from ui.text import md, tr


def render(editing: bool = True) -> None:
    """Draw the sidebar: the open workshop, Undo and its progress when editing (first: what a facilitator reaches for
    during the session stays on the first screen, a projector's too), then the language and projector switches."""
    with st.sidebar:
        if editing:
            _workshop()
        st.radio(
            tr("language"),
            ["ja", "en"],
            key=LANG,
            horizontal=True,
            format_func=lambda code: "日本語" if code == "ja" else "English",
        )
        st.toggle(tr("projector"), key=PROJECTOR, help=tr("projector_help"))
        keep_view_in_address()


def _workshop() -> None:
    """The open workshop's title, Undo, and the five steps' checklist."""
    wid = st.session_state.get(WS_ID)
    if not wid:
        return
    try:
        loaded = store().load(wid)
    except WorkshopNotFoundError:
        return
    st.caption(tr("open_workshop"))
    st.markdown(f"**{md(loaded.workshop.title)}**")
    snap = snapshot(loaded)
    target = _undo_target(snap)
    st.button(
        tr("undo"),
        key="undo",
        icon=":material/undo:",
        on_click=undo,
        disabled=target is None,
        help=tr("undo_help", version=target) if target else tr("nothing_to_undo"),
    )
    done, steps = _steps(snap)
    st.progress(done / 5, text=f"{tr('progress')} {done}/5")
    st.markdown(steps)
    st.divider()


def keep_view_in_address() -> None:
    """The language (when not the browser's) and projector mode in the address, so a reload, or a projector's browser
    started again, opens the same view (session.init and theme.projector read them back)."""
    wanted = {
        "lang": st.session_state[LANG] if st.session_state[LANG] != choose_language(st.context.locale) else None,
        "projector": "1" if st.session_state.get(PROJECTOR) else None,
    }
    for key, value in wanted.items():
        if value is None and key in st.query_params:
            del st.query_params[key]
        elif value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value


@cached()
def _undo_target(snap: Snapshot) -> int | None:
    """The version an undo would go back to (versions change only with the version)."""
    return store().undo_target(snap.workshop)


@cached()
def _steps(snap: Snapshot) -> tuple[int, str]:
    """How many of the five steps are done, and the checklist of steps with what each still misses (Markdown)."""
    statuses = step_status(workshop(snap))
    lines = []
    for i, status in enumerate(statuses, start=1):
        mark = ":green[✔]" if status.done else "○"
        missing = ", ".join(tr(code) for code in status.missing)
        lines.append(f"{mark} {i}. {tr('step_' + status.step)}" + (f"  \n:gray[{tr('missing')}: {missing}]" if missing else ""))
    return sum(s.done for s in statuses), "\n\n".join(lines)
