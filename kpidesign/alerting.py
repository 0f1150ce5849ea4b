"""Evaluate a workshop's alert rules on its latest readings and deliver each new one once.

Once across every process: the app's processes behind nginx and the `alerts` cron job may run at the same moment, so
each alert is sent under a lease (store.leases, in the database): the process that claims it checks the log again,
sends, logs, and gives it back; another process finds it held and leaves that alert to it (SENDING). A process that
dies while sending holds the lease LEASE_SECONDS at most; then the alert, never logged as sent, may be sent again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from kpidesign import delivery
from kpidesign.i18n import t
from kpidesign.model import Channel, Workshop
from kpidesign.monitor import Firing, firing
from kpidesign.store import Store
from kpidesign.store.alerts import AlertKey
from kpidesign.store.tokens import new_id

LEASE_SECONDS = 120.0  # longer than a delivery can take (each network step of a send times out after 10 s)


class Delivery(StrEnum):
    """What became of one firing alert."""

    LISTED = "listed"  # a dry run: shown, not sent
    ALREADY_SENT = "already_sent"
    SENT = "sent"
    FAILED = "failed"
    SENDING = "sending"  # another process holds its lease: sending it now


@dataclass(frozen=True)
class Outcome:
    """What happened to one firing alert: skipped as already sent, sent, failed, or only listed (dry run)."""

    firing: Firing
    state: Delivery
    detail: str = ""


def run(store: Store, workshop_id: str, settings: delivery.Settings, *, send: bool = False, ws: Workshop | None = None) -> list[Outcome]:
    """The alerts that fire now (on ws if given, else as stored); with send, deliver new ones and log every attempt (an
    alert that fails, for any reason, is logged as failed and the run goes on)."""
    ws = ws or store.actuals.attach(store.load(workshop_id).workshop, workshop_id)
    out = []
    for f in firing(ws):
        if store.alerts.sent(workshop_id, f.key):
            out.append(Outcome(f, Delivery.ALREADY_SENT))
        elif not send:
            out.append(Outcome(f, Delivery.LISTED))
        else:
            out.append(_deliver_once(store, workshop_id, ws, f, settings))
    return out


def lease_name(workshop_id: str, key: AlertKey) -> str:
    """The lease one alert is sent under (the same name in every process)."""
    return "alert:" + json.dumps([workshop_id, *key], ensure_ascii=False)


def _deliver_once(store: Store, workshop_id: str, ws: Workshop, f: Firing, settings: delivery.Settings) -> Outcome:
    """Send one alert under its lease, unless another process holds it or has sent it since the log was read."""
    name, holder = lease_name(workshop_id, f.key), new_id(12)
    if not store.leases.claim(name, holder, LEASE_SECONDS):
        return Outcome(f, Delivery.SENDING)
    try:
        if store.alerts.sent(workshop_id, f.key):  # sent by another process between the first look and the claim
            return Outcome(f, Delivery.ALREADY_SENT)
        try:
            subject, body = delivery.message(ws, f)
            receipt = delivery.send(settings, f.alert.channel, f.alert.to, subject, body)
        except Exception as e:  # noqa: BLE001 (whatever goes wrong with one alert is its failure: the others are still sent)
            detail = failure(e)
            store.alerts.log(workshop_id, f.key, False, detail)
            return Outcome(f, Delivery.FAILED, detail)
        store.alerts.log(workshop_id, f.key, True, receipt)
        return Outcome(f, Delivery.SENT, receipt)
    finally:
        store.leases.release(name, holder)


def send_test(store: Store, workshop_id: str, settings: delivery.Settings, channel: Channel, to: str) -> str:
    """Send a test message through one channel; logged as a test (it never counts for de-duplication); DeliveryError if it fails."""
    ws = store.load(workshop_id).workshop
    subject = f"[TEST] kpidesign: {ws.title}"
    body = t("msg_test", ws.language)
    key = ("-", "test", "", channel.value, to)
    try:
        receipt = delivery.send(settings, channel, to, subject, body)
    except delivery.DeliveryError as e:
        store.alerts.log(workshop_id, key, False, str(e), test=True)
        raise
    except Exception as e:  # an unexpected failure is logged and told as a DeliveryError too
        store.alerts.log(workshop_id, key, False, failure(e), test=True)
        raise delivery.DeliveryError(failure(e)) from e
    store.alerts.log(workshop_id, key, True, receipt, test=True)
    return receipt


def failure(e: Exception) -> str:
    """What the delivery log says about an exception: a DeliveryError's message, anything else with its type."""
    return str(e) if isinstance(e, delivery.DeliveryError) else f"{type(e).__name__}: {e}"
