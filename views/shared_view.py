"""The read-only view a share link opens: tree, definition sheet, thresholds with status, monitoring, downloads."""

import streamlit as st

from ui.access import link_check, shared_workshop
from ui.binding import tabs
from ui.cache import snapshot
from ui.sharing import exports
from ui.sharing import view as shared
from ui.state import store
from ui.text import in_session_language, tr

REFRESH_SECONDS = 5


@st.fragment(run_every=REFRESH_SECONDS)
@in_session_language  # a fragment's rerun reads the language once, as the router does for a page
def live_view() -> None:
    """Everything on the page, reloaded every few seconds so a projector follows the facilitator."""
    workshop_id = shared_workshop()
    if workshop_id is None:
        shared.invalid()
        return
    loaded = store().load(workshop_id)
    snap = snapshot(loaded)  # every part below draws from its redacted copy (ui.derived.shared_copy), as the files do
    shared.header(snap)
    tabs(
        {
            "share_status_tab": lambda: shared.thresholds(snap),  # what is red, first: on a phone too
            "graph": lambda: shared.tree(snap),
            "sheet_definitions": lambda: shared.definitions(snap),
            "sheet_monitoring": lambda: shared.monitoring(snap),
        }
    )
    st.divider()
    # the summary (html) too, built from the same redacted copy: no recipients, addresses or room
    exports.offer(snap, ("xlsx", "yaml", "html"), "share_dl", link_check(workshop_id), shared=True)
    st.caption(tr("share_live", seconds=REFRESH_SECONDS, version=loaded.version, saved=loaded.updated_at.replace("T", " ")[:16]))


live_view()
