"""Status shown with colour, without emoji (which many machines cannot draw)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from kpidesign.status import Status
from ui.text import tr

# a status, or a status word of kpidesign.status.status_word ('no_data': thresholds set, no value yet)
MARKDOWN = {"red": "red", "yellow": "orange", "green": "green", "none": "gray", "no_data": "gray"}
CELL = {"red": "#fecaca", "yellow": "#fef08a", "green": "#bbf7d0", "none": "#f3f4f6", "no_data": "#f3f4f6"}
WORDS = ("red", "yellow", "green", "none", "no_data")


def badge(status: Status | str) -> str:
    """Markdown: the status word on its colour."""
    return f":{MARKDOWN[str(status)]}-background[{tr('status_' + str(status))}]"


def label(status: Status | str) -> str:
    """Plain text for a table cell; colour it with styled()."""
    return tr("status_" + str(status))


def styled(frame: pd.DataFrame, column: str, statuses: Sequence[str]) -> pd.io.formats.style.Styler:
    """The table with the status column's cells coloured red / yellow / green / grey."""
    colours = [CELL[str(s)] for s in statuses]
    return frame.style.apply(lambda col: [f"background-color: {c}" for c in colours] if col.name == column else [""] * len(col), axis=0)


def status_column(title: str) -> Any:
    """The column that shows each status cell (a list of its one label) as the label on its colour, drawn by the browser: no per-cell styling on
    the server (styled() on a share link's 500 KPIs took ~0.2 s of every viewer's 5-second refresh)."""
    return st.column_config.MultiselectColumn(title, options=[label(w) for w in WORDS], color=[CELL[w] for w in WORDS])
