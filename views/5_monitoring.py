"""Step 5: review meetings, alert rules and the learning log (observe -> insight -> act -> integrate)."""

import datetime as dt

import pandas as pd
import streamlit as st

from kpidesign import edits, tree
from kpidesign.model import AlertLevel, Cadence, Channel
from ui.binding import tabs
from ui.keys import LOG_DATE, LOG_KPI
from ui.messages import field_error
from ui.saving import commit
from ui.state import require_workshop, version
from ui.steps.monitoring import add_form, record_learning, rhythm_hints, rows_editor
from ui.text import labeller, looked_up, md, tr

loaded = require_workshop()
ws = loaded.workshop
kpi_ids = [n.id for n, _ in tree.walk(ws)]
name_of = {n.id: n.name for n in ws.nodes}

st.title(tr("monitoring_title"))
st.write(tr("monitoring_intro"))


def reviews() -> None:
    """Review meetings: add one, edit or delete them in the table, and hints about the rhythm."""
    add_form(
        "add_review",
        tr("add_review"),
        {
            "name": lambda k: st.text_input(tr("review_name"), key=k, max_chars=120),
            "cadence": lambda k: st.selectbox(
                tr("cadence"), [c.value for c in Cadence], index=1, key=k, format_func=labeller(), placeholder=tr("choose")
            ),
            "kpis": lambda k: st.multiselect(
                tr("kpis"), kpi_ids, key=k, format_func=looked_up(name_of), placeholder=tr("choose"), select_all=False
            ),
            "participants": lambda k: st.text_input(tr("participants"), key=k),
        },
        edits.add_review,
        "reviews",
    )
    rows_editor(
        "mon_reviews",
        edits.review_rows(ws),
        edits.set_reviews,
        "reviews",
        {
            "name": st.column_config.TextColumn(tr("review_name"), required=True, width="medium"),
            "cadence": st.column_config.SelectboxColumn(
                tr("cadence"), options=[c.value for c in Cadence], format_func=labeller(), required=True, default="weekly"
            ),
            "kpis": st.column_config.MultiselectColumn(tr("kpis"), options=kpi_ids, format_func=lambda i: name_of.get(i, i), width="large"),
            "participants": st.column_config.TextColumn(tr("participants"), width="medium"),
        },
    )
    rhythm_hints(ws)


def alerts() -> None:
    """Alert rules: add one, edit or delete them in the table."""
    add_form(
        "add_alert",
        tr("add_alert"),
        {
            "kpi": lambda k: st.selectbox(tr("kpi"), kpi_ids, key=k, format_func=looked_up(name_of), placeholder=tr("choose")),
            "when": lambda k: st.radio(
                tr("when"), [a.value for a in AlertLevel], key=k, format_func=labeller("level_"), horizontal=True, help=tr("when_help")
            ),
            "channel": lambda k: st.radio(tr("channel"), [c.value for c in Channel], key=k, format_func=labeller(), horizontal=True),
            "to": lambda k: st.text_input(tr("to"), key=k, help=tr("to_help")),
            "action": lambda k: st.text_input(tr("action"), key=k),
        },
        edits.add_alert,
        "alerts",
    )
    rows_editor(
        "mon_alerts",
        edits.alert_rows(ws),
        edits.set_alerts,
        "alerts",
        {
            "kpi": st.column_config.SelectboxColumn(
                tr("kpi"), options=kpi_ids, format_func=lambda i: name_of.get(str(i), str(i)), required=True, width="medium"
            ),
            "when": st.column_config.SelectboxColumn(
                tr("when"),
                options=[a.value for a in AlertLevel],
                format_func=labeller("level_"),
                required=True,
                default="red",
                help=tr("when_help"),
            ),
            "channel": st.column_config.SelectboxColumn(
                tr("channel"), options=[c.value for c in Channel], format_func=labeller(), required=True, default="slack"
            ),
            "to": st.column_config.TextColumn(tr("to"), help=tr("to_help")),
            "action": st.column_config.TextColumn(tr("action"), width="large"),
        },
    )


def remove_entry(index: int) -> None:
    """Remove one entry of the learning log."""
    commit(lambda w: edits.remove_learning(w, index), tr("sum_monitoring", part=tr("learning_log")))


def learning_log() -> None:
    """The learning log: a new entry (observe -> insight -> act -> integrate) and the entries so far, newest first."""
    with st.form("log_form", border=True):
        a, b = st.columns(2)
        a.date_input(tr("date"), value=dt.date.today(), key=LOG_DATE, format="YYYY-MM-DD")
        b.selectbox(
            tr("kpi"),
            [None, *kpi_ids],
            key=LOG_KPI,
            format_func=looked_up({None: tr("any_kpi")} | name_of),
            placeholder=tr("choose"),
        )
        for first, second in (("observe", "insight"), ("act", "integrate")):  # a row each: Tab goes O -> I -> A -> I
            a, b = st.columns(2)
            a.text_area(tr(first), key=f"log_{first}", height=80)
            b.text_area(tr(second), key=f"log_{second}", height=80)
        st.form_submit_button(tr("add_entry"), type="primary", on_click=record_learning, icon=":material/add:")
    field_error("log.add")

    log = ws.monitoring.learning_log
    if not log:
        st.caption(tr("no_entries"))
    for i, entry in reversed(list(enumerate(log))):
        with st.container(border=True):
            head, button = st.columns([6, 1])
            head.markdown(f"**{entry.date}** {md(name_of.get(entry.kpi, ''))}")
            button.button(
                tr("remove"),
                key=f"log_rm_{i}_{version()}",
                on_click=remove_entry,
                args=(i,),
            )
            st.dataframe(
                pd.DataFrame({tr(k): [getattr(entry, k)] for k in ("observe", "insight", "act", "integrate")}),
                hide_index=True,
                width="stretch",
            )


sections = {"reviews": reviews, "alerts": alerts, "learning_log": learning_log}
tabs(sections)
