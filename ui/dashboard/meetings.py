"""The dashboard's review meetings: each meeting's agenda with status, and the facts → causes → next action form that
feeds the learning log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kpidesign import edits, monitor
from kpidesign.model import Workshop
from kpidesign.status import status_word
from ui.badges import label, styled
from ui.keys import DASH_REVIEW
from ui.saving import commit
from ui.text import looked_up, shown, tr


def reviews(ws: Workshop, now: dict[str, monitor.Reading]) -> None:
    """Per meeting: its agenda with status, and the facts → causes → next action form that feeds the learning log."""
    if not ws.monitoring.reviews:
        st.info(tr("no_reviews"))
        return
    names = {n.id: n for n in ws.nodes}
    index = st.selectbox(
        tr("review_name"),
        range(len(ws.monitoring.reviews)),
        key=DASH_REVIEW,
        format_func=looked_up({i: f"{r.name} ({tr(r.cadence.value)})" for i, r in enumerate(ws.monitoring.reviews)}),
        placeholder=tr("choose"),
    )
    review = ws.monitoring.reviews[index]
    order = sorted((k for k in review.kpis if k in now), key=lambda k: -monitor.SEVERITY[now[k].status])
    agenda = [status_word(now[k].value, names[k].thresholds) for k in order]
    frame = pd.DataFrame(
        [
            {
                tr("col_status"): label(word),
                tr("kpi"): names[k].name,
                tr("latest"): shown(now[k].value, names[k].unit),
                tr("date"): now[k].date,
                tr("owner"): names[k].definition.owner,
            }
            for k, word in zip(order, agenda)
        ]
    )
    st.dataframe(styled(frame, tr("col_status"), agenda), hide_index=True, width="stretch")
    with st.form("dash_review_form", border=True):
        st.markdown(f"**{tr('review_dialogue')}**")
        st.selectbox(
            tr("kpi"),
            [None, *order],
            format_func=looked_up({None: tr("any_kpi")} | {k: names[k].name for k in order}),
            key="rv_kpi",
            placeholder=tr("choose"),
        )
        st.text_area(tr("rv_facts"), key="rv_facts", height=70)
        st.text_area(tr("rv_causes"), key="rv_causes", height=70)
        st.text_area(tr("rv_next"), key="rv_next", height=70)
        st.form_submit_button(tr("add_entry"), type="primary", on_click=_record, args=(review.name,))
    st.caption(tr("review_dialogue_help"))


def _record(meeting: str) -> None:
    get = st.session_state.get
    if commit(
        lambda w: edits.add_learning(
            w,
            date=dt.date.today(),
            kpi=get("rv_kpi"),
            observe=get("rv_facts"),
            insight=get("rv_causes"),
            act=get("rv_next"),
            integrate=tr("rv_from", meeting=meeting),
        ),
        tr("sum_monitoring", part=tr("learning_log")),
        error_key="rv.add",
    ):
        for key in ("rv_facts", "rv_causes", "rv_next"):
            st.session_state[key] = ""
