"""Step 4: the definition sheet (one row per KPI) and red/yellow/green thresholds."""

import streamlit as st

from kpidesign import tree
from kpidesign.edits import SHEET_COLUMNS
from kpidesign.fixes import ONE_KPI
from kpidesign.model import Aggregation, ComparisonAxis, Direction, Frequency
from kpidesign.values import format_value
from ui import connectors as sql_sources
from ui import derived, pages, widgets
from ui.binding import tabs
from ui.cache import snapshot
from ui.keys import DEF_SELECTED
from ui.state import require_workshop
from ui.steps import definitions
from ui.tables import SHEET_WIDTHS, choices, fit_height, node_sheet, show_cell_problems
from ui.text import labeller, looked_up, md, tr

loaded = require_workshop()
ws = loaded.workshop
order = [n for n, _ in tree.walk(ws)]

st.title(tr("definitions_title"))
st.write(tr("definitions_intro"))

definitions.gaps(loaded)  # what the sheet still lacks, one closed line


def order_warnings(only: str | None = None) -> None:
    """The thresholds in the wrong order for their direction (only: one KPI's, beside its fields)."""
    for finding in derived.threshold_findings(snapshot(loaded)):
        if finding.node is None or (only is not None and finding.node != only):
            continue
        node, p = ws.node(finding.node), finding.params
        word = tr("word_below") if p["green"] < p["yellow"] else tr("word_above")
        st.warning(
            tr(
                "threshold_order",
                name=md(node.name),
                direction=tr(p["direction"]),
                green=format_value(p["green"], node.unit),
                yellow=format_value(p["yellow"], node.unit),
                word=word,
            )
        )


def one_kpi() -> None:
    """Every field of one KPI in a large form: definition on the left, values and thresholds on the right."""
    ids, names = derived.kpi_choices(snapshot(loaded))
    if st.session_state.get(DEF_SELECTED) not in ids:
        st.session_state[DEF_SELECTED] = ids[1] if len(ids) > 1 else ids[0]
    marked = {i: names[i] + sql_sources.SQL_MARK if i in with_query else names[i] for i in ids}
    node = ws.node(st.selectbox(tr("kpi"), ids, key=DEF_SELECTED, format_func=looked_up(marked), placeholder=tr("choose")))
    d, th = node.definition, node.thresholds
    left, right = st.columns(2, gap="large")
    with left:
        widgets.text(node, "expression", d.expression)
        a, b = st.columns(2)
        with a:
            widgets.text(node, "numerator", d.numerator)
        with b:
            widgets.text(node, "denominator", d.denominator)
        a, b = st.columns(2)
        with a:
            widgets.text(node, "period", d.period)
        with b:
            widgets.choice(node, "frequency", d.frequency, Frequency)
        widgets.aggregation(node)
        a, b = st.columns(2)
        with a:
            widgets.text(node, "source", d.source)
        with b:
            widgets.text(node, "owner", d.owner)
        widgets.text(node, "why", d.why, tr("purpose"), area=True, height=80)
    with right:
        a, b = st.columns(2)
        with a:
            widgets.number(node, "baseline", node.baseline)
        with b:
            widgets.number(node, "target", node.target)
        widgets.choice(node, "direction", th.direction, Direction, optional=False, radio=True)
        a, b = st.columns(2)
        with a:
            widgets.number(node, "green", th.green)
        with b:
            widgets.number(node, "yellow", th.yellow)
        definitions.read_back(node)
        order_warnings(node.id)  # beside the fields that fix it
        st.caption(tr("definition_hint"))
        widgets.multi(node, "comparisons", d.comparisons, ComparisonAxis, prefix="cmp_")
        with st.expander(tr("sql_source"), expanded=bool(d.query), icon=":material/database:"):
            sql_sources.query_fields(ws, node)


def whole_sheet() -> None:
    """The whole definition sheet as an editable table, one row per KPI (a form: saved with its button)."""
    st.caption(tr("save_sheet_hint"))
    order_warnings()
    frame = derived.definition_sheet(snapshot(loaded))
    w = SHEET_WIDTHS  # fixed, so a save never re-sizes the columns under the next click
    text = {c: st.column_config.TextColumn(tr(c), width=w[c]) for c in SHEET_COLUMNS}
    node_sheet(
        frame,
        [n.id for n in order],
        SHEET_COLUMNS,
        "def_sheet",
        save_button=tr("save_sheet"),
        disabled=["name"],
        height=fit_height(len(order), most=15),  # every row without a scroll bar, up to 15
        column_config={
            **text,
            "name": st.column_config.TextColumn(tr("name"), pinned=True, width=w["name"]),
            "why": st.column_config.TextColumn(tr("purpose"), width=w["why"]),
            "frequency": choices(tr("frequency"), Frequency, w["frequency"]),
            "aggregation": choices(tr("aggregation"), Aggregation, w["aggregation"], prefix="agg_"),  # empty: inferred (the form says what)
            "direction": st.column_config.SelectboxColumn(
                tr("direction"), options=[e.value for e in Direction], format_func=labeller(), required=True, width=w["direction"]
            ),
            "comparisons": st.column_config.MultiselectColumn(
                tr("comparisons"), options=[e.value for e in ComparisonAxis], format_func=labeller("cmp_"), width=w["comparisons"]
            ),
        },
    )
    show_cell_problems("def_sheet", ws)


with_query = sql_sources.query_note(ws)  # the KPIs whose query runs on a refresh, marked in the KPI list too
sections = {ONE_KPI: one_kpi, "whole_sheet": whole_sheet}
tabs(sections, keep=(DEF_SELECTED,))  # the KPI being edited survives a look at the whole sheet

pages.link_to_next_step(pages.DEFINITIONS)
