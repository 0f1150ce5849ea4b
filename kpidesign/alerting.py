"""Evaluate a workshop's alert rules on its latest readings and deliver each new one once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kpidesign import delivery
from kpidesign.i18n import t
from kpidesign.model import Channel, Workshop
from kpidesign.monitor import Firing, firing
from kpidesign.store import Store


class Delivery(StrEnum):
    """What became of one firing alert."""

    LISTED = "listed"  # a dry run: shown, not sent
    ALREADY_SENT = "already_sent"
    SENT = "sent"
    FAILED = "failed"


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
            continue
        if not send:
            out.append(Outcome(f, Delivery.LISTED))
            continue
        try:
            subject, body = delivery.message(ws, f)
            receipt = delivery.send(settings, f.alert.channel, f.alert.to, subject, body)
        except Exception as e:  # noqa: BLE001 (whatever goes wrong with one alert is its failure: the others are still sent)
            detail = failure(e)
            store.alerts.log(workshop_id, f.key, False, detail)
            out.append(Outcome(f, Delivery.FAILED, detail))
            continue
        store.alerts.log(workshop_id, f.key, True, receipt)
        out.append(Outcome(f, Delivery.SENT, receipt))
    return out


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
