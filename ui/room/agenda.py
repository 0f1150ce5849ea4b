"""The agenda on the Room page's console: where the session stands (the segment, its time left, ahead or behind),
**Next** and **Back** (the room's question, timer and follow-me moved with the agenda in one write), and the agenda's
editor (a default of 120 or 60 minutes, segments added, changed, removed, moved). The wall's band and the phones'
question come from here too (kpidesign.agenda works everything out; this module draws it).

Why the console: the agenda is what the facilitator runs the session by, and the console is where they stand while
the room works (the prompt, the timer, follow-me and the inbox are there); a step page shows one step, not the session.
"""

from __future__ import annotations

import html
import time

import streamlit as st

from kpidesign import agenda as A
from kpidesign import agenda_edits as E
from kpidesign.i18n import problem_text
from kpidesign.model import AgendaSegment, Workshop
from kpidesign.room import Room
from ui.keys import ROOM_MINUTES, ROOM_NODE, ROOM_PROMPT_OPEN, ROOM_STEP, ROOM_TIMER_OPEN
from ui.messages import Kind, flash
from ui.saving import commit, write
from ui.state import store
from ui.text import in_session_language, lang, md, tr

STEP_LABEL = {
    1: "nav_kgi",
    2: "nav_tree",
    3: "nav_decompose",
    4: "nav_definitions",
    5: "nav_monitoring",
    "room": "nav_room",
    "review": "nav_review",
}
EDITOR = "agenda_editor"
BAND_STYLE = """<style>
.kd-agenda { display: flex; align-items: baseline; gap: 28px; font-size: 40px; line-height: 1.15; color: #1a1a1a;
  border-left: 12px solid #1f4e79; padding: 2px 0 2px 18px; background: #eef3f8; }
.kd-agenda .kd-seg-no { color: #1f4e79; font-weight: 700; white-space: nowrap; }
.kd-agenda .kd-seg-title { flex: 1; font-weight: 700; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.kd-agenda .kd-seg-left { font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kd-agenda .kd-seg-left.over { color: #c0392b; }
</style>"""


def step_label(step: A.AgendaStep) -> str:
    """A segment's step in words: the method's step by its page's name, or the room, or the review."""
    return tr(STEP_LABEL[step])


def asked(workshop_id: str, room: Room, ws: Workshop) -> str | None:
    """The current segment's prompt while the room still asks the question it started with (the phones and the wall
    show it in place of the step's standard question); None otherwise."""
    return A.asked(ws.agenda, store().agenda.run(workshop_id), room.activity) if ws.agenda else None


def left_text(left: float) -> str:
    """A segment's time left in words: "残り 12:30", or how far it ran over."""
    return tr("agenda_left", time=A.clock(left)) if left >= 0 else tr("agenda_over_by", time=A.clock(-left))


def drift_text(drift: float) -> str:
    """How far the session is behind or ahead of its plan, in words (within a minute: on time)."""
    if abs(drift) < 60:
        return tr("agenda_on_time")
    return tr("agenda_behind" if drift > 0 else "agenda_ahead", time=A.clock(abs(drift)))


def band(workshop_id: str, room: Room, ws: Workshop, now: float) -> str:
    """The wall's band: the current segment (n/N and its title) and its time left, large enough for the back row;
    "" while no agenda runs. Every text is escaped."""
    if not ws.agenda:
        return ""
    at = A.progress([s.minutes for s in ws.agenda], store().agenda.run(workshop_id), now)
    if at is None or at.over:
        return ""
    segment = ws.agenda[at.segment]
    over = " over" if at.left < 0 else ""
    return (
        f'<div class="kd-agenda"><span class="kd-seg-no">{at.segment + 1}/{at.count}</span>'
        f'<span class="kd-seg-title">{html.escape(segment.title)}</span>'
        f'<span class="kd-seg-left{over}">{html.escape(left_text(at.left))}</span></div>'
    )


def _go(workshop_id: str, to: int, expected: int | None) -> None:
    """Move the agenda (and with it the room's question, timer and follow-me) to segment `to`; refused when the agenda
    no longer stands where this screen showed it (another click, another screen)."""
    ws = store().load(workshop_id).workshop
    room = store().rooms.get(workshop_id)
    if room is None:
        return
    run = store().agenda.run(workshop_id)
    moved, new_run = A.go(room, ws.agenda, to, run, time.time(), {n.id for n in ws.nodes})
    ok, _ = write(lambda: store().agenda.go(moved, new_run, expected=expected), workshop_id=workshop_id)
    # The console's prompt and timer fields show where the room is now: set, as a widget's value is set, while their form
    # is open; a closed form is drawn from the room when it opens (setting a field not drawn would warn then).
    if ok and st.session_state.get(ROOM_PROMPT_OPEN):
        st.session_state[ROOM_STEP], st.session_state[ROOM_NODE] = moved.step, moved.node or ""
    if ok and moved.timer.seconds and st.session_state.get(ROOM_TIMER_OPEN):
        st.session_state[ROOM_MINUTES] = round(moved.timer.seconds / 60)


def _stop(workshop_id: str) -> None:
    write(lambda: store().agenda.stop(workshop_id), workshop_id=workshop_id)


def _segment_line(i: int | None, segment: AgendaSegment, names: dict[str, str]) -> str:
    """A segment in one line: (its number,) title, step, node and time box."""
    node = f" · {names[segment.node]}" if segment.node in names else ""
    number = "" if i is None else f"{i + 1}. "
    return f"{number}{segment.title} — {step_label(segment.step)}{node} · {tr('agenda_minutes_short', minutes=segment.minutes)}"


@st.fragment(run_every=1)
@in_session_language  # a fragment's rerun reads the language once, as the router does for a page
def _clock(workshop_id: str) -> None:
    """The current segment's time left and the session's drift, ticking every second."""
    ws = store().load(workshop_id).workshop
    at = A.progress([s.minutes for s in ws.agenda], store().agenda.run(workshop_id), time.time())
    if at is None:
        return
    if at.over:
        st.markdown(f"**{md(tr('agenda_done'))}** · {md(drift_text(at.drift))}")
        return
    with st.container(horizontal=True):
        st.metric(tr("agenda_time_left"), A.clock(at.left) if at.left >= 0 else "+" + A.clock(-at.left), border=True)
        st.metric(tr("agenda_schedule"), drift_text(at.drift), border=True)


def panel(workshop_id: str, room: Room | None, ws: Workshop) -> None:
    """The running agenda on the console: the segment now and next, its time left, ahead or behind, Next and Back."""
    if not ws.agenda:
        return
    with st.container(border=True, key="agenda_panel"):
        run = store().agenda.run(workshop_id)
        count = len(ws.agenda)
        now_at = None if run is None else min(run.segment, count)
        names = {n.id: n.name for n in ws.nodes}
        title = f"#### :material/schedule: {md(tr('agenda_title'))}"
        if room is None:
            st.markdown(title)
            st.caption(tr("agenda_open_room"))
            st.markdown("\n".join(f"- {md(_segment_line(i, s, names))}" for i, s in enumerate(ws.agenda)))
            return
        if now_at is None:
            st.markdown(title)
            st.caption(tr("agenda_not_started", minutes=sum(s.minutes for s in ws.agenda)))
            st.markdown("\n".join(f"- {md(_segment_line(i, s, names))}" for i, s in enumerate(ws.agenda)))
            st.button(
                tr("agenda_start"),
                key="agenda_start",
                type="primary",
                icon=":material/play_arrow:",
                on_click=_go,
                args=(workshop_id, 0, None),
            )
            return
        segment = ws.agenda[now_at] if now_at < count else None
        now = (
            ""
            if segment is None
            else f"  \n**{md(tr('agenda_now', n=now_at + 1, count=count))}** {md(_segment_line(None, segment, names))}"
        )
        st.markdown(title + now)  # the title and the segment now: one element, redrawn with every rerun
        if segment is not None and segment.prompt:
            st.caption(md(tr("agenda_asks", prompt=segment.prompt)))
        _clock(workshop_id)
        if now_at + 1 < count:
            st.caption(md(tr("agenda_next_up", segment=_segment_line(now_at + 1, ws.agenda[now_at + 1], names))))
        with st.container(horizontal=True):
            _moves(workshop_id, now_at, count, run.segment if run else None)


def _moves(workshop_id: str, now_at: int, count: int, expected: int | None) -> None:
    """Back, Next (Finish on the last segment) and Stop."""
    st.button(
        tr("agenda_back"),
        key="agenda_back",
        icon=":material/skip_previous:",
        on_click=_go,
        args=(workshop_id, now_at - 1, expected),
        disabled=now_at == 0,
        width="stretch",
    )
    st.button(
        tr("agenda_next") if now_at + 1 < count else tr("agenda_finish"),
        key="agenda_next",
        type="primary",
        icon=":material/skip_next:",
        on_click=_go,
        args=(workshop_id, now_at + 1, expected),
        disabled=now_at >= count,
        width="stretch",
    )
    st.button(tr("agenda_stop"), key="agenda_stop", icon=":material/stop:", on_click=_stop, args=(workshop_id,), width="stretch")


def _use_default() -> None:
    length = int(st.session_state.get("agenda_length") or E.LENGTHS[0])  # as chosen now, not as the button was drawn
    commit(lambda w: E.use_default(w, length, lang()), tr("agenda_summary_default", minutes=length))


def _edit(change_name: str, index: int) -> None:
    changes = {
        "up": lambda w: E.move_segment(w, index, -1),
        "down": lambda w: E.move_segment(w, index, 1),
        "remove": lambda w: E.remove_segment(w, index),
    }
    commit(changes[change_name], tr("agenda_summary_edit"))


def _editor_key() -> str:
    return f"{EDITOR}_{st.session_state.get(EDITOR, 0)}"


def _save_table(ws: Workshop) -> None:
    """Save the table's edits, all of them or none (each refused row named); a fresh table after a save."""
    delta = st.session_state.get(_editor_key()) or {}
    _, problems = E.set_agenda(ws, delta)
    if problems:
        flash(Kind.ERROR, "\n".join(f"- {tr('agenda_row', n=i + 1)}: {md(problem_text(p, lang()))}" for i, p in problems))
        return
    if commit(lambda w: E.set_agenda(w, delta)[0], tr("agenda_summary_edit")):  # on top of the version shown, else refused
        st.session_state[EDITOR] = st.session_state.get(EDITOR, 0) + 1


def editor(ws: Workshop) -> None:
    """The agenda's editor: a default agenda, the segments as a table (add, change, remove), moving one up or down."""
    opened = st.expander(tr("agenda_edit"), icon=":material/edit_calendar:", key="agenda_edit_open", on_change="rerun")
    if not opened.open:  # drawn only when opened: the console stays a few elements, the table is not rebuilt on every rerun
        return
    with opened:
        left, right = st.columns([2, 1])
        left.radio(
            tr("agenda_default"),
            E.LENGTHS,
            horizontal=True,
            key="agenda_length",  # minutes, as numbers: the same options in either language
        )
        right.button(
            tr("agenda_use_default"),
            key="agenda_use_default",
            icon=":material/auto_awesome:",
            on_click=_use_default,
            help=tr("agenda_use_default_help"),
        )
        ids = ["", *(n.id for n in ws.nodes)]
        names = {n.id: n.name for n in ws.nodes}
        st.data_editor(
            E.agenda_rows(ws),
            key=_editor_key(),
            num_rows="dynamic",
            width="stretch",
            hide_index=False,
            column_order=E.COLUMNS,
            column_config={
                "title": st.column_config.TextColumn(tr("agenda_col_title"), required=True, max_chars=A.MAX_TITLE, width="medium"),
                "step": st.column_config.SelectboxColumn(
                    tr("agenda_col_step"), options=[str(s) for s in A.STEPS], required=True, default="room", width="small"
                ),
                "node": st.column_config.SelectboxColumn(
                    tr("agenda_col_node"), options=ids, width="small", help=", ".join(f"{i} = {names[i]}" for i in ids[1:9])
                ),
                "minutes": st.column_config.NumberColumn(
                    tr("agenda_col_minutes"), min_value=1, max_value=A.MAX_MINUTES, step=1, required=True, default=10, width="small"
                ),
                "prompt": st.column_config.TextColumn(tr("agenda_col_prompt"), max_chars=A.MAX_PROMPT, width="large"),
            },
        )
        total = sum(s.minutes for s in ws.agenda)
        save, caption = st.columns([1, 2])
        save.button(tr("agenda_save"), key="agenda_save", type="primary", on_click=_save_table, args=(ws,))
        caption.caption(
            tr("agenda_total_caption", count=len(ws.agenda), minutes=total, steps=", ".join(f"{s} = {step_label(s)}" for s in A.STEPS))
        )
        if ws.agenda:
            pick, up, down, remove = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
            index = pick.selectbox(
                tr("agenda_segment"),
                range(len(ws.agenda)),
                key="agenda_pick",
                format_func=lambda i: f"{i + 1}. {ws.agenda[i].title}",
            )
            index = index if isinstance(index, int) and 0 <= index < len(ws.agenda) else 0
            up.button(
                tr("agenda_up"), key="agenda_up", icon=":material/arrow_upward:", on_click=_edit, args=("up", index), disabled=index == 0
            )
            down.button(
                tr("agenda_down"),
                key="agenda_down",
                icon=":material/arrow_downward:",
                on_click=_edit,
                args=("down", index),
                disabled=index >= len(ws.agenda) - 1,
            )
            remove.button(tr("agenda_remove"), key="agenda_remove", icon=":material/delete:", on_click=_edit, args=("remove", index))
