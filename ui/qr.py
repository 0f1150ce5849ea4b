"""QR codes of addresses (segno): the room's join address on the console and the wall, a new share link. Each is
drawn once per address and kept (a few addresses a server: every rerun and session reuses them)."""

from __future__ import annotations

import functools
import io

import segno


@functools.lru_cache(maxsize=32)
def png(address: str, scale: int = 6) -> bytes:
    """A QR code of an address as PNG (scale: pixels per module)."""
    out = io.BytesIO()
    segno.make(address, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


@functools.lru_cache(maxsize=32)
def svg_uri(address: str) -> str:
    """A QR code of an address as an SVG data URI (sharp at any size: the wall draws it large)."""
    return str(segno.make(address, error="m").svg_data_uri(scale=10, border=2))
