"""Who may edit: the allow-list of signed-in editors, and the server-wide limit on wrong passwords (pure: no Streamlit).

The allow-list (`KPIDESIGN_EDITORS`) names e-mail addresses and `@domain` entries, separated by commas, semicolons or
white space, matched without regard to case. The limit counts wrong passwords from every browser session of the process:
after LIMIT of them within WINDOW seconds, every attempt is refused for COOLDOWN seconds, whatever password it carries.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

EDITORS_KEY = "KPIDESIGN_EDITORS"
LIMIT = 10  # wrong passwords, from any session of the server process ...
WINDOW = 300.0  # ... within this many seconds ...
COOLDOWN = 300.0  # ... refuse every attempt for this many seconds

_SEPARATORS = re.compile(r"[\s,;]+")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")  # one "@", something on each side, no white space
_DOMAIN = re.compile(r"@[^@\s]+")


@dataclass(frozen=True)
class AllowList:
    """Editors allowed after a sign-in: exact addresses and whole domains (lower case); `configured` is False when the
    setting is unset or blank, which lets every signed-in person edit (see `allows`)."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    ignored: tuple[str, ...] = ()  # entries that are neither an address nor an @domain: they allow nobody
    configured: bool = False

    def allows(self, email: object, verified: object = None) -> bool:
        """True when this signed-in person may edit: anyone when no list is configured; else an address on the list, or
        one whose domain (the part after its only "@") is listed. An address the provider says is unverified
        (email_verified false, or "false" as some providers write it) never matches, and a domain entry admits only an
        address the provider says is verified: a provider that does not say (Entra ID, many OIDC setups) may let a user
        set any address in its domain ("nOAuth"), so there only exact addresses match."""
        if not self.configured:
            return True
        said = str(verified).strip().lower() if verified is not None else None
        if not isinstance(email, str) or not email or verified is False or said == "false":
            return False
        address = email.strip().lower()
        if not _ADDRESS.fullmatch(address):
            return False
        return address in self.addresses or (address.rsplit("@", 1)[1] in self.domains and (verified is True or said == "true"))


def parse_editors(raw: str | Iterable[str] | None) -> AllowList:
    """The allow-list from the setting's text ("ann@example.com, @example.org bob@x.jp") or a list of entries (a TOML
    array in secrets); unset or blank gives an unconfigured list, and an entry that is not an address or @domain is kept
    in `ignored` (it matches nobody: a typo never opens editing to more people)."""
    if raw is None:
        return AllowList()
    text = raw if isinstance(raw, str) else " ".join(str(entry) for entry in raw)
    entries = [e.lower() for e in _SEPARATORS.split(text) if e]
    if not entries:
        return AllowList()
    addresses = frozenset(e for e in entries if _ADDRESS.fullmatch(e))
    domains = frozenset(e[1:] for e in entries if _DOMAIN.fullmatch(e))
    ignored = tuple(e for e in entries if not (_ADDRESS.fullmatch(e) or _DOMAIN.fullmatch(e)))
    return AllowList(addresses, domains, ignored, configured=True)


@dataclass
class AttemptLimit:
    """A server-wide brake on password guessing: each attempt is counted as a failure when it starts (so parallel
    sessions cannot slip past the count) and forgiven when it succeeds; LIMIT failures within WINDOW seconds refuse every
    attempt for COOLDOWN seconds. Times are seconds on one clock (time.monotonic in the app), passed in. Thread-safe."""

    limit: int = LIMIT
    window: float = WINDOW
    cooldown: float = COOLDOWN
    _failures: deque[float] = field(default_factory=deque, repr=False)
    _until: float = field(default=float("-inf"), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acquire(self, now: float) -> float:
        """0.0 when an attempt may go ahead now (it counts as a failure until `succeeded`), else the seconds to wait."""
        with self._lock:
            if now < self._until:
                return self._until - now
            while self._failures and self._failures[0] <= now - self.window:
                self._failures.popleft()
            if len(self._failures) >= self.limit:
                self._until = self._failures[-1] + self.cooldown
                self._failures.clear()
                if now < self._until:
                    return self._until - now
            self._failures.append(now)
            return 0.0

    def succeeded(self, started: float) -> None:
        """Forgive the attempt acquired at `started`: the right password is not a failure."""
        with self._lock:
            try:
                self._failures.remove(started)
            except ValueError:  # already aged out of the window, or cleared by a lock
                pass

    def wait(self, now: float) -> float:
        """Seconds until an attempt may go ahead (0.0 now), without making one."""
        with self._lock:
            if now < self._until:
                return self._until - now
            recent = [t for t in self._failures if t > now - self.window]
            return max(0.0, recent[-1] + self.cooldown - now) if len(recent) >= self.limit else 0.0
