"""Monitoring widgets: editable lists of reviews and alerts, and hints about the review rhythm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from kpidesign import edits
from kpidesign.i18n import problem_text
from kpidesign.model import Cadence, Sensitivity, Workshop
from ui.keys import LOG_DATE, LOG_KPI
from ui.messages import field_error
from ui.saving import commit
from ui.state import version
from ui.text import lang, md, say, tr


def rows_editor(prefix: str, rows: list[dict[str, Any]], apply: Callable[..., Any], part: str, column_config: dict[str, Any]) -> None:
    """A dynamic table (add, edit, delete rows); a refused row keeps the list as it was and says why."""
    key = f"{prefix}_{version()}"
    frame = pd.DataFrame(rows, columns=list(column_config))
    st.data_editor(
        frame,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=column_config,
        on_change=_save,
        args=(key, apply, part, prefix, len(rows)),
    )
    for index, message, new in st.session_state.get(f"{prefix}_problems") or []:  # a new row had no previous value to keep
        st.error(f"#{index + 1}: {md(message)} {tr('not_added' if new else 'kept_previous')}", icon=":material/error:")


def _save(key: str, apply: Callable[..., Any], part: str, prefix: str, count: int) -> None:
    delta = st.session_state[key]
    problems: list[tuple[int, str, bool]] = []
    kept = count - len(delta.get("deleted_rows") or [])  # rows from kept on are the ones added in this edit

    def change(ws: Workshop) -> Workshop:
        new: Workshop
        new, found = apply(ws, delta)
        problems.extend((i, problem_text(p, lang()), i >= kept) for i, p in found)
        return new

    commit(change, tr("sum_monitoring", part=tr(part)))
    st.session_state[f"{prefix}_problems"] = problems


def add_form(prefix: str, title: str, fields: dict[str, Callable[[str], Any]], apply: Callable[..., Any], part: str) -> None:
    """A form that adds one row (meeting or alert) from ordinary widgets; fields map a name to a widget maker."""
    form = st.expander(title, icon=":material/add:", key=f"{prefix}_open", on_change="rerun")
    if not form.open:  # drawn only when opened (its KPI list may have hundreds of options)
        return
    with form:
        with st.form(f"{prefix}_form", border=False):
            for name, make in fields.items():
                make(f"{prefix}_{name}")
            st.form_submit_button(title, type="primary", on_click=_add, args=(prefix, list(fields), apply, part))
        field_error(f"{prefix}.add", kept="not_added")


def _add(prefix: str, names: list[str], apply: Callable[..., Any], part: str) -> None:
    row = {name: st.session_state.get(f"{prefix}_{name}") for name in names}
    if commit(lambda ws: apply(ws, row), tr("sum_monitoring", part=tr(part)), error_key=f"{prefix}.add"):
        for name in names:  # the form is empty again for the next one (texts and lists; a choice such as the cadence stays)
            if isinstance(row[name], str):
                st.session_state[f"{prefix}_{name}"] = ""
            elif isinstance(row[name], list):
                st.session_state[f"{prefix}_{name}"] = []


def rhythm_hints(ws: Workshop) -> None:
    """Which KPIs move fast or slow, and which no meeting looks at."""
    kpis = [n for n in ws.nodes if n.parent is not None]
    fast = [n.name for n in kpis if n.sensitivity is Sensitivity.HIGH]
    slow = [n.name for n in kpis if n.sensitivity is Sensitivity.LOW]
    if fast or slow:
        st.caption(say("rhythm_hint", fast=", ".join(fast)[:300] or "—", slow=", ".join(slow)[:300] or "—"))
    reviewed = {k for r in ws.monitoring.reviews for k in r.kpis}
    unseen = [n.name for n in ws.nodes if n.id not in reviewed]
    if ws.monitoring.reviews and unseen:
        st.info(say("kpi_not_reviewed", names=", ".join(unseen)[:400]))
    fast_quarterly = [
        r.name
        for r in ws.monitoring.reviews
        if r.cadence is Cadence.QUARTERLY and any(k in {n.id for n in kpis if n.sensitivity is Sensitivity.HIGH} for k in r.kpis)
    ]
    if fast_quarterly:
        st.info(say("fast_in_slow_review", meetings=", ".join(fast_quarterly)))


def record_learning() -> None:
    """Add the learning-log entry of step 5's form (its fields' keys log_*), then empty its four texts for the next."""
    get = st.session_state.get
    if commit(
        lambda w: edits.add_learning(
            w,
            date=get(LOG_DATE),
            kpi=get(LOG_KPI),
            observe=get("log_observe"),
            insight=get("log_insight"),
            act=get("log_act"),
            integrate=get("log_integrate"),
        ),
        tr("sum_monitoring", part=tr("learning_log")),
        error_key="log.add",
    ):
        for part in ("observe", "insight", "act", "integrate"):
            st.session_state[f"log_{part}"] = ""
