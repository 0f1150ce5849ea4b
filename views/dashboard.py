"""Dashboard: the plan running on real numbers: status, charts, alerts, review agendas, data entry."""

import streamlit as st

from ui import connectors as sql_sources
from ui import dashboard
from ui.session import require_workshop, tabs, tr, with_actuals

loaded = require_workshop()
ws, actuals_rev = with_actuals(loaded)
now, idx = dashboard.readings(loaded.id, loaded.version, actuals_rev, ws)

st.title(tr("dashboard_title"))
st.write(tr("dashboard_intro"))
kpis, choice = dashboard.filtered(ws)

sections = {
    tr("tab_overview"): lambda: dashboard.overview(ws, (loaded.id, loaded.version, actuals_rev), now, kpis, idx, choice),
    tr("tab_charts"): lambda: dashboard.charts(ws, now, kpis, idx),
    tr("tab_alerts"): lambda: dashboard.alerts(ws, loaded.id),
    tr("tab_reviews"): lambda: dashboard.reviews(ws, now),
    tr("tab_data"): lambda: (sql_sources.refresh_panel(ws, loaded.id), dashboard.data_entry(ws, loaded.id)),
}
tabs(sections, keep=("dash_review",))  # the meeting chosen survives a look at another tab
