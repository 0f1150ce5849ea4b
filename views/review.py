"""Review: the design checked against the method's principles, what-if, the levers (KFS), goal seek, and what the data say about the links."""

import streamlit as st

from ui import analysis, data_say
from ui.binding import tabs
from ui.state import require_workshop
from ui.text import tr

loaded = require_workshop()
ws = loaded.workshop

st.title(tr("review_title"))
st.write(tr("review_intro"))


sections = {
    tr("tab_review"): lambda: analysis.design_review(ws, loaded.id, loaded.version),
    tr("tab_whatif"): lambda: analysis.what_if(ws, loaded.id, loaded.version),
    tr("tab_levers"): lambda: analysis.levers(ws, loaded.id, loaded.version),
    tr("tab_goal"): lambda: analysis.goal_seek(ws),
    tr("tab_data_say"): lambda: data_say.what_the_data_say(loaded),
}
tabs(sections, keep=("wi_levers", "gs_lever"))  # the levers chosen survive a look at another tab
