"""Review: the design checked against the method's principles, what-if, the levers (KFS) and goal seek."""

import streamlit as st

from ui import analysis
from ui.session import require_workshop, tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("review_title"))
st.write(tr("review_intro"))

review_tab, whatif_tab, levers_tab, goal_tab = st.tabs([tr("tab_review"), tr("tab_whatif"), tr("tab_levers"), tr("tab_goal")])
with review_tab:
    analysis.design_review(ws, loaded.id, loaded.version)
with whatif_tab:
    analysis.what_if(ws)
with levers_tab:
    analysis.levers(ws, loaded.id, loaded.version)
with goal_tab:
    analysis.goal_seek(ws)
