"""Delivering alerts for real: a Slack incoming webhook and e-mail over SMTP, settings from the environment.

KPIDESIGN_SLACK_WEBHOOK; KPIDESIGN_SMTP_HOST, _PORT (587), _USER, _PASSWORD, _FROM, _STARTTLS (1/0), read by
kpidesign.settings (Streamlit secrets with the same keys win over the environment). Nothing is sent anywhere else.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from kpidesign import settings as config
from kpidesign.i18n import t
from kpidesign.model import AlertLevel, Channel, Workshop
from kpidesign.monitor import Firing
from kpidesign.values import format_value, one_line


@dataclass(frozen=True)
class Settings:
    """Where alerts go: a Slack webhook and an SMTP server (each optional)."""

    slack_webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "kpidesign@localhost"
    smtp_starttls: bool = True

    @classmethod
    def from_env(cls, extra: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment, overridden by extra (e.g. Streamlit secrets)."""
        return cls.configured(config.Settings.load(secrets=extra or {}))

    @classmethod
    def configured(cls, settings: config.Settings) -> Settings:
        """The delivery part of the app's configuration (kpidesign.settings)."""
        get = settings.delivery.get
        return cls(
            slack_webhook=get(config.SLACK_WEBHOOK),
            smtp_host=get(config.SMTP_HOST),
            smtp_port=int(get(config.SMTP_PORT) or 587),
            smtp_user=get(config.SMTP_USER),
            smtp_password=get(config.SMTP_PASSWORD),
            smtp_from=get(config.SMTP_FROM) or "kpidesign@localhost",
            smtp_starttls=(get(config.SMTP_STARTTLS) or "1") not in ("0", "false", "no"),
        )

    def ready(self, channel: Channel) -> bool:
        """True when the channel is configured."""
        return bool(self.slack_webhook) if channel is Channel.SLACK else bool(self.smtp_host)


def message(ws: Workshop, f: Firing) -> tuple[str, str]:
    """Subject and text of an alert (language of the workshop)."""
    node = ws.node(f.alert.kpi)
    name, title, action = (
        one_line(node.name),
        one_line(ws.title),
        one_line(f.alert.action) or "-",
    )  # one line each: a subject is a mail header
    value = one_line(format_value(f.value, node.unit))
    level = f.level  # 'out_of_control' for a rule on the data's own limits, else the status
    lang = ws.language
    said = t("msg_out_of_control" if level == AlertLevel.OUT_OF_CONTROL else f"msg_level_{level}", lang)
    subject = t("msg_alert_subject", lang, level=level.upper(), name=name, value=value, date=f.date)
    body = t("msg_alert_body", lang, title=title, name=name, said=said, value=value, date=f.date, action=action)
    return subject, body


def lines(text: str) -> str:
    """Text whose lines hold nothing unprintable: any line break becomes \\n, other control characters a space."""
    return "\n".join(one_line(line) for line in text.splitlines())


def slack_escape(text: str) -> str:
    """Text Slack shows as it is: & < > escaped as its formatting reference asks, so no <!channel> ping, no <url|disguised> link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def send(settings: Settings, channel: Channel, to: str, subject: str, body: str, timeout: float = 10) -> str:
    """Deliver one message; return a short receipt, raise DeliveryError when it fails.

    The subject is folded to one line (a line break in a KPI's name cannot add a mail header), every text is escaped
    for Slack, and SMTP's STARTTLS checks the server's certificate and host name.
    """
    subject, body = one_line(subject), lines(body)
    if channel is Channel.SLACK:
        if not settings.slack_webhook:
            raise DeliveryError("no Slack webhook configured (KPIDESIGN_SLACK_WEBHOOK)")
        payload = {"text": f"*{slack_escape(subject)}*\n{slack_escape(body)}", "channel": to or None}
        try:
            request = urllib.request.Request(
                settings.slack_webhook,
                data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured webhook only)
                return f"slack {response.status}"
        except (OSError, ValueError) as e:  # ValueError: a webhook that is not a URL
            raise DeliveryError(f"slack: {e}") from None
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured (KPIDESIGN_SMTP_HOST)")
    mail = EmailMessage()
    try:
        mail["Subject"], mail["From"], mail["To"] = subject, settings.smtp_from, to
    except ValueError as e:  # a line break in the recipient or the sender: refused, never sent as a header
        raise DeliveryError(f"smtp: {e}") from None
    mail.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())  # the certificate and the host name are checked
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"smtp: {e}") from None
    return f"smtp {settings.smtp_host}"


class DeliveryError(Exception):
    """A message that could not be delivered."""
