"""Creating, listing and revoking read-only share links (on the export page)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import streamlit as st

from kpidesign.store import SHARE_EXPIRY
from ui import qr
from ui.messages import Kind, flash
from ui.saving import write
from ui.state import store
from ui.text import md, tr


def link_for(token: str) -> str:
    """The full address of a share link, from the address this page was opened at."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/?share={token}"


def _create(workshop_id: str) -> None:
    days = st.session_state.get("share_days") or 0
    expires = dt.timedelta(days=days) if days > 0 else None  # 0: never
    label = st.session_state.get("share_label") or ""
    ok, token = write(lambda: store().shares.create(workshop_id, label=label, expires_at=expires), workshop_id=workshop_id)
    if not ok or token is None:
        return
    st.session_state["share_new_link"] = (workshop_id, link_for(token))
    st.session_state["share_label"] = ""


def _revoke(workshop_id: str, share_id: str) -> None:
    ok, _ = write(lambda: store().shares.revoke(workshop_id, share_id), workshop_id=workshop_id)
    if ok:
        flash(Kind.INFO, tr("share_revoked"))


def manage(workshop_id: str) -> None:
    """The create form, the new link (shown once, with a copy button) and the list with revoke buttons."""
    st.subheader(tr("share_title"))
    st.write(tr("share_intro"))
    with st.form("share_form", border=True):
        left, right = st.columns([3, 1])
        left.text_input(tr("share_label"), key="share_label", max_chars=80)
        right.number_input(tr("share_expires"), min_value=0, max_value=3650, value=SHARE_EXPIRY.days, step=1, key="share_days")
        st.form_submit_button(tr("share_create"), type="primary", icon=":material/link:", on_click=_create, args=(workshop_id,))
    new = st.session_state.get("share_new_link")
    if new and new[0] == workshop_id:
        st.success(tr("share_created"), icon=":material/link:")
        address, code = st.columns([3, 1])
        address.code(new[1], language=None, wrap_lines=True)
        code.image(qr.png(new[1]), caption=tr("share_qr"), width=180)  # a stakeholder's phone scans it off the screen
    links = store().shares.all(workshop_id)
    if not links:
        st.caption(tr("share_none"))
        return
    st.markdown(f"**{tr('share_list')}**")
    for link in links:
        state = "active" if link.active() else ("revoked" if link.revoked_at else "expired")
        cols = st.columns([3, 2, 2, 1, 1])
        cols[0].markdown(md(link.label) or "—")
        cols[1].caption(f"{tr('col_created')}: {link.created_at.replace('T', ' ')[:16]}")
        cols[2].caption(f"{tr('col_expires')}: {link.expires_at.replace('T', ' ')[:16] if link.expires_at else tr('share_never')}")
        cols[3].markdown(tr(f"share_state_{state}"))
        if state == "active":
            cols[4].button(tr("share_revoke"), key=f"share_revoke_{link.id}", on_click=_revoke, args=(workshop_id, link.id))
