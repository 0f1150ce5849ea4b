"""The workshop store: SQLite through sqlite-utils, with migrations, versions, history and restore.

Each workshop is one row holding its current document (JSON of the model) and a version number;
every save writes the new document and a compressed copy into ``versions`` in one transaction,
and is refused if the caller's version is stale (optimistic locking): nothing is silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import secrets
import sqlite3
import threading
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database, Migrations

from kpidesign.findings import Finding, errors
from kpidesign.model import Actual, Workshop
from kpidesign.progress import steps_done
from kpidesign.tree import check_structure

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "kpidesign.db"
ENV_VAR = "KPIDESIGN_DB"
KEEP_VERSIONS = 500
SHARE_EXPIRY = dt.timedelta(days=90)  # a share link's life unless its creator chooses another (or none)
LOADED_CACHE = 32  # workshops kept parsed in a process, the last version of each (across every session and database)
UNDO_SUMMARY = re.compile(r"undo: back to v(\d+)")  # the summary an undo leaves, so that a second undo goes further back

migrations = Migrations("kpidesign")


@migrations()
def m001_workshops(db: Database) -> None:
    """Workshops and their version history."""
    db["workshops"].create(
        {"id": str, "title": str, "created_at": str, "updated_at": str, "version": int, "steps_done": int, "doc": str},
        pk="id",
    )
    db["versions"].create(
        {"workshop_id": str, "version": int, "saved_at": str, "summary": str, "doc": bytes},
        pk=("workshop_id", "version"),
        foreign_keys=[("workshop_id", "workshops", "id")],
    )


@migrations()
def m002_share_links(db: Database) -> None:
    """Read-only share links, stored by the SHA-256 of their token."""
    db["share_links"].create(
        {"id": str, "token_hash": str, "workshop_id": str, "label": str, "created_at": str, "expires_at": str, "revoked_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"token_hash", "workshop_id", "created_at"},
    )
    db["share_links"].create_index(["token_hash"], unique=True)


@migrations()
def m003_actuals_and_alert_log(db: Database) -> None:
    """Observed values (kept apart from the versioned design) and the log of alerts sent."""
    db["actuals"].create(
        {"workshop_id": str, "kpi": str, "date": str, "value": float, "market": float},
        pk=("workshop_id", "kpi", "date"),
        foreign_keys=[("workshop_id", "workshops", "id")],
    )
    db["alert_log"].create(
        {"id": int, "workshop_id": str, "kpi": str, "status": str, "date": str, "channel": str, "recipient": str,
         "sent_at": str, "ok": int, "detail": str, "test": int},
        pk="id",
    )
    db["alert_log"].create_index(["workshop_id", "kpi", "status", "date", "channel", "recipient"])


@migrations()
def m004_actuals_revision(db: Database) -> None:
    """A counter bumped whenever a workshop's actuals change, so readers can cache them."""
    db["workshops"].add_column("actuals_rev", int, not_null_default=0)


@migrations()
def m005_actuals_out_of_documents(db: Database) -> None:
    """Actuals kept inside a workshop's document (releases before the actuals table, m003, stored an imported file's there)
    move to the table, where the app reads them; a value already in the table for that KPI and date wins."""
    for wid, doc in db.execute("select id, doc from workshops").fetchall():
        data = json.loads(doc)
        rows = data.get("actuals") or []
        if not rows:
            continue
        db.conn.executemany(
            "insert or ignore into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?)",
            [(wid, r["kpi"], r["date"], r["value"], r.get("market")) for r in rows],
        )
        data["actuals"] = []
        db.execute("update workshops set doc = ?, actuals_rev = actuals_rev + 1 where id = ?",
                   (json.dumps(data, ensure_ascii=False, separators=(",", ":")), wid))


def attached(ws: Workshop, actuals: list[Actual]) -> Workshop:
    """The workshop with these actuals attached, keeping those of KPIs still in its tree."""
    ids = {n.id for n in ws.nodes}
    return ws.model_copy(update={"actuals": [a for a in actuals if a.kpi in ids]})


class StoreError(Exception):
    """Base class of the store's errors."""


class WorkshopNotFoundError(StoreError):
    """No workshop with that id (deleted, or never there)."""


class StaleVersionError(StoreError):
    """The workshop changed since the caller loaded it; carries the current version and its summary."""

    def __init__(self, workshop_id: str, expected: int, current: int, summary: str):
        super().__init__(f"workshop {workshop_id} is at version {current}, not {expected}")
        self.expected, self.current, self.summary = expected, current, summary


class NewerSchemaError(StoreError):
    """The database was written by a newer kpidesign: it records migrations this code does not know."""

    def __init__(self, where: str, unknown: list[str]):
        super().__init__(f"{where} was written by a newer kpidesign (schema migrations this version does not know: {', '.join(unknown)}); "
                         "upgrade kpidesign, or restore a backup made by this version. Nothing was changed.")
        self.unknown = unknown


def known_migrations() -> tuple[str, ...]:
    """The names of the migrations this code knows, in order (the schema version is their count)."""
    return tuple(m.name for m in migrations.pending(Database(memory=True)))


def check_schema(db: Database, where: str) -> None:
    """Refuse a database that records a migration this code does not know (before any migration is applied)."""
    known = set(known_migrations())
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise NewerSchemaError(where, unknown)


class InvalidWorkshopError(StoreError):
    """The workshop would be saved with structural errors; carries the findings."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f"{f.code} {f.node or ''}" for f in findings))
        self.findings = findings


@dataclass(frozen=True)
class Loaded:
    """A workshop as loaded: the document, its version and when it was last saved."""

    id: str
    workshop: Workshop
    version: int
    updated_at: str


@dataclass(frozen=True)
class Summary:
    """A workshop in the list."""

    id: str
    title: str
    created_at: str
    updated_at: str
    version: int
    steps_done: int


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
        now = now or dt.datetime.now(dt.timezone.utc)
        return self.revoked_at is None and (self.expires_at is None or dt.datetime.fromisoformat(self.expires_at) > now)


@dataclass(frozen=True)
class VersionInfo:
    """One saved version in the history."""

    version: int
    saved_at: str
    summary: str


class _Parsed:
    """The last version of each workshop parsed in this process, shared by every Store on the same database: a version
    is parsed once however many sessions show it (the facilitator's, the projector's, each share link's, which all
    refresh after an edit). Each entry is the (version, updated_at) it was parsed at, checked against the row on every
    load; versions are written once (optimistic locking), so an entry can only be right or stale, never wrong."""

    def __init__(self, size: int) -> None:
        self._entries: OrderedDict[tuple[str, str], Loaded] = OrderedDict()
        self._lock = threading.Lock()  # sessions run on their own threads
        self._size = size

    def get(self, where: str, workshop_id: str) -> Loaded | None:
        """The version last parsed of this workshop in this database, if any (the least recently used goes first)."""
        with self._lock:
            found = self._entries.get((where, workshop_id))
            if found is not None:
                self._entries.move_to_end((where, workshop_id))
            return found

    def put(self, where: str, loaded: Loaded) -> None:
        """Keep a parsed version (the oldest entry goes when the cache is full)."""
        with self._lock:
            self._entries[(where, loaded.id)] = loaded
            self._entries.move_to_end((where, loaded.id))
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def drop(self, where: str, workshop_id: str) -> None:
        """Forget a workshop (deleted)."""
        with self._lock:
            self._entries.pop((where, workshop_id), None)


_parsed = _Parsed(LOADED_CACHE)
_memory = itertools.count()


def default_path() -> Path:
    """The database file: $KPIDESIGN_DB, else data/kpidesign.db beside the package."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Store:
    """Open a database file (or memory) and read and write workshops in it."""

    def __init__(self, path: str | Path | None = None, *, memory: bool = False):
        if memory:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._where = f":memory:{next(_memory)}"  # a database of its own: shares nothing
        else:
            target = Path(path) if path else default_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            self._where = str(target.resolve())
            conn = sqlite3.connect(str(target), check_same_thread=False, isolation_level=None, timeout=30)
            try:
                check_schema(Database(conn), self._where)  # a newer database is refused before anything is written to it
            except NewerSchemaError:
                conn.close()
                raise
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")  # WAL + FULL: a commit is on disk when save returns, a power cut included
        self.db = Database(conn)
        migrations.apply(self.db)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def workshops(self) -> list[Summary]:
        """All workshops, most recently changed first."""
        rows = self.db.execute(
            "select id, title, created_at, updated_at, version, steps_done from workshops order by updated_at desc, title"
        ).fetchall()
        return [Summary(*row) for row in rows]

    def create(self, ws: Workshop, summary: str = "created") -> str:
        """Store a new workshop (its actuals into the actuals table) and return its id."""
        _guard(ws)
        wid = secrets.token_hex(6)
        now = _now()
        doc = _design(ws).model_dump_json()
        with self._write() as conn:
            conn.execute(
                "insert into workshops (id, title, created_at, updated_at, version, steps_done, doc) values (?,?,?,?,?,?,?)",
                (wid, ws.title, now, now, 1, steps_done(ws), doc),
            )
            _insert_actuals(conn, wid, ws.actuals)
            conn.execute("insert into versions values (?,?,?,?,?)", (wid, 1, now, summary, zlib.compress(doc.encode(), 1)))
        return wid

    def load(self, workshop_id: str) -> Loaded:
        """The current state of a workshop (the same object while its version is unchanged, shared by every Store of
        this process on the same database: never mutate it)."""
        known = _parsed.get(self._where, workshop_id)
        seen = (known.version, known.updated_at) if known else (None, None)
        row = self.db.execute(  # one read: the document is sent only when the version is not the one already parsed
            "select version, updated_at, case when version = ? and updated_at = ? then null else doc end from workshops where id = ?",
            (*seen, workshop_id),
        ).fetchone()
        if row is None:
            _parsed.drop(self._where, workshop_id)
            raise WorkshopNotFoundError(workshop_id)
        if row[2] is None and known is not None:
            return known
        loaded = Loaded(workshop_id, Workshop.model_validate_json(row[2]), row[0], row[1])
        _parsed.put(self._where, loaded)
        return loaded

    def exists(self, workshop_id: str) -> bool:
        """True if a workshop with this id is stored."""
        return self.db.execute("select 1 from workshops where id = ?", (workshop_id,)).fetchone() is not None

    def save(self, workshop_id: str, ws: Workshop, *, expected_version: int, summary: str) -> int:
        """Save a new state on top of expected_version in one transaction; return the new version."""
        _guard(ws)
        doc = _design(ws).model_dump_json()
        now = _now()
        with self._write() as conn:
            row = conn.execute("select version from workshops where id = ?", (workshop_id,)).fetchone()
            if row is None:
                raise WorkshopNotFoundError(workshop_id)
            if row[0] != expected_version:
                last = conn.execute(
                    "select summary from versions where workshop_id = ? and version = ?", (workshop_id, row[0])
                ).fetchone()
                raise StaleVersionError(workshop_id, expected_version, row[0], last[0] if last else "")
            new = expected_version + 1
            conn.execute(
                "update workshops set doc = ?, title = ?, version = ?, updated_at = ?, steps_done = ? where id = ?",
                (doc, ws.title, new, now, steps_done(ws), workshop_id),
            )
            conn.execute("insert into versions values (?,?,?,?,?)", (workshop_id, new, now, summary, zlib.compress(doc.encode(), 1)))
            conn.execute("delete from versions where workshop_id = ? and version <= ?", (workshop_id, new - KEEP_VERSIONS))
        return new

    def duplicate(self, workshop_id: str, title: str) -> str:
        """Copy a workshop (with its actuals) under a new title; return the copy's id."""
        ws = self.with_actuals(self.load(workshop_id).workshop, workshop_id)
        return self.create(ws.model_copy(update={"title": title}), summary="duplicated")

    def actuals(self, workshop_id: str) -> list[Actual]:
        """Every observed value of a workshop, by KPI and date."""
        rows = self.db.execute("select kpi, date, value, market from actuals where workshop_id = ? order by kpi, date", (workshop_id,)).fetchall()
        # rows written by this store were validated on the way in: build them without validating again
        return [Actual.model_construct(kpi=k, date=dt.date.fromisoformat(d), value=v, market=m) for k, d, v, m in rows]

    def with_actuals(self, ws: Workshop, workshop_id: str) -> Workshop:
        """The workshop with its actuals attached (those of KPIs still in the tree)."""
        return attached(ws, self.actuals(workshop_id))

    def add_actuals(self, workshop_id: str, actuals: list[Actual]) -> int:
        """Insert or replace observed values (one per KPI and date) in one transaction; return how many."""
        if not self.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        with self._write() as conn:
            _insert_actuals(conn, workshop_id, actuals)
            conn.execute("update workshops set updated_at = ?, actuals_rev = actuals_rev + 1 where id = ?", (_now(), workshop_id))
        return len(actuals)

    def actuals_rev(self, workshop_id: str) -> int:
        """How many times the actuals of a workshop have changed (a cache key)."""
        row = self.db.execute("select actuals_rev from workshops where id = ?", (workshop_id,)).fetchone()
        if row is None:
            raise WorkshopNotFoundError(workshop_id)
        return int(row[0])

    def delete_actual(self, workshop_id: str, kpi: str, date: dt.date) -> None:
        """Remove one observed value."""
        with self._write() as conn:
            conn.execute("delete from actuals where workshop_id = ? and kpi = ? and date = ?", (workshop_id, kpi, date.isoformat()))
            conn.execute("update workshops set actuals_rev = actuals_rev + 1 where id = ?", (workshop_id,))

    def alert_sent(self, workshop_id: str, key: tuple[str, str, str, str, str]) -> bool:
        """True when this alert (KPI, status, date, channel, recipient) was already delivered."""
        return self.db.execute(
            "select 1 from alert_log where workshop_id = ? and kpi = ? and status = ? and date = ? and channel = ? and recipient = ? and ok = 1 and test = 0",
            (workshop_id, *key),
        ).fetchone() is not None

    def log_alert(self, workshop_id: str, key: tuple[str, str, str, str, str], ok: bool, detail: str, test: bool = False) -> None:
        """Record a delivery attempt."""
        with self._write() as conn:
            conn.execute(
                "insert into alert_log (workshop_id, kpi, status, date, channel, recipient, sent_at, ok, detail, test) values (?,?,?,?,?,?,?,?,?,?)",
                (workshop_id, *key, _now(), int(ok), detail[:500], int(test)),
            )

    def alert_log(self, workshop_id: str, limit: int = 200) -> list[dict[str, object]]:
        """The latest delivery attempts, newest first."""
        rows = self.db.execute(
            "select sent_at, kpi, status, date, channel, recipient, ok, detail, test from alert_log where workshop_id = ? order by id desc limit ?",
            (workshop_id, limit),
        ).fetchall()
        keys = ("sent_at", "kpi", "status", "date", "channel", "recipient", "ok", "detail", "test")
        return [dict(zip(keys, row)) for row in rows]

    def create_share(self, workshop_id: str, *, label: str = "", expires_at: dt.datetime | dt.timedelta | None = SHARE_EXPIRY) -> str:
        """A new read-only link token (256 bits from secrets); only its hash is stored, so show it now. It expires at a
        time, or after a duration from now (SHARE_EXPIRY, 90 days, unless told); None: it never expires."""
        if not self.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        if isinstance(expires_at, dt.timedelta):
            expires_at = dt.datetime.now(dt.timezone.utc) + expires_at
        token = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(
                "insert into share_links (id, token_hash, workshop_id, label, created_at, expires_at, revoked_at) values (?,?,?,?,?,?,null)",
                (secrets.token_hex(4), _hash(token), workshop_id, label[:80], _now(), expires_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if expires_at else None),
            )
        return token

    def shares(self, workshop_id: str) -> list[ShareLink]:
        """The share links of a workshop, newest first (revoked and expired ones included)."""
        rows = self.db.execute(
            "select id, label, created_at, expires_at, revoked_at from share_links where workshop_id = ? order by created_at desc, id", (workshop_id,)
        ).fetchall()
        return [ShareLink(*row) for row in rows]

    def revoke_share(self, workshop_id: str, share_id: str) -> None:
        """Revoke one link of a workshop; it stops working at once."""
        with self._write() as conn:
            conn.execute("update share_links set revoked_at = ? where id = ? and workshop_id = ? and revoked_at is null", (_now(), share_id, workshop_id))

    def resolve_share(self, token: str | None) -> str | None:
        """The workshop a valid token opens; None for a wrong, revoked or expired token (nothing else is told)."""
        if not token or len(token) > 200:
            return None
        row = self.db.execute(
            "select l.workshop_id, l.label, l.created_at, l.expires_at, l.revoked_at from share_links l join workshops w on w.id = l.workshop_id where l.token_hash = ?",
            (_hash(token),),
        ).fetchone()
        if row is None or not ShareLink("", row[1], row[2], row[3], row[4]).active():
            return None
        return row[0]

    def delete(self, workshop_id: str) -> None:
        """Remove a workshop, its history and its share links."""
        with self._write() as conn:
            conn.execute("delete from actuals where workshop_id = ?", (workshop_id,))
            conn.execute("delete from alert_log where workshop_id = ?", (workshop_id,))
            conn.execute("delete from share_links where workshop_id = ?", (workshop_id,))
            conn.execute("delete from versions where workshop_id = ?", (workshop_id,))
            conn.execute("delete from workshops where id = ?", (workshop_id,))

    def history(self, workshop_id: str, limit: int = 200) -> list[VersionInfo]:
        """Saved versions, newest first."""
        rows = self.db.execute(
            "select version, saved_at, summary from versions where workshop_id = ? order by version desc limit ?",
            (workshop_id, limit),
        ).fetchall()
        return [VersionInfo(*row) for row in rows]

    def load_version(self, workshop_id: str, version: int) -> Workshop:
        """A workshop as it was at an earlier version."""
        row = self.db.execute(
            "select doc from versions where workshop_id = ? and version = ?", (workshop_id, version)
        ).fetchone()
        if row is None:
            raise WorkshopNotFoundError(f"{workshop_id}@{version}")
        return Workshop.model_validate_json(zlib.decompress(row[0]))

    def restore(self, workshop_id: str, version: int, *, expected_version: int) -> int:
        """Make an earlier version the current one (as a new version, so the restore can be undone)."""
        old = self.load_version(workshop_id, version)
        return self.save(workshop_id, old, expected_version=expected_version, summary=f"restore v{version}")

    def undo_target(self, workshop_id: str) -> int | None:
        """The version an undo returns to: the one before the last change (after an undo, one step further back)."""
        row = self.db.execute(
            "select version, summary from versions where workshop_id = ? order by version desc limit 1", (workshop_id,)
        ).fetchone()
        if row is None:
            return None
        undone = UNDO_SUMMARY.fullmatch(row[1] or "")
        target = (int(undone.group(1)) if undone else row[0]) - 1
        kept = self.db.execute("select 1 from versions where workshop_id = ? and version = ?", (workshop_id, target)).fetchone()
        return target if kept else None

    def undo(self, workshop_id: str, *, expected_version: int) -> tuple[int, int] | None:
        """Undo the last change (as a new version, so history keeps both); the new version and the one returned to."""
        target = self.undo_target(workshop_id)
        if target is None:
            return None
        old = self.load_version(workshop_id, target)
        return self.save(workshop_id, old, expected_version=expected_version, summary=f"undo: back to v{target}"), target


def _design(ws: Workshop) -> Workshop:
    """The versioned part of a workshop: everything but the actuals, which live in their own table."""
    return ws.model_copy(update={"actuals": []}) if ws.actuals else ws


def _insert_actuals(conn: sqlite3.Connection, workshop_id: str, actuals: list[Actual]) -> None:
    conn.executemany(
        "insert or replace into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?)",
        [(workshop_id, a.kpi, a.date.isoformat(), a.value, a.market) for a in actuals],
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _guard(ws: Workshop) -> None:
    problems = errors(check_structure(ws))
    if problems:
        raise InvalidWorkshopError(problems)
