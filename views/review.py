"""Review: the design checked against the method's principles, what-if, the levers (KFS), goal seek, and what the data say about the links."""

import streamlit as st

from ui.binding import tabs
from ui.cache import snapshot
from ui.keys import GS_LEVER, WI_LEVERS
from ui.review import data_say, whatif
from ui.review import findings as design_review
from ui.state import require_workshop
from ui.text import tr

loaded = require_workshop()
snap = snapshot(loaded)

st.title(tr("review_title"))
st.write(tr("review_intro"))


sections = {
    "tab_review": lambda: design_review.design_review(snap),
    "tab_whatif": lambda: whatif.what_if(snap),
    "tab_levers": lambda: whatif.levers(snap),
    "tab_goal": lambda: whatif.goal_seek(snap),
    "tab_data_say": lambda: data_say.what_the_data_say(loaded),
}
tabs(sections, keep=(WI_LEVERS, GS_LEVER))  # the levers chosen survive a look at another tab
