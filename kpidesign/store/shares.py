"""Read-only share links: a token (256 bits) shown once, stored by its SHA-256, with a label, an expiry, a revocation.

store.shares.create(wid, label=…, expires_at=…) -> token, .all(wid), .revoke(wid, share_id), .resolve(token) -> wid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpidesign.store.base import Noun, now
from kpidesign.store.errors import WorkshopNotFoundError
from kpidesign.store.tokens import hash_token, new_id, new_token, plausible
from kpidesign.values import clean_line

SHARE_EXPIRY = dt.timedelta(days=90)  # a share link's life unless its creator chooses another (or none)


@dataclass(frozen=True)
class ShareLink:
    """A share link as listed (the token itself is never stored, only its hash)."""

    id: str
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None

    def active(self, now: dt.datetime | None = None) -> bool:
        """Not revoked and not expired."""
        now = now or dt.datetime.now(dt.UTC)
        return self.revoked_at is None and (self.expires_at is None or dt.datetime.fromisoformat(self.expires_at) > now)


class Shares(Noun):
    """A workshop's share links."""

    def create(self, workshop_id: str, *, label: str = "", expires_at: dt.datetime | dt.timedelta | None = SHARE_EXPIRY) -> str:
        """A new read-only link token (256 bits from secrets); only its hash is stored, so show it now. Its label is kept
        as a typed name is (values.clean_line, 80 characters at most). It expires at a
        time, or after a duration from now (SHARE_EXPIRY, 90 days, unless told); None: it never expires."""
        if not self.conn.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        if isinstance(expires_at, dt.timedelta):
            expires_at = dt.datetime.now(dt.UTC) + expires_at
        token = new_token()
        with self._write() as conn:
            conn.execute(
                "insert into share_links (id, token_hash, workshop_id, label, created_at, expires_at, revoked_at) values (?,?,?,?,?,?,null)",
                (
                    new_id(4),
                    hash_token(token),
                    workshop_id,
                    clean_line(label)[:80],  # as typed: control characters (NUL among them: PostgreSQL's text refuses it) dropped
                    now(),
                    expires_at.astimezone(dt.UTC).isoformat(timespec="seconds") if expires_at else None,
                ),
            )
        return token

    def all(self, workshop_id: str) -> list[ShareLink]:
        """The share links of a workshop, newest first (revoked and expired ones included)."""
        rows = self.db.execute(
            "select id, label, created_at, expires_at, revoked_at from share_links where workshop_id = ? order by created_at desc, id",
            (workshop_id,),
        ).fetchall()
        return [ShareLink(*row) for row in rows]

    def revoke(self, workshop_id: str, share_id: str) -> None:
        """Revoke one link of a workshop; it stops working at once."""
        with self._write() as conn:
            conn.execute(
                "update share_links set revoked_at = ? where id = ? and workshop_id = ? and revoked_at is null",
                (now(), share_id, workshop_id),
            )

    def resolve(self, token: str | None) -> str | None:
        """The workshop a valid token opens; None for a wrong, revoked or expired token (nothing else is told)."""
        if not token or not plausible(token):
            return None
        row = self.db.execute(
            "select l.workshop_id, l.label, l.created_at, l.expires_at, l.revoked_at from share_links l join workshops w on w.id = l.workshop_id where l.token_hash = ?",
            (hash_token(token),),
        ).fetchone()
        if row is None or not ShareLink("", row[1], row[2], row[3], row[4]).active():
            return None
        workshop_id: str = row[0]
        return workshop_id
