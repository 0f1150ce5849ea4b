"""The configuration is read once, in one place: the environment and Streamlit's secrets files, each setting with the
source that wins for it, into a frozen Settings the app and the command line pass down."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import delivery
from kpidesign.room import JOINS_PER_CLIENT
from kpidesign.settings import (
    BASE_URL,
    DATABASE,
    DELIVERY,
    EDITOR_PASSWORD,
    EDITORS,
    JOINS_PER_ADDRESS,
    SMTP_HOST,
    STRICT_TEXT,
    Settings,
    UnreadableSecrets,
    read_secrets,
    secrets_files,
)

ROOT = Path(__file__).resolve().parent.parent


def test_each_setting_is_read_from_its_source() -> None:
    environ = {
        DATABASE: "/srv/kpi.db",
        BASE_URL: "https://kpi.example",
        EDITOR_PASSWORD: "from-env",
        STRICT_TEXT: "1",
        "KPIDESIGN_CONNECTION_WAREHOUSE": "postgresql://h/db",
        SMTP_HOST: "env-host",
    }
    secrets = {
        EDITOR_PASSWORD: "from-secrets",
        EDITORS: ["@corp.example"],
        SMTP_HOST: "secret-host",
        "auth": {"client_id": "x"},
        "connections": {"warehouse": {"url": "sqlite:///secret.db"}, "lake": {"url": "duckdb:///l.db"}, "odd": "not a table"},
    }
    s = Settings.load(environ, secrets)
    assert s.database == Path("/srv/kpi.db") and s.base_url == "https://kpi.example" and s.strict_text
    assert s.editor_password == "from-env"  # the environment wins for the password, the editors and a connection
    assert s.editors == ["@corp.example"]  # a TOML array stays one (kpidesign.access reads it)
    assert s.connection("warehouse") == "postgresql://h/db" and s.connection("lake") == "duckdb:///l.db"
    assert s.connection("odd") is None and s.connection("other") is None
    assert s.delivery[SMTP_HOST] == "secret-host"  # the secrets win for alert delivery, as the dashboard always did
    assert s.login
    assert s.joins_per_address == JOINS_PER_CLIENT  # not set: the room's own limit
    assert Settings.load({JOINS_PER_ADDRESS: "200"}, {}).joins_per_address == 200
    assert Settings.load({}, {JOINS_PER_ADDRESS: 150}).joins_per_address == 150  # secrets too (a TOML number)
    assert Settings.load({JOINS_PER_ADDRESS: "lots"}, {}).joins_per_address == JOINS_PER_CLIENT


def test_nothing_set_is_nothing_configured() -> None:
    s = Settings.load({}, {})
    assert s == Settings()
    assert s.database is None and s.editor_password is None and not s.login and not s.strict_text and not s.delivery


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings.load({}, {}).editor_password = "changed"  # type: ignore[misc]  # the test: a frozen field refuses it


@given(st.sampled_from(DELIVERY), st.text(min_size=1), st.text())
def test_delivery_takes_a_secret_before_the_environment(key: str, in_env: str, in_secrets: str) -> None:
    s = Settings.load({key: in_env}, {key: in_secrets})
    assert s.delivery[key] == (in_secrets or in_env)


@given(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), st.text(min_size=1, max_size=40))
def test_a_connection_is_named_in_capitals_in_the_environment(name: str, url: str) -> None:
    assert Settings.load({"KPIDESIGN_CONNECTION_" + name.upper(): url}, {}).connection(name) == url
    assert Settings.load({}, {"connections": {name: {"url": url}}}).connection(name) == url


def test_the_files_are_read_the_folder_after_the_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, folder = tmp_path / "home", tmp_path / "work"
    user_file, folder_file = secrets_files(home, folder)
    assert (user_file, folder_file) == (home / ".streamlit" / "secrets.toml", folder / ".streamlit" / "secrets.toml")
    for path, text in (
        (user_file, 'KPIDESIGN_EDITORS = "a@x.example"\nKPIDESIGN_SMTP_HOST = "user"\n'),
        (folder_file, 'KPIDESIGN_SMTP_HOST = "folder"\n'),
    ):
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(folder)
    s = Settings.load({})
    assert s.editors == "a@x.example" and s.delivery[SMTP_HOST] == "folder"


def test_a_secrets_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text("[connections.w\nurl = ", encoding="utf-8")
    with pytest.raises(UnreadableSecrets) as e:
        read_secrets(path)
    assert e.value.detail
    assert read_secrets(tmp_path / "none.toml") == {}


def test_delivery_settings_are_built_from_them() -> None:
    d = delivery.Settings.configured(Settings.load({"KPIDESIGN_SMTP_PORT": "2525", "KPIDESIGN_SMTP_STARTTLS": "0"}, {SMTP_HOST: "h"}))
    assert (d.smtp_host, d.smtp_port, d.smtp_starttls, d.slack_webhook) == ("h", 2525, False, None)


def test_only_the_settings_read_the_environment_or_secrets() -> None:
    """kpidesign/settings.py reads the environment and the files (the PostgreSQL URL too); ui/state.py hands it
    Streamlit's secrets."""
    allowed = {"kpidesign/settings.py", "ui/state.py"}
    reading = re.compile(r"os\.environ|os\.getenv|st\.secrets|tomllib|read_secrets\(")
    found = [
        path.relative_to(ROOT).as_posix()
        for folder in ("kpidesign", "ui", "views")
        for path in (ROOT / folder).rglob("*.py")
        if path.relative_to(ROOT).as_posix() not in allowed and reading.search(path.read_text(encoding="utf-8"))
    ]
    assert not found
