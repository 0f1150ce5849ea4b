"""History: every saved version of the open workshop; preview one and restore it."""

import pandas as pd
import streamlit as st

from ui import graphs
from ui.cache import old_version, snapshot
from ui.keys import WS_VERSION
from ui.messages import Kind, flash
from ui.saving import write
from ui.state import require_workshop, store
from ui.text import md, tr

loaded = require_workshop()

st.title(tr("history_title"))
st.write(tr("history_intro"))

versions = store().history(loaded.id)
st.dataframe(
    pd.DataFrame(
        {
            tr("version"): [v.version for v in versions],
            tr("saved_at"): [v.saved_at.replace("T", " ")[:19] for v in versions],
            tr("change"): [v.summary for v in versions],
        }
    ),
    hide_index=True,
    width="stretch",
    height=min(35 * (len(versions) + 1) + 3, 420),
)

numbers = [v.version for v in versions]
chosen = st.selectbox(
    tr("version"), numbers, index=min(1, len(numbers) - 1), key="hist_version", format_func=lambda n: f"v{n}", placeholder=tr("choose")
)


def restore(version: int) -> None:
    """Make the chosen version current again (as a new version)."""
    shown = st.session_state[WS_VERSION]
    ok, new = write(lambda: store().restore(loaded.id, version, expected_version=shown), workshop_id=loaded.id, seen=shown)
    if not ok:
        return
    st.session_state[WS_VERSION] = new
    flash(Kind.INFO, tr("restored", version=version))


st.button(tr("restore"), type="primary", icon=":material/restore:", on_click=restore, args=(chosen,), disabled=chosen == loaded.version)
with st.expander(tr("preview"), expanded=True):
    old = old_version(loaded.id, chosen)
    st.markdown(f"**{md(old.title)}** — {len(old.nodes)} {tr('node')}")
    then = snapshot(loaded)._replace(version=chosen)
    graphs.tree(then, depth=graphs.levels(then, key="hist_levels"))
