"""Export and share: Excel, canonical YAML, dbt MetricFlow, the tree as SVG/PNG, and read-only links."""

import streamlit as st

from ui import exports, sharing
from ui.session import lang, require_workshop, tr, with_actuals

loaded = require_workshop()
ws, actuals_rev = with_actuals(loaded)

st.title(tr("export_title"))
st.write(tr("export_intro"))

files = exports.build_all(loaded.id, loaded.version, actuals_rev, ws, lang())
exports.download_buttons(files, "dl")
st.caption(tr("export_formats_help"))

st.divider()
sharing.manage(loaded.id)

if files.get("svg"):  # the picture for slides as exported; the SVG is drawn by the browser, never decoded on the server
    st.divider()
    st.subheader(tr("sheet_tree"))
    st.image(files["svg"].data.decode("utf-8"), width="stretch")
