"""The dashboard's data entry: one value at a time, or a CSV/Excel table or grid of actuals."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kpidesign import actuals
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from kpidesign.values import format_value
from ui.messages import Kind, clear, flash, refuse, show_refusal
from ui.saving import write
from ui.state import store
from ui.text import lang, looked_up, md, tr


def data_entry(ws: Workshop, workshop_id: str) -> None:
    """Enter one observed value, or upload a CSV/Excel file (kpi, date, value[, market]); bad rows are listed."""
    ids = [n.id for n in ws.nodes]
    names = {n.id: n.name for n in ws.nodes}
    units = {n.id: n.unit for n in ws.nodes}
    with st.form("dash_actual", border=True):
        a, b, c, d = st.columns([3, 2, 2, 2])
        a.selectbox(tr("kpi"), ids, format_func=looked_up(names), key="act_kpi", placeholder=tr("choose"))
        b.date_input(tr("date"), value=dt.date.today(), key="act_date", format="YYYY-MM-DD")
        c.text_input(tr("value"), key="act_value", help=tr("number_help"))
        d.text_input(tr("market_value"), key="act_market")
        st.form_submit_button(tr("add_actual"), type="primary", on_click=_add_one, args=(ws, workshop_id))
    st.file_uploader(
        tr("upload_actuals"),
        type=["csv", "xlsx"],
        key="act_upload",
        help=tr("upload_actuals_help"),
        on_change=_upload,
        args=(ws, workshop_id),
    )  # read as soon as the upload arrives
    show_refusal(ROWS)
    recent = sorted(ws.actuals, key=lambda x: x.date, reverse=True)[:100]
    if recent:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        tr("date"): x.date,
                        tr("kpi"): names.get(x.kpi, x.kpi),
                        tr("value"): format_value(x.value, units.get(x.kpi, "")),  # 11%, not 0.11
                        tr("market_value"): format_value(x.market, units.get(x.kpi, "")),
                    }
                    for x in recent
                ]
            ),
            hide_index=True,
            width="stretch",
        )


ROWS = "act_rows"  # where the rows refused by the last entry or upload are kept (ui.messages)


def _refused_rows(problems: list[str]) -> None:
    """Keep the rows refused (none: clear the last list) to show above the entries; they quote the file."""
    if not problems:
        clear(ROWS)
        return
    refuse(ROWS, tr("rows_refused", count=len(problems)) + "\n" + "\n".join(f"- {md(p)}" for p in problems[:50]))


def _add_one(ws: Workshop, workshop_id: str) -> None:
    get = st.session_state.get
    good, bad = actuals.parse_rows(
        ws, [{"kpi": get("act_kpi"), "date": get("act_date"), "value": get("act_value"), "market": get("act_market")}]
    )
    if bad:
        _refused_rows([problem_text(b.problem, lang()) for b in bad])
        return
    ok, _ = write(lambda: store().actuals.add(workshop_id, good), workshop_id=workshop_id)
    if not ok:
        return
    clear(ROWS)
    st.session_state["act_value"] = st.session_state["act_market"] = ""
    flash(Kind.SAVED, tr("actuals_added", count=1))


def _upload(ws: Workshop, workshop_id: str) -> None:
    upload = st.session_state.get("act_upload")
    if upload is None:
        return
    rows, problem = actuals.read_table(upload.name, upload.getvalue())
    if problem:
        _refused_rows([problem_text(problem, lang())])
        return
    good, bad = actuals.parse_rows(ws, rows)
    if good and not write(lambda: store().actuals.add(workshop_id, good), workshop_id=workshop_id)[0]:
        return  # nothing was added: the message says why, and the rows can be sent again
    _refused_rows([f"{tr('row')} {b.row}{f' ({b.column})' if b.column else ''}: {problem_text(b.problem, lang())}" for b in bad])
    flash(Kind.SAVED, tr("actuals_added", count=len(good)))
