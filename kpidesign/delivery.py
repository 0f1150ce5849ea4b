"""Delivering alerts for real: a Slack incoming webhook and e-mail over SMTP, settings from the environment.

KPIDESIGN_SLACK_WEBHOOK; KPIDESIGN_SMTP_HOST, _PORT (587), _USER, _PASSWORD, _FROM, _STARTTLS (1/0).
Streamlit secrets with the same keys are passed in by the app. Nothing is sent anywhere else.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping

from kpidesign.model import Channel, Workshop
from kpidesign.monitor import Firing
from kpidesign.values import format_value


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
    def from_env(cls, extra: Mapping[str, str] | None = None) -> "Settings":
        """Settings from the environment, overridden by extra (e.g. Streamlit secrets)."""
        get = lambda key: (extra or {}).get(key) or os.environ.get(key)  # noqa: E731
        return cls(
            slack_webhook=get("KPIDESIGN_SLACK_WEBHOOK"),
            smtp_host=get("KPIDESIGN_SMTP_HOST"),
            smtp_port=int(get("KPIDESIGN_SMTP_PORT") or 587),
            smtp_user=get("KPIDESIGN_SMTP_USER"),
            smtp_password=get("KPIDESIGN_SMTP_PASSWORD"),
            smtp_from=get("KPIDESIGN_SMTP_FROM") or "kpidesign@localhost",
            smtp_starttls=(get("KPIDESIGN_SMTP_STARTTLS") or "1") not in ("0", "false", "no"),
        )

    def ready(self, channel: Channel) -> bool:
        """True when the channel is configured."""
        return bool(self.slack_webhook) if channel is Channel.SLACK else bool(self.smtp_host)


def message(ws: Workshop, f: Firing) -> tuple[str, str]:
    """Subject and text of an alert (language of the workshop)."""
    node = ws.node(f.alert.kpi)
    value = format_value(f.value, node.unit)
    if ws.language == "ja":
        subject = f"[{f.status.value.upper()}] {node.name}: {value}（{f.date}）"
        body = f"{ws.title}\n{node.name} が {f.status.value} です: {value}（{f.date}）\n取る行動: {f.alert.action or '-'}"
    else:
        subject = f"[{f.status.value.upper()}] {node.name}: {value} ({f.date})"
        body = f"{ws.title}\n{node.name} is {f.status.value}: {value} ({f.date})\nAction: {f.alert.action or '-'}"
    return subject, body


def send(settings: Settings, channel: Channel, to: str, subject: str, body: str, timeout: float = 10) -> str:
    """Deliver one message; return a short receipt, raise DeliveryError when it fails."""
    if channel is Channel.SLACK:
        if not settings.slack_webhook:
            raise DeliveryError("no Slack webhook configured (KPIDESIGN_SLACK_WEBHOOK)")
        payload = {"text": f"*{subject}*\n{body}", "channel": to or None}
        request = urllib.request.Request(settings.slack_webhook, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                         headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured webhook only)
                return f"slack {response.status}"
        except OSError as e:
            raise DeliveryError(f"slack: {e}") from None
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured (KPIDESIGN_SMTP_HOST)")
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = subject, settings.smtp_from, to
    mail.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"smtp: {e}") from None
    return f"smtp {settings.smtp_host}"


class DeliveryError(Exception):
    """A message that could not be delivered."""
