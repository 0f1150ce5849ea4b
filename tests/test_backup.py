"""Online backup, checked restore and compaction (#21 items 1 and 4): the library and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from kpidesign import backup, tree
from kpidesign.__main__ import main
from kpidesign.model import Actual, Workshop
from kpidesign.store import NewerSchemaError, Store, known_migrations

ROOT = Path(__file__).resolve().parents[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _live(path: Path, ws: Workshop, saves: int = 5) -> str:
    """A database with one workshop saved several times, a share link and an actual; closed (checkpointed)."""
    s = Store(path)
    wid = s.create(ws)
    for i in range(saves):
        s.save(wid, tree.update_node(ws, "customers", name=f"Customers {i}"), expected_version=i + 1, summary=f"edit {i}")
    s.shares.create(wid, label="board")
    s.actuals.add(wid, [Actual(kpi="customers", date=dt.date(2026, 1, 5), value=41000.0)])
    s.close()
    return wid


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select * from {t} order by 1, 2").fetchall() for t in ("workshops", "versions", "share_links", "actuals")}
    finally:
        conn.close()


def test_backup_while_writers_save_holds_every_version_committed_before_it(
    tmp_path: Path, ec: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "live.db"
    setup = Store(db)
    wids = [setup.create(ec.model_copy(update={"title": f"W{i}"})) for i in range(3)]
    day = dt.date(1990, 1, 1)  # ~6 MB of actuals, so that each copy takes long enough for saves to land during it
    setup.actuals.add(
        wids[0],
        [Actual(kpi=k, date=day + dt.timedelta(days=d), value=d / 7) for k in ("customers", "items", "frequency") for d in range(30000)],
    )
    setup.close()
    committed: list[tuple[str, int]] = [(w, 1) for w in wids]
    commit_times: list[float] = []
    windows: list[tuple[float, float]] = []
    real_copy = backup._copy

    def timed_copy(source: sqlite3.Connection, target: Path) -> backup.Checked | None:
        start = time.monotonic()
        checked = real_copy(source, target)
        windows.append((start, time.monotonic()))
        return checked

    monkeypatch.setattr(backup, "_copy", timed_copy)
    lock, stop = threading.Lock(), threading.Event()
    errors: list[BaseException] = []

    def writer(wid: str) -> None:
        s = Store(db)  # a connection of its own, as each facilitator's session has
        try:
            version = 1
            while not stop.is_set() and version < 400:  # under the 500 kept, so nothing committed is pruned
                version = s.save(
                    wid, tree.update_node(ec, "customers", name=f"C{version}"), expected_version=version, summary=f"s{version}"
                )
                with lock:
                    committed.append((wid, version))
                    commit_times.append(time.monotonic())
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in wids]
    for t in threads:
        t.start()
    while len(committed) < 40 and all(t.is_alive() for t in threads):
        time.sleep(0.01)
    during = 0
    try:
        for i in range(6):
            with lock:
                before = list(committed)
            copy = backup.backup(db, tmp_path / f"copy{i}.db")
            with lock:
                during += len(committed) - len(before)
            conn = sqlite3.connect(copy.path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            held = set(conn.execute("select workshop_id, version from versions").fetchall())
            assert set(before) <= held, f"copy {i} lost {sorted(set(before) - held)[:5]}"
            current = dict(conn.execute("select id, version from workshops").fetchall())
            for wid, version in before:
                assert current[wid] >= version
            latest = dict(conn.execute("select workshop_id, max(version) from versions group by workshop_id").fetchall())
            assert latest == current  # one consistent moment: each workshop's row and its newest version agree
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
            conn.close()
            assert Store(copy.path).load(wids[0]).version >= 1
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert during > 0, "no writer saved while the backups ran"
    inside = sum(1 for t in commit_times for start, end in windows if start < t < end)
    assert inside > 0, f"no save committed while a copy was being taken ({[round(e - s, 3) for s, e in windows]} s)"
    assert not list(tmp_path.glob(".*part*"))


def test_backup_into_a_missing_folder_is_refused(tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    before = _digest(db)
    assert main(["backup", "--db", str(db), "--to", str(tmp_path / "nope" / "b.db")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert _digest(db) == before and not (tmp_path / "nope").exists()


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--db", str(tmp_path / "absent.db"), "--to", str(tmp_path / "b.db")]) == 2
    assert "no such database file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_backup_on_a_full_disk_real_write_limit(tmp_path: Path, ec: Workshop) -> None:
    """A file-size limit (RLIMIT_FSIZE, unprivileged) makes the copy's writes fail part way, as a full disk does."""
    db = tmp_path / "live.db"
    s = Store(db)
    wid = s.create(ec)
    day = dt.date(2000, 1, 1)
    s.actuals.add(
        wid, [Actual(kpi=k, date=day + dt.timedelta(days=d), value=float(d)) for k in ("customers", "items") for d in range(8000)]
    )
    s.close()
    assert db.stat().st_size > 400_000
    before = _digest(db)
    out = tmp_path / "out"
    out.mkdir()
    old = out / "b.db"
    old.write_bytes(b"yesterday's backup")
    code = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000)); from kpidesign.__main__ import main; sys.exit(main(sys.argv[1:]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "backup", "--db", str(db), "--to", str(old)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "cannot write the copy" in run.stderr and "nothing was replaced" in run.stderr and "Traceback" not in run.stderr
    assert old.read_bytes() == b"yesterday's backup"  # the previous backup is still whole
    assert sorted(p.name for p in out.iterdir()) == ["b.db"]  # no partial file left behind
    assert _digest(db) == before


def test_backup_on_a_full_disk_says_so(
    tmp_path: Path, ec: Workshop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENOSPC where a file system reports it late (fsync): the message names the full disk; nothing is left half written."""
    db = tmp_path / "live.db"
    _live(db, ec)
    before = _digest(db)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert main(["backup", "--db", str(db), "--to", str(tmp_path / "b.db")]) == 1
    assert "no space left on the disk" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists() and not list(tmp_path.glob(".*"))
    assert _digest(db) == before


def test_restore_replaces_and_keeps_the_replaced_file(tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str]) -> None:
    db, other = tmp_path / "live.db", tmp_path / "other.db"
    _live(other, ec.model_copy(update={"title": "From the backup"}), saves=2)
    assert main(["backup", "--db", str(other), "--to", str(tmp_path / "b.db")]) == 0
    _live(db, ec)
    old = _rows(db)
    assert main(["restore", str(tmp_path / "b.db"), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    [kept] = tmp_path.glob("live.db.replaced-*")
    assert str(kept) in out
    assert _rows(kept) == old  # the replaced database, whole
    assert _rows(db) == _rows(other)
    assert [w.title for w in Store(db).workshops()] == ["From the backup"]
    assert not list(tmp_path.glob(".live*"))
    fresh = tmp_path / "new" / "kpidesign.db"  # a new server: nothing to replace
    fresh.parent.mkdir()
    checked, replaced = backup.restore(tmp_path / "b.db", fresh)
    assert replaced is None and checked.workshops == 1 and _rows(fresh) == _rows(other)


@pytest.mark.parametrize("case", ["text", "truncated", "not_kpidesign", "newer", "missing", "damaged"])
def test_restore_refuses_a_bad_file_and_leaves_the_database(
    tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    good = tmp_path / "good.db"
    backup.backup(db, good)
    bad = tmp_path / "bad.db"
    if case == "text":
        bad.write_text("workshops: []\n")
    elif case == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "not_kpidesign":
        conn = sqlite3.connect(bad)
        conn.execute("create table workshops (id text)")
        conn.commit()
        conn.close()
    elif case == "newer":
        bad.write_bytes(good.read_bytes())
        conn = sqlite3.connect(bad)
        conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('kpidesign', 'm099_future', '2030-01-01')")
        conn.commit()
        conn.close()
    elif case == "damaged":  # whole length, a page of the versions table overwritten
        data = bytearray(good.read_bytes())
        page = 4096 * 3
        data[page : page + 4096] = b"\x0d" * 4096
        bad.write_bytes(bytes(data))
    before = _digest(db)
    assert main(["restore", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    expected = {
        "text": "not an SQLite database",
        "truncated": "truncated",
        "not_kpidesign": "not kpidesign's",
        "newer": "newer kpidesign",
        "missing": "no such file",
        "damaged": "damaged",
    }[case]
    assert expected in err and "Traceback" not in err
    assert _digest(db) == before
    assert not list(tmp_path.glob("live.db.replaced-*")) and not list(tmp_path.glob(".live*"))


HOLD = (
    "import sys; from kpidesign.store import Store; s = Store(sys.argv[1]); s.workshops(); print('open', flush=True); sys.stdin.readline()"
)


def test_restore_refuses_a_database_another_process_has_open(tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    backup.backup(db, tmp_path / "b.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "open"
        assert backup.in_use(db)
        before = _digest(db)
        assert main(["restore", str(tmp_path / "b.db"), "--db", str(db)]) == 1
        assert "is in use" in capsys.readouterr().err
        assert _digest(db) == before and not list(tmp_path.glob("live.db.replaced-*"))
        assert main(["restore", str(tmp_path / "b.db"), "--db", str(db), "--force"]) == 0
        assert len(list(tmp_path.glob("live.db.replaced-*"))) == 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)
    assert backup.in_use(db) is None
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_in_use_is_none_once_every_connection_closed(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    assert backup.in_use(db) is None


def test_a_failed_restore_leaves_the_database(
    tmp_path: Path, ec: Workshop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    backup.backup(db, tmp_path / "b.db")
    before = _digest(db)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    assert main(["restore", str(tmp_path / "b.db"), "--db", str(db)]) == 1
    assert "no space left" in capsys.readouterr().err
    assert _digest(db) == before and not list(tmp_path.glob(".live*"))


def test_compact_keeps_the_last_n_and_never_the_current(tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "live.db"
    s = Store(db)
    a, b = s.create(ec), s.create(ec.model_copy(update={"title": "B"}))
    for i in range(30):
        ws = ec
        for node in ec.nodes:  # hard to compress, so that old versions take room
            ws = tree.update_node(ws, node.id, name=os.urandom(90).hex())
        s.save(a, ws, expected_version=i + 1, summary=f"e{i}")
    s.close()
    assert main(["compact", "--keep", "10", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    removed, sizes = out.split(";")
    assert removed.strip() == "21 versions removed"
    before, after = (int(x.replace(",", "")) for x in sizes.replace("bytes", "").split("->"))
    assert after < before
    s = Store(db)
    assert [v.version for v in s.history(a)] == list(range(31, 21, -1))
    assert [v.version for v in s.history(b)] == [1]  # a workshop with one version keeps it
    assert s.load(a).version == 31
    s.close()
    done = backup.compact(db, 1)
    s = Store(db)
    assert [v.version for v in s.history(a)] == [31] and s.load_version(a, 31) == s.load(a).workshop
    s.close()
    assert done.versions_removed == 9
    assert main(["compact", "--keep", "0", "--db", str(db)]) == 2


def test_a_newer_database_is_refused_untouched(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    conn = sqlite3.connect(db)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('kpidesign', 'm099_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = _digest(db)
    with pytest.raises(NewerSchemaError, match="m099_future"):
        Store(db)
    assert _digest(db) == before and not Path(f"{db}-wal").exists()


def test_a_newer_database_is_never_half_migrated(tmp_path: Path) -> None:
    """A database at m001 that also records an unknown migration: nothing of m002-m004 is applied."""
    db = tmp_path / "old-and-new.db"
    conn = sqlite3.connect(db)
    conn.execute(
        "create table workshops (id text primary key, title text, created_at text, updated_at text, version integer, steps_done integer, doc text)"
    )
    conn.execute(
        "create table versions (workshop_id text, version integer, saved_at text, summary text, doc blob, primary key (workshop_id, version))"
    )
    conn.execute("create table _sqlite_migrations (migration_set text, name text, applied_at text)")
    conn.executemany(
        "insert into _sqlite_migrations values ('kpidesign', ?, '2026-01-01')", [("m001_workshops",), ("m005_from_the_future",)]
    )
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError):
        Store(db)
    names = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type = 'table'")}
    assert "share_links" not in names and "actuals" not in names
    assert main(["list", "--db", str(db)]) == 2


def test_backup_and_restore_reach_the_schema_this_code_writes(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    copy = backup.backup(db, tmp_path / "b.db")
    assert copy.schema == backup.schema_version() == len(known_migrations()) >= 5 and copy.workshops == 1 and copy.versions == 6
    os.chmod(tmp_path / "b.db", 0o444)  # a read-only backup can be checked and restored
    assert backup.check(tmp_path / "b.db").versions == 6


def test_backup_of_a_database_that_is_not_kpidesigns_keeps_the_previous_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    (tmp_path / "b.db").write_bytes(b"last night's backup")
    assert main(["backup", "--db", str(other), "--to", str(tmp_path / "b.db")]) == 2
    assert "not kpidesign's" in capsys.readouterr().err
    assert (tmp_path / "b.db").read_bytes() == b"last night's backup" and not list(tmp_path.glob(".*"))


KNOWN_TOKEN = "planted-token-everyone-knows"


def _plant(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


PLANTED = {  # schema objects no migration creates (#25 item 6)
    "trigger": f"""create trigger give_away after insert on workshops begin
        insert into share_links (id, token_hash, workshop_id, label, created_at, expires_at, revoked_at)
        values (lower(hex(randomblob(4))), '{hashlib.sha256(KNOWN_TOKEN.encode()).hexdigest()}', new.id, '', datetime('now'), null, null);
        end;""",
    "view": "create view everything as select * from share_links;",
    "table": "create table notes (x text);",
    "column": "alter table share_links add column note text;",
    "index": "create index idx_mine on versions (saved_at);",
    "default": """create table t2 as select * from share_links; drop table share_links;
        create table share_links (id text primary key, token_hash text not null, workshop_id text not null references workshops(id),
        label text, created_at text not null, expires_at text default 'never', revoked_at text);
        create unique index idx_share_links_token_hash on share_links (token_hash); drop table t2;""",
}


def test_a_trigger_planted_in_a_backup_would_give_every_new_workshop_a_known_link(tmp_path: Path, ec: Workshop) -> None:
    """The motivating case, shown working on an unchecked copy: what `restore` must keep out."""
    db = tmp_path / "live.db"
    _live(db, ec)
    _plant(db, PLANTED["trigger"])
    s = Store(db)
    wid = s.create(ec.model_copy(update={"title": "after the restore"}))
    assert s.shares.resolve(KNOWN_TOKEN) == wid  # never expires, token known to whoever made the file
    s.close()


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_restore_refuses_a_schema_object_no_migration_creates(
    tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db, other = tmp_path / "live.db", tmp_path / "other.db"
    _live(db, ec)
    _live(other, ec.model_copy(update={"title": "hostile"}))
    _plant(other, PLANTED[kind])
    before = _digest(db)
    assert main(["restore", str(other), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    expected = {
        "trigger": "trigger give_away",
        "view": "view everything",
        "table": "table notes",
        "column": "share_links",
        "index": "index idx_mine",
        "default": "share_links",
    }[kind]
    assert "not made by kpidesign" in err and expected in err and "Traceback" not in err, err
    assert _digest(db) == before and not list(tmp_path.glob("live.db.replaced-*")) and not list(tmp_path.glob(".live*"))
    with pytest.raises(backup.BackupError):
        backup.check(other)


@pytest.mark.parametrize("fixture", sorted((ROOT / "tests" / "fixtures" / "databases").glob("*.db")), ids=lambda p: p.stem)
def test_every_released_schema_still_checks_and_restores(tmp_path: Path, fixture: Path) -> None:
    copy = tmp_path / "old.db"
    copy.write_bytes(fixture.read_bytes())
    held = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))  # what the release's own run wrote
    checked, _ = backup.restore(copy, tmp_path / "kpidesign.db")
    assert checked.workshops == len(held["workshops"])
    assert checked.versions == sum(len(w["versions"]) for w in held["workshops"].values())
    assert checked.migrations == tuple(held["migrations"])
    assert {s.id for s in Store(tmp_path / "kpidesign.db").workshops()} == set(held["workshops"])


def test_a_database_of_every_migration_this_code_knows_checks(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    assert backup.check(db).schema == len(known_migrations())


BOMB_CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))
from kpidesign import backup
start = time.monotonic()
try:
    backup.check(sys.argv[1])
except backup.BackupError as e:
    print("refused", round(time.monotonic() - start, 1), e)
else:
    print("accepted")
"""


def test_a_zip_bomb_in_a_stored_version_is_refused_in_bounded_memory(tmp_path: Path, ec: Workshop) -> None:
    """A version of 1 GiB of JSON-ish zeros compressed to ~1 MB: check and restore must not inflate it whole."""
    db = tmp_path / "live.db"
    _live(db, ec)
    z = zlib.compressobj(1)
    chunk = b"0" * 2**20
    bomb = b"".join(z.compress(chunk) for _ in range(1024)) + z.flush()
    conn = sqlite3.connect(db)
    conn.execute("update versions set doc = ? where version = 2", (bomb,))
    conn.commit()
    conn.close()
    run = subprocess.run([sys.executable, "-c", BOMB_CHILD, str(db)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.stdout.startswith("refused"), run.stdout + run.stderr
    assert "version 2" in run.stdout and "MB" in run.stdout
    assert float(run.stdout.split()[1]) < 10
    target = tmp_path / "kpidesign.db"
    with pytest.raises(backup.BackupError, match="version 2"):
        backup.restore(db, target)
    assert not target.exists()


def test_a_version_that_is_not_compressed_json_is_refused(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    conn = sqlite3.connect(db)
    conn.execute("update versions set doc = ? where version = 3", (b"not zlib at all",))
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match="version 3"):
        backup.check(db)


def test_compact_refuses_a_database_that_is_not_kpidesigns_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table accounts (id integer primary key, name text)")
    conn.execute("insert into accounts (name) values ('ann')")
    conn.commit()
    conn.close()
    before = _digest(other)
    assert main(["compact", "--keep", "10", "--db", str(other)]) == 2
    err = capsys.readouterr().err
    assert "not kpidesign's" in err and "Traceback" not in err
    assert _digest(other) == before
    tables = {r[0] for r in sqlite3.connect(other).execute("select name from sqlite_master where type = 'table'")}
    assert tables == {"accounts"}


def test_a_type_named_otherwise_with_the_same_meaning_is_kpidesigns(tmp_path: Path, ec: Workshop) -> None:
    """sqlite-utils releases name a float column FLOAT or REAL: the check compares SQLite's type affinity, not the name."""
    db = tmp_path / "live.db"
    _live(db, ec)
    conn = sqlite3.connect(db)
    sql = conn.execute("select sql from sqlite_master where name = 'actuals'").fetchone()[0]
    assert '"value" REAL' in sql
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("update sqlite_master set sql = ? where name = 'actuals'", (sql.replace(" REAL", " FLOAT"),))
    conn.commit()
    conn.close()
    assert backup.check(db).workshops == 1
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("update sqlite_master set sql = ? where name = 'actuals'", (sql.replace('"market" REAL', '"market" TEXT'),))
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match="table actuals"):
        backup.check(db)


@pytest.mark.parametrize("doc", ['{"title": ["not", "a", "workshop"]}', "not json at all", "[" * 100_000])
def test_a_current_document_the_app_could_not_open_is_refused(tmp_path: Path, ec: Workshop, doc: str) -> None:
    """Every workshop's current document must be one the app opens (the model and the tree's structure), else the
    backup is refused naming it: a restored server never meets a document it cannot read."""
    db = tmp_path / "live.db"
    wid = _live(db, ec)
    conn = sqlite3.connect(db)
    conn.execute("update workshops set doc = ? where id = ?", (doc, wid))
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match=f"workshop {wid}"):
        backup.check(db)


def test_sqlite_statistics_are_not_kpidesigns_either(tmp_path: Path, ec: Workshop) -> None:
    db = tmp_path / "live.db"
    _live(db, ec)
    _plant(db, "analyze;")
    with pytest.raises(backup.BackupError, match="sqlite_stat1"):
        backup.check(db)


def test_a_current_document_with_a_broken_tree_is_refused(tmp_path: Path, ec: Workshop) -> None:
    import json

    db = tmp_path / "live.db"
    wid = _live(db, ec)
    conn = sqlite3.connect(db)
    data = json.loads(conn.execute("select doc from workshops where id = ?", (wid,)).fetchone()[0])
    data["nodes"][1]["parent"] = data["nodes"][2]["id"]  # a loop: customers under new_customers under customers
    data["nodes"][2]["parent"] = data["nodes"][1]["id"]
    conn.execute("update workshops set doc = ? where id = ?", (json.dumps(data), wid))
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match=f"workshop {wid}"):
        backup.check(db)


def test_backup_and_restore_on_postgresql_do_nothing_and_name_pg_dump_and_pg_restore(
    pg_template: str, tmp_path: Path, ec: Workshop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL `backup` and `restore` never claim a copy or a replacement they did not make (issue #29): they
    refuse, naming PostgreSQL's own tools, whether the URL is given with --db or set for the app."""
    from tests.conftest import drop_pg_database, fresh_pg_database

    url = fresh_pg_database(pg_template)
    try:
        wid = Store(url).create(ec)
        sqlite_file = tmp_path / "kpidesign.db"
        Store(sqlite_file).close()  # an SQLite file beside: never the one copied when the store is in PostgreSQL
        monkeypatch.setenv("KPIDESIGN_DB", str(sqlite_file))
        for given in (["--db", url], []):
            if not given:
                monkeypatch.setenv("KPIDESIGN_DATABASE_URL", url)
            assert main(["backup", "--to", str(tmp_path / "copy.db"), *given]) == 2
            err = capsys.readouterr().err
            assert "PostgreSQL" in err and "pg_dump" in err and "did nothing" in err and ":kpi@" not in err  # no password shown
            assert not (tmp_path / "copy.db").exists()
            assert main(["restore", str(sqlite_file), *given]) == 2
            err = capsys.readouterr().err
            assert "pg_restore" in err and "did nothing" in err
            assert Store(url).load(wid).workshop == ec  # the PostgreSQL database untouched
    finally:
        drop_pg_database(url)


def test_compact_on_postgresql_removes_old_versions_and_says_the_files_do_not_shrink(
    pg_template: str, ec: Workshop, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import drop_pg_database, fresh_pg_database

    url = fresh_pg_database(pg_template)
    try:
        s = Store(url)
        a, b = s.create(ec), s.create(ec.model_copy(update={"title": "B"}))
        for i in range(30):
            s.save(a, ec.model_copy(update={"description": f"e{i}"}), expected_version=i + 1, summary=f"e{i}")
        assert main(["compact", "--keep", "10", "--db", url]) == 0
        out = capsys.readouterr().out
        assert out.startswith("21 versions removed") and "does not shrink" in out and "bytes" not in out
        assert [v.version for v in s.history(a)] == list(range(31, 21, -1)) and [v.version for v in s.history(b)] == [1]
        assert main(["compact", "--keep", "0", "--db", url]) == 2
    finally:
        drop_pg_database(url)
