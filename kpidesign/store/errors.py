"""The store's errors: one class per way a read or a write is refused, all StoreError."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from kpidesign.findings import Finding
from kpidesign.values import EditError

# What the database engine raises when it cannot serve a read or a write (busy, locked, read-only, full disk, a damaged
# file; on PostgreSQL the server gone, the write lock or a pooled connection not had in time): callers catch these
# beside StoreError, without naming the engine.
ENGINE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, psycopg.Error, PoolTimeoutError)


class StoreError(Exception):
    """Base class of the store's errors."""


# Whatever else a read or a write can fail with: the engine's errors or any StoreError (catch the specific ones first).
FAILURES: tuple[type[Exception], ...] = (*ENGINE_ERRORS, StoreError)


class WorkshopNotFoundError(StoreError):
    """No workshop with that id (deleted, or never there)."""


class StaleVersionError(StoreError):
    """The workshop changed since the caller loaded it; carries the current version and its summary."""

    def __init__(self, workshop_id: str, expected: int, current: int, summary: str):
        super().__init__(f"workshop {workshop_id} is at version {current}, not {expected}")
        self.workshop_id, self.expected, self.current, self.summary = workshop_id, expected, current, summary


class CorruptVersionError(StoreError):
    """A stored version that is not a whole zlib document, or that inflates beyond MAX_VERSION_BYTES (a zip bomb)."""


class NewerSchemaError(StoreError):
    """The database was written by a newer kpidesign: it records migrations this code does not know."""

    def __init__(self, where: str, unknown: list[str]):
        super().__init__(
            f"{where} was written by a newer kpidesign (schema migrations this version does not know: {', '.join(unknown)}); "
            "upgrade kpidesign, or restore a backup made by this version. Nothing was changed."
        )
        self.unknown = unknown


class DatabaseUrlError(StoreError):
    """The database's URL (KPIDESIGN_DATABASE_URL or [database] url in secrets) cannot be used; the message says why."""


class InvalidWorkshopError(StoreError):
    """The workshop would be saved with structural errors; carries the findings."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f"{f.code} {f.node or ''}" for f in findings))
        self.findings = findings


class Refused(EditError):
    """A participant's write refused after it spent from their write budget (kpidesign.store.budget): the write
    transaction keeps the spending (commits) and writes nothing else, so refused writes in a loop are slowed down too."""
