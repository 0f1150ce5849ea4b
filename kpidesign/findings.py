"""Findings: what a check says about a workshop, instead of raising."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    HINT = "hint"


@dataclass(frozen=True)
class Finding:
    """One thing a check noticed: severity, a message code for i18n, the node it concerns, details."""

    severity: Severity
    code: str
    node: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the errors among findings."""
    return [f for f in findings if f.severity is Severity.ERROR]
