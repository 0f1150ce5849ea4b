"""Dashboard: the plan running on real numbers: status, charts, alerts, review agendas, data entry."""

import streamlit as st

from kpidesign import monitor
from ui import dashboard
from ui.session import require_workshop, tr, with_actuals

loaded = require_workshop()
ws, _ = with_actuals(loaded)
now = monitor.readings(ws)
idx = monitor.index(ws)

st.title(tr("dashboard_title"))
st.write(tr("dashboard_intro"))
kpis = dashboard.filtered(ws)

overview_tab, charts_tab, alerts_tab, reviews_tab, data_tab = st.tabs(
    [tr("tab_overview"), tr("tab_charts"), tr("tab_alerts"), tr("tab_reviews"), tr("tab_data")]
)
with overview_tab:
    dashboard.overview(ws, now, kpis, idx)
with charts_tab:
    dashboard.charts(ws, now, kpis, idx)
with alerts_tab:
    dashboard.alerts(ws, loaded.id)
with reviews_tab:
    dashboard.reviews(ws, now)
with data_tab:
    dashboard.data_entry(ws, loaded.id)
