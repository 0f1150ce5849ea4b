"""Who may edit: the allow-list of signed-in editors, and the rules of the limit on wrong passwords (pure: no Streamlit;
the failures themselves are counted in the database, kpidesign.store.limits, shared by every process).

The allow-list (`KPIDESIGN_EDITORS`) names e-mail addresses and `@domain` entries, separated by commas, semicolons or
white space, matched without regard to case. The limit counts wrong passwords per client (its address, `client_key`)
and from every browser session of every process: CLIENT_LIMIT from one client within CLIENT_WINDOW seconds pause that
client, LIMIT from all within WINDOW seconds pause every attempt for COOLDOWN seconds, whatever password it carries.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CLIENT_LIMIT = 5  # wrong passwords from one client (address) ...
CLIENT_WINDOW = 300.0  # ... within this many seconds ...
CLIENT_COOLDOWN = 300.0  # ... pause that client's attempts for this many seconds
LIMIT = 30  # wrong passwords, from every client of the server (every process) ...
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


@dataclass(frozen=True)
class Budget:
    """`limit` failures within `window` seconds pause for `cooldown` seconds (the rule both budgets follow)."""

    limit: int
    window: float
    cooldown: float

    def since(self, now: float) -> float:
        """The oldest failure time that still counts at `now` (failures after it, strictly)."""
        return now - self.window

    def pause_until(self, recent: Sequence[float]) -> float | None:
        """When the pause the failures within the window start ends (from the last of them), or None while the budget
        is not spent; `recent` in time order."""
        return recent[-1] + self.cooldown if len(recent) >= self.limit else None


@dataclass(frozen=True)
class AttemptRules:
    """A brake on password guessing, per client first and then server-wide, kept in the database (kpidesign.store.limits)
    so that every process and machine serving the app shares it: each attempt is counted as a failure when it starts
    (so parallel sessions cannot slip past the count) and forgiven when it succeeds. CLIENT_LIMIT failures from one
    client within CLIENT_WINDOW seconds pause that client for CLIENT_COOLDOWN seconds; LIMIT failures from all clients
    within WINDOW seconds pause every attempt for COOLDOWN seconds. A client is a key from `client_key`; times are
    seconds since the epoch (one clock for every process: time.time, not time.monotonic)."""

    limit: int = LIMIT
    window: float = WINDOW
    cooldown: float = COOLDOWN
    client_limit: int = CLIENT_LIMIT
    client_window: float = CLIENT_WINDOW
    client_cooldown: float = CLIENT_COOLDOWN

    @property
    def server(self) -> Budget:
        """The budget of every client together."""
        return Budget(self.limit, self.window, self.cooldown)

    @property
    def client(self) -> Budget:
        """The budget of one client."""
        return Budget(self.client_limit, self.client_window, self.client_cooldown)

    @property
    def memory(self) -> float:
        """How long a failure or a pause may still matter: anything older is forgotten."""
        return max(self.window, self.client_window, self.cooldown, self.client_cooldown)


LOCAL = "local"  # the client of a session with no address: a browser on the server itself, or a test
UNKNOWN = "unknown"  # a peer address that is not an IP address (never expected from a socket)
TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")  # the shipped nginx talks to Streamlit over loopback


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _key(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An IPv4 address as itself; an IPv6 address as its /64 network (one subscriber usually holds a whole /64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_key(peer: str | None, headers: Mapping[str, str], trusted: Iterable[str] = TRUSTED_PROXIES) -> str:
    """Who is asking, for per-client limits: the proxy's X-Real-IP when the direct peer is a trusted proxy (loopback by
    default; Streamlit reports a loopback peer as None), else the direct peer itself (a header from anyone else is
    ignored: it is theirs to write). An IPv6 client is its /64 network; "local" when there is no address at all."""
    networks = [ipaddress.ip_network(n) for n in trusted]
    ip = None if peer is None else _address(peer)
    if peer is not None and ip is None:
        return UNKNOWN
    if ip is None or any(ip in n for n in networks):
        real = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == "x-real-ip" and isinstance(v, str)]
        forwarded = _address(real[-1]) if real else None
        if forwarded is not None:
            return _key(forwarded)
        return LOCAL if ip is None else _key(ip)
    return _key(ip)
