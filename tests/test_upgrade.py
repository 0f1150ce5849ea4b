"""Upgrades keep old databases (#21 item 2): a database made by each released schema, by that release's own code
(tests/fixtures/databases, see its README), opens with the current code, migrates, and keeps every workshop, version,
share link and actual."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from kpidesign import backup
from kpidesign.store import NewerSchemaError, Store, known_migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "databases"
DATABASES = sorted(FIXTURES.glob("schema*.db"))


def test_every_released_schema_has_a_fixture() -> None:
    schemas = {int(p.name.split("-")[0].removeprefix("schema")) for p in DATABASES}
    assert schemas >= {1, 2, 3, 4, 7}, schemas
    for path in DATABASES:
        manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert manifest["made_by_commit"].startswith(path.stem.split("-")[1])  # made by the release the name says
        assert len(manifest["migrations"]) == int(path.name.split("-")[0].removeprefix("schema"))


@pytest.mark.parametrize("fixture", DATABASES, ids=[p.stem for p in DATABASES])
def test_an_old_database_opens_migrates_and_keeps_everything(tmp_path: Path, fixture: Path) -> None:
    manifest = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))
    db = tmp_path / "kpidesign.db"
    shutil.copyfile(fixture, db)
    assert backup.check(db).migrations == tuple(manifest["migrations"])  # a restore would accept it
    store = Store(db)
    try:
        applied = [r[0] for r in store.db.execute("select name from _sqlite_migrations where migration_set = 'kpidesign' order by rowid")]
        assert applied == list(known_migrations())
        assert {s.id: s.title for s in store.workshops()} == {wid: w["title"] for wid, w in manifest["workshops"].items()}
        for wid, rows in manifest["actuals"].items():
            held = [[a.kpi, a.date.isoformat(), a.value, a.market] for a in store.actuals.all(wid)]
            assert held == rows, f"actuals of {wid} lost in the upgrade"
            ws = store.actuals.attach(store.load(wid).workshop, wid)
            assert [a.value for a in ws.actuals] == [r[2] for r in rows]
        for wid, expected in manifest["workshops"].items():
            loaded = store.load(wid)
            assert loaded.version == expected["version"] and loaded.workshop.title == expected["title"]
            assert [n.id for n in loaded.workshop.nodes] == expected["nodes"]
            assert [v.version for v in store.history(wid)] == sorted(map(int, expected["versions"]), reverse=True)
            for version, (summary, digest) in expected["versions"].items():
                raw = store.db.execute(
                    "select summary, doc from versions where workshop_id = ? and version = ?", (wid, int(version))
                ).fetchone()
                assert raw[0] == summary and hashlib.sha256(zlib.decompress(raw[1])).hexdigest() == digest  # the history, byte for byte
                assert store.load_version(wid, int(version)).title == expected["title"]  # and readable by this code
            # the workshop works as it did: a new version saved on top, undone
            new = store.save(
                wid, loaded.workshop.model_copy(update={"title": "after the upgrade"}), expected_version=loaded.version, summary="upgraded"
            )
            assert store.load(wid).workshop.title == "after the upgrade"
            assert store.undo(wid, expected_version=new) == (new + 1, loaded.version)
        for wid, room in manifest.get("rooms", {}).items():  # participant mode (m006 on): ideas and every vote's results
            assert [i.text for i in store.rooms.ideas(wid)] == room["ideas"]
            assert [[v.question, dict(store.votes.tally(v, wid))] for v in store.votes.all(wid)] == room["votes"]
        for share in manifest["shares"]:
            assert store.shares.resolve(share["token"]) == (share["workshop"] if share["active"] else None)
    finally:
        store.close()
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reopened = Store(db)  # a second start changes nothing
    assert [s.id for s in reopened.workshops()] and reopened.db.execute("select count(*) from _sqlite_migrations").fetchone()[0] == len(
        known_migrations()
    )
    reopened.close()


@pytest.mark.parametrize("fixture", DATABASES[:1], ids=["schema1"])
def test_an_old_database_with_an_unknown_migration_is_refused_not_migrated(tmp_path: Path, fixture: Path) -> None:
    db = tmp_path / "kpidesign.db"
    shutil.copyfile(fixture, db)
    conn = sqlite3.connect(db)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) values ('kpidesign', 'm900_next_release', ?)",
        (dt.datetime.now().isoformat(),),
    )
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(NewerSchemaError, match="m900_next_release"):
        Store(db)
    assert db.read_bytes() == before
