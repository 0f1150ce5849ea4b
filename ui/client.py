"""Who is asking: the client address of this browser session, for per-client limits (password attempts, room joins)."""

from __future__ import annotations

import streamlit as st

from kpidesign.access import client_key


def client_address() -> str:
    """This session's client: X-Real-IP when the direct peer is the local proxy (the shipped nginx), else the direct peer;
    an IPv6 client is its /64 network, "local" without any address (kpidesign.access.client_key decides)."""
    try:
        peer = st.context.ip_address  # None for a loopback peer (Streamlit's own normalisation) or outside a websocket
        headers = dict(st.context.headers.items())
    except Exception:  # no script run context (a bare call): no address to give
        return client_key(None, {})
    return client_key(peer, headers)
