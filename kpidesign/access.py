"""Who may edit: the allow-list of signed-in editors, and the server-wide limit on wrong passwords (pure: no Streamlit).

The allow-list (`KPIDESIGN_EDITORS`) names e-mail addresses and `@domain` entries, separated by commas, semicolons or
white space, matched without regard to case. The limit counts wrong passwords per client (its address, `client_key`)
and from every browser session of the process: CLIENT_LIMIT from one client within CLIENT_WINDOW seconds pause that
client, LIMIT from all within WINDOW seconds pause every attempt for COOLDOWN seconds, whatever password it carries.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CLIENT_LIMIT = 5  # wrong passwords from one client (address) ...
CLIENT_WINDOW = 300.0  # ... within this many seconds ...
CLIENT_COOLDOWN = 300.0  # ... pause that client's attempts for this many seconds
LIMIT = 30  # wrong passwords, from every client of the server process ...
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
class _Budget:
    """LIMIT failures within WINDOW seconds pause for COOLDOWN seconds (the rule both budgets follow; not locked)."""

    limit: int
    window: float
    cooldown: float
    failures: deque[float] = field(default_factory=deque)
    until: float = float("-inf")

    def wait(self, now: float) -> float:
        """Seconds until an attempt may go ahead (0.0 now); enters the pause when the budget is spent."""
        if now < self.until:
            return self.until - now
        while self.failures and self.failures[0] <= now - self.window:
            self.failures.popleft()
        if len(self.failures) >= self.limit:
            self.until = self.failures[-1] + self.cooldown
            self.failures.clear()
            if now < self.until:
                return self.until - now
        return 0.0

    def forgive(self, started: float) -> None:
        """Take back the failure counted at `started`, if it is still counted."""
        try:
            self.failures.remove(started)
        except ValueError:  # already aged out of the window, or cleared by a pause
            pass

    def idle(self, now: float) -> bool:
        """True when nothing is remembered that still matters at `now`."""
        return now >= self.until and not any(t > now - self.window for t in self.failures)


@dataclass
class AttemptLimit:
    """A brake on password guessing, per client first and then server-wide: each attempt is counted as a failure when it
    starts (so parallel sessions cannot slip past the count) and forgiven when it succeeds. CLIENT_LIMIT failures from
    one client within CLIENT_WINDOW seconds pause that client for CLIENT_COOLDOWN seconds; LIMIT failures from all
    clients within WINDOW seconds pause every attempt for COOLDOWN seconds. A client is a key from `client_key`. Times
    are seconds on one clock (time.monotonic in the app), passed in. Thread-safe; the clients remembered are only those
    whose failures or pause still matter (at most about LIMIT per window), so their number stays bounded."""

    limit: int = LIMIT
    window: float = WINDOW
    cooldown: float = COOLDOWN
    client_limit: int = CLIENT_LIMIT
    client_window: float = CLIENT_WINDOW
    client_cooldown: float = CLIENT_COOLDOWN
    _server: _Budget = field(init=False, repr=False)
    _clients: dict[str, _Budget] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._server = _Budget(self.limit, self.window, self.cooldown)

    def _client(self, client: str) -> _Budget:
        budget = self._clients.get(client)
        if budget is None:
            budget = self._clients[client] = _Budget(self.client_limit, self.client_window, self.client_cooldown)
        return budget

    def _forget(self, now: float) -> None:
        for key in [k for k, b in self._clients.items() if b.idle(now)]:
            del self._clients[key]

    def acquire(self, now: float, client: str = "") -> float:
        """0.0 when an attempt from this client may go ahead now (it counts as a failure, for the client and the server,
        until `succeeded`), else the seconds to wait (the client's own pause first, then the server's)."""
        with self._lock:
            self._forget(now)
            mine = self._client(client)
            wait = mine.wait(now) or self._server.wait(now)
            if wait:
                if mine.idle(now):
                    del self._clients[client]
                return wait
            mine.failures.append(now)
            self._server.failures.append(now)
            return 0.0

    def succeeded(self, started: float, client: str = "") -> None:
        """Forgive the attempt this client acquired at `started`: the right password is not a failure."""
        with self._lock:
            self._server.forgive(started)
            if client in self._clients:
                self._clients[client].forgive(started)

    def wait(self, now: float, client: str = "") -> float:
        """Seconds until an attempt from this client may go ahead (0.0 now), without making one."""
        with self._lock:
            mine = self._clients.get(client)
            return (mine.wait(now) if mine is not None else 0.0) or self._server.wait(now)

    def clients(self) -> int:
        """How many clients are remembered right now."""
        with self._lock:
            return len(self._clients)


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
