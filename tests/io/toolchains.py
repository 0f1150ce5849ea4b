"""The real tools the exports are tried with, installed once into the git-ignored .cache/ and kept there: dbt-core,
dbt-duckdb and dbt-metricflow in a venv of their own (pinned in tests/io/dbt-requirements.txt: they do not fit the app's
venv), and Lightdash's compiler (@lightdash/common from npm). A tool that cannot be installed fails the test under
CI=true (`make test`'s machines reach PyPI and npm) and skips it elsewhere, saying why."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
DBT_REQUIREMENTS = Path(__file__).with_name("dbt-requirements.txt")
LIGHTDASH_COMMON = "@lightdash/common@1.167.4"


def _unavailable(what: str, error: Exception) -> None:
    detail = getattr(error, "stderr", b"") or b""
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    message = f"{what} did not install: {text[-2000:] or error}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _installed(folder: Path, install: list[list[str]], what: str) -> Path:
    """folder, made by the install commands unless a previous run completed it (a marker file says so)."""
    if (folder / "complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        for command in install:
            subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=1200)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(what, e)
    (folder / "complete").write_text("ok")
    return folder


def dbt_bin() -> Path:
    """The bin folder of the venv holding dbt and mf, built once per requirements file."""
    digest = hashlib.sha256(DBT_REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = CACHE / f"dbt-{digest}"
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(DBT_REQUIREMENTS)]
    return _installed(venv, [[sys.executable, "-m", "venv", "--clear", str(venv)], pip], "dbt (tests/io/dbt-requirements.txt)") / "bin"


def lightdash_modules() -> Path:
    """A node_modules folder holding @lightdash/common and its dependencies."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        _unavailable(LIGHTDASH_COMMON, FileNotFoundError("node and npm are needed"))
    folder = CACHE / f"lightdash-{LIGHTDASH_COMMON.rsplit('@', 1)[1]}"
    install = [
        ["sh", "-c", "echo '{\"private\": true}' > package.json"],
        [str(npm), "install", "--no-audit", "--no-fund", "--ignore-scripts", "--silent", LIGHTDASH_COMMON],
    ]
    return _installed(folder, install, LIGHTDASH_COMMON) / "node_modules"
