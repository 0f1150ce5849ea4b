"""Keeping the database safe: an online backup, a checked restore, and compaction of old versions.

The backup uses SQLite's online backup API: one step copies every page under a read transaction, so in WAL mode the
copy is the database as it was when the step began, while facilitators go on saving. Every file written here (a backup,
a restored database, the copy of the replaced one) is written to a temporary file in the target's own folder, checked,
flushed to disk and renamed over the target: a failure leaves the target as it was, never half written.

A database is *in use* when some process holds an SQLite connection open on it. The store keeps its databases in WAL
mode, and every connection to a WAL database holds a shared lock on one byte of its ``-shm`` file (byte 128, the "DMS"
lock SQLite itself uses to tell whether it is the first connection) for as long as it is open, whether or not it is
reading or writing at the moment. ``in_use`` tries to take that byte exclusively: if it cannot, another process has the
database open (the app, a cron job). No ``-shm`` file means no connection. A database in rollback-journal mode keeps no
lock while idle, so for one only an open transaction is seen (a ``-journal`` file, or a lock probe). POSIX locks do not
see the calling process's own connections: close them before asking.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import fcntl
import os
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kpidesign import store as store_module
from kpidesign.findings import errors
from kpidesign.model import Workshop
from kpidesign.tree import check_structure

HEADER = b"SQLite format 3\x00"
SHM_DMS_BYTE = 128  # (22 + SQLITE_SHM_NLOCK) * 4 + SQLITE_SHM_NLOCK in SQLite's os_unix.c
TABLES_BY_MIGRATION = {  # what each migration creates: a kpidesign database has the tables of the migrations it records
    "m001_workshops": ("workshops", "versions"),
    "m002_share_links": ("share_links",),
    "m003_actuals_and_alert_log": ("actuals", "alert_log"),
}
REPLACED = "%Y%m%d%H%M%S"  # kpidesign.db.replaced-20261202113000


class BackupError(Exception):
    """A backup, restore or compaction that cannot be done; the message says why, code is the exit status (1 or 2)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Checked:
    """What a kpidesign database file holds, once checked."""

    path: Path
    schema: int  # how many of this code's migrations it records
    migrations: tuple[str, ...]
    workshops: int
    versions: int
    size: int


@dataclass(frozen=True)
class Compacted:
    """What a compaction removed and the file's size before and after."""

    versions_removed: int
    bytes_before: int
    bytes_after: int


def schema_version() -> int:
    """The schema version this code writes: how many migrations it knows."""
    return len(store_module.known_migrations())


def _size(path: Path) -> int:
    """The bytes a database takes on disk: its file and its WAL."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _write_error(target: Path, e: BaseException) -> BackupError:
    """A clear message for a failed write (a full disk above all)."""
    name = getattr(e, "sqlite_errorname", "")
    no_space = name == "SQLITE_FULL" or getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    why = "no space left on the disk" if no_space else f"{name or type(e).__name__}: {e}"
    return BackupError(f"{target}: cannot write the copy: {why}; nothing was replaced", code=1)


def _copy(source: sqlite3.Connection, target: Path, *, kpidesign: bool = True) -> Checked | None:
    """Copy a database through the backup API into a temporary file beside target, check it (as a kpidesign database,
    unless told not to), then rename it over target."""
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    _remove(part)
    checked = None
    try:
        dest = sqlite3.connect(part, isolation_level=None)
        try:
            source.backup(dest, pages=-1)  # one step: one read transaction, one consistent state of the source
            dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, whatever the source's mode
            problems = [row[0] for row in dest.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{target}: the copy fails integrity_check: {'; '.join(problems[:5])}", code=1)
        finally:
            dest.close()
        if kpidesign:
            try:
                checked = dataclasses.replace(check(part, integrity=False), path=target)
            except BackupError as e:
                raise BackupError(str(e).replace(str(part), f"the copy of {target.name}"), code=e.code) from None
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(part, target)
        _fsync_dir(target.parent)
    except BackupError:
        _remove(part)
        raise
    except (OSError, sqlite3.Error) as e:
        _remove(part)
        raise _write_error(target, e) from None
    return checked


def _connect_existing(path: Path) -> sqlite3.Connection:
    """A connection to a database file that must already exist (sqlite3 would create an empty one)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such database file")
    try:
        return sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None, timeout=30)
    except sqlite3.Error as e:
        raise BackupError(f"{path}: cannot be opened ({e})", code=1) from None


def backup(db: Path, to: Path) -> Checked:
    """Copy the live database to `to` with the online backup API (consistent while others write); the copy is checked."""
    db, to = Path(db), Path(to)
    if not to.parent.is_dir():
        raise BackupError(f"{to.parent}: no such folder (create it first)")
    if to.exists() and to.resolve() == db.resolve():
        raise BackupError(f"{to}: that is the database itself")
    if to.is_dir():
        raise BackupError(f"{to}: is a folder; give a file name, e.g. {to / 'kpidesign.db'}")
    source = _connect_existing(db)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        checked = _copy(source, to)
    finally:
        source.close()
    return checked or check(to)


def _truncated(path: Path, head: bytes) -> str | None:
    """Why the file is shorter than its header says, if it is (SQLite trusts a header size only when it is marked valid)."""
    if len(head) < 100:
        return f"only {len(head)} bytes, not even a header"
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change, pages, valid_for = struct.unpack(">I", head[24:28])[0], struct.unpack(">I", head[28:32])[0], struct.unpack(">I", head[92:96])[0]
    size = path.stat().st_size
    if pages and change == valid_for and size < pages * page_size:
        return f"truncated: its header says {pages * page_size:,} bytes, the file has {size:,}"
    return None


def _affinity(declared: str) -> str:
    """A column's type affinity by SQLite's own rules (section 3.1 of its datatype page): what the type means, whatever
    name a release of sqlite-utils wrote for it (FLOAT and REAL alike)."""
    kind = declared.upper()
    if "INT" in kind:
        return "INTEGER"
    if any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in kind or not kind.strip():
        return "BLOB"
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], Any]:
    """Every schema object of a database, by (type, name), with what defines it: a table's columns (name, type, not null,
    default, key, hidden or generated) and foreign keys, an index's table, uniqueness, partiality and columns, a view's or
    trigger's SQL. Text quoting and white space (which differ between sqlite-utils releases) do not count."""
    found: dict[tuple[str, str], Any] = {}
    for kind, name, table, sql in conn.execute("select type, name, tbl_name, sql from sqlite_master order by type, name").fetchall():
        if kind == "table":
            columns = tuple(
                (c[1], _affinity(str(c[2])), c[3], c[4], c[5], c[6]) for c in conn.execute("select * from pragma_table_xinfo(?)", (name,))
            )
            keys = tuple(sorted((k[2], k[3], k[4]) for k in conn.execute("select * from pragma_foreign_key_list(?)", (name,))))
            strict = " ".join(str(sql or "").upper().split())
            found[(kind, name)] = (columns, keys, "CHECK" in strict, "WITHOUT ROWID" in strict, strict.startswith("CREATE VIRTUAL"))
        elif kind == "index":
            listed = {r[1]: (r[2], r[3], r[4]) for r in conn.execute("select * from pragma_index_list(?)", (table,))}
            keyed = tuple((c[1], c[2], c[3], c[4], c[5]) for c in conn.execute("select * from pragma_index_xinfo(?)", (name,)))
            found[(kind, name)] = (table, listed.get(name), keyed)
        else:
            found[(kind, name)] = (table, " ".join(str(sql or "").split()))
    return found


def _reference(applied: tuple[str, ...]) -> dict[tuple[str, str], Any]:
    """The schema objects a fresh database has after exactly these migrations of this code (in its order)."""
    known = store_module.known_migrations()
    missing = [name for name in known if name not in applied]
    fresh = Database(memory=True)
    try:
        store_module.migrations.apply(fresh, stop_before=missing[0] if missing else None)
        return _objects(fresh.conn)
    finally:
        fresh.close()


def _foreign(path: Path, conn: sqlite3.Connection, applied: tuple[str, ...]) -> None:
    """Refuse a database holding any schema object the migrations it records would not have made (a trigger, a view, a
    table, a column, an index, or one of theirs defined otherwise): such an object runs or changes what kpidesign stores."""
    known = store_module.known_migrations()
    if list(applied) != list(known[: len(applied)]):
        raise BackupError(f"{path}: its migrations are not in kpidesign's order ({', '.join(applied)}); not made by kpidesign")
    expected, found = _reference(applied), _objects(conn)
    extra = sorted(key for key in found if key not in expected)
    changed = sorted(key for key in found if key in expected and found[key] != expected[key])
    missing = sorted(key for key in expected if key not in found)
    if extra or changed or missing:
        said = [f"{kind} {name}" for kind, name in extra] + [f"{kind} {name} (defined differently)" for kind, name in changed]
        said += [f"{kind} {name} (missing)" for kind, name in missing]
        raise BackupError(
            f"{path}: schema objects not made by kpidesign's migrations: {', '.join(said[:10])}"
            + (f" and {len(said) - 10} more" if len(said) > 10 else "")
            + "; nothing was restored from it"
        )


def _inflate_each(path: Path, conn: sqlite3.Connection) -> None:
    """Inflate every stored version a chunk at a time, never more than MAX_VERSION_BYTES of it: a zip bomb or a version
    that is not zlib data is refused in bounded memory and time."""
    for workshop_id, version, doc in conn.execute("select workshop_id, version, doc from versions"):
        try:
            store_module.inflate(doc, keep=False)
        except store_module.CorruptVersionError as e:
            raise BackupError(f"{path}: workshop {str(workshop_id)[:40]} version {version} {e}") from None


def _documents(path: Path, conn: sqlite3.Connection) -> None:
    """Every workshop's current document is one the app opens: at most store.MAX_VERSION_BYTES, the model, the tree's
    structure."""
    from pydantic import ValidationError

    for workshop_id, doc in conn.execute("select id, doc from workshops"):
        where = f"{path}: workshop {str(workshop_id)[:40]}"
        if not isinstance(doc, str | bytes) or len(doc) > store_module.MAX_VERSION_BYTES:
            raise BackupError(f"{where}: its document is not text of at most {store_module.MAX_VERSION_BYTES // 2**20} MB")
        try:
            ws = Workshop.model_validate_json(doc)
        except (ValidationError, ValueError, RecursionError) as e:
            raise BackupError(f"{where}: its document is not a workshop ({str(e).splitlines()[0][:200]})") from None
        problems = errors(check_structure(ws))
        if problems:
            raise BackupError(f"{where}: its tree is not whole ({problems[0].code})")


def check(path: Path, *, integrity: bool = True) -> Checked:
    """Check that a file is a whole kpidesign database this code can open: SQLite, integrity_check, kpidesign's tables
    and migrations, none newer than this code knows, no schema object those migrations would not have made, every stored
    version inflating within store.MAX_VERSION_BYTES, every current document one the app opens. Read only: the file is not
    changed."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(100)
    if not head.startswith(HEADER):
        raise BackupError(f"{path}: not an SQLite database (not a kpidesign backup)")
    short = _truncated(path, head)
    if short:
        raise BackupError(f"{path}: {short}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as e:
        raise BackupError(f"{path}: cannot be opened: {e}") from None
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")] if integrity else ["ok"]
        if problems != ["ok"]:
            raise BackupError(f"{path}: damaged, integrity_check says: {'; '.join(problems[:5])}")
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        if "_sqlite_migrations" not in tables:
            raise BackupError(f"{path}: an SQLite database, but not kpidesign's (no record of kpidesign's migrations)")
        applied = tuple(
            row[0]
            for row in conn.execute(
                "select name from _sqlite_migrations where migration_set = ? order by rowid", (store_module.migrations.name,)
            )
        )
        known = store_module.known_migrations()
        if not applied:
            raise BackupError(f"{path}: an SQLite database, but not kpidesign's (no kpidesign migration applied)")
        newer = [name for name in applied if name not in known]
        if newer:
            raise BackupError(
                f"{path}: made by a newer kpidesign (schema migrations this version does not know: {', '.join(newer)}); "
                "upgrade kpidesign before restoring it"
            )
        missing = sorted(t for name in applied for t in TABLES_BY_MIGRATION.get(name, ()) if t not in tables)
        if missing:
            raise BackupError(f"{path}: not a whole kpidesign database (tables missing: {', '.join(missing)})")
        _foreign(path, conn, applied)
        _inflate_each(path, conn)
        _documents(path, conn)
        workshops = conn.execute("select count(*) from workshops").fetchone()[0]
        versions = conn.execute("select count(*) from versions").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path}: damaged or truncated ({e})") from None
    finally:
        conn.close()
    return Checked(path, len(applied), applied, workshops, versions, path.stat().st_size)


def in_use(db: Path) -> str | None:
    """Why the database is in use by another process (see the module's rule), or None when nobody has it open."""
    db = Path(db)
    for suffix, kind in (("-shm", "wal"), ("-journal", "journal")):
        side = Path(f"{db}{suffix}")
        if not side.exists():
            continue
        if kind == "journal":
            return f"{side} exists: a transaction is open (or was interrupted)"
        try:
            fd = os.open(side, os.O_RDWR)
        except PermissionError:
            return f"{side} cannot be probed by this user (run as the app's user, e.g. sudo -u kpidesign)"
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE, os.SEEK_SET)
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE, os.SEEK_SET)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EAGAIN):
                return "another process has it open (the app, or a command such as alerts or refresh)"
            raise
        finally:
            os.close(fd)
    return None


def restore(source: Path, db: Path, *, force: bool = False, now: dt.datetime | None = None) -> tuple[Checked, Path | None]:
    """Replace the database with a checked backup; the replaced database is kept beside it (returned, None when there was
    none). Refused while another process has the database open, unless force."""
    source, db = Path(source), Path(db)
    checked = check(source)
    if not db.parent.is_dir():
        raise BackupError(f"{db.parent}: no such folder")
    if db.exists() and source.resolve() == db.resolve():
        raise BackupError(f"{source}: that is the database itself")
    busy = in_use(db) if db.exists() else None
    if busy and not force:
        raise BackupError(
            f"{db} is in use: {busy}. Stop the app first (systemctl stop kpidesign), or add --force if nothing really uses it", code=1
        )
    staged = db.with_name(f".{db.name}.restore")  # the backup copied beside the database, then renamed over it
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
    try:
        _copy(conn, staged)
    finally:
        conn.close()
    kept = None
    try:
        if db.exists():
            kept = db.with_name(f"{db.name}.replaced-{(now or dt.datetime.now()).strftime(REPLACED)}")
            live = _connect_existing(db)  # through SQLite: whatever the WAL holds is in the kept copy too
            try:
                _copy(live, kept, kpidesign=False)  # kept whatever it is
            finally:
                live.close()
        for side in ("-wal", "-shm", "-journal"):  # a WAL left beside the new file would be replayed into it
            Path(f"{db}{side}").unlink(missing_ok=True)
        os.replace(staged, db)
        _fsync_dir(db.parent)
    except BaseException:
        _remove(staged)
        raise
    return checked, kept


def compact(db: Path, keep: int) -> Compacted:
    """Remove every version but the last `keep` of each workshop (never the current one), then VACUUM."""
    if keep < 1:
        raise BackupError("--keep must be at least 1 (the current version is always kept)")
    db = Path(db)
    if not db.is_file():
        raise BackupError(f"{db}: no such database file")
    check(db)  # kpidesign's, whole, nothing foreign: never add kpidesign's tables to another application's file
    store = store_module.Store(db)  # migrated first, refused when newer than this code
    try:
        conn = store.connection.sqlite()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _size(db)
        removed = store.drop_old_versions(keep)
        try:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as e:
            raise _write_error(db, e) from None
        after = _size(db)
    finally:
        store.close()
    return Compacted(removed, before, after)


# --- PostgreSQL: the server keeps the data; its own tools copy it ---------------------------------------------------


def postgres_refused(command: str, where: str) -> BackupError:
    """What `backup` and `restore` say when the store is in PostgreSQL: they copy and replace an SQLite file, and say
    which of PostgreSQL's own tools does the job instead (nothing is done)."""
    tools = {
        "backup": "pg_dump --format=custom --file=kpidesign.dump <URL>   (a consistent copy while the app runs)",
        "restore": "pg_restore --clean --if-exists --dbname=<URL> kpidesign.dump   (stop the app first; see docs/deploy.md)",
    }
    return BackupError(
        f"the store is in PostgreSQL ({where}): `kpidesign {command}` copies an SQLite file and did nothing. "
        f"Use PostgreSQL's own tool: {tools[command]}"
    )


def compact_postgres(url: str, keep: int) -> int:
    """Remove every version but the last `keep` of each workshop (never the current one) from a PostgreSQL store; how
    many. The space goes back to PostgreSQL for new rows (autovacuum); the database's files do not shrink."""
    if keep < 1:
        raise BackupError("--keep must be at least 1 (the current version is always kept)")
    store = store_module.Store(url)  # migrated first, refused when newer than this code
    try:
        return store.drop_old_versions(keep)
    finally:
        store.close()
