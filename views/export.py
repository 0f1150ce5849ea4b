"""Export and share: the summary to send, Excel, canonical YAML, dbt MetricFlow, the tree as SVG/PNG, and read-only links."""

import streamlit as st

from kpidesign.io import files
from ui import derived
from ui.cache import snapshot
from ui.sharing import exports
from ui.sharing import links as sharing
from ui.state import require_workshop, store
from ui.text import tr

loaded = require_workshop()
snap = snapshot(loaded)

st.title(tr("export_title"))
st.write(tr("export_intro"))


# the summary a facilitator emails after the session: one page, in the workshop's language, with the room's votes and themes
st.subheader(tr("summary_title"))
st.caption(tr("summary_help"))
exports.offer(snap, ("html",), "dl_summary", with_room=True)

st.subheader(tr("export_files"))
png_problem = derived.png_problem(snap)
unavailable = {"png": "png_too_large" if png_problem == "too_large" else "png_unavailable"} if png_problem else {}
files_ = tuple(f for f in files.FORMATS if f != "html")
exports.offer(snap, files_, "dl", unavailable=unavailable, with_room=True)  # with the room's ideas and votes (Excel, YAML)
st.caption(tr("export_on_click") + " " + tr("export_formats_help"))

st.divider()
sharing.manage(loaded.id)

# the picture for slides as exported; the SVG is drawn by the browser, never decoded on the server
st.divider()
st.subheader(tr("sheet_tree"))
svg = exports.build(snap, "svg", None, False, _store=store())  # the picture has no room in it: not drawn again for each idea sent
if svg:
    st.image(svg.data.decode("utf-8"), width="stretch")
