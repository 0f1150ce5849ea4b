import sqlite3
import threading
from pathlib import Path

import pytest

from kpidesign import tree
from kpidesign.model import Workshop, new_workshop
from kpidesign.store import InvalidWorkshopError, StaleVersionError, Store, WorkshopNotFoundError, migrations
from kpidesign.store.engine import SqliteDatabase
from kpidesign.store.schema import known_migrations


def test_create_load_list(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    loaded = store.load(wid)
    assert loaded.workshop == ec and loaded.version == 1
    [summary] = store.workshops()
    assert summary.id == wid and summary.title == "EC" and summary.steps_done >= 1
    assert store.exists(wid) and not store.exists("nope")


def test_save_bumps_version_and_keeps_history(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    ws2 = tree.update_node(ec, "customers", name="顧客数")
    assert store.save(wid, ws2, expected_version=1, summary="rename") == 2
    assert store.load(wid).workshop.node("customers").name == "顧客数"
    assert [(v.version, v.summary) for v in store.history(wid)] == [(2, "rename"), (1, "created")]
    assert store.load_version(wid, 1) == ec


def test_stale_save_is_refused_and_nothing_is_overwritten(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.save(wid, tree.update_node(ec, "customers", name="A"), expected_version=1, summary="first")
    with pytest.raises(StaleVersionError) as info:
        store.save(wid, tree.update_node(ec, "customers", name="B"), expected_version=1, summary="second")
    assert info.value.current == 2 and info.value.summary == "first"
    assert store.load(wid).workshop.node("customers").name == "A"


def test_invalid_workshop_is_never_stored(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    nodes = list(ec.nodes)
    broken = ec.model_copy(update={"nodes": nodes + [nodes[1].model_copy(update={"id": "x", "parent": "missing"})]})
    with pytest.raises(InvalidWorkshopError) as info:
        store.save(wid, broken, expected_version=1, summary="broken")
    assert info.value.findings[0].code == "parent_missing"
    assert store.load(wid).version == 1
    with pytest.raises(InvalidWorkshopError):
        store.create(broken)


def test_restore_is_a_new_version(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.save(wid, tree.delete(ec, "customers"), expected_version=1, summary="delete")
    assert store.restore(wid, 1, expected_version=2) == 3
    assert store.load(wid).workshop == ec
    with pytest.raises(StaleVersionError):
        store.restore(wid, 2, expected_version=2)


def test_undo_steps_back_one_change_at_a_time(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    names = ["A", "B", "C"]
    ws = ec
    for i, name in enumerate(names, start=1):
        ws = tree.update_node(ws, "customers", name=name)
        store.save(wid, ws, expected_version=i, summary=f"name {name}")  # v2 A, v3 B, v4 C
    assert store.undo_target(wid) == 3
    assert store.undo(wid, expected_version=4) == (5, 3)
    assert store.load(wid).workshop.node("customers").name == "B"
    assert store.undo(wid, expected_version=5) == (6, 2)  # a second undo goes further back, not back to C
    assert store.load(wid).workshop.node("customers").name == "A"
    assert store.undo(wid, expected_version=6) == (7, 1)
    assert store.load(wid).workshop == ec
    assert store.undo_target(wid) is None and store.undo(wid, expected_version=7) is None  # nothing before the first version
    store.save(wid, tree.update_node(ec, "customers", name="D"), expected_version=7, summary="name D")
    assert store.undo(wid, expected_version=8) == (9, 7)  # after a new change, undo undoes that change
    assert store.load(wid).workshop == ec
    assert [v.summary for v in store.history(wid)][:2] == ["undo: back to v7", "name D"]  # history keeps everything


def test_undo_on_a_stale_version_is_refused(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.save(wid, tree.update_node(ec, "customers", name="A"), expected_version=1, summary="first")
    with pytest.raises(StaleVersionError):
        store.undo(wid, expected_version=1)
    assert store.load(wid).workshop.node("customers").name == "A"


def test_duplicate_and_delete(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    copy = store.duplicate(wid, "Copy")
    assert store.load(copy).workshop.title == "Copy" and store.load(copy).workshop.nodes == ec.nodes
    store.delete(wid)
    with pytest.raises(WorkshopNotFoundError):
        store.load(wid)
    assert store.history(wid) == []
    assert [s.id for s in store.workshops()] == [copy]


def test_unknown_ids(store: Store) -> None:
    with pytest.raises(WorkshopNotFoundError):
        store.load("missing")
    with pytest.raises(WorkshopNotFoundError):
        store.save("missing", new_workshop("x"), expected_version=1, summary="")
    with pytest.raises(WorkshopNotFoundError):
        store.load_version("missing", 1)


def test_file_database_uses_wal_and_migrations_once(tmp_path: Path, ec: Workshop) -> None:
    path = tmp_path / "sub" / "k.db"
    s = Store(path)
    wid = s.create(ec)
    assert s.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    s.close()
    again = Store(path)
    assert again.load(wid).workshop == ec
    db = again.db
    assert isinstance(db, SqliteDatabase)  # a file path: SQLite, its migrations sqlite-utils'
    applied = [m.name for m in migrations.applied(db)]
    assert applied == list(known_migrations()) and len(set(applied)) == len(applied)  # each once, in the code's order
    assert applied[:3] == ["m001_workshops", "m002_share_links", "m003_actuals_and_alert_log"]
    again.close()


def test_env_var_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec: Workshop) -> None:
    monkeypatch.setenv("KPIDESIGN_DB", str(tmp_path / "env.db"))
    s = Store()
    s.create(ec)
    s.close()
    assert (tmp_path / "env.db").exists()


def test_japanese_text_survives_the_database(store: Store, template: Workshop) -> None:
    wid = store.create(template)
    assert store.load(wid).workshop == template
    assert store.load(wid).workshop.kgi.name == "年間売上高"


def test_two_connections_never_lose_an_update(database: str, ec: Workshop) -> None:
    """Writers on separate connections: every save lands or is refused as stale, none is lost (on both engines)."""
    path = database
    wid = Store(path).create(ec)
    landed: list[int] = []

    def writer(n: int) -> None:
        s = Store(path)
        for i in range(15):
            while True:
                loaded = s.load(wid)
                ws = loaded.workshop.model_copy(update={"description": f"{n}-{i}"})
                try:
                    landed.append(s.save(wid, ws, expected_version=loaded.version, summary=f"{n}-{i}"))
                    break
                except StaleVersionError:
                    continue
        s.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(landed) == list(range(2, 62))
    assert Store(path).load(wid).version == 61


def test_migrations_table_is_sqlite_utils(tmp_path: Path) -> None:
    s = Store(tmp_path / "m.db")
    names = sqlite3.connect(tmp_path / "m.db").execute("select name from sqlite_master where type='table'").fetchall()
    assert {"workshops", "versions", "_sqlite_migrations"} <= {n for (n,) in names}
    s.close()


def test_share_tokens_are_stored_hashed_and_resolve(store: Store, ec: Workshop) -> None:
    import hashlib

    wid = store.create(ec)
    token = store.shares.create(wid, label="board")
    assert len(token) >= 43  # 256 bits, url-safe base64
    stored = store.db.execute("select token_hash from share_links").fetchone()[0]
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in str(
        store.db.execute("select * from share_links").fetchall()
    )
    assert store.shares.resolve(token) == wid
    for forged in ["", None, token[:-1], token + "x", "x" * 500, "' or 1=1 --"]:
        assert store.shares.resolve(forged) is None


def test_share_links_expire_after_90_days_unless_told_otherwise(store: Store, ec: Workshop) -> None:
    import datetime as dt

    from kpidesign.store import SHARE_EXPIRY

    wid = store.create(ec)
    now = dt.datetime.now(dt.UTC)
    default = store.shares.create(wid, label="default")
    week = store.shares.create(wid, label="week", expires_at=dt.timedelta(days=7))
    never = store.shares.create(wid, label="never", expires_at=None)
    expiry = {s.label: None if s.expires_at is None else dt.datetime.fromisoformat(s.expires_at) for s in store.shares.all(wid)}
    assert dt.timedelta(days=90) == SHARE_EXPIRY and expiry["never"] is None
    default_ends, week_ends = expiry["default"], expiry["week"]
    assert default_ends is not None and week_ends is not None
    assert abs(default_ends - (now + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert abs(week_ends - (now + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert all(store.shares.resolve(t) == wid for t in (default, week, never))
    later = now + dt.timedelta(days=91)  # 91 days on: the default link has ended, the one made to last has not
    assert {s.label: s.active(later) for s in store.shares.all(wid)} == {"default": False, "week": False, "never": True}


def test_share_expiry_revoke_and_delete(store: Store, ec: Workshop) -> None:
    import datetime as dt

    wid, other = store.create(ec), store.create(ec)
    past = store.shares.create(wid, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    future = store.shares.create(wid, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert store.shares.resolve(past) is None and store.shares.resolve(future) == wid
    link = next(s for s in store.shares.all(wid) if s.active())
    store.shares.revoke(other, link.id)  # another workshop cannot revoke it
    assert store.shares.resolve(future) == wid
    store.shares.revoke(wid, link.id)
    assert store.shares.resolve(future) is None
    assert {(s.revoked_at is not None, s.active()) for s in store.shares.all(wid)} == {(True, False), (False, False)}
    keep = store.shares.create(wid)
    store.delete(wid)
    assert store.shares.resolve(keep) is None and store.shares.all(wid) == []
    with pytest.raises(WorkshopNotFoundError):
        store.shares.create("missing")


def test_actuals_live_apart_from_the_versioned_design(store: Store, ec: Workshop) -> None:
    import datetime as dt

    from kpidesign.model import Actual

    a = [Actual(kpi="customers", date=dt.date(2026, 10, 1), value=41000, market=43000)]
    wid = store.create(ec.model_copy(update={"actuals": a}))  # e.g. an imported YAML with actuals
    assert store.load(wid).workshop.actuals == [] and store.actuals.all(wid) == a
    assert store.actuals.attach(store.load(wid).workshop, wid).actuals == a
    store.actuals.add(wid, [Actual(kpi="customers", date=dt.date(2026, 10, 1), value=42000)])  # same KPI and date: replaced
    assert [x.value for x in store.actuals.all(wid)] == [42000]
    assert store.load(wid).version == 1  # observations do not create design versions
    assert store.actuals.rev(wid) == 1
    copy = store.duplicate(wid, "copy")
    assert store.actuals.all(copy)[0].value == 42000
    store.actuals.delete(wid, "customers", dt.date(2026, 10, 1))
    assert store.actuals.all(wid) == []
    from kpidesign import tree

    loaded = store.load(copy)
    store.save(copy, tree.delete(loaded.workshop, "customers"), expected_version=1, summary="x")
    assert store.actuals.attach(store.load(copy).workshop, copy).actuals == []  # actuals of deleted KPIs are not shown


def test_reloading_an_unchanged_version_reuses_it_and_a_change_elsewhere_is_seen(database: str, ec: Workshop) -> None:
    path = database
    mine, other = Store(path), Store(path)
    wid = mine.create(ec)
    first = mine.load(wid)
    assert mine.load(wid) is first  # nothing changed: the parsed document is reused
    theirs = other.load(wid)
    assert theirs is first  # and shared by every session of the process on that file: one parse per version
    assert Store(memory=True).exists(wid) is False  # a memory database shares nothing
    other.save(wid, tree.update_node(theirs.workshop, "customers", name="顧客数"), expected_version=1, summary="theirs")
    again = mine.load(wid)
    assert again.version == 2 and again.workshop.node("customers").name == "顧客数"
    mine.restore(wid, 1, expected_version=2)
    assert mine.load(wid).workshop == ec and mine.load(wid).version == 3
    other.delete(wid)
    with pytest.raises(WorkshopNotFoundError):
        mine.load(wid)
    mine.close()
    other.close()


def test_a_version_is_parsed_once_per_process_however_many_sessions_read_it(
    tmp_path: Path, database: str, ec: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = database
    facilitator, viewers = Store(path), [Store(path) for _ in range(5)]
    wid = facilitator.create(ec)
    parses: list[int] = []
    parse = Workshop.model_validate_json

    def counted(doc: str | bytes) -> Workshop:
        parses.append(1)
        return parse(doc)

    monkeypatch.setattr(Workshop, "model_validate_json", counted)
    assert len({id(v.load(wid).workshop) for v in viewers}) == 1 and len(parses) == 1
    loaded = facilitator.load(wid)
    facilitator.save(wid, tree.update_node(loaded.workshop, "customers", name="顧客数"), expected_version=1, summary="edit")
    assert {v.load(wid).workshop.node("customers").name for v in viewers} == {"顧客数"} and len(parses) == 2  # each new version once
    elsewhere = Store(tmp_path / "other.db")  # another database file: never served from this one's entries
    with pytest.raises(WorkshopNotFoundError):
        elsewhere.load(wid)


def test_the_parse_cache_forgets_the_workshop_least_recently_read(tmp_path: Path, ec: Workshop) -> None:
    from kpidesign import store as stores

    small = stores._Parsed(2)
    loaded = [stores.Loaded(f"w{i}", ec, 1, "t") for i in range(3)]
    small.put("db", loaded[0])
    small.put("db", loaded[1])
    assert small.get("db", "w0") is loaded[0]  # read again: now the most recent
    small.put("db", loaded[2])
    assert small.get("db", "w1") is None and small.get("db", "w0") is loaded[0] and small.get("db", "w2") is loaded[2]
    assert small.get("other.db", "w0") is None  # another database's entry is never served


def test_an_earlier_version_is_inflated_within_a_bound(store: Store, ec: Workshop) -> None:
    """A planted version that inflates past MAX_VERSION_BYTES (a zip bomb) is refused in bounded memory, never read whole."""
    import resource
    import zlib

    from kpidesign.store import MAX_VERSION_BYTES, CorruptVersionError

    wid = store.create(ec)
    z = zlib.compressobj(9)
    bomb = b"".join(z.compress(b"\0" * 2**20) for _ in range(MAX_VERSION_BYTES // 2**20 + 64)) + z.flush()  # ~128 KB
    store.db.execute("update versions set doc = ? where workshop_id = ? and version = 1", (bomb, wid))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(CorruptVersionError):
        store.load_version(wid, 1)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: never the whole bomb
    store.db.execute("update versions set doc = ? where workshop_id = ? and version = 1", (b"not zlib", wid))
    with pytest.raises(CorruptVersionError):
        store.load_version(wid, 1)


def test_raw_text_the_store_keeps_is_cleaned_alike_on_both_engines(store: Store, ec: Workshop) -> None:
    """A share link's label and an alert's delivery detail come raw (a text box, a server's answer): control characters,
    NUL among them (PostgreSQL's text cannot hold it), are dropped on both engines, never an error."""
    wid = store.create(ec)
    store.shares.create(wid, label="team\x00 A\u202e")
    assert [s.label for s in store.shares.all(wid)] == ["team A"]
    store.alerts.log(wid, ("sales", "red", "2026-10-01", "slack", "#x"), False, "550 \x00refused\x1b[31m")
    assert store.alerts.recent(wid)[0]["detail"] == "550 refused[31m"
