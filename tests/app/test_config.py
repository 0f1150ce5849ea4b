"""The server's own settings (.streamlit/config.toml): what a visitor may see of an error, and no raw CSV export."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from streamlit.config import ShowErrorDetailsConfigOptions

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"

# What `streamlit run /path/to/app.py` sees from another folder: Streamlit reads the config file beside the main script.
READ = """
import json, sys
from streamlit import config
config._main_script_path = sys.argv[1]
config.get_config_options(force_reparse=True)
keys = ("client.showErrorDetails", "client.disableDataExport", "runner.magicEnabled", "runner.postScriptGC")
print(json.dumps({k: config.get_option(k) for k in keys}))
"""


def test_the_config_file_hides_error_details_and_the_raw_csv_download() -> None:
    client = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]
    assert client["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value  # no type, message or traceback
    assert client["disableDataExport"] is True  # dataframes write cells as they are: "=HYPERLINK(…)" would run


def test_streamlit_reads_those_settings_wherever_it_is_started(tmp_path: Path) -> None:
    command = [sys.executable, "-c", READ, str(ROOT / "app.py")]
    out = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    options = json.loads(out.stdout.strip().splitlines()[-1])
    assert options == {
        "client.showErrorDetails": "none",
        "client.disableDataExport": True,
        "runner.magicEnabled": False,
        "runner.postScriptGC": False,  # a full collection after every run stalled a room of 30 phones (bench/room_live.py)
    }


def test_the_app_says_so_when_the_database_is_from_a_newer_kpidesign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never half-migrated, and never a bare "an error occurred": the page names what this version does not know (#21)."""
    import datetime as dt
    import sqlite3

    from streamlit.testing.v1 import AppTest

    from kpidesign.store import Store

    db = tmp_path / "kpidesign.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) values ('kpidesign', 'm900_next_release', ?)",
            (dt.datetime.now().isoformat(),),
        )
    before = db.read_bytes()
    monkeypatch.setenv("KPIDESIGN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and any("m900_next_release" in e.value for e in at.error)
    assert db.read_bytes() == before
