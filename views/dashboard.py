"""Dashboard: the plan running on real numbers: status and forecasts, why it moved, charts, alerts, review agendas, data entry."""

import streamlit as st

from ui import connectors as sql_sources
from ui import dashboard, derived, why_moved
from ui.binding import tabs
from ui.cache import snapshot, with_actuals
from ui.state import require_workshop
from ui.text import tr

loaded = require_workshop()
ws, actuals_rev = with_actuals(loaded)
snap = snapshot(loaded)
now, idx = derived.readings(snap)

st.title(tr("dashboard_title"))
st.write(tr("dashboard_intro"))
kpis, choice = dashboard.filtered(ws)

state = (loaded.id, loaded.version, actuals_rev)
sections = {
    tr("tab_overview"): lambda: dashboard.overview(ws, snap, now, kpis, idx, choice),
    tr("tab_why"): lambda: why_moved.why_it_moved(snap),
    tr("tab_charts"): lambda: dashboard.charts(ws, state, now, kpis, idx),
    tr("tab_alerts"): lambda: dashboard.alerts(ws, loaded.id),
    tr("tab_reviews"): lambda: dashboard.reviews(ws, now),
    tr("tab_data"): lambda: (sql_sources.refresh_panel(ws, loaded.id), dashboard.data_entry(ws, loaded.id)),
}
tabs(sections, keep=("dash_review", "why_node", "why_period"))  # the meeting and the node explained survive a look at another tab
