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
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar, cast

from pydantic import ValidationError
from sqlite_utils import Database, Migrations

from kpidesign import room as rules
from kpidesign.findings import Finding, Severity, errors
from kpidesign.model import Actual, RoomIdea, RoomRecord, RoomVote, Workshop
from kpidesign.progress import steps_done
from kpidesign.room import Idea, IdeaStatus, Room, RoomState, Timer, Vote, VoteKind, VoteState
from kpidesign.tree import check_structure
from kpidesign.values import EditError, Problem

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "kpidesign.db"
ENV_VAR = "KPIDESIGN_DB"
KEEP_VERSIONS = 500
SHARE_EXPIRY = dt.timedelta(days=90)  # a share link's life unless its creator chooses another (or none)
LOADED_CACHE = 32  # workshops kept parsed in a process, the last version of each (across every session and database)
MAX_VERSION_BYTES = 64 * 2**20  # a stored version (a workshop's JSON, 2,000 nodes at most) inflates to no more than this
INFLATE_CHUNK = 2**20  # a version is inflated a chunk at a time: a zip bomb is stopped at the bound, not after
UNDO_SUMMARY = re.compile(r"undo: back to v(\d+)")  # the summary an undo leaves, so that a second undo goes further back

migrations = Migrations("kpidesign")


@migrations()
def m001_workshops(db: Database) -> None:
    """Workshops and their version history."""
    db.table("workshops").create(
        {"id": str, "title": str, "created_at": str, "updated_at": str, "version": int, "steps_done": int, "doc": str},
        pk="id",
    )
    db.table("versions").create(
        {"workshop_id": str, "version": int, "saved_at": str, "summary": str, "doc": bytes},
        pk=("workshop_id", "version"),
        foreign_keys=[("workshop_id", "workshops", "id")],
    )


@migrations()
def m002_share_links(db: Database) -> None:
    """Read-only share links, stored by the SHA-256 of their token."""
    db.table("share_links").create(
        {"id": str, "token_hash": str, "workshop_id": str, "label": str, "created_at": str, "expires_at": str, "revoked_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"token_hash", "workshop_id", "created_at"},
    )
    db.table("share_links").create_index(["token_hash"], unique=True)


@migrations()
def m003_actuals_and_alert_log(db: Database) -> None:
    """Observed values (kept apart from the versioned design) and the log of alerts sent."""
    db.table("actuals").create(
        {"workshop_id": str, "kpi": str, "date": str, "value": float, "market": float},
        pk=("workshop_id", "kpi", "date"),
        foreign_keys=[("workshop_id", "workshops", "id")],
    )
    db.table("alert_log").create(
        {
            "id": int,
            "workshop_id": str,
            "kpi": str,
            "status": str,
            "date": str,
            "channel": str,
            "recipient": str,
            "sent_at": str,
            "ok": int,
            "detail": str,
            "test": int,
        },
        pk="id",
    )
    db.table("alert_log").create_index(["workshop_id", "kpi", "status", "date", "channel", "recipient"])


@migrations()
def m004_actuals_revision(db: Database) -> None:
    """A counter bumped whenever a workshop's actuals change, so readers can cache them."""
    db.table("workshops").add_column("actuals_rev", int, not_null_default=0)


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
        db.execute(
            "update workshops set doc = ?, actuals_rev = actuals_rev + 1 where id = ?",
            (json.dumps(data, ensure_ascii=False, separators=(",", ":")), wid),
        )


@migrations()
def m006_rooms(db: Database) -> None:
    """Rooms (participant mode): one per workshop, its join token stored by SHA-256; participants, their ideas and dots."""
    db.table("rooms").create(
        {
            "workshop_id": str,
            "token_hash": str,
            "state": str,
            "anonymous": int,
            "step": str,
            "node": str,
            "activity": int,
            "follow": int,
            "timer_seconds": int,
            "timer_started_at": float,
            "timer_elapsed": float,
            "timer_close": int,
            "opened_at": str,
            "closed_at": str,
        },
        pk="workshop_id",
        foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"state"},
    )
    db.table("rooms").create_index(["token_hash"], unique=True)
    db.table("room_participants").create(
        {"id": str, "workshop_id": str, "name": str, "joined_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id")],
    )
    db.table("room_participants").create_index(["workshop_id"])
    db.table("room_ideas").create(
        {
            "id": int,
            "workshop_id": str,
            "participant_id": str,
            "activity": int,
            "parent": str,
            "text": str,
            "status": str,
            "merged_into": int,
            "node": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id")],
        not_null={"workshop_id", "participant_id", "text", "status"},
    )
    db.table("room_ideas").create_index(["workshop_id", "participant_id"])
    db.table("room_votes").create(
        {"id": int, "workshop_id": str, "question": str, "kind": str, "options": str, "dots": int, "state": str, "opened_at": str},
        pk="id",
        foreign_keys=[("workshop_id", "workshops", "id")],
    )
    db.table("room_dots").create(
        {"id": int, "vote_id": int, "participant_id": str, "option": str, "at": str},
        pk="id",
        foreign_keys=[("vote_id", "room_votes", "id")],
    )
    db.table("room_dots").create_index(["vote_id", "participant_id"])


@migrations()
def m007_room_revision_and_participant_secrets(db: Database) -> None:
    """A room's revision (bumped by every write to the room, so readers can cache what they drew), and participants kept
    by the SHA-256 of the secret their browser holds: the secret itself (until now the participant's id) is no longer
    stored, and the address or cookie a browser already holds keeps working."""
    db.table("rooms").add_column("rev", int, not_null_default=0)
    for (old,) in db.execute("select id from room_participants").fetchall():
        new = _hash(old)
        db.execute("update room_participants set id = ? where id = ?", (new, old))
        db.execute("update room_ideas set participant_id = ? where participant_id = ?", (new, old))
        db.execute("update room_dots set participant_id = ? where participant_id = ?", (new, old))


@migrations()
def m008_vote_counts_and_room_bounds(db: Database) -> None:
    """Votes counted per option (an imported vote's results were one row per dot: a small file could add millions of
    rows), and what bounds a room: the client a participant joined from (a hash, for the joins-per-client limit) and
    when the facilitator removed them; and what an accepted idea was before (an undo of the acceptance returns it there)."""
    db.table("room_tallies").create(
        {"vote_id": int, "option": str, "dots": int}, pk=("vote_id", "option"), foreign_keys=[("vote_id", "room_votes", "id")]
    )
    db.execute(
        "insert into room_tallies (vote_id, option, dots) select vote_id, option, count(*) from room_dots "
        "where participant_id like 'imported:%' group by vote_id, option"
    )
    db.execute("delete from room_dots where participant_id like 'imported:%'")
    db.table("room_participants").add_column("client", str)
    db.table("room_participants").add_column("removed_at", str)
    db.table("room_participants").create_index(["workshop_id", "client", "joined_at"])
    # what an idea was (private or revealed) when the facilitator decided it: an undone acceptance returns it there,
    # and one decided while private is never shown to the room
    db.table("room_ideas").add_column("decided_from", str)
    # the question a vote was opened under: its result is shown until the next one
    db.table("room_votes").add_column("activity", int)


def attached(ws: Workshop, actuals: list[Actual]) -> Workshop:
    """The workshop with these actuals attached, keeping those of KPIs still in its tree."""
    ids = {n.id for n in ws.nodes}
    return ws.model_copy(update={"actuals": [a for a in actuals if a.kpi in ids]})


_UNDECIDED = f"('{IdeaStatus.PRIVATE.value}', '{IdeaStatus.REVEALED.value}')"  # ideas the facilitator has not yet decided


class Membership(StrEnum):
    """Whom a participant secret names in a room."""

    NONE = "none"
    ACTIVE = "active"
    REMOVED = "removed"


class StoreError(Exception):
    """Base class of the store's errors."""


class WorkshopNotFoundError(StoreError):
    """No workshop with that id (deleted, or never there)."""


class StaleVersionError(StoreError):
    """The workshop changed since the caller loaded it; carries the current version and its summary."""

    def __init__(self, workshop_id: str, expected: int, current: int, summary: str):
        super().__init__(f"workshop {workshop_id} is at version {current}, not {expected}")
        self.workshop_id, self.expected, self.current, self.summary = workshop_id, expected, current, summary


class CorruptVersionError(StoreError):
    """A stored version that is not a whole zlib document, or that inflates beyond MAX_VERSION_BYTES (a zip bomb)."""


def inflate(blob: object, *, keep: bool = True) -> bytes:
    """A stored version's document, inflated a chunk at a time and never beyond MAX_VERSION_BYTES (CorruptVersionError
    otherwise, in bounded memory and time); keep=False only checks it (each chunk is thrown away: ~1 MB whatever it
    claims) and returns b""."""
    if not isinstance(blob, bytes):
        raise CorruptVersionError("is not a compressed document")
    inflater, total, pending, parts = zlib.decompressobj(), 0, blob, []
    try:
        while True:
            out = inflater.decompress(pending, INFLATE_CHUNK)
            total += len(out)
            if total > MAX_VERSION_BYTES:
                raise CorruptVersionError(f"inflates to more than {MAX_VERSION_BYTES // 2**20} MB (a zip bomb?)")
            if keep:
                parts.append(out)
            pending = inflater.unconsumed_tail
            if inflater.eof or not (pending or len(out) == INFLATE_CHUNK):
                break
    except zlib.error as e:
        raise CorruptVersionError(f"cannot be decompressed ({e})") from None
    if not inflater.eof or inflater.unused_data:
        raise CorruptVersionError("is not a whole compressed document")
    return b"".join(parts)


class NewerSchemaError(StoreError):
    """The database was written by a newer kpidesign: it records migrations this code does not know."""

    def __init__(self, where: str, unknown: list[str]):
        super().__init__(
            f"{where} was written by a newer kpidesign (schema migrations this version does not know: {', '.join(unknown)}); "
            "upgrade kpidesign, or restore a backup made by this version. Nothing was changed."
        )
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
        now = now or dt.datetime.now(dt.UTC)
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
T = TypeVar("T")
ROOM_CACHE = 64  # what rooms' readers asked, per revision (ideas, votes, dots, counts), across every session


class _RoomCache:
    """What was read of a room at a revision, kept for every session of this process (the least recently used goes
    first). Keys hold the revision: a write to the room makes a new one, so an entry is never stale, only unused."""

    def __init__(self, size: int) -> None:
        self._entries: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple[object, ...]) -> object | None:
        """The value kept under key, if any."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: object) -> None:
        """Keep a value (the oldest entry goes when full)."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_room_cache = _RoomCache(ROOM_CACHE)
_memory = itertools.count()


def default_path() -> Path:
    """The database file: $KPIDESIGN_DB, else data/kpidesign.db beside the package."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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
            if ws.room is not None:
                _insert_room(conn, wid, ws.room)
            conn.execute("insert into versions values (?,?,?,?,?)", (wid, 1, now, summary, zlib.compress(doc.encode(), 1)))
        return wid

    @property
    def where(self) -> str:
        """Which database this is (its resolved path, or a name of its own for one in memory): part of every cache key."""
        return self._where

    def load(self, workshop_id: str, *, expected_version: int | None = None) -> Loaded:
        """The current state of a workshop (the same object while its version is unchanged, shared by every Store of
        this process on the same database: never mutate it); StaleVersionError when an expected version is given and the
        workshop has moved on from it (a change is then never worked out on a state its author did not see)."""
        known = _parsed.get(self._where, workshop_id)
        seen = (known.version, known.updated_at) if known else (None, None)
        row = self.db.execute(  # one read: the document is sent only when the version is not the one already parsed
            "select version, updated_at, case when version = ? and updated_at = ? then null else doc end from workshops where id = ?",
            (*seen, workshop_id),
        ).fetchone()
        if row is None:
            _parsed.drop(self._where, workshop_id)
            raise WorkshopNotFoundError(workshop_id)
        if expected_version is not None and row[0] != expected_version:
            last = self.db.execute("select summary from versions where workshop_id = ? and version = ?", (workshop_id, row[0])).fetchone()
            raise StaleVersionError(workshop_id, expected_version, row[0], last[0] if last else "")
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
                last = conn.execute("select summary from versions where workshop_id = ? and version = ?", (workshop_id, row[0])).fetchone()
                raise StaleVersionError(workshop_id, expected_version, row[0], last[0] if last else "")
            new = expected_version + 1
            conn.execute(
                "update workshops set doc = ?, title = ?, version = ?, updated_at = ?, steps_done = ? where id = ?",
                (doc, ws.title, new, now, steps_done(ws), workshop_id),
            )
            conn.execute("insert into versions values (?,?,?,?,?)", (workshop_id, new, now, summary, zlib.compress(doc.encode(), 1)))
            conn.execute("delete from versions where workshop_id = ? and version <= ?", (workshop_id, new - KEEP_VERSIONS))
            self._unaccept_missing(conn, workshop_id, ws)
        return new

    def _unaccept_missing(self, conn: sqlite3.Connection, workshop_id: str, ws: Workshop) -> None:
        """Ideas accepted as nodes the design no longer has (an undo of "make nodes", a restore, a deletion) are undecided
        again, as they were before (private stays private): back in the inbox, choosable, and named by no export."""
        ids = {n.id for n in ws.nodes}
        gone = [
            (r[0],)
            for r in conn.execute(
                "select id, node from room_ideas where workshop_id = ? and status = ?", (workshop_id, IdeaStatus.ACCEPTED.value)
            ).fetchall()
            if r[1] not in ids
        ]
        if gone:
            conn.executemany(
                "update room_ideas set status = coalesce(decided_from, ?), node = null, decided_from = null where id = ?",
                [(IdeaStatus.REVEALED.value, *g) for g in gone],
            )
            self._touch(conn, workshop_id)

    def duplicate(self, workshop_id: str, title: str) -> str:
        """Copy a workshop (with its actuals and its room's ideas and votes, closed) under a new title; return the copy's id."""
        ws = self.with_room(self.with_actuals(self.load(workshop_id).workshop, workshop_id), workshop_id)
        return self.create(ws.model_copy(update={"title": title}), summary="duplicated")

    def actuals(self, workshop_id: str) -> list[Actual]:
        """Every observed value of a workshop, by KPI and date."""
        rows = self.db.execute(
            "select kpi, date, value, market from actuals where workshop_id = ? order by kpi, date", (workshop_id,)
        ).fetchall()
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
        return (
            self.db.execute(
                "select 1 from alert_log where workshop_id = ? and kpi = ? and status = ? and date = ? and channel = ? and recipient = ? and ok = 1 and test = 0",
                (workshop_id, *key),
            ).fetchone()
            is not None
        )

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
            expires_at = dt.datetime.now(dt.UTC) + expires_at
        token = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(
                "insert into share_links (id, token_hash, workshop_id, label, created_at, expires_at, revoked_at) values (?,?,?,?,?,?,null)",
                (
                    secrets.token_hex(4),
                    _hash(token),
                    workshop_id,
                    label[:80],
                    _now(),
                    expires_at.astimezone(dt.UTC).isoformat(timespec="seconds") if expires_at else None,
                ),
            )
        return token

    def shares(self, workshop_id: str) -> list[ShareLink]:
        """The share links of a workshop, newest first (revoked and expired ones included)."""
        rows = self.db.execute(
            "select id, label, created_at, expires_at, revoked_at from share_links where workshop_id = ? order by created_at desc, id",
            (workshop_id,),
        ).fetchall()
        return [ShareLink(*row) for row in rows]

    def revoke_share(self, workshop_id: str, share_id: str) -> None:
        """Revoke one link of a workshop; it stops working at once."""
        with self._write() as conn:
            conn.execute(
                "update share_links set revoked_at = ? where id = ? and workshop_id = ? and revoked_at is null",
                (_now(), share_id, workshop_id),
            )

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
        workshop_id: str = row[0]
        return workshop_id

    # rooms (participant mode): the facilitator's settings, the join token, participants' ideas and dots.
    # A participant is named by the secret their browser holds (returned by join_room, kept in its address and a
    # cookie); only its SHA-256 is stored, as the participant's id (kpidesign.room.participant_key). Every write to a
    # room bumps its revision (rooms.rev) in the same transaction, so what is read can be cached by revision: 30 phones
    # and the facilitator's inbox, each refreshing every second or two, read the ideas once per change, not per refresh.

    def _touch(self, conn: sqlite3.Connection, workshop_id: str) -> None:
        """Bump the room's revision (the last statement of every write to a room: see _cached)."""
        conn.execute("update rooms set rev = rev + 1 where workshop_id = ?", (workshop_id,))

    def room_rev(self, workshop_id: str) -> int | None:
        """The room's revision: it changes with every write to the room (settings, participants, ideas, votes, dots);
        None when the workshop never had a room. One indexed read: what a refresh asks before anything else."""
        row = self.db.execute("select rev from rooms where workshop_id = ?", (workshop_id,)).fetchone()
        return None if row is None else int(row[0])

    def _cached(self, workshop_id: str, what: tuple[object, ...], read: Callable[[], T]) -> T:
        """read() once per room revision in this process (shared by every session on this database). The revision is
        read first, so what is kept under it is never older than it; inside a write transaction nothing is kept (it
        might still roll back)."""
        if self.db.conn.in_transaction:
            return read()
        rev = self.room_rev(workshop_id)
        if rev is None:
            return read()
        key = (self._where, workshop_id, rev, *what)
        found = _room_cache.get(key)
        if found is None:
            found = read()
            _room_cache.put(key, found)
        return cast(T, found)

    def open_room(self, workshop_id: str, *, anonymous: bool | None = None) -> str:
        """Open the workshop's room with a new join token (256 bits from secrets; only its hash is stored, so show it
        now): the token of an earlier opening stops working. Ideas and votes of earlier openings are kept."""
        if not self.exists(workshop_id):
            raise WorkshopNotFoundError(workshop_id)
        token = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(
                "insert into rooms (workshop_id, token_hash, state, anonymous, step, activity, follow, timer_seconds, timer_elapsed, timer_close, opened_at, rev) "
                "values (?,?,?,?,?,1,0,0,0,0,?,?) on conflict(workshop_id) do update set token_hash = excluded.token_hash, "
                "state = excluded.state, opened_at = excluded.opened_at, closed_at = null",
                (workshop_id, _hash(token), RoomState.OPEN.value, 1, "tree", _now(), secrets.randbelow(1 << 30)),
            )
            if anonymous is not None:
                conn.execute("update rooms set anonymous = ? where workshop_id = ?", (int(anonymous), workshop_id))
            self._touch(conn, workshop_id)
        return token

    def close_room(self, workshop_id: str) -> None:
        """Close the room, and its vote: its join token opens nothing from now on, and no participant's write is taken
        (participants see it at their next refresh)."""
        with self._write() as conn:
            conn.execute("update rooms set state = ?, closed_at = ? where workshop_id = ?", (RoomState.CLOSED.value, _now(), workshop_id))
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            conn.execute("update room_participants set client = null where workshop_id = ?", (workshop_id,))  # kept no longer than needed
            self._touch(conn, workshop_id)

    def room(self, workshop_id: str) -> Room | None:
        """The workshop's room as last set, or None if it was never opened."""
        row = self.db.execute(
            "select state, anonymous, step, node, activity, follow, timer_seconds, timer_started_at, timer_elapsed, timer_close, opened_at "
            "from rooms where workshop_id = ?",
            (workshop_id,),
        ).fetchone()
        if row is None:
            return None
        timer = Timer(row[6] or 0, row[7], row[8] or 0.0, bool(row[9]))
        return Room(workshop_id, RoomState(row[0]), bool(row[1]), row[2] or "tree", row[3], row[4] or 1, bool(row[5]), timer, row[10])

    def save_room(self, room: Room) -> None:
        """Store the facilitator's settings of an opened room (names shown, prompt, follow me, timer); not its state."""
        t = room.timer
        with self._write() as conn:
            conn.execute(
                "update rooms set anonymous = ?, step = ?, node = ?, activity = ?, follow = ?, timer_seconds = ?, timer_started_at = ?, "
                "timer_elapsed = ?, timer_close = ? where workshop_id = ?",
                (
                    int(room.anonymous),
                    room.step,
                    room.node,
                    room.activity,
                    int(room.follow),
                    t.seconds,
                    t.started_at,
                    t.elapsed,
                    int(t.close_on_end),
                    room.workshop_id,
                ),
            )
            self._touch(conn, room.workshop_id)

    def resolve_join(self, token: str | None) -> str | None:
        """The workshop whose open room this join token enters; None for a wrong token or a closed room (nothing else is
        told). A join token is not a share token: resolve_share never accepts it, nor this a share token."""
        if not token or len(token) > 200:
            return None
        row = self.db.execute(
            "select workshop_id from rooms where token_hash = ? and state = ?", (_hash(token), RoomState.OPEN.value)
        ).fetchone()
        return row[0] if row else None

    def join_room(self, workshop_id: str, name: str = "", *, client: str = "", now: dt.datetime | None = None) -> str:
        """A new participant of an open room (display name optional); return their secret (256 bits from secrets), which
        only their own browser holds: only its hash is stored. client names where the browser connects from (an address;
        only its hash is kept): a room takes at most JOINS_PER_CLIENT joins from one client within JOIN_WINDOW, so one
        holder of the join link cannot fill it. Raise EditError when the room is closed or full, the client joined too
        often, or the name is refused (all checked in the write transaction, so parallel joins cannot pass them)."""
        clean = rules.parse_display_name(name)
        if isinstance(clean, Problem):
            raise EditError(clean)
        secret = secrets.token_urlsafe(32)
        at = now or dt.datetime.now(dt.UTC)
        since = (at - dt.timedelta(seconds=rules.JOIN_WINDOW)).isoformat(timespec="seconds")
        where = _hash(f"client:{client}")
        with self._write() as conn:
            room = conn.execute("select state from rooms where workshop_id = ?", (workshop_id,)).fetchone()
            people = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
            ).fetchone()[0]
            recent = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and client = ? and joined_at > ?", (workshop_id, where, since)
            ).fetchone()[0]
            problem = rules.can_join(RoomState(room[0]) if room else None, people, recent)
            if problem:
                raise EditError(problem)
            conn.execute(
                "insert into room_participants (id, workshop_id, name, joined_at, client) values (?,?,?,?,?)",
                (rules.participant_key(secret), workshop_id, clean, at.isoformat(timespec="seconds"), where),
            )
            self._touch(conn, workshop_id)
        return secret

    def membership(self, workshop_id: str, secret: str | None) -> Membership:
        """Whom this secret names in this workshop's room: a participant, one the facilitator removed, or no one (a
        secret of another room names no one here)."""
        if not secret or len(secret) > 200:
            return Membership.NONE
        row = self.db.execute(
            "select removed_at from room_participants where id = ? and workshop_id = ?", (rules.participant_key(secret), workshop_id)
        ).fetchone()
        if row is None:
            return Membership.NONE
        return Membership.ACTIVE if row[0] is None else Membership.REMOVED

    def is_participant(self, workshop_id: str, secret: str | None) -> bool:
        """True when this secret names a participant of this workshop's room, not removed."""
        return self.membership(workshop_id, secret) is Membership.ACTIVE

    def remove_participant(self, workshop_id: str, key: str) -> int:
        """Take a participant (named by their key, kpidesign.room.participant_key) out of the room (see
        remove_participants); how many of their ideas were hidden."""
        self.remove_participants(workshop_id, [key])
        return sum(1 for i in self._read_ideas(workshop_id, removed=True) if i.participant == key and i.status is not IdeaStatus.ACCEPTED)

    def remove_participants(self, workshop_id: str, keys: list[str]) -> int:
        """Take participants out of the room in one write: they can write nothing more, their ideas not yet made nodes
        and their dots are no longer shown, counted or exported, and their browsers do not join again. Undone by
        readmit_participant; how many were removed."""
        with self._write() as conn:
            now = _now()
            done = sum(
                conn.execute(
                    "update room_participants set removed_at = ? where id = ? and workshop_id = ? and removed_at is null",
                    (now, key, workshop_id),
                ).rowcount
                for key in keys
            )
            self._touch(conn, workshop_id)
            return done

    def remove_silent(self, workshop_id: str, *, quiet: float = 120.0, now: dt.datetime | None = None) -> int:
        """Take out of the room, in one write, everyone who joined more than `quiet` seconds ago and has sent no idea
        and placed no dot (joins that fill the room and do nothing); how many. Undone one by one, or all at once."""
        since = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=quiet)).isoformat(timespec="seconds")
        with self._write() as conn:
            done = conn.execute(
                "update room_participants set removed_at = ? where workshop_id = ? and removed_at is null and joined_at <= ? "
                "and id not in (select participant_id from room_ideas where workshop_id = ?) "
                "and id not in (select d.participant_id from room_dots d join room_votes v on v.id = d.vote_id where v.workshop_id = ?)",
                (_now(), workshop_id, since, workshop_id, workshop_id),
            ).rowcount
            self._touch(conn, workshop_id)
            return done

    def readmit_participant(self, workshop_id: str, key: str | None = None) -> int:
        """Undo a removal: the participant (every removed one when key is None), their ideas and dots back as they were,
        as long as the room has places (EditError room_full otherwise: nothing is readmitted); how many."""
        with self._write() as conn:
            people = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
            ).fetchone()[0]
            back = conn.execute(
                "select count(*) from room_participants where workshop_id = ? and removed_at is not null and (? is null or id = ?)",
                (workshop_id, key, key),
            ).fetchone()[0]
            if people + back > rules.MAX_PARTICIPANTS:
                raise EditError(Problem("room_full", {"max": rules.MAX_PARTICIPANTS}))
            conn.execute(
                "update room_participants set removed_at = null where workshop_id = ? and removed_at is not null and (? is null or id = ?)",
                (workshop_id, key, key),
            )
            self._touch(conn, workshop_id)
            return int(back)

    def removed_participants(self, workshop_id: str) -> list[tuple[str, str]]:
        """The participants the facilitator removed, as (key, display name), the latest first (read once per room revision)."""

        def read() -> list[tuple[str, str]]:
            rows = self.db.execute(
                "select id, coalesce(name, '') from room_participants where workshop_id = ? and removed_at is not null "
                "order by removed_at desc, rowid desc",
                (workshop_id,),
            ).fetchall()
            return [(r[0], r[1]) for r in rows]

        return list(self._cached(workshop_id, ("removed",), read))

    def rename_participant(self, workshop_id: str, secret: str, name: str) -> None:
        """Change a participant's display name (raise EditError for a name refused)."""
        clean = rules.parse_display_name(name)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            self._open_to(workshop_id, secret)
            conn.execute(
                "update room_participants set name = ? where id = ? and workshop_id = ?",
                (clean, rules.participant_key(secret), workshop_id),
            )
            self._touch(conn, workshop_id)

    def participant_count(self, workshop_id: str) -> int:
        """How many people joined the room."""
        return self._cached(
            workshop_id,
            ("people",),
            lambda: int(
                self.db.execute(
                    "select count(*) from room_participants where workshop_id = ? and removed_at is null", (workshop_id,)
                ).fetchone()[0]
            ),
        )

    def ideas(self, workshop_id: str, secret: str | None = None) -> list[Idea]:
        """The room's ideas in the order sent (with their authors' names): all of them, or one participant's (named by
        their secret). Read once per room revision (see _cached); each Idea's participant is the participant's key."""
        every: list[Idea] = self._cached(workshop_id, ("ideas",), lambda: self._read_ideas(workshop_id))
        if secret is None:
            return list(every)
        key = rules.participant_key(secret)
        return [i for i in every if i.participant == key]

    def _read_ideas(self, workshop_id: str, *, removed: bool = False) -> list[Idea]:
        """The room's ideas; those of removed participants (but the ones made nodes) only when asked for."""
        shown = "" if removed else f"and (p.removed_at is null or i.status = '{IdeaStatus.ACCEPTED.value}')"
        rows = self.db.execute(
            "select i.id, i.participant_id, i.text, i.parent, i.status, i.activity, coalesce(p.name, ''), i.merged_into, i.node, "
            "i.decided_from "
            f"from room_ideas i left join room_participants p on p.id = i.participant_id where i.workshop_id = ? {shown} order by i.id",
            (workshop_id,),
        ).fetchall()
        return [Idea(r[0], r[1], r[2], r[3], IdeaStatus(r[4]), r[5], r[6], r[7], r[8], IdeaStatus(r[9]) if r[9] else None) for r in rows]

    def add_idea(self, workshop_id: str, secret: str, text: str, parent: str | None = None, *, now: float | None = None) -> int:
        """A participant's new idea (private until revealed) answering a node; its id. Raise EditError when the text is
        refused, the room closed or timed out, the person unknown, or they reached their limit (checked in the write
        transaction, so parallel sends cannot pass it)."""
        clean = rules.parse_idea(text)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            room = self.room(workshop_id)
            if room is None or not self.is_participant(workshop_id, secret):
                raise EditError(Problem("room_closed"))  # an open room's can_send below says more
            key = rules.participant_key(secret)
            rows = conn.execute(
                "select activity from room_ideas where workshop_id = ? and participant_id = ?", (workshop_id, key)
            ).fetchall()
            mine = [Idea(0, key, "", activity=a) for (a,) in rows]
            in_room = conn.execute(  # a removed participant's ideas leave room for others'
                "select count(*) from room_ideas i left join room_participants p on p.id = i.participant_id "
                "where i.workshop_id = ? and p.removed_at is null",
                (workshop_id,),
            ).fetchone()[0]
            problem = rules.can_send(room, mine, _clock(now), in_room)
            if problem:
                raise EditError(problem)
            cur = conn.execute(
                "insert into room_ideas (workshop_id, participant_id, activity, parent, text, status, created_at, updated_at) values (?,?,?,?,?,?,?,?)",
                (workshop_id, key, room.activity, parent, clean, IdeaStatus.PRIVATE.value, _now(), _now()),
            )
            self._touch(conn, workshop_id)
            return int(cur.lastrowid or 0)

    def _own_idea(self, conn: sqlite3.Connection, workshop_id: str, secret: str, idea_id: int) -> None:
        """Refuse (EditError) a participant's change of an idea unless the room is open (and its time not up, when the
        timer stops ideas), they are in it, and the idea is theirs and still private."""
        self._open_to(workshop_id, secret)
        room = self.room(workshop_id)
        if room is not None and room.timer.close_on_end and room.timer.ended(time.time()):
            raise EditError(Problem("room_time_up"))
        row = conn.execute(
            "select participant_id, status from room_ideas where id = ? and workshop_id = ?", (idea_id, workshop_id)
        ).fetchone()
        idea = Idea(idea_id, row[0], "", status=IdeaStatus(row[1])) if row else None
        problem = rules.can_change(idea, rules.participant_key(secret))
        if problem:
            raise EditError(problem)

    def _open_to(self, workshop_id: str, secret: str) -> None:
        """Refuse (EditError) any participant's write unless the room is open and they are in it (not removed)."""
        room = self.room(workshop_id)
        if room is None or not room.is_open or not self.is_participant(workshop_id, secret):
            raise EditError(Problem("room_closed"))

    def edit_idea(self, workshop_id: str, secret: str, idea_id: int, text: str) -> None:
        """Change the text of one's own idea while it is private (raise EditError otherwise)."""
        clean = rules.parse_idea(text)
        if isinstance(clean, Problem):
            raise EditError(clean)
        with self._write() as conn:
            self._own_idea(conn, workshop_id, secret, idea_id)
            conn.execute("update room_ideas set text = ?, updated_at = ? where id = ?", (clean, _now(), idea_id))
            self._touch(conn, workshop_id)

    def withdraw_idea(self, workshop_id: str, secret: str, idea_id: int) -> None:
        """Remove one's own idea while it is private (raise EditError otherwise)."""
        with self._write() as conn:
            self._own_idea(conn, workshop_id, secret, idea_id)
            conn.execute("delete from room_ideas where id = ?", (idea_id,))
            self._touch(conn, workshop_id)

    def reveal_ideas(self, workshop_id: str) -> int:
        """Reveal every private idea of the room at once; how many."""
        with self._write() as conn:
            cur = conn.execute(
                "update room_ideas set status = ?, updated_at = ? where workshop_id = ? and status = ?",
                (IdeaStatus.REVEALED.value, _now(), workshop_id, IdeaStatus.PRIVATE.value),
            )
            self._touch(conn, workshop_id)
            return cur.rowcount

    def dismiss_idea(self, workshop_id: str, idea_id: int) -> None:
        """Set an idea aside (the facilitator's decision; its author still sees it)."""
        self.dismiss_ideas(workshop_id, [idea_id])

    def dismiss_ideas(self, workshop_id: str, idea_ids: list[int]) -> int:
        """Set ideas aside in one transaction, those still undecided only (one accepted meanwhile stays accepted);
        how many were."""
        with self._write() as conn:
            done = sum(
                conn.execute(
                    f"update room_ideas set status = ?, updated_at = ? where id = ? and workshop_id = ? and status in {_UNDECIDED}",
                    (IdeaStatus.DISMISSED.value, _now(), idea_id, workshop_id),
                ).rowcount
                for idea_id in idea_ids
            )
            self._touch(conn, workshop_id)
            return done

    def merge_idea(self, workshop_id: str, idea_id: int, into: int) -> None:
        """Merge a duplicate into another idea (raise EditError when either is already decided, or they are one)."""
        with self._write() as conn:
            found = {i.id: i for i in self.ideas(workshop_id) if i.id in (idea_id, into)}
            if idea_id not in found or into not in found:
                raise EditError(Problem("idea_cannot_merge"))
            problem = rules.can_merge(found[idea_id], found[into])
            if problem:
                raise EditError(problem)
            conn.execute(
                "update room_ideas set decided_from = status, status = ?, merged_into = ?, updated_at = ? where id = ?",
                (IdeaStatus.MERGED.value, into, _now(), idea_id),
            )
            self._touch(conn, workshop_id)

    def accept_idea(self, workshop_id: str, idea_id: int, node: str) -> None:
        """Record that an idea became a node of the tree (the node itself is added by an ordinary, versioned edit)."""
        self.accept_ideas(workshop_id, [(idea_id, node)])

    def accept_ideas(self, workshop_id: str, made: list[tuple[int, str]]) -> int:
        """Record in one transaction that ideas became nodes (idea id, node id), those still undecided only; how many."""
        with self._write() as conn:
            done = sum(
                conn.execute(
                    "update room_ideas set decided_from = status, status = ?, node = ?, updated_at = ? "
                    f"where id = ? and workshop_id = ? and status in {_UNDECIDED}",
                    (IdeaStatus.ACCEPTED.value, node, _now(), idea_id, workshop_id),
                ).rowcount
                for idea_id, node in made
            )
            self._touch(conn, workshop_id)
            return done

    def open_vote(self, workshop_id: str, question: str, kind: VoteKind, options: list[str], dots: int = rules.DEFAULT_DOTS) -> int:
        """Put a question to the vote (closing any vote still open); its id. Raise EditError for no options or bad dots."""
        with self._write() as conn:
            before = conn.execute("select count(*) from room_votes where workshop_id = ?", (workshop_id,)).fetchone()[0]
            made = rules.make_vote(question, kind, options, dots, before)
            if isinstance(made, Problem):
                raise EditError(made)
            q, opts, n = made
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            asked = conn.execute("select activity from rooms where workshop_id = ?", (workshop_id,)).fetchone()
            cur = conn.execute(
                "insert into room_votes (workshop_id, question, kind, options, dots, state, opened_at, activity) values (?,?,?,?,?,?,?,?)",
                (
                    workshop_id,
                    q,
                    kind.value,
                    json.dumps(list(opts), ensure_ascii=False),
                    n,
                    VoteState.OPEN.value,
                    _now(),
                    asked[0] if asked else 0,
                ),
            )
            self._touch(conn, workshop_id)
            return int(cur.lastrowid or 0)

    def close_vote(self, workshop_id: str) -> None:
        """Stop taking dots (the results stay)."""
        with self._write() as conn:
            conn.execute("update room_votes set state = ? where workshop_id = ?", (VoteState.CLOSED.value, workshop_id))
            self._touch(conn, workshop_id)

    def votes(self, workshop_id: str) -> list[Vote]:
        """Every vote of the room, the latest last (read once per room revision)."""

        def read() -> list[Vote]:
            rows = self.db.execute(
                "select id, question, kind, options, dots, state, coalesce(activity, 0) from room_votes where workshop_id = ? order by id",
                (workshop_id,),
            ).fetchall()
            return [Vote(r[0], r[1], VoteKind(r[2]), tuple(json.loads(r[3])), r[4], VoteState(r[5]), r[6]) for r in rows]

        return list(self._cached(workshop_id, ("votes",), read))

    def place_dot(self, workshop_id: str, vote_id: int, secret: str, option: str) -> None:
        """Place one of a participant's dots (checked in the write transaction: never more than the dots given, however
        many sessions or reloads). Raise EditError when refused."""
        with self._write() as conn:
            vote = next((v for v in self.votes(workshop_id) if v.id == vote_id), None)
            self._open_to(workshop_id, secret)
            key = rules.participant_key(secret)
            mine = conn.execute("select count(*) from room_dots where vote_id = ? and participant_id = ?", (vote_id, key)).fetchone()[0]
            problem = rules.can_dot(vote, option, mine)
            if problem:
                raise EditError(problem)
            conn.execute("insert into room_dots (vote_id, participant_id, option, at) values (?,?,?,?)", (vote_id, key, option, _now()))
            self._touch(conn, workshop_id)

    def remove_dot(self, workshop_id: str, vote_id: int, secret: str, option: str) -> None:
        """Take back one of a participant's dots from an option while the vote is open."""
        with self._write() as conn:
            self._open_to(workshop_id, secret)
            if not any(v.id == vote_id and v.is_open for v in self.votes(workshop_id)):
                raise EditError(Problem("vote_closed"))
            conn.execute(
                "delete from room_dots where id = (select id from room_dots where vote_id = ? and participant_id = ? and option = ? limit 1)",
                (vote_id, rules.participant_key(secret), option),
            )
            self._touch(conn, workshop_id)

    def dots(self, vote_id: int, workshop_id: str | None = None) -> list[tuple[str, str]]:
        """Every dot of a vote placed in the room as (participant key, option), removed participants' left out; read once
        per room revision when the room is named."""

        def read() -> list[tuple[str, str]]:
            rows = self.db.execute(
                "select d.participant_id, d.option from room_dots d left join room_participants p on p.id = d.participant_id "
                "where d.vote_id = ? and p.removed_at is null order by d.id",
                (vote_id,),
            ).fetchall()
            return [(r[0], r[1]) for r in rows]

        return list(read() if workshop_id is None else self._cached(workshop_id, ("dots", vote_id), read))

    def counted(self, vote_id: int) -> dict[str, int]:
        """A vote's results that came counted (an imported vote's: option -> dots), {} for a vote of this room's."""
        rows = self.db.execute("select option, dots from room_tallies where vote_id = ?", (vote_id,)).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def tally(self, vote: Vote, workshop_id: str) -> list[tuple[str, int]]:
        """A vote's results (kpidesign.room.tally): the dots placed in the room and the results imported with it."""
        return rules.tally(
            vote, self.dots(vote.id, workshop_id), self._cached(workshop_id, ("counted", vote.id), lambda: self.counted(vote.id))
        )

    def room_record(self, workshop_id: str) -> RoomRecord | None:
        """What the room contributed, as exported: ideas labelled i1, i2… in the order sent, votes with their results.
        Built without the import's limits (model_construct): what the store holds is always exported, even a room an
        older release let grow past them; importing or copying it again is what refuses it, with a message."""
        room = self.room(workshop_id)
        if room is None:
            return None
        ideas = self.ideas(workshop_id)
        label = {i.id: f"i{n}" for n, i in enumerate(ideas, start=1)}
        records = [
            RoomIdea.model_construct(
                id=label[i.id],
                text=i.text,
                parent=i.parent,
                author=rules.author(i, room.anonymous),
                status=i.status,
                node=i.node,
                merged_into=label.get(i.merged_into) if i.merged_into else None,
            )
            for i in ideas
        ]

        def named(vote: Vote, option: str) -> str:
            return label.get(int(option), option) if vote.kind is VoteKind.IDEAS and option.isdigit() else option

        votes = [
            RoomVote.model_construct(
                question=v.question, kind=v.kind, dots=v.dots, results={named(v, o): n for o, n in self.tally(v, workshop_id)}
            )
            for v in self.votes(workshop_id)
        ]
        return RoomRecord.model_construct(anonymous=room.anonymous, ideas=records, votes=votes)

    def with_room(self, ws: Workshop, workshop_id: str) -> Workshop:
        """The workshop with its room's record attached (for export), or as it is when it never had a room."""
        record = self.room_record(workshop_id)
        return ws if record is None else ws.model_copy(update={"room": record})

    def delete(self, workshop_id: str) -> None:
        """Remove a workshop, its history and its share links."""
        with self._write() as conn:
            for table in ("room_dots", "room_tallies"):
                conn.execute(f"delete from {table} where vote_id in (select id from room_votes where workshop_id = ?)", (workshop_id,))
            for table in ("room_votes", "room_ideas", "room_participants", "rooms"):
                conn.execute(f"delete from {table} where workshop_id = ?", (workshop_id,))
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
        row = self.db.execute("select doc from versions where workshop_id = ? and version = ?", (workshop_id, version)).fetchone()
        if row is None:
            raise WorkshopNotFoundError(f"{workshop_id}@{version}")
        return Workshop.model_validate_json(inflate(row[0]))

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
    """The versioned part of a workshop: everything but the actuals and the room, which live in their own tables."""
    return ws.model_copy(update={"actuals": [], "room": None}) if ws.actuals or ws.room is not None else ws


def _insert_actuals(conn: sqlite3.Connection, workshop_id: str, actuals: list[Actual]) -> None:
    conn.executemany(
        "insert or replace into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?)",
        [(workshop_id, a.kpi, a.date.isoformat(), a.value, a.market) for a in actuals],
    )


def _insert_room(conn: sqlite3.Connection, workshop_id: str, record: RoomRecord) -> None:
    """An imported room: closed (no join token), its ideas and authors, and each vote's results as counts (a row per
    option: the record is within what a live room can hold, kpidesign.model.RoomRecord, checked by _guard)."""
    now = _now()
    conn.execute(
        "insert into rooms (workshop_id, token_hash, state, anonymous, step, activity, follow, timer_seconds, timer_elapsed, timer_close) "
        "values (?,null,?,?,?,1,0,0,0,0)",
        (workshop_id, RoomState.CLOSED.value, int(record.anonymous), "tree"),
    )
    people: dict[str, str] = {}
    for name in dict.fromkeys(i.author for i in record.ideas if i.author):
        people[name] = secrets.token_hex(16)
        conn.execute(
            "insert into room_participants (id, workshop_id, name, joined_at) values (?,?,?,?)", (people[name], workshop_id, name, now)
        )
    ids: dict[str, int] = {}
    for idea in record.ideas:
        cur = conn.execute(
            "insert into room_ideas (workshop_id, participant_id, activity, parent, text, status, node, created_at, updated_at) "
            "values (?,?,1,?,?,?,?,?,?)",
            (
                workshop_id,
                people.get(idea.author or "", "imported"),
                idea.parent,
                idea.text,
                IdeaStatus(idea.status).value,
                idea.node,
                now,
                now,
            ),
        )
        ids[idea.id] = int(cur.lastrowid or 0)
    for idea in record.ideas:
        if idea.merged_into in ids:
            conn.execute("update room_ideas set merged_into = ? where id = ?", (ids[idea.merged_into], ids[idea.id]))
    for vote in record.votes:
        named = {o: str(ids[o]) if vote.kind is VoteKind.IDEAS and o in ids else o for o in vote.results}
        cur = conn.execute(
            "insert into room_votes (workshop_id, question, kind, options, dots, state, opened_at) values (?,?,?,?,?,?,?)",
            (
                workshop_id,
                vote.question,
                VoteKind(vote.kind).value,
                json.dumps([named[o] for o in vote.results], ensure_ascii=False),
                vote.dots,
                VoteState.CLOSED.value,
                now,
            ),
        )
        conn.executemany(
            "insert into room_tallies (vote_id, option, dots) values (?,?,?)",
            [(cur.lastrowid, named[o], n) for o, n in vote.results.items() if n > 0],
        )


def _clock(now: float | None) -> float:
    return time.time() if now is None else now


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _guard(ws: Workshop) -> None:
    """Refuse (InvalidWorkshopError) a workshop whose tree is broken, or whose room holds more than a live room can
    (checked again here: a record built in code, e.g. by model_copy, skipped the model's validation)."""
    problems = errors(check_structure(ws))
    if ws.room is not None:
        try:
            RoomRecord.model_validate(ws.room.model_dump())
        except ValidationError as e:
            where = ".".join(str(part) for part in e.errors()[0]["loc"])
            problems.append(Finding(Severity.ERROR, "yaml_field", None, {"field": f"room.{where}", "detail": e.errors()[0]["msg"][:200]}))
    if problems:
        raise InvalidWorkshopError(problems)
