"""The app's configuration, read once into one frozen `Settings` and passed down: the environment (KPIDESIGN_*) and
Streamlit's secrets files (~/.streamlit/secrets.toml, then .streamlit/secrets.toml in the working folder, which wins).

The app loads it once per session (ui.state.settings, from st.secrets, which reads the same files); the command line
once per command. Nothing else reads os.environ or a secrets file. Which source wins is each setting's own, unchanged:
the environment for the database, the editors, the password and a connection's URL; the secrets for alert delivery.
This module imports nothing of kpidesign (kpidesign.i18n reads STRICT_TEXT through it at import)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpidesign.room import JOINS_PER_CLIENT, joins_per_client

DATABASE = "KPIDESIGN_DB"  # the SQLite file (else data/kpidesign.db beside the package)
DATABASE_URL = "KPIDESIGN_DATABASE_URL"  # a PostgreSQL database: the store is there (environment, else secrets' [database] url)
BASE_URL = "KPIDESIGN_BASE_URL"  # the address participants reach the app at (a room's join link)
EDITORS = "KPIDESIGN_EDITORS"  # the allow-list of st.login editors (environment, else secrets: text or a TOML array)
EDITOR_PASSWORD = "KPIDESIGN_EDITOR_PASSWORD"  # the shared editor password (environment, else secrets)
SLACK_WEBHOOK = "KPIDESIGN_SLACK_WEBHOOK"
SMTP_HOST = "KPIDESIGN_SMTP_HOST"
SMTP_PORT = "KPIDESIGN_SMTP_PORT"
SMTP_USER = "KPIDESIGN_SMTP_USER"
SMTP_PASSWORD = "KPIDESIGN_SMTP_PASSWORD"
SMTP_FROM = "KPIDESIGN_SMTP_FROM"
SMTP_STARTTLS = "KPIDESIGN_SMTP_STARTTLS"
DELIVERY = (SLACK_WEBHOOK, SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS)  # secrets, else environment
JOINS_PER_ADDRESS = "KPIDESIGN_JOINS_PER_ADDRESS"  # joins a room takes from one address a minute (a venue behind one NAT)
STRICT_TEXT = "KPIDESIGN_STRICT_TEXT"  # "1": a missing text key raises (the tests) instead of showing the key
CONNECTION_PREFIX = "KPIDESIGN_CONNECTION_"  # + a connection's name in capitals: its URL (else secrets' [connections.NAME] url)


class UnreadableSecrets(ValueError):
    """A secrets file that is not TOML (the detail says where)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def secrets_files(home: Path | None = None, cwd: Path | None = None) -> tuple[Path, Path]:
    """Where Streamlit keeps secrets, in the order it reads them: the user's, then the working folder's (which wins)."""
    return (home or Path.home()) / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml"


def read_secrets(path: Path) -> dict[str, Any]:
    """One secrets file as data ({} when there is none; UnreadableSecrets when it is not TOML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UnreadableSecrets(str(e)[:200]) from None


def strict_text(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a missing text key raises (KPIDESIGN_STRICT_TEXT=1, as tests/conftest.py sets it)."""
    return (os.environ if environ is None else environ).get(STRICT_TEXT) == "1"


def database_url(environ: Mapping[str, str] | None = None, files: tuple[Path, ...] | None = None) -> str | None:
    """The PostgreSQL database the store is in, as configured: $KPIDESIGN_DATABASE_URL, else [database] url of the
    working folder's secrets file, else the home folder's (the project's first); None: the SQLite file. Read as given:
    the store checks it is PostgreSQL's (kpidesign.store.base.database_url). UnreadableSecrets for a file not TOML."""
    url = (os.environ if environ is None else environ).get(DATABASE_URL) or None
    home, here = secrets_files()
    for path in () if url else (files if files is not None else (here, home)):
        section = read_secrets(path).get("database")
        found = section.get("url") if isinstance(section, dict) else None
        if found:
            return str(found)
    return url


def database_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The database file KPIDESIGN_DB names, if it names one."""
    named = (os.environ if environ is None else environ).get(DATABASE)
    return Path(named) if named else None


@dataclass(frozen=True)
class Settings:
    """Everything the app and the command line are configured with."""

    database: Path | None = None  # None: the store's default file
    base_url: str | None = None
    editor_password: str | None = None
    editors: Any = None  # text or a list (a TOML array in secrets), as kpidesign.access.parse_editors reads it
    login: bool = False  # an [auth] section in secrets: Streamlit's own st.login is set up
    delivery: Mapping[str, str] = field(default_factory=dict)  # the DELIVERY keys that are set
    connections: Mapping[str, str] = field(default_factory=dict)  # a connection's name -> URL, from secrets
    connections_env: Mapping[str, str] = field(default_factory=dict)  # a name in capitals -> URL, from the environment
    strict_text: bool = False
    joins_per_address: int = JOINS_PER_CLIENT  # joins a room takes from one client address within a minute

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> Settings:
        """Read the configuration: environ (default os.environ) and secrets (default: Streamlit's two secrets files,
        read here; the app passes st.secrets, which has read them)."""
        env = dict(os.environ if environ is None else environ)
        if secrets is None:
            user, folder = secrets_files()
            secrets = {**read_secrets(user), **read_secrets(folder)}

        def env_first(key: str) -> Any:
            return env.get(key) or secrets.get(key) or None

        sections = secrets.get("connections") or {}
        return cls(
            database=database_path(env),
            base_url=env.get(BASE_URL) or None,
            editor_password=env_first(EDITOR_PASSWORD),
            editors=env_first(EDITORS),
            login=bool(secrets.get("auth")),
            delivery={k: v for k in DELIVERY if (v := str(secrets.get(k) or "") or env.get(k) or "")},
            connections={
                str(name): str(section["url"])
                for name, section in (sections.items() if isinstance(sections, Mapping) else ())
                if isinstance(section, Mapping) and section.get("url")
            },
            connections_env={k.removeprefix(CONNECTION_PREFIX): v for k, v in env.items() if k.startswith(CONNECTION_PREFIX) and v},
            strict_text=strict_text(env),
            joins_per_address=joins_per_client(env_first(JOINS_PER_ADDRESS)),
        )

    def connection(self, name: str) -> str | None:
        """The URL of a named connection: KPIDESIGN_CONNECTION_<NAME>, else secrets' [connections.NAME] url."""
        return self.connections_env.get(name.upper()) or self.connections.get(name)
