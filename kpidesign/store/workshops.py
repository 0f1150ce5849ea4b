"""The workshop store (the facade): workshops, their versions, history, restore and undo, holding the other nouns.

Each workshop is one row holding its current document (JSON of the model) and a version number;
every save writes the new document and a compressed copy into ``versions`` in one transaction,
and is refused if the caller's version is stale (optimistic locking): nothing is silently overwritten.
The other nouns share the Store's connection: ``store.actuals``, ``store.shares``, ``store.rooms``, ``store.votes``,
``store.themes``, ``store.alerts``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kpidesign.findings import Finding, Severity, errors
from kpidesign.lru import LRU
from kpidesign.model import RoomRecord, Workshop
from kpidesign.room import IdeaStatus
from kpidesign.store.actuals import Actuals
from kpidesign.store.actuals import insert as insert_actuals
from kpidesign.store.agenda import Agenda
from kpidesign.store.alerts import Alerts
from kpidesign.store.base import Connection
from kpidesign.store.base import now as _now
from kpidesign.store.engine import Sql
from kpidesign.store.errors import CorruptVersionError, InvalidWorkshopError, StaleVersionError, WorkshopNotFoundError
from kpidesign.store.limits import Attempts, Leases
from kpidesign.store.moderation import Moderations
from kpidesign.store.rooms import Rooms
from kpidesign.store.shares import Shares
from kpidesign.store.themes import Themes
from kpidesign.store.tokens import new_id
from kpidesign.store.votes import Votes, insert_record, room_record
from kpidesign.store.votes import with_room as room_attached
from kpidesign.tree import check_structure

KEEP_VERSIONS = 500
LOADED_CACHE = 32  # workshops kept parsed in a process, the last version of each (across every session and database)
MAX_VERSION_BYTES = 64 * 2**20  # a stored version (a workshop's JSON, 2,000 nodes at most) inflates to no more than this
INFLATE_CHUNK = 2**20  # a version is inflated a chunk at a time: a zip bomb is stopped at the bound, not after
UNDO_SUMMARY = re.compile(r"undo: back to v(\d+)")  # the summary an undo leaves, so that a second undo goes further back

StepsDone = Callable[[Workshop], int]  # how many of the method's five steps a workshop has done (kpidesign.progress)


def _no_steps(ws: Workshop) -> int:
    return 0


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
        self._entries: LRU[tuple[str, str], Loaded] = LRU(size)

    def get(self, where: str, workshop_id: str) -> Loaded | None:
        """The version last parsed of this workshop in this database, if any (the least recently used goes first)."""
        return self._entries.get((where, workshop_id))

    def put(self, where: str, loaded: Loaded) -> None:
        """Keep a parsed version (the oldest entry goes when the cache is full)."""
        self._entries.put((where, loaded.id), loaded)

    def drop(self, where: str, workshop_id: str) -> None:
        """Forget a workshop (deleted)."""
        self._entries.drop((where, workshop_id))


_parsed = _Parsed(LOADED_CACHE)


class Store:
    """Open a database file (or memory) and read and write workshops in it; its nouns share the connection.

    steps_done works out the progress shown in the workshop list (kpidesign.progress.steps_done; the store knows no
    method): each save stores it beside the document. Without it the list shows 0 steps."""

    def __init__(self, path: str | Path | None = None, *, memory: bool = False, steps_done: StepsDone | None = None):
        self.connection = Connection(path, memory=memory)
        self.db = self.connection.db
        self._steps_done = steps_done or _no_steps
        self.actuals = Actuals(self.connection)
        self.alerts = Alerts(self.connection)
        self.shares = Shares(self.connection)
        self.rooms = Rooms(self.connection)
        self.votes = Votes(self.connection, self.rooms)
        self.moderation = Moderations(self.connection, self.rooms)
        self.themes = Themes(self.connection, self.rooms)
        self.agenda = Agenda(self.connection, self.rooms)  # the room's running agenda (kpidesign.store.agenda)
        self.attempts = Attempts(self.connection)  # the wrong-password budget, shared by every process
        self.leases = Leases(self.connection)

    @property
    def engine(self) -> str:
        """Which engine holds the database: "sqlite" or "postgresql"."""
        return self.connection.engine

    @property
    def where(self) -> str:
        """Which database this is (its resolved path, or a name of its own for one in memory): part of every cache key."""
        return self.connection.where

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _write(self) -> AbstractContextManager[Sql]:
        return self.connection.write()

    def exists(self, workshop_id: str) -> bool:
        """True if a workshop with this id is stored."""
        return self.connection.exists(workshop_id)

    def workshops(self) -> list[Summary]:
        """All workshops, most recently changed first."""
        rows = self.db.execute(
            "select id, title, created_at, updated_at, version, steps_done from workshops order by updated_at desc, title"
        ).fetchall()
        return [Summary(*row) for row in rows]

    def create(self, ws: Workshop, summary: str = "created") -> str:
        """Store a new workshop (its actuals into the actuals table) and return its id."""
        _guard(ws)
        wid = new_id(6)
        now = _now()
        doc = _design(ws).model_dump_json()
        with self._write() as conn:
            conn.execute(
                "insert into workshops (id, title, created_at, updated_at, version, steps_done, doc) values (?,?,?,?,?,?,?)",
                (wid, ws.title, now, now, 1, self._steps_done(ws), doc),
            )
            insert_actuals(conn, wid, ws.actuals)
            if ws.room is not None:
                insert_record(conn, wid, ws.room)
            conn.execute("insert into versions values (?,?,?,?,?)", (wid, 1, now, summary, zlib.compress(doc.encode(), 1)))
        return wid

    def load(self, workshop_id: str, *, expected_version: int | None = None) -> Loaded:
        """The current state of a workshop (the same object while its version is unchanged, shared by every Store of
        this process on the same database: never mutate it); StaleVersionError when an expected version is given and the
        workshop has moved on from it (a change is then never worked out on a state its author did not see)."""
        known = _parsed.get(self.where, workshop_id)
        seen = (known.version, known.updated_at) if known else (None, None)
        row = self.db.execute(  # one read: the document is sent only when the version is not the one already parsed
            "select version, updated_at, case when version = ? and updated_at = ? then null else doc end from workshops where id = ?",
            (*seen, workshop_id),
        ).fetchone()
        if row is None:
            _parsed.drop(self.where, workshop_id)
            raise WorkshopNotFoundError(workshop_id)
        if expected_version is not None and row[0] != expected_version:
            last = self.db.execute("select summary from versions where workshop_id = ? and version = ?", (workshop_id, row[0])).fetchone()
            raise StaleVersionError(workshop_id, expected_version, row[0], last[0] if last else "")
        if row[2] is None and known is not None:
            return known
        loaded = Loaded(workshop_id, Workshop.model_validate_json(row[2]), row[0], row[1])
        _parsed.put(self.where, loaded)
        return loaded

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
                (doc, ws.title, new, now, self._steps_done(ws), workshop_id),
            )
            conn.execute("insert into versions values (?,?,?,?,?)", (workshop_id, new, now, summary, zlib.compress(doc.encode(), 1)))
            conn.execute("delete from versions where workshop_id = ? and version <= ?", (workshop_id, new - KEEP_VERSIONS))
            self._unaccept_missing(conn, workshop_id, ws)
        return new

    def _unaccept_missing(self, conn: Sql, workshop_id: str, ws: Workshop) -> None:
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
            self.rooms.touch(conn, workshop_id)

    def duplicate(self, workshop_id: str, title: str) -> str:
        """Copy a workshop (with its actuals and its room's ideas and votes, closed) under a new title; return the copy's id."""
        ws = self.with_room(self.actuals.attach(self.load(workshop_id).workshop, workshop_id), workshop_id)
        return self.create(ws.model_copy(update={"title": title}), summary="duplicated")

    def room_record(self, workshop_id: str) -> RoomRecord | None:
        """What the room contributed, as exported (kpidesign.store.votes.room_record); None when it never had a room."""
        return room_record(self.rooms, self.votes, workshop_id, self.themes)

    def with_room(self, ws: Workshop, workshop_id: str) -> Workshop:
        """The workshop with its room's record attached (for export), or as it is when it never had a room."""
        return room_attached(self.rooms, self.votes, ws, workshop_id, self.themes)

    def delete(self, workshop_id: str) -> None:
        """Remove a workshop, its history and its share links."""
        with self._write() as conn:
            for table in ("room_dots", "room_tallies"):
                conn.execute(f"delete from {table} where vote_id in (select id from room_votes where workshop_id = ?)", (workshop_id,))
            for table in ("room_theme_ideas", "room_themes", "room_votes", "room_ideas", "room_participants", "room_moderation", "rooms"):
                conn.execute(f"delete from {table} where workshop_id = ?", (workshop_id,))
            conn.execute("delete from actuals where workshop_id = ?", (workshop_id,))
            conn.execute("delete from alert_log where workshop_id = ?", (workshop_id,))
            conn.execute("delete from share_links where workshop_id = ?", (workshop_id,))
            conn.execute("delete from versions where workshop_id = ?", (workshop_id,))
            conn.execute("delete from workshops where id = ?", (workshop_id,))

    def drop_old_versions(self, keep: int) -> int:
        """Remove every version but the last `keep` of each workshop (never the current one) in one write; how many."""
        with self._write() as conn:
            return conn.execute(
                "delete from versions where version <= (select w.version from workshops w where w.id = versions.workshop_id) - ? "
                "and version <> (select w.version from workshops w where w.id = versions.workshop_id)",
                (keep,),
            ).rowcount

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
