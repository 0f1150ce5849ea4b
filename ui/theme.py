"""Page-wide styles: graph text drawn at the size the layout was computed for, readable on a projector."""

import streamlit as st

from kpidesign.render import FONT_SIZE

_CSS = f"""
<style>
/* Streamlit draws every graphviz label at a small fixed size; use the size the DOT layout assumed. */
[data-testid="stGraphVizChart"] svg text {{ font-size: {FONT_SIZE}px !important; }}
</style>
"""


def inject() -> None:
    """Add the app's styles to the page."""
    st.html(_CSS)
