"""Step 3: decompose down to behavioural and perception drivers; tag layer and speed; check the balance."""

import streamlit as st

from kpidesign import tree
from kpidesign.fixes import TAGGING
from kpidesign.model import Layer, Sensitivity
from ui import derived, pages
from ui.binding import is_open, tabs
from ui.cache import snapshot
from ui.state import require_workshop
from ui.steps import tree_editor
from ui.tables import choices, fit_height, node_sheet, show_cell_problems
from ui.text import tr

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
        height=fit_height(len(rows)),  # every row in the grid: the keyboard reaches the last one, nothing scrolls inside
        column_config={  # the names pinned: a sideways scroll never shrinks them, so a click lands on the row it names
            "name": st.column_config.TextColumn(tr("name"), width=TAG_WIDTHS["name"], pinned=True),
            "layer": choices(tr("layer"), Layer, TAG_WIDTHS["layer"]),  # an untagged node's cell blank, not "None"
            "sensitivity": choices(tr("sensitivity"), Sensitivity, TAG_WIDTHS["sensitivity"]),
        },
    )
    show_cell_problems("dec_table", ws)


TAG_WIDTHS = {"name": 230, "layer": 150, "sensitivity": 190}  # px: the three fit the editor's column when the table is open
table_open = is_open(TAGGING)
graph_col, edit_col = tree_editor.columns(wide_editor=table_open)  # side by side: edit without scrolling away from the graph
with graph_col:  # a click on a box opens that node's editor (its tab, if the table was open)
    tree_editor.graph(ws, also=lambda: st.session_state.update(tab=tr("edit_one_node")))
with edit_col:
    # one node's radios, or every node in a table: only the open tab is drawn, so a click on a radio rebuilds no table
    tabs(
        {"edit_one_node": lambda: tree_editor.workbench(ws, tagging=True), TAGGING: tagging_table},
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
