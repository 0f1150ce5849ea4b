"""A throwaway PostgreSQL server on loopback for the connector tests: Debian's server binaries, a fresh cluster in a
temporary folder, a free port, stopped and removed afterwards. As root (CI), the cluster belongs to the postgres user."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.launch import free_port


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (the newest Debian installs), or None when PostgreSQL's server is not installed."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def server() -> Iterator[str]:
    """A running server; yields the SQLAlchemy URL of its `postgres` database (user postgres, password kpi)."""
    bin_dir = binaries()
    assert bin_dir is not None, "PostgreSQL's server binaries are not installed"
    root = Path(tempfile.mkdtemp(prefix="kpidesign-pg-"))
    data, port = root / "data", free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    password = root / "pw"
    password.write_text("kpi")
    if as_postgres:
        shutil.chown(password, "postgres")

    def run(*cmd: str) -> None:
        subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=md5", f"--pwfile={password}", "-E", "UTF8", "--locale=C")
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        url = f"postgresql+psycopg://postgres:kpi@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield url
    finally:
        subprocess.run(
            [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)
