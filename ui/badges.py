"""Status shown with colour, without emoji (which many machines cannot draw)."""

from __future__ import annotations

import pandas as pd

from kpidesign.status import Status
from ui.session import tr

MARKDOWN = {Status.RED: "red", Status.YELLOW: "orange", Status.GREEN: "green", Status.NONE: "gray"}
CELL = {"red": "#fecaca", "yellow": "#fef08a", "green": "#bbf7d0", "none": "#f3f4f6"}


def badge(status: Status) -> str:
    """Markdown: the status word on its colour."""
    return f":{MARKDOWN[status]}-background[{tr('status_' + status.value)}]"


def label(status: Status) -> str:
    """Plain text for a table cell; colour it with styled()."""
    return tr("status_" + status.value)


def styled(frame: pd.DataFrame, column: str, statuses: list[Status]) -> "pd.io.formats.style.Styler":
    """The table with the status column's cells coloured red / yellow / green / grey."""
    colours = [CELL[s.value] for s in statuses]
    return frame.style.apply(lambda col: [f"background-color: {c}" for c in colours] if col.name == column else [""] * len(col), axis=0)
