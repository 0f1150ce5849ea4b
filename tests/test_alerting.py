from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import ClassVar, Literal

import pytest

from kpidesign import alerting, delivery, monitor
from kpidesign.model import Actual, Alert, Channel, Workshop
from kpidesign.store import Store
from tests import processes
from tests.servers import smtp, webhook


@pytest.fixture
def red_workshop(template: Workshop, store: Store) -> tuple[Store, str]:
    """A workshop with two KPIs in the red, in a store on each engine (the alert log is the store's)."""
    wid = store.create(template)
    store.actuals.add(
        wid,
        [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.03), Actual(kpi="sales", date=dt.date(2026, 10, 1), value=8.5e8)],
    )
    return store, wid


def test_dry_run_lists_without_sending(red_workshop: tuple[Store, str]) -> None:
    store, wid = red_workshop
    outcomes = alerting.run(store, wid, delivery.Settings())
    assert {(o.firing.alert.kpi, o.state) for o in outcomes} == {("purchase_rate", "listed"), ("sales", "listed")}
    assert store.alerts.recent(wid) == []


def test_delivery_to_local_slack_and_smtp_once(red_workshop: tuple[Store, str]) -> None:
    store, wid = red_workshop
    with webhook() as (url, bodies), smtp() as (port, messages):
        settings = delivery.Settings(
            slack_webhook=url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="kpi@example.com"
        )
        first = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in first) == ["sent", "sent"]
        payload = json.loads(bodies[0])
        assert payload["channel"] == "#ec-kpi" and "購入率" in payload["text"] and "RED" in payload["text"]
        data = messages[0]["data"]
        assert messages[0]["to"] == ["<ec-lead@example.com>"] and isinstance(data, str) and "Subject:" in data
        again = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in again) == ["already_sent", "already_sent"]
        assert len(bodies) == 1 and len(messages) == 1  # no duplicate for the same KPI, status and date
        store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 8), value=0.02)])
        third = alerting.run(store, wid, settings, send=True)
        assert sorted(o.state for o in third) == ["already_sent", "sent"] and len(bodies) == 2
    assert [row["ok"] for row in store.alerts.recent(wid)] == [1, 1, 1]


def test_failures_are_logged_and_retried_later(red_workshop: tuple[Store, str]) -> None:
    store, wid = red_workshop
    broken = delivery.Settings(slack_webhook="http://127.0.0.1:9/nothing", smtp_host=None)
    outcomes = alerting.run(store, wid, broken, send=True)
    assert {o.state for o in outcomes} == {"failed"}
    assert all(row["ok"] == 0 for row in store.alerts.recent(wid))
    assert {o.state for o in alerting.run(store, wid, broken)} == {"listed"}  # not marked as sent


def test_send_test(red_workshop: tuple[Store, str]) -> None:
    store, wid = red_workshop
    with webhook() as (url, bodies):
        receipt = alerting.send_test(store, wid, delivery.Settings(slack_webhook=url), Channel.SLACK, "#test")
        assert receipt == "slack 200" and "TEST" in json.loads(bodies[0])["text"]
    with pytest.raises(delivery.DeliveryError):
        alerting.send_test(store, wid, delivery.Settings(), Channel.EMAIL, "a@example.com")
    assert [row["test"] for row in store.alerts.recent(wid)] == [1, 1]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIDESIGN_SLACK_WEBHOOK", "http://127.0.0.1:1/x")
    monkeypatch.setenv("KPIDESIGN_SMTP_PORT", "2525")
    monkeypatch.setenv("KPIDESIGN_SMTP_STARTTLS", "0")
    s = delivery.Settings.from_env({"KPIDESIGN_SMTP_HOST": "127.0.0.1"})
    assert (
        s.slack_webhook is not None
        and s.slack_webhook.endswith("/x")
        and s.smtp_port == 2525
        and not s.smtp_starttls
        and s.smtp_host == "127.0.0.1"
    )
    assert s.ready(Channel.SLACK) and s.ready(Channel.EMAIL) and not delivery.Settings().ready(Channel.SLACK)


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what it is given; raises for a recipient listed in `failing`."""

    sent: ClassVar[list[EmailMessage]] = []
    contexts: ClassVar[list[ssl.SSLContext | None]] = []
    failing: ClassVar[set[str]] = set()

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        self.host = host

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False

    def starttls(self, context: ssl.SSLContext | None = None) -> None:
        FakeSMTP.contexts.append(context)

    def login(self, user: str, password: str) -> None:
        pass

    def send_message(self, mail: EmailMessage) -> None:
        if mail["To"] in FakeSMTP.failing:
            raise RuntimeError("the SMTP library broke")  # not an OSError nor an SMTPException: nothing expected it
        FakeSMTP.sent.append(mail)


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(FakeSMTP, "contexts", [])
    monkeypatch.setattr(FakeSMTP, "failing", set())
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)  # the module kpidesign.delivery sends with
    return FakeSMTP


def _renamed(ws: Workshop, **names: str) -> Workshop:
    """The workshop with some nodes renamed as model objects (no cleaning on the way: an old database may hold anything)."""
    return ws.model_copy(update={"nodes": [n.model_copy(update={"name": names.get(n.id, n.name)}) for n in ws.nodes]})


def _with_alerts(ws: Workshop, *alerts: Alert) -> Workshop:
    return ws.model_copy(update={"monitoring": ws.monitoring.model_copy(update={"alerts": list(alerts)})})


def test_one_failed_alert_never_stops_the_others(red_workshop: tuple[Store, str], fake_smtp: type[FakeSMTP]) -> None:
    """The first alert's KPI name holds CR LF (EmailMessage used to raise outside the try: the run stopped) and its
    channel raises something unexpected: it is logged as failed, and the two after it are sent."""
    store, wid = red_workshop
    store.actuals.add(wid, [Actual(kpi="customers", date=dt.date(2026, 10, 1), value=40000)])
    ws = store.actuals.attach(store.load(wid).workshop, wid)
    ws = _with_alerts(
        _renamed(ws, purchase_rate="購入率\r\nBcc: evil@example.com"),
        Alert(kpi="purchase_rate", channel=Channel.EMAIL, to="first@example.com"),
        Alert(kpi="sales", channel=Channel.SLACK, to="#kpi", when="yellow"),
        Alert(kpi="customers", channel=Channel.EMAIL, to="third@example.com"),
    )
    fake_smtp.failing = {"first@example.com"}
    with webhook() as (url, bodies):
        settings = delivery.Settings(slack_webhook=url, smtp_host="smtp.example.com", smtp_from="kpi@example.com")
        outcomes = alerting.run(store, wid, settings, send=True, ws=ws)
    assert [(o.firing.alert.kpi, o.state) for o in outcomes] == [("purchase_rate", "failed"), ("sales", "sent"), ("customers", "sent")]
    assert "RuntimeError" in outcomes[0].detail and len(bodies) == 1 and [m["To"] for m in fake_smtp.sent] == ["third@example.com"]
    assert [(row["kpi"], row["ok"]) for row in reversed(store.alerts.recent(wid))] == [("purchase_rate", 0), ("sales", 1), ("customers", 1)]
    assert {o.state for o in alerting.run(store, wid, settings, ws=ws)} == {"listed", "already_sent"}  # the failed one is tried again


def test_a_line_break_in_a_name_never_adds_a_mail_header(red_workshop: tuple[Store, str], fake_smtp: type[FakeSMTP]) -> None:
    store, wid = red_workshop
    ws = store.actuals.attach(store.load(wid).workshop, wid)
    ws = _with_alerts(
        _renamed(ws, purchase_rate="購入率\r\nBcc: evil@example.com\u2028X-Evil: 1\n"),
        Alert(kpi="purchase_rate", channel=Channel.EMAIL, to="lead@example.com"),
    )
    [outcome] = alerting.run(store, wid, delivery.Settings(smtp_host="smtp.example.com"), send=True, ws=ws)
    [mail] = fake_smtp.sent
    assert outcome.state == "sent" and mail["Subject"].startswith("[RED] 購入率 Bcc: evil@example.com X-Evil: 1 :")
    assert mail["Bcc"] is None and mail["X-Evil"] is None and mail.get_all("To") == ["lead@example.com"]
    headers, _, _body = mail.as_bytes().partition(b"\n\n")
    assert not any(line.startswith((b"Bcc", b"X-Evil")) for line in headers.splitlines())
    assert "購入率 Bcc: evil@example.com X-Evil: 1  が red です" in mail.get_content()  # the name stays on its line in the text too
    with pytest.raises(delivery.DeliveryError):  # a recipient with a line break is refused, never written as a header
        delivery.send(delivery.Settings(smtp_host="smtp.example.com"), Channel.EMAIL, "a@example.com\r\nBcc: evil@example.com", "s", "b")


def test_slack_text_is_escaped(red_workshop: tuple[Store, str]) -> None:
    """<!channel> would ping everyone, <https://evil|reset password> would show a link that says something else."""
    store, wid = red_workshop
    ws = store.actuals.attach(store.load(wid).workshop, wid)
    ws = ws.model_copy(update={"title": "Q3 <!here> & co"})
    ws = _with_alerts(
        _renamed(ws, purchase_rate="<!channel> CVR"),
        Alert(kpi="purchase_rate", channel=Channel.SLACK, to="#kpi", action="<https://evil.example|reset password> now"),
    )
    with webhook() as (url, bodies):
        [outcome] = alerting.run(store, wid, delivery.Settings(slack_webhook=url), send=True, ws=ws)
        text = json.loads(bodies[0])["text"]
    assert outcome.state == "sent" and "<" not in text and ">" not in text
    assert text.startswith("*[RED] &lt;!channel&gt; CVR:") and "Q3 &lt;!here&gt; &amp; co" in text
    assert "&lt;https://evil.example|reset password&gt; now" in text
    assert delivery.slack_escape("a&b <c> &amp;") == "a&amp;b &lt;c&gt; &amp;amp;"  # & first: an escape typed by someone stays literal


def test_starttls_checks_the_certificate_and_the_host_name(fake_smtp: type[FakeSMTP]) -> None:
    import ssl

    settings = delivery.Settings(smtp_host="smtp.example.com")
    assert delivery.send(settings, Channel.EMAIL, "a@example.com", "subject", "body") == "smtp smtp.example.com"
    [context] = fake_smtp.contexts
    assert isinstance(context, ssl.SSLContext) and context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    delivery.send(delivery.Settings(smtp_host="smtp.example.com", smtp_starttls=False), Channel.EMAIL, "a@example.com", "s", "b")
    assert len(fake_smtp.contexts) == 1  # STARTTLS switched off: not asked for


def test_a_webhook_that_is_not_a_url_is_a_delivery_error() -> None:
    with pytest.raises(delivery.DeliveryError):
        delivery.send(delivery.Settings(slack_webhook="hooks.slack.com/services/x"), Channel.SLACK, "#kpi", "s", "b")


def test_a_test_message_that_fails_unexpectedly_is_a_delivery_error(red_workshop: tuple[Store, str], fake_smtp: type[FakeSMTP]) -> None:
    store, wid = red_workshop
    fake_smtp.failing = {"a@example.com"}
    with pytest.raises(delivery.DeliveryError, match="RuntimeError"):  # the page shows it as a message, not a traceback
        alerting.send_test(store, wid, delivery.Settings(smtp_host="smtp.example.com"), Channel.EMAIL, "a@example.com")
    [row] = store.alerts.recent(wid)
    detail = row["detail"]
    assert row["ok"] == 0 and row["test"] == 1 and isinstance(detail, str) and "the SMTP library broke" in detail


def test_three_processes_sending_at_once_send_each_alert_once(template: Workshop, tmp_path: Path) -> None:
    """#29 item 2: the app's processes and the cron job may send at the same moment; each alert goes out once (a lease in
    the database), though Slack takes half a second to answer. Before the lease all three sent it."""
    store = Store(tmp_path / "k.db")
    wid = store.create(template)
    store.actuals.add(
        wid,
        [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.03), Actual(kpi="sales", date=dt.date(2026, 10, 1), value=8.5e8)],
    )
    with webhook(delay=0.5) as (url, bodies), smtp() as (port, messages):
        runs = processes.together(processes.send_alerts, [(str(tmp_path / "k.db"), wid, url, port)] * 3)
    assert len(bodies) == 1 and len(messages) == 1, (runs, len(bodies), len(messages))
    states = [state for run in runs for _, state in run]
    assert states.count("sent") == 2 and set(states) <= {"sent", "sending", "already_sent"}, runs
    assert [row["ok"] for row in store.alerts.recent(wid)] == [1, 1]
    assert store.db.execute("select count(*) from leases").fetchone()[0] == 0  # every lease given back
    store.close()


def test_an_alert_whose_lease_another_holds_is_left_to_it(red_workshop: tuple[Store, str]) -> None:
    store, wid = red_workshop
    ws = store.actuals.attach(store.load(wid).workshop, wid)
    held = next(f for f in monitor.firing(ws) if f.alert.kpi == "purchase_rate")
    assert store.leases.claim(alerting.lease_name(wid, held.key), "another process", alerting.LEASE_SECONDS)
    with webhook() as (url, bodies), smtp() as (port, messages):
        settings = delivery.Settings(slack_webhook=url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        states = {o.firing.alert.kpi: o.state for o in alerting.run(store, wid, settings, send=True)}
    assert states == {"purchase_rate": "sending", "sales": "sent"} and not bodies and len(messages) == 1
