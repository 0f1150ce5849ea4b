"""SQL sources on screen: a KPI's query and connection with a "test query" button (step 4), and the dashboard's
"refresh from sources" with a progress bar and a line per KPI."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpidesign import connectors
from kpidesign.i18n import problem_text
from kpidesign.model import Node, Workshop
from kpidesign.values import format_value
from ui import widgets
from ui.saving import write
from ui.state import settings, store
from ui.text import lang, md, say, tr

SQL_MARK = " · SQL"  # after the name of a KPI that carries a query, wherever step 4 lists KPIs


def query_note(ws: Workshop) -> set[str]:
    """Say which KPIs carry an SQL query (a caption; nothing when none does); their ids, for marking them in a list."""
    carrying = connectors.kpis_with_queries(ws)
    if carrying:
        st.caption(":material/database: " + say("kpis_with_queries", count=len(carrying), names=", ".join(n.name[:40] for n in carrying)))
    return {n.id for n in carrying}


def import_note(ws: Workshop) -> str | None:
    """What to say when a workshop imported from a file carries SQL queries (they run only when an editor refreshes)."""
    count = len(connectors.kpis_with_queries(ws))
    if not count:
        return None
    return tr("imported_query_one") if count == 1 else tr("imported_queries", count=count)


def query_fields(ws: Workshop, node: Node) -> None:
    """The query and its connection's name, saved as they are left, and a button that runs the query and shows its first rows."""
    d = node.definition
    widgets.text(
        node, "query", d.query, area=True, height=110, help=tr("query_help"), placeholder="select day as date, amount as value from …"
    )
    a, b = st.columns([3, 2], vertical_alignment="bottom")
    with a:
        widgets.text(node, "connection", d.connection, help=tr("connection_help"))
    if b.button(
        tr("test_query"),
        key=f"test_query_{node.id}",
        icon=":material/play_arrow:",
        disabled=not (d.query.strip() and d.connection.strip()),
        width="stretch",
    ):
        with st.spinner(tr("query_running")):
            try:
                rows = connectors.preview(ws, node.id, settings())
            except connectors.QueryError as e:
                st.error(md(problem_text(e.problem, lang())))  # it may quote the database's error
                return
        if rows:
            st.dataframe(_preview_frame(rows, node), hide_index=True, width="stretch")
            st.caption(tr("query_preview", count=len(rows)))
        else:
            st.info(tr("query_no_rows"))


def _preview_frame(rows: list[dict[str, Any]], node: Node) -> pd.DataFrame:
    """The rows as the database returned them, the value also as the KPI shows it (2.5% for a rate), market only when given."""
    frame = pd.DataFrame(rows)
    frame.insert(2, tr("value_shown"), [format_value(v, node.unit) if isinstance(v, (int, float)) else "" for v in frame["value"]])
    return frame if frame["market"].notna().any() else frame.drop(columns=["market"])


def refresh_panel(ws: Workshop, workshop_id: str) -> None:
    """Run every KPI's query now, with a progress bar, and store what came back (one new revision of the actuals)."""
    queried = connectors.kpis_with_queries(ws)
    st.subheader(tr("refresh_title"))
    if not queried:
        st.caption(tr("refresh_none"))
        return
    st.caption(tr("refresh_help", count=len(queried)))
    if st.button(tr("refresh_button"), key="refresh_sources", type="primary", icon=":material/sync:"):
        _refresh(ws, workshop_id, len(queried))
    if report := st.session_state.get(f"refresh_report_{workshop_id}"):  # a report belongs to its workshop
        failed, loaded, lines = report
        (st.warning if failed else st.success)(tr("refresh_done", loaded=loaded, kpis=len(lines) - failed, failed=failed))
        st.dataframe(pd.DataFrame(lines), hide_index=True, width="stretch")


def _result(outcome: connectors.Outcome) -> str:
    """What happened to one KPI's query, in words: why it failed, or that it ran (and the first refused row's reason)."""
    if outcome.problem is not None:
        return problem_text(outcome.problem, lang())
    if outcome.refused:
        first = outcome.refused[0]
        return f"{tr('query_ok')} · {tr('row')} {first.row}: {problem_text(first.problem, lang())}"
    return tr("query_ok")


def _refresh(ws: Workshop, workshop_id: str, total: int) -> None:
    """Run the queries under a progress bar; keep the report for the rerun that shows the new actuals."""
    bar = st.progress(0.0, text=tr("query_running"))
    lines, kept, failed = [], [], 0
    for i, outcome in enumerate(connectors.refresh(ws, settings()), start=1):
        name = ws.node(outcome.kpi).name
        bar.progress(i / total, text=f"{i} / {total} · {md(name[:40])}")
        kept += outcome.actuals
        failed += outcome.problem is not None
        lines.append(
            {
                tr("kpi"): name,
                tr("connection"): outcome.connection,
                tr("rows_loaded"): len(outcome.actuals),
                tr("rows_refused_short"): len(outcome.refused),
                tr("result"): _result(outcome),
            }
        )
    bar.empty()
    if kept and not write(lambda: store().actuals.add(workshop_id, kept), workshop_id=workshop_id)[0]:
        return  # nothing stored: the message says why, and no report claims rows were loaded
    st.session_state[f"refresh_report_{workshop_id}"] = (failed, len(kept), lines)
    if kept:
        st.rerun()  # every view of the dashboard on the new actuals
