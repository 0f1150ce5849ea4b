"""Starting local servers for the browser tests and the bench: a free loopback port, `streamlit run` as deployed, and
waiting until it answers."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


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


SITE = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
SHIPPED_LOG = "access_log /var/log/nginx/kpidesign.access.log kpidesign;"
ROUTE = "kpidesign_route"  # the affinity cookie deploy/nginx.conf sets


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, off a normal user's PATH), if installed."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def nginx_site(port: int, app_ports: list[int], work: Path) -> str:
    """deploy/nginx.conf as shipped but for its ports (nginx on 127.0.0.1:port, one upstream line per app port) and its
    log (in work: access.log in the shipped format, and upstream.log saying which process served each request)."""
    site = SITE.read_text(encoding="utf-8")
    if site.count("    listen 80;") != 1 or site.count("server 127.0.0.1:8501;") != 1 or site.count(f"\n    {SHIPPED_LOG}") != 1:
        raise ValueError("deploy/nginx.conf changed shape: update tests/launch.py")
    servers = " ".join(f"server 127.0.0.1:{p};" for p in app_ports)
    site = site.replace("    listen 80;", f"    listen 127.0.0.1:{port};").replace("server 127.0.0.1:8501;", servers)
    logs = f"access_log {work / 'access.log'} kpidesign; access_log {work / 'upstream.log'} upstream;"
    return site.replace(f"\n    {SHIPPED_LOG}", f"\n    {logs}")


def start_nginx(app_ports: list[int], work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """nginx with the shipped site in front of these app processes, on a free loopback port; (process, base URL) once it
    answers. Raises RuntimeError with nginx's own words when it does not start."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("no nginx installed (apt-get install nginx)")
    port = free_port()
    (work / "site.conf").write_text(nginx_site(port, app_ports, work), encoding="utf-8")
    temps = "\n".join(f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {work / "nginx.pid"};
error_log {work / "error.log"} info;
events {{ worker_connections 4096; }}
http {{
    access_log {work / "access.log"};
    log_format upstream '$upstream_addr $cookie_{ROUTE} "$request_method $uri" $status';
{temps}
    include {work / "site.conf"};
}}
""",
        encoding="utf-8",
    )
    args = [binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(work / "nginx.conf")]
    check = subprocess.run([*args, "-t"], check=False, capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError(check.stderr)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    if not answers(base, 20):
        proc.kill()
        raise RuntimeError("nginx did not answer: " + (work / "error.log").read_text()[-2000:])
    return proc, base


def route_to(base: str, app_port: int, work: Path, tries: int = 200) -> str:
    """A value of the affinity cookie that nginx (at base, started by start_nginx in work) sends to this app process:
    random routes are tried until its upstream log names that port."""
    log = work / "upstream.log"
    for _ in range(tries):
        route = secrets.token_hex(16)
        before = log.stat().st_size if log.exists() else 0
        request = urllib.request.Request(f"{base}/", headers={"Cookie": f"{ROUTE}={route}", "User-Agent": "route-probe"})
        urllib.request.urlopen(request, timeout=10).read()
        deadline = time.time() + 5
        while time.time() < deadline and (not log.exists() or log.stat().st_size == before):
            time.sleep(0.05)
        with log.open("rb") as f:
            f.seek(before)
            served = f.read().decode("utf-8", "replace")
        if f"127.0.0.1:{app_port} {route} " in served:
            return route
    raise RuntimeError(f"no route to port {app_port} in {tries} tries")
