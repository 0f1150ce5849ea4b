"""Building export files with a progress indicator, cached per workshop version."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from kpidesign.io import files
from kpidesign.model import Workshop
from ui.session import lang as current_lang, tr

LABELS = {"xlsx": "export_xlsx", "yaml": "export_yaml", "metricflow": "export_metricflow", "svg": "export_svg", "png": "export_png"}
ICONS = {"xlsx": ":material/table_view:", "yaml": ":material/description:", "metricflow": ":material/data_object:", "svg": ":material/image:", "png": ":material/image:"}


@st.cache_data(max_entries=64, show_spinner=False)
def build(workshop_id: str, version: int, actuals: int, fmt: str, lang: str, _ws: Workshop) -> files.Export | None:
    """One export of one version with given actuals (the workshop itself is not hashed: id, version, stamp identify it)."""
    return files.export(_ws, fmt, lang)


def build_all(workshop_id: str, version: int, actuals_rev: int, ws: Workshop, lang: str) -> dict[str, files.Export | None]:
    """Every format, showing progress while files are built; once built, taken from the cache with no progress box."""
    state = (workshop_id, version, actuals_rev, lang)
    built = st.session_state.setdefault("_exports_built", set())
    if state in built:  # cached: the progress box would only cost time (it pauses to animate)
        return {fmt: build(workshop_id, version, actuals_rev, fmt, lang, ws) for fmt in files.FORMATS}
    out: dict[str, files.Export | None] = {}
    with st.status(tr("preparing"), expanded=False) as status:
        bar = st.progress(0.0)
        for i, fmt in enumerate(files.FORMATS, start=1):
            status.update(label=tr("preparing_format", name=tr(LABELS[fmt])))
            out[fmt] = build(workshop_id, version, actuals_rev, fmt, lang, ws)
            bar.progress(i / len(files.FORMATS))
        status.update(label=tr("prepared"), state="complete")
    if len(built) > 64:
        built.clear()
    built.add(state)
    return out


def download_buttons(exports: dict[str, files.Export | None], key: str) -> None:
    """One download button per format; a format that could not be built says why."""
    for column, fmt in zip(st.columns(len(files.FORMATS)), files.FORMATS):
        built = exports.get(fmt)
        if built is None:
            column.caption(tr("png_unavailable"))
            continue
        column.download_button(
            tr(LABELS[fmt]), built.data, file_name=built.filename, mime=built.mime, key=f"{key}_{fmt}",
            icon=ICONS[fmt], on_click="ignore", width="stretch",
        )


def built_on_click(workshop_id: str, version: int, actuals: int, fmt: str, lang: str, ws: Workshop, allowed: Callable[[], bool]) -> Callable[[], bytes]:
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


def offer(workshop_id: str, version: int, actuals: int, ws: Workshop, formats: tuple[str, ...], key: str, allowed: Callable[[], bool]) -> None:
    """Download buttons in a row, each building its file when clicked (see built_on_click)."""
    language = current_lang()
    for column, fmt in zip(st.columns(4), formats):
        column.download_button(
            tr(LABELS[fmt]), built_on_click(workshop_id, version, actuals, fmt, language, ws, allowed), file_name=files.filename_for(ws, files.SUFFIXES[fmt]),
            mime=files.MIMES[fmt], key=f"{key}_{fmt}", on_click="ignore", icon=ICONS[fmt],
        )
