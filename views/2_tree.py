"""Step 2: break the KGI into a KPI tree: factors joined by formulas (products and sums)."""

import streamlit as st

from ui import pages
from ui.state import require_workshop
from ui.steps import tree_editor
from ui.text import tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("tree_title"))
st.caption(tr("tree_intro"))

graph_col, edit_col = tree_editor.columns()  # side by side on a wide screen: edit without scrolling away from the graph
with graph_col:
    tree_editor.graph(ws)
with edit_col:
    tree_editor.workbench(ws, tagging=False)

pages.link_to_next_step(pages.TREE)
