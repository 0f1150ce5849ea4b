"""Step 2: break the KGI into a KPI tree: factors joined by formulas (products and sums)."""

import streamlit as st

from ui import tree_editor
from ui.session import require_workshop, tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("tree_title"))
st.write(tr("tree_intro"))

tree_editor.graph(ws, highlight=st.session_state.get("tree_selected"))
tree_editor.workbench(ws, tagging=False)

st.page_link("views/3_decompose.py", label=tr("next_step", step=tr("nav_decompose")), icon=":material/arrow_forward:")
