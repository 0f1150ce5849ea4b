"""The dashboard's alerts: the rules that fire now, delivery (each alert once), a test message and the delivery log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpidesign import alerting, delivery
from kpidesign.alerting import Delivery
from kpidesign.model import Channel, Workshop
from ui.badges import label, styled
from ui.messages import Kind, flash
from ui.saving import write
from ui.state import settings as configuration
from ui.state import store
from ui.text import labeller, md, tr


def alerts(ws: Workshop, workshop_id: str) -> None:
    """The rules that fire now, delivery (each alert once), a test message, and the delivery log."""
    settings = delivery.Settings.configured(configuration())
    outcomes = alerting.run(store(), workshop_id, settings, ws=ws)
    names = {n.id: n.name for n in ws.nodes}
    if not outcomes:
        st.success(tr("no_alerts_fire"), icon=":material/notifications_off:")
    else:
        frame = pd.DataFrame(
            [
                {
                    tr("col_status"): label(o.firing.status),
                    tr("kpi"): names[o.firing.alert.kpi],
                    tr("when"): tr("level_" + o.firing.level),
                    tr("date"): o.firing.date,
                    tr("channel"): tr(o.firing.alert.channel.value),
                    tr("to"): o.firing.alert.to,
                    tr("action"): o.firing.alert.action,
                    tr("col_delivery"): tr("alert_" + o.state),
                }
                for o in outcomes
            ]
        )
        st.dataframe(styled(frame, tr("col_status"), [o.firing.status for o in outcomes]), hide_index=True, width="stretch")
        st.button(
            tr("alerts_send"),
            type="primary",
            icon=":material/send:",
            on_click=_send,
            args=(workshop_id, settings),
            key="dash_send",
            disabled=not any(o.state is Delivery.LISTED for o in outcomes),
        )
    st.caption(
        tr(
            "delivery_config",
            slack=tr("configured") if settings.slack_webhook else tr("not_configured"),
            smtp=tr("configured") if settings.smtp_host else tr("not_configured"),
        )
    )
    with st.expander(tr("send_test"), icon=":material/science:"):
        channel = st.radio(tr("channel"), [c.value for c in Channel], format_func=labeller(), horizontal=True, key="dash_test_channel")
        to = st.text_input(tr("to"), key="dash_test_to", help=tr("to_help"))
        st.button(tr("send_test"), key="dash_test", on_click=_test, args=(workshop_id, settings, channel, to))
    log = store().alerts.recent(workshop_id)
    if log:
        st.markdown(f"**{tr('delivery_log')}**")
        st.dataframe(pd.DataFrame(log), hide_index=True, width="stretch")


def _send(workshop_id: str, settings: delivery.Settings) -> None:
    ok, done = write(lambda: alerting.run(store(), workshop_id, settings, send=True), workshop_id=workshop_id)
    if not ok or done is None:
        return
    sent, failed = sum(o.state is Delivery.SENT for o in done), [o.detail for o in done if o.state is Delivery.FAILED]
    flash(Kind.ERROR if failed else Kind.INFO, tr("alerts_sent", sent=sent, failed=len(failed)) + (f" ({md(failed[0])})" if failed else ""))


def _test(workshop_id: str, settings: delivery.Settings, channel: str, to: str) -> None:
    try:
        ok, receipt = write(lambda: alerting.send_test(store(), workshop_id, settings, Channel(channel), to), workshop_id=workshop_id)
    except delivery.DeliveryError as e:
        flash(Kind.ERROR, tr("test_failed", detail=md(str(e))))
        return
    if not ok:
        return
    flash(Kind.INFO, tr("test_sent", receipt=md(str(receipt))))
