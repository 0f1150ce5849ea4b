"""Export files offered for download: built when a button is clicked, cached per workshop version."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from kpidesign.io import files
from kpidesign.model import Workshop
from ui.text import lang as current_lang
from ui.text import tr

LABELS = {
    "xlsx": "export_xlsx",
    "yaml": "export_yaml",
    "metricflow": "export_metricflow",
    "lightdash": "export_lightdash",
    "svg": "export_svg",
    "png": "export_png",
}
ICONS = {
    "xlsx": ":material/table_view:",
    "yaml": ":material/description:",
    "metricflow": ":material/data_object:",
    "lightdash": ":material/account_tree:",
    "svg": ":material/image:",
    "png": ":material/image:",
}


@st.cache_data(max_entries=64, show_spinner=False)
def build(workshop_id: str, version: int, actuals: int, fmt: str, lang: str, _ws: Workshop) -> files.Export | None:
    """One export of one version with given actuals (the workshop itself is not hashed: id, version, stamp identify it)."""
    return files.export(_ws, fmt, lang)


def built_on_click(
    workshop_id: str, version: int, actuals: int, fmt: str, lang: str, ws: Workshop, allowed: Callable[[], bool]
) -> Callable[[], bytes]:
    """The file's bytes for a download button, built only when the button is clicked (Streamlit runs it in a worker
    thread), not on every rerun: a viewer who never downloads costs nothing, and a new version costs nothing until asked.
    allowed() is asked again at the click: a share link revoked since the page was drawn gets no file."""

    def data() -> bytes:
        if not allowed():
            raise PermissionError("this link no longer opens the workshop")
        built = build(workshop_id, version, actuals, fmt, lang, ws)
        if built is None:
            raise LookupError(f"{fmt} cannot be built on this machine")
        return built.data

    return data


def offer(
    workshop_id: str,
    version: int,
    actuals: int,
    ws: Workshop,
    formats: tuple[str, ...],
    key: str,
    allowed: Callable[[], bool] = lambda: True,
    unavailable: dict[str, str] | None = None,
) -> None:
    """Download buttons in a row, each building its file when clicked (see built_on_click); a format in unavailable
    shows why it cannot be built instead (a message key)."""
    language = current_lang()
    for column, fmt in zip(st.columns(max(len(formats), 4)), formats):
        if unavailable and fmt in unavailable:
            column.caption(tr(unavailable[fmt]))
            continue
        column.download_button(
            tr(LABELS[fmt]),
            built_on_click(workshop_id, version, actuals, fmt, language, ws, allowed),
            file_name=files.filename_for(ws, files.SUFFIXES[fmt]),
            mime=files.MIMES[fmt],
            key=f"{key}_{fmt}",
            on_click="ignore",
            icon=ICONS[fmt],
            width="stretch",
        )
