"""Step 2: break the KGI into a KPI tree: factors joined by formulas (products and sums)."""

import streamlit as st

from ui import tree_editor
from ui.session import require_workshop, tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("tree_title"))
st.caption(tr("tree_intro"))

graph_col, edit_col = tree_editor.columns()  # side by side on a wide screen: edit without scrolling away from the graph
with graph_col:
    tree_editor.graph(ws)
with edit_col:
    tree_editor.workbench(ws, tagging=False)

st.page_link("views/3_decompose.py", label=tr("next_step", step=tr("nav_decompose")), icon=":material/arrow_forward:")
