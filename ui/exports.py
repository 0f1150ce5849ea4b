"""Building export files with a progress indicator, cached per workshop version."""

from __future__ import annotations

import streamlit as st

from kpidesign.io import files
from kpidesign.model import Workshop
from ui.session import tr

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
