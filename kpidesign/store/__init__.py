"""The workshop store: SQLite through sqlite-utils (the embedded default) or PostgreSQL (a database URL), a package of
nouns in sqlite-utils' shape.

``Store`` (kpidesign.store.workshops) is the facade: workshops, their versions, history, restore and undo. It holds
the other nouns, which share its connection: ``store.actuals`` (observed values), ``store.shares`` (read-only links),
``store.rooms`` (participant mode: the room, participants, ideas), ``store.votes`` (dot votes and tallies),
``store.themes`` (the room's ideas grouped into themes), ``store.alerts`` (the alert log), ``store.moderation`` (a
room's held ideas, block words, muted participants), ``store.attempts`` (the wrong-password budget) and
``store.leases`` (one holder at a time), both shared by every process (kpidesign.store.limits). ``schema`` holds the
migrations, ``base`` the connection and the write transaction, ``errors`` the exceptions, ``tokens`` token hashing,
``engine`` the SQL surface both engines share, ``postgres`` the PostgreSQL engine. SQL stays inside this package.

What callers import from ``kpidesign.store`` is re-exported here.
"""

from __future__ import annotations

from kpidesign.store.actuals import Actuals, attached
from kpidesign.store.alerts import Alerts
from kpidesign.store.base import DEFAULT_PATH, ENV_VAR, URL_VAR, Connection, database_url, default_path
from kpidesign.store.errors import (
    ENGINE_ERRORS,
    FAILURES,
    CorruptVersionError,
    DatabaseUrlError,
    InvalidWorkshopError,
    NewerSchemaError,
    StaleVersionError,
    StoreError,
    WorkshopNotFoundError,
)
from kpidesign.store.limits import Attempt, Attempts, Leases
from kpidesign.store.moderation import Moderations
from kpidesign.store.room_revision import ROOM_CACHE
from kpidesign.store.rooms import Membership, Rooms
from kpidesign.store.schema import check_schema, known_migrations, migrations
from kpidesign.store.shares import SHARE_EXPIRY, ShareLink, Shares
from kpidesign.store.themes import Themes
from kpidesign.store.tokens import hash_token
from kpidesign.store.tokens import hash_token as _hash
from kpidesign.store.votes import Votes
from kpidesign.store.workshops import (
    KEEP_VERSIONS,
    LOADED_CACHE,
    MAX_VERSION_BYTES,
    Loaded,
    Store,
    Summary,
    VersionInfo,
    _Parsed,
    inflate,
)

__all__ = [
    "DEFAULT_PATH",
    "ENGINE_ERRORS",
    "ENV_VAR",
    "FAILURES",
    "KEEP_VERSIONS",
    "LOADED_CACHE",
    "MAX_VERSION_BYTES",
    "ROOM_CACHE",
    "SHARE_EXPIRY",
    "URL_VAR",
    "Actuals",
    "Alerts",
    "Attempt",
    "Attempts",
    "Connection",
    "CorruptVersionError",
    "DatabaseUrlError",
    "InvalidWorkshopError",
    "Leases",
    "Loaded",
    "Membership",
    "Moderations",
    "NewerSchemaError",
    "Rooms",
    "ShareLink",
    "Shares",
    "StaleVersionError",
    "Store",
    "StoreError",
    "Summary",
    "Themes",
    "VersionInfo",
    "Votes",
    "WorkshopNotFoundError",
    "_Parsed",
    "_hash",
    "attached",
    "check_schema",
    "database_url",
    "default_path",
    "hash_token",
    "inflate",
    "known_migrations",
    "migrations",
]
