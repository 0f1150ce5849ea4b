"""Page-wide styles: graph text drawn at the size the layout was computed for, and a projector mode for the room."""

import streamlit as st

from kpidesign.render import FONT_SIZE

_CSS = f"""
<style>
/* Streamlit draws every graphviz label at a small fixed size; use the size the DOT layout assumed. */
[data-testid="stGraphVizChart"] svg text {{ font-size: {FONT_SIZE}px !important; }}
/* drawn at its own size (width="content"), shrunk to fit the column, never stretched; a box can be clicked */
[data-testid="stGraphVizChart"] {{ max-width: 100%; overflow: hidden; }}
[data-testid="stGraphVizChart"] svg {{ max-width: 100%; height: auto; }}
[class*="st-key-graph_"] g.node[id^="kpi-"] {{ cursor: pointer; }}
/* steps 2 and 3: the editor's column stays in view while a tall graph beside it is scrolled (it scrolls on its own
   when taller than the window, short enough to stay whole when the page is scrolled to its end); not on a phone,
   where the columns stack */
@media (min-width: 640px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-graph_tree) > [data-testid="stColumn"]:last-child {{
    position: sticky; top: 3rem; align-self: flex-start; max-height: calc(100vh - 9rem); overflow-y: auto; }}
}}
.kpi-legend {{ display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.9rem; align-items: center; }}
.kpi-legend-item {{ display: inline-flex; align-items: center; gap: 0.35rem; white-space: nowrap; }}
.kpi-swatch {{ display: inline-flex; align-items: center; justify-content: center; width: 1.9em; height: 1.3em;
  border-radius: 0.25em; box-sizing: border-box; font-size: 0.9em; line-height: 1; }}
</style>
"""

PROJECTOR_SCALE = 1.25  # Streamlit sizes its text, inputs and spacing in rem: one root size scales them together

_PROJECTOR_CSS = f"""
<style>
/* Projector mode: everything larger, and the whole width of the screen used (the graph grows with the width;
   its text keeps the size its layout was computed for, else labels would overflow their boxes). */
html {{ font-size: {16 * PROJECTOR_SCALE:g}px; }}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; }}
</style>
"""


def projector() -> bool:
    """Whether this session shows the app in projector mode (the sidebar switch, or ?projector=1 in the address)."""
    if "projector" not in st.session_state:
        st.session_state["projector"] = st.query_params.get("projector") in ("1", "true", "on")
    return bool(st.session_state["projector"])


def inject() -> None:
    """Add the app's styles to the page (larger in projector mode)."""
    st.html(_CSS + (_PROJECTOR_CSS if projector() else ""))
