"""Tokens: share links, join links and participants' secrets are 256 bits from secrets; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

MAX_TOKEN = 200  # a longer token is no token of ours: refused before it is hashed


def new_token() -> str:
    """A new secret token (256 bits from secrets, URL-safe): shown once, never stored."""
    return secrets.token_urlsafe(32)


def new_id(nbytes: int) -> str:
    """A new random id of nbytes bytes, in hex (a workshop's, a share link's, an imported participant's)."""
    return secrets.token_hex(nbytes)


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible(token: str | None) -> bool:
    """True for a token worth looking up (not empty, not absurdly long)."""
    return bool(token) and len(token or "") <= MAX_TOKEN
