"""The schema: numbered migrations (sqlite-utils' Migrations), applied in order, and the check that refuses a database
written by a newer kpidesign. The migrations are history: never edit one, add the next.

Every migration runs on both engines. On SQLite it is given sqlite-utils' Database; on PostgreSQL
(kpidesign.store.postgres) an object with the same part of its API: db.table(name).create(columns, pk=…,
foreign_keys=…, not_null=…) / .add_column(name, type, not_null_default=…) / .create_index(columns, unique=…),
db.execute(sql, params) and db.conn.executemany(sql, rows). Write a new one in portable SQL: TEXT, INTEGER, REAL,
BLOB, `?` placeholders, `insert … on conflict (…) do update|do nothing`, no `insert or replace`, no `rowid`, no
PRAGMA, no `[quoted]` names; PostgreSQL reads INTEGER as 64 bits, INTEGER PRIMARY KEY as a column that numbers
itself, REAL as double precision and TEXT as compared byte by byte, as SQLite does. Where one statement cannot serve
both, register the PostgreSQL variant under the same name with @for_postgresql("m0NN_name")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database, Migrations

from kpidesign.store.errors import NewerSchemaError
from kpidesign.store.tokens import hash_token as _hash

migrations = Migrations("kpidesign")
_postgresql: dict[str, Callable[[Any], None]] = {}  # a migration's PostgreSQL variant, where its SQL cannot be shared


def for_postgresql(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register the PostgreSQL variant of migration `name` (run there instead of the shared function)."""

    def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        _postgresql[name] = fn
        return fn

    return register


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


def _actuals_out_of_documents(db: Any, insert: str) -> None:
    """Move the actuals kept in each workshop's document to the actuals table with the engine's insert that keeps a
    value already there (m005 on either engine)."""
    for wid, doc in db.execute("select id, doc from workshops").fetchall():
        data = json.loads(doc)
        rows = data.get("actuals") or []
        if not rows:
            continue
        db.conn.executemany(insert, [(wid, r["kpi"], r["date"], r["value"], r.get("market")) for r in rows])
        data["actuals"] = []
        db.execute(
            "update workshops set doc = ?, actuals_rev = actuals_rev + 1 where id = ?",
            (json.dumps(data, ensure_ascii=False, separators=(",", ":")), wid),
        )


@migrations()
def m005_actuals_out_of_documents(db: Database) -> None:
    """Actuals kept inside a workshop's document (releases before the actuals table, m003, stored an imported file's there)
    move to the table, where the app reads them; a value already in the table for that KPI and date wins."""
    _actuals_out_of_documents(db, "insert or ignore into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?)")


@for_postgresql("m005_actuals_out_of_documents")
def m005_on_postgresql(db: Any) -> None:
    """m005 in PostgreSQL's words (its `insert or ignore` is SQLite's): a value already in the table wins."""
    _actuals_out_of_documents(db, "insert into actuals (workshop_id, kpi, date, value, market) values (?,?,?,?,?) on conflict do nothing")


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


# The migrations after m008 were numbered when their work began and run in the order they are written here (the order
# they joined the code): m010, m013, m014, m011, m009. A name is a migration's identity, its place its order; both stay.


@migrations()
def m010_room_moderation(db: Database) -> None:
    """Moderation of a room (portable SQL): whether revealed ideas wait for the facilitator's approval and the block-word
    list (NULL: the defaults), an idea's moderation (NULL, 'held' or 'approved') and when a participant was muted."""
    db.execute(
        "create table room_moderation (workshop_id TEXT PRIMARY KEY REFERENCES workshops(id), "
        "hold INTEGER NOT NULL DEFAULT 0, block_words TEXT)"
    )
    db.execute("alter table room_ideas add column moderation TEXT")
    db.execute("alter table room_participants add column muted_at TEXT")


@migrations()
def m013_agenda_run(db: Database) -> None:
    """A room's running agenda (kpidesign.store.agenda): the current segment, when the session and the segment began,
    and the room's question (activity) the segment started with. The agenda itself is in the workshop's document."""
    for column, kind in (
        ("agenda_segment", "integer"),
        ("agenda_began", "real"),
        ("agenda_segment_began", "real"),
        ("agenda_activity", "integer"),
    ):
        db.execute(f"alter table rooms add column {column} {kind}")


@migrations()
def m014_participant_write_budget(db: Database) -> None:
    """Each participant's write budget (kpidesign.room.spend): what is left, and when it was last spent."""
    db.execute("alter table room_participants add column budget real")
    db.execute("alter table room_participants add column budget_at real")


@migrations()
def m011_room_themes(db: Database) -> None:
    """A room's themes as the facilitator kept them (kpidesign.themes): a label, whether they named it, the node it
    became, its place; and which theme each idea is in (one at most). Portable SQL: PostgreSQL runs it too."""
    db.execute(
        "create table room_themes (workshop_id TEXT NOT NULL REFERENCES workshops(id), id INTEGER NOT NULL, label TEXT NOT NULL, "
        "named INTEGER NOT NULL DEFAULT 0, node TEXT, position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (workshop_id, id))"
    )
    db.execute(
        "create table room_theme_ideas (workshop_id TEXT NOT NULL REFERENCES workshops(id), idea_id INTEGER NOT NULL, "
        "theme_id INTEGER NOT NULL, PRIMARY KEY (workshop_id, idea_id))"
    )


M009 = (  # portable SQL: PostgreSQL runs these same statements (FLOAT: double precision on both engines)
    "create table login_failures (id TEXT PRIMARY KEY, scope TEXT NOT NULL, failed_at FLOAT NOT NULL)",
    "create index login_failures_scope on login_failures (scope, failed_at)",
    "create table login_pauses (scope TEXT PRIMARY KEY, ends_at FLOAT NOT NULL)",
    "insert into login_pauses (scope, ends_at) values ('*', 0)",
    "create table leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, ends_at FLOAT NOT NULL)",
)


@migrations()
def m009_shared_limits(db: Database) -> None:
    """What several app processes (or machines) must share, out of each process's memory: the wrong-password budget
    (failures per client and server-wide, and the pauses they started; clients by a hash of their address) and leases
    (one holder at a time: an alert is sent by one process only)."""
    for statement in M009:
        db.execute(statement)


def known_migrations() -> tuple[str, ...]:
    """The names of the migrations this code knows, in order (the schema version is their count)."""
    return tuple(m.name for m in migrations.pending(Database(memory=True)))


def steps(engine: str) -> list[tuple[str, Callable[[Any], None]]]:
    """Every migration in order, as (name, function) for an engine ("sqlite" or "postgresql": its variant if any)."""
    every = migrations.pending(Database(memory=True))
    return [(m.name, _postgresql.get(m.name, m.fn) if engine == "postgresql" else m.fn) for m in every]


def refuse_newer(where: str) -> Callable[[list[str]], None]:
    """What a database recording migrations this code does not know gets: NewerSchemaError, before anything is written."""

    def refuse(unknown: list[str]) -> None:
        raise NewerSchemaError(where, unknown)

    return refuse


def check_schema(db: Database, where: str) -> None:
    """Refuse a database that records a migration this code does not know (before any migration is applied)."""
    known = set(known_migrations())
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise NewerSchemaError(where, unknown)
