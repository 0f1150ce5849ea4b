"""Export files offered for download: built when a button is clicked, once per snapshot and room revision."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from kpidesign.io import files
from kpidesign.redact import for_share
from kpidesign.store import Store
from ui.cache import Snapshot, cached, workshop, workshop_with_actuals
from ui.state import store
from ui.text import tr

LABELS = {
    "xlsx": "export_xlsx",
    "yaml": "export_yaml",
    "metricflow": "export_metricflow",
    "dbt": "export_dbt",
    "lightdash": "export_lightdash",
    "svg": "export_svg",
    "png": "export_png",
    "html": "export_html",
}
ICONS = {
    "xlsx": ":material/table_view:",
    "yaml": ":material/description:",
    "metricflow": ":material/data_object:",
    "dbt": ":material/folder_zip:",
    "lightdash": ":material/account_tree:",
    "svg": ":material/image:",
    "png": ":material/image:",
    "html": ":material/summarize:",
}


@cached(max_entries=64)
def build(snap: Snapshot, fmt: str, room: int | None, shared: bool, *, _store: Store) -> files.Export | None:
    """One export of a snapshot; with room (the room's revision) its ideas and votes too, for the facilitator's own
    export only (read through _store: a download is built in a worker thread, where the session's connection cannot be
    reached). shared: a share link's file, made from the copy its screen shows (kpidesign.redact.for_share: no
    recipients, queries, connections, addresses or room). The summary (html) is written in the workshop's own language,
    the room's, whatever the screen's; the other files in the screen's."""
    ws = workshop_with_actuals(snap, _store)
    lang = ws.language if fmt == "html" else snap.language
    if shared:
        return files.export(for_share(ws), fmt, lang)
    if room is not None:
        ws = _store.with_room(ws, snap.workshop)
    return files.export(ws, fmt, lang)


def built_on_click(snap: Snapshot, fmt: str, room: int | None, allowed: Callable[[], bool], shared: bool = False) -> Callable[[], bytes]:
    """The file's bytes for a download button, built only when the button is clicked (Streamlit runs it in a worker
    thread), not on every rerun: a viewer who never downloads costs nothing, and a new version costs nothing until asked.
    allowed() is asked again at the click: a share link revoked since the page was drawn gets no file."""
    connection = store()

    def data() -> bytes:
        if not allowed():
            raise PermissionError("this link no longer opens the workshop")
        built = build(snap, fmt, room, shared, _store=connection)
        if built is None:
            raise LookupError(f"{fmt} cannot be built on this machine")
        return built.data

    return data


def offer(
    snap: Snapshot,
    formats: tuple[str, ...],
    key: str,
    allowed: Callable[[], bool] = lambda: True,
    unavailable: dict[str, str] | None = None,
    with_room: bool = False,
    shared: bool = False,
) -> None:
    """Download buttons in a row, each building its file when clicked (see built_on_click); a format in unavailable
    shows why it cannot be built instead (a message key); with_room: the room's ideas and votes in the files too;
    shared: a share link's files (see build)."""
    room, ws = store().rooms.rev(snap.workshop) if with_room else None, workshop(snap)
    for column, fmt in zip(st.columns(max(len(formats), 4)), formats):
        if unavailable and fmt in unavailable:
            column.caption(tr(unavailable[fmt]))
            continue
        column.download_button(
            tr(LABELS[fmt]),
            built_on_click(snap, fmt, None if shared else room, allowed, shared),
            file_name=files.filename_for(ws, files.SUFFIXES[fmt]),
            mime=files.MIMES[fmt],
            key=f"{key}_{fmt}",
            on_click="ignore",
            icon=ICONS[fmt],
            width="stretch",
        )
