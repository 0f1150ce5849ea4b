"""Export and share: Excel, canonical YAML, dbt MetricFlow, the tree as SVG/PNG, and read-only links."""

import streamlit as st

from kpidesign.io import files
from ui import derived, exports, room, sharing
from ui.cache import snapshot, with_actuals
from ui.state import require_workshop
from ui.text import lang, tr

loaded = require_workshop()
design, actuals_rev = with_actuals(loaded)
ws, actuals_rev = room.attached(design, loaded.id, actuals_rev)  # with the room's ideas and votes (Excel, YAML); the stamp follows both

st.title(tr("export_title"))
st.write(tr("export_intro"))


png_problem = derived.png_problem(snapshot(loaded))
unavailable = {"png": "png_too_large" if png_problem == "too_large" else "png_unavailable"} if png_problem else {}
exports.offer(loaded.id, loaded.version, actuals_rev, ws, files.FORMATS, "dl", unavailable=unavailable)
st.caption(tr("export_on_click") + " " + tr("export_formats_help"))

st.divider()
sharing.manage(loaded.id)

# the picture for slides as exported; the SVG is drawn by the browser, never decoded on the server
st.divider()
st.subheader(tr("sheet_tree"))
svg = exports.build(loaded.id, loaded.version, actuals_rev, "svg", lang(), ws)
if svg:
    st.image(svg.data.decode("utf-8"), width="stretch")
