"""Starting local servers for the browser tests and the bench: a free loopback port, `streamlit run` as deployed, and
waiting until it answers."""

from __future__ import annotations

import socket
import sys
import time
import urllib.request


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def streamlit_command(script: str, port: int) -> list[str]:
    """`streamlit run script` on the loopback port, headless, without usage statistics and, as deployed
    (deploy/kpidesign.service), without the file watcher (with one, every rerun of every session resolves the path of
    every module it imported)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def answers(base: str, seconds: float) -> bool:
    """Whether the Streamlit server at base says it is healthy within the time given."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.5)
    return False
