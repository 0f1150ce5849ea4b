"""Page-wide styles: graph text drawn at the size the layout was computed for, the review's findings as links, and a
projector mode for the room (every text at least 22 px, read from the back row)."""

import streamlit as st

from kpidesign.render import FONT_SIZE
from ui.keys import PROJECTOR

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
/* The design review: each group of findings a card, each finding a line that opens where it is fixed (a radio group
   whose choice switches page, ui.review.findings._groups): no radio circles, a pointer and an underline on hover. */
[class*="st-key-rv_now_"], [class*="st-key-rv_hint_"] {{
  width: 100% !important; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.6rem 1rem;
}}
[class*="st-key-rv_"] [data-testid="stWidgetLabel"] p {{ font-size: 1.15rem; }}
[class*="st-key-rv_"] [data-testid="stRadioOption"] > div > div:not([data-testid="stMarkdownContainer"]) {{ display: none; }}
[class*="st-key-rv_"] [data-testid="stRadioOption"] {{ cursor: pointer; margin: 0.1rem 0; }}
[class*="st-key-rv_"] [data-testid="stRadioOption"]:hover p {{ text-decoration: underline; }}
[class*="st-key-rv_"] [data-testid="stRadioGroup"], [class*="st-key-rv_"] [data-testid="stRadioGroup"] > div {{
  margin-bottom: 0 !important; padding-bottom: 0 !important; min-height: 0 !important;
}}
[class*="st-key-rv_"] [data-testid="stRadioOption"] {{ margin-bottom: 0 !important; }}
</style>
"""

PROJECTOR_SCALE = 1.375  # Streamlit sizes its text, inputs and spacing in rem: one root size (22 px) scales them together
SIDEBAR_PX = 330  # the sidebar's width in projector mode: "ルーム（参加者）" and "レビュー・what-if" whole
SIDEBAR_TEXT_PX = 18
MIN_TEXT_REM = 1.0  # in projector mode no text is smaller than the root: captions, labels, tabs, metric labels, table cells

_PROJECTOR_CSS = f"""
<style>
/* Projector mode: everything larger, and the whole width of the screen used (the graph grows with the width;
   its text keeps the size its layout was computed for, else labels would overflow their boxes). */
html {{ font-size: {16 * PROJECTOR_SCALE:g}px; }}
[data-testid="stMainBlockContainer"] {{ max-width: 100%; padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; }}
/* Streamlit draws captions, widget labels, tab labels, metric labels, help and table text at 0.875 rem or less: at
   least the body size here, so nothing on the wall is under 22 px. Headings a little smaller than Streamlit's, to
   leave the room for content. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"], [data-testid="stWidgetLabel"] p,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"],
[data-testid="stTab"] p, [data-testid="stExpander"] summary p,
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stTable"] td, [data-testid="stTable"] th,
[data-testid="stPageLink"] p, [data-testid="stRadioOption"] p, [data-testid="stCheckbox"] p,
[data-testid="stAlertContainer"] p,
input, textarea, [data-baseweb="select"] div {{ font-size: max({MIN_TEXT_REM}rem, 1em) !important; }}
/* The sidebar is the facilitator's, not the room's: a little smaller than the main text, so that every page's name is
   whole and Undo and the steps' checklist stay on the first screen at 1920x1080. */
[data-testid="stSidebar"] {{ min-width: {SIDEBAR_PX}px !important; max-width: {SIDEBAR_PX}px !important; }}
[data-testid="stSidebar"] p, [data-testid="stSidebar"] label, [data-testid="stSidebar"] button {{ font-size: {SIDEBAR_TEXT_PX}px !important; }}
[data-testid="stSidebarNav"] span {{ font-size: {SIDEBAR_TEXT_PX}px !important; line-height: 1.3; }}
[data-testid="stSidebarNav"] a {{ min-height: 0 !important; padding-top: 2px !important; padding-bottom: 2px !important; }}
[data-testid="stSidebarNav"] header, [data-testid="stNavSectionHeader"] {{ font-size: {SIDEBAR_TEXT_PX - 2}px !important; margin-top: 0.3rem; }}
[data-testid="stSidebarUserContent"] {{ padding-top: 0.5rem !important; }}
[data-testid="stSidebarHeader"] {{ padding-top: 0.5rem !important; padding-bottom: 0 !important; height: 2.2rem !important; min-height: 0 !important; }}
[data-testid="stSidebarUserContent"] [data-testid="stVerticalBlock"] {{ gap: 0.45rem; }}
[data-testid="stSidebar"] [data-testid="stMarkdownContainer"] p {{ margin-bottom: 0.1rem; }}
[data-testid="stMetricValue"] {{ font-size: 2.2rem; }}
h1 {{ font-size: 2.3rem !important; }}
[data-testid="stMarkdownContainer"] h3 {{ font-size: 1.6rem; }}
[class*="st-key-rv_"] [data-testid="stWidgetLabel"] p {{ font-size: 1.25rem !important; }}
</style>
"""


def projector() -> bool:
    """Whether this session shows the app in projector mode (the sidebar switch, or ?projector=1 in the address)."""
    if PROJECTOR not in st.session_state:
        st.session_state[PROJECTOR] = st.query_params.get("projector") in ("1", "true", "on")
    return bool(st.session_state[PROJECTOR])


def inject() -> None:
    """Add the app's styles to the page (larger in projector mode)."""
    st.html(_CSS + (_PROJECTOR_CSS if projector() else ""))
