"""Step 1: the KGI as one number: name, unit, baseline, target, deadline, why, optional OKR objective."""

import datetime as dt

import streamlit as st

from kpidesign import edits
from kpidesign.values import format_number
from ui import pages, widgets
from ui.binding import sync
from ui.messages import field_error
from ui.saving import commit
from ui.state import require_workshop
from ui.text import md, shown, tr

loaded = require_workshop()
ws, kgi = loaded.workshop, loaded.workshop.kgi

st.title(tr("kgi_title"))
st.write(tr("kgi_intro"))


def save_title(key: str) -> None:
    """Rename the workshop."""
    raw = st.session_state.get(key)
    commit(lambda w: edits.set_title(w, raw), tr("sum_title", title=str(raw)[:40]), error_key="ws.title")


title_key = "kgi_ws_title"
sync(title_key, ws.title, "ws.title")
st.text_input(tr("workshop_title"), key=title_key, on_change=save_title, args=(title_key,), max_chars=120)
field_error("ws.title")

with st.container(border=True):
    widgets.text(kgi, "name", kgi.name if kgi.name != "KGI" else "", tr("kgi_name"), placeholder=tr("kgi_name_help"))
    unit_col, base_col, target_col, deadline_col = st.columns([1, 2, 2, 2])
    with unit_col:
        widgets.text(kgi, "unit", kgi.unit, placeholder=tr("unit_help"))
    with base_col:
        widgets.number(kgi, "baseline", kgi.baseline)
    with target_col:
        widgets.number(kgi, "target", kgi.target)
    with deadline_col:
        widgets.date(kgi, "deadline", kgi.deadline)
    widgets.text(kgi, "why", kgi.definition.why, tr("why"), area=True, help=tr("why_help"), height=90)
    widgets.text(kgi, "objective", kgi.objective, tr("objective"), help=tr("objective_help"))

if kgi.baseline is not None and kgi.target is not None:
    change = kgi.target - kgi.baseline
    ratio = f"{change / kgi.baseline:+.1%}" if kgi.baseline else f"{format_number(change)}"
    summary = tr(
        "kgi_summary",
        name=md(kgi.name),
        baseline=shown(kgi.baseline, kgi.unit),
        target=shown(kgi.target, kgi.unit),
        unit=md(kgi.unit),
        change=ratio,
        deadline=kgi.deadline or "?",
    )
    st.success(summary, icon=":material/flag:")
    if kgi.target == kgi.baseline:
        st.warning(tr("target_equals_baseline"))
if kgi.deadline is not None and kgi.deadline < dt.date.today():
    st.warning(tr("deadline_past", date=kgi.deadline))

pages.link_to_next_step(pages.KGI)
