"""Step 2: break the KGI into a KPI tree: factors joined by formulas (products and sums)."""

import streamlit as st

from ui import library_picker, tree_editor
from ui.session import require_workshop, tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("tree_title"))
st.write(tr("tree_intro"))

tree_editor.graph(ws, highlight=st.session_state.get("tree_selected"))
edit_col, add_col = st.columns([3, 2], gap="large")
with edit_col:
    node = tree_editor.node_picker(ws)
    with st.container(border=True):
        tree_editor.node_editor(ws, node, tagging=False)
with add_col:
    tree_editor.add_form(ws, node)
    library_picker.picker(node)

st.page_link("views/3_decompose.py", label=tr("next_step", step=tr("nav_decompose")), icon=":material/arrow_forward:")
