import datetime as dt
import json

import pytest

from kpidesign import alerting, delivery
from kpidesign.model import Actual, Channel
from kpidesign.store import Store
from tests.servers import smtp, webhook


@pytest.fixture
def red_workshop(template):
    store = Store(memory=True)
    wid = store.create(template)
    store.add_actuals(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.03), Actual(kpi="sales", date=dt.date(2026, 10, 1), value=8.5e8)])
    return store, wid


def test_dry_run_lists_without_sending(red_workshop):
    store, wid = red_workshop
    outcomes = alerting.run(store, wid, delivery.Settings())
    assert {(o.firing.alert.kpi, o.state) for o in outcomes} == {("purchase_rate", "listed"), ("sales", "listed")}
    assert store.alert_log(wid) == []


def test_delivery_to_local_slack_and_smtp_once(red_workshop):
    store, wid = red_workshop
    with webhook() as (url, bodies), smtp() as (port, messages):
        settings = delivery.Settings(slack_webhook=url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="kpi@example.com")
        first = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in first) == ["sent", "sent"]
        payload = json.loads(bodies[0])
        assert payload["channel"] == "#ec-kpi" and "購入率" in payload["text"] and "RED" in payload["text"]
        assert messages[0]["to"] == ["<ec-lead@example.com>"] and "Subject:" in messages[0]["data"]
        again = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in again) == ["already_sent", "already_sent"]
        assert len(bodies) == 1 and len(messages) == 1  # no duplicate for the same KPI, status and date
        store.add_actuals(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 8), value=0.02)])
        third = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in third) == ["already_sent", "sent"] and len(bodies) == 2
    assert [row["ok"] for row in store.alert_log(wid)] == [1, 1, 1]


def test_failures_are_logged_and_retried_later(red_workshop):
    store, wid = red_workshop
    broken = delivery.Settings(slack_webhook="http://127.0.0.1:9/nothing", smtp_host=None)
    outcomes = alerting.run(store, wid, broken, send=True)
    assert {o.state for o in outcomes} == {"failed"}
    assert all(row["ok"] == 0 for row in store.alert_log(wid))
    assert {o.state for o in alerting.run(store, wid, broken)} == {"listed"}  # not marked as sent


def test_send_test(red_workshop):
    store, wid = red_workshop
    with webhook() as (url, bodies):
        receipt = alerting.send_test(store, wid, delivery.Settings(slack_webhook=url), Channel.SLACK, "#test")
        assert receipt == "slack 200" and "TEST" in json.loads(bodies[0])["text"]
    with pytest.raises(delivery.DeliveryError):
        alerting.send_test(store, wid, delivery.Settings(), Channel.EMAIL, "a@example.com")
    assert [row["test"] for row in store.alert_log(wid)] == [1, 1]


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("KPIDESIGN_SLACK_WEBHOOK", "http://127.0.0.1:1/x")
    monkeypatch.setenv("KPIDESIGN_SMTP_PORT", "2525")
    monkeypatch.setenv("KPIDESIGN_SMTP_STARTTLS", "0")
    s = delivery.Settings.from_env({"KPIDESIGN_SMTP_HOST": "127.0.0.1"})
    assert s.slack_webhook.endswith("/x") and s.smtp_port == 2525 and not s.smtp_starttls and s.smtp_host == "127.0.0.1"
    assert s.ready(Channel.SLACK) and s.ready(Channel.EMAIL) and not delivery.Settings().ready(Channel.SLACK)
