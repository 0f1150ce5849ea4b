"""Dashboard: the plan running on real numbers: status and forecasts, why it moved, charts, alerts, review agendas, data entry."""

import streamlit as st

from ui import connectors as sql_sources
from ui import derived
from ui.binding import tabs
from ui.cache import snapshot, workshop_with_actuals
from ui.dashboard import alerts, data_entry, meetings, trends, why_moved
from ui.dashboard import overview as dashboard
from ui.keys import DASH_REVIEW, WHY_NODE, WHY_PERIOD
from ui.state import require_workshop
from ui.text import tr

loaded = require_workshop()
snap = snapshot(loaded)
ws = workshop_with_actuals(snap)

st.title(tr("dashboard_title"))
st.write(tr("dashboard_intro"))
kpis, choice = dashboard.filtered(ws)


def data_tab() -> None:
    """Pull actuals from the SQL sources, or type them in."""
    sql_sources.refresh_panel(ws, loaded.id)
    data_entry.data_entry(ws, loaded.id)


sections = {
    "tab_overview": lambda: dashboard.overview(snap, kpis, choice),
    "tab_why": lambda: why_moved.why_it_moved(snap),
    "tab_charts": lambda: trends.charts(snap, kpis),
    "tab_alerts": lambda: alerts.alerts(ws, loaded.id),
    "tab_reviews": lambda: meetings.reviews(ws, derived.readings(snap)[0]),
    "tab_data": data_tab,
}
tabs(sections, keep=(DASH_REVIEW, WHY_NODE, WHY_PERIOD))  # the meeting and the node explained survive a look at another tab
