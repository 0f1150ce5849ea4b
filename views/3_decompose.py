"""Step 3: decompose down to behavioural and perception drivers; tag layer and speed; check the balance."""

import streamlit as st

from kpidesign import tree
from kpidesign.model import Layer, Sensitivity
from ui import derived, pages, tree_editor
from ui.binding import tabs
from ui.cache import snapshot
from ui.state import require_workshop
from ui.tables import node_sheet, show_cell_problems
from ui.text import labeller, tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("decompose_title"))
st.caption(tr("decompose_intro"))


def tagging_table() -> None:
    """Every node's layer and speed in one editable table."""
    rows = [(n, d) for n, d in tree.walk(ws) if n.parent is not None]
    frame = derived.tagging_frame(snapshot(loaded))
    node_sheet(
        frame,
        [n.id for n, _ in rows],
        ("layer", "sensitivity"),
        "dec_table",
        summary="sum_tags",
        disabled=["name"],
        column_config={
            "name": st.column_config.TextColumn(tr("name"), width="large"),
            "layer": st.column_config.SelectboxColumn(tr("layer"), options=[e.value for e in Layer], format_func=labeller()),
            "sensitivity": st.column_config.SelectboxColumn(
                tr("sensitivity"), options=[e.value for e in Sensitivity], format_func=labeller()
            ),
        },
    )
    show_cell_problems("dec_table", ws)


graph_col, edit_col = tree_editor.columns()  # side by side on a wide screen: edit without scrolling away from the graph
with graph_col:  # a click on a box opens that node's editor (its tab, if the table was open)
    tree_editor.graph(ws, also=lambda: st.session_state.update(tab=tr("edit_one_node")))
with edit_col:
    # one node's radios, or every node in a table: only the open tab is drawn, so a click on a radio rebuilds no table
    tabs(
        {tr("edit_one_node"): lambda: tree_editor.workbench(ws, tagging=True), tr("tagging_table"): tagging_table},
        keep=(tree_editor.SELECTED,),
    )

st.subheader(tr("balance"))
counts = derived.balance(snapshot(loaded))
for column, (key, value) in zip(st.columns(6), [*counts.layers.items(), *counts.speeds.items()]):
    column.metric(tr("untagged" if key == "untagged" else key), value)
if counts.missing_layers:
    st.warning(tr("need_each_layer", layers=", ".join(tr(layer) for layer in counts.missing_layers)))
if counts.one_speed_only:
    st.warning(tr("need_both_speeds"))

pages.link_to_next_step(pages.DECOMPOSE)
