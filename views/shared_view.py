"""The read-only view a share link opens: tree, definition sheet, thresholds with status, monitoring, downloads."""

import streamlit as st

from ui import exports, shared
from ui.access import shared_workshop
from ui.session import lang, store, tr, with_actuals

REFRESH_SECONDS = 5


@st.fragment(run_every=REFRESH_SECONDS)
def live_view() -> None:
    """Everything on the page, reloaded every few seconds so a projector follows the facilitator."""
    workshop_id = shared_workshop()
    if workshop_id is None:
        shared.invalid()
        return
    loaded = store().load(workshop_id)
    ws, actuals_rev = with_actuals(loaded)
    shared.header(loaded)
    tree_tab, sheet_tab, status_tab, monitoring_tab = st.tabs([tr("graph"), tr("sheet_definitions"), tr("sheet_thresholds"), tr("sheet_monitoring")])
    with tree_tab:
        shared.tree(ws, (loaded.id, loaded.version))
    with sheet_tab:
        shared.definitions(ws)
    with status_tab:
        shared.thresholds(ws)
    with monitoring_tab:
        shared.monitoring(ws)
    st.divider()
    built = {fmt: exports.build(loaded.id, loaded.version, actuals_rev, fmt, lang(), ws) for fmt in ("xlsx", "yaml")}
    for column, fmt in zip(st.columns(4), ("xlsx", "yaml")):
        column.download_button(tr(exports.LABELS[fmt]), built[fmt].data, file_name=built[fmt].filename, mime=built[fmt].mime, key=f"share_dl_{fmt}", on_click="ignore", icon=exports.ICONS[fmt])
    st.caption(tr("share_live", seconds=REFRESH_SECONDS, version=loaded.version, saved=loaded.updated_at.replace("T", " ")[:16]))


live_view()
