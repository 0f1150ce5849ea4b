"""deploy/nginx.conf as shipped (ports changed) in front of `streamlit run` on loopback: a workshop opens and saves
through it, over Streamlit's websocket (#21 item 3). Skipped outside CI only when nginx is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kpidesign import backup
from kpidesign.access import CLIENT_LIMIT
from kpidesign.model import new_workshop
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, NewPage, fill, idle, login, nav
from tests.launch import free_port

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx.conf"


def nginx_path() -> str | None:
    """Debian's nginx (in /usr/sbin, off a normal user's PATH), if installed."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def proxy(server: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """nginx with deploy/nginx.conf on a free loopback port, passing to the app server; yields its base URL and log paths."""
    binary = nginx_path()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no nginx: .ci/run must install Debian's nginx", pytrace=False)
        pytest.skip("no nginx installed (apt-get install nginx)")
    work = tmp_path_factory.mktemp("nginx")
    port, app_port = free_port(), urlparse(server["base"]).port
    site = SITE.read_text(encoding="utf-8")
    shipped_log = "access_log /var/log/nginx/kpidesign.access.log kpidesign;"
    assert site.count("    listen 80;") == 1 and site.count("server 127.0.0.1:8501;") == 1 and site.count(f"\n    {shipped_log}") == 1, (
        "deploy/nginx.conf changed shape: update this test"
    )
    site = site.replace("    listen 80;", f"    listen 127.0.0.1:{port};").replace(
        "server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"
    )
    site = site.replace(f"\n    {shipped_log}", f"\n    access_log {work / 'access.log'} kpidesign;")
    (work / "site.conf").write_text(site, encoding="utf-8")
    temps = "\n".join(f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {work / "nginx.pid"};
error_log {work / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {work / "access.log"};
{temps}
    include {work / "site.conf"};
}}
""",
        encoding="utf-8",
    )
    args = [binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(work / "nginx.conf")]
    check = subprocess.run([*args, "-t"], check=False, capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while True:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("nginx did not answer: " + (work / "error.log").read_text()[-2000:])
            time.sleep(0.2)
    yield {"base": base, "access": str(work / "access.log"), "error": str(work / "error.log")}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_a_workshop_opens_and_saves_through_nginx(server: dict[str, str], proxy: dict[str, str], new_page: NewPage, tmp_path: Path) -> None:
    store = Store(server["db"])
    wid = store.create(new_workshop("Through nginx", language="en", kgi_name="Sales"))
    token = store.shares.create(wid, label="board")
    store.close()

    page = new_page("en-US")
    login(page, proxy["base"], f"?ws={wid}")
    assert page.url.startswith(proxy["base"])
    assert page.get_by_test_id("stSidebar").get_by_text("Through nginx").is_visible()
    nav(page, "1 Set the KGI")
    fill(page, "KGI name", "Annual sales via the proxy")  # a save: the field's value went over the websocket
    store = Store(server["db"])
    loaded = store.load(wid)
    store.close()
    assert loaded.version == 2 and loaded.workshop.kgi.name == "Annual sales via the proxy"
    nav(page, "2 KPI tree")
    assert page.get_by_test_id("stGraphVizChart").get_by_text("Annual sales via the proxy").count() >= 1

    # the running app holds the database open: a backup works, a restore is refused (docs/deploy.md's rule)
    copy = backup.backup(Path(server["db"]), tmp_path / "live-backup.db")
    assert wid in {s.id for s in Store(copy.path).workshops()}
    assert backup.in_use(Path(server["db"]))
    with pytest.raises(backup.BackupError, match="is in use"):
        backup.restore(copy.path, Path(server["db"]))

    viewer = new_page("en-US")  # a share link through the proxy, no login
    viewer.goto(f"{proxy['base']}/?share={token}")
    idle(viewer)
    assert viewer.get_by_text("Through nginx").count() >= 1

    page.context.close()  # nginx logs a websocket when it closes
    viewer.context.close()
    deadline, log = time.time() + 10, ""
    while time.time() < deadline and log.count('"GET /_stcore/stream HTTP/1.1" 101 ') < 2:
        time.sleep(0.2)
        log = Path(proxy["access"]).read_text()
    assert log.count('"GET /_stcore/stream HTTP/1.1" 101 ') >= 2, log[-2000:]  # both websockets passed through nginx
    assert urllib.request.urlopen(f"{proxy['base']}/_stcore/health", timeout=5).read() == b"ok"


def test_the_access_log_holds_paths_not_the_secrets_in_addresses(proxy: dict[str, str]) -> None:
    """#25 item 8: share, join and participant secrets travel in the address; the shipped log format writes the path only,
    and the Referer without its query."""
    secrets = ["share-SECRET-0123456789", "join-SECRET-abcdef", "me-SECRET-xyz"]
    request = urllib.request.Request(
        f"{proxy['base']}/?share={secrets[0]}&join={secrets[1]}&me={secrets[2]}",
        headers={"Referer": f"{proxy['base']}/?share={secrets[0]}", "User-Agent": "log-check"},
    )
    assert urllib.request.urlopen(request, timeout=10).status == 200
    deadline, log = time.time() + 10, ""
    while time.time() < deadline and "log-check" not in log:
        time.sleep(0.2)
        log = Path(proxy["access"]).read_text()
    lines = [ln for ln in log.splitlines() if "log-check" in ln]
    assert lines and not any(secret in log for secret in secrets), lines
    assert '"GET / HTTP/1.1" 200 ' in lines[0] and f'"{proxy["base"]}/"' in lines[0], lines


def test_wrong_passwords_through_nginx_pause_that_client_not_the_others(
    server: dict[str, str], proxy: dict[str, str], new_page: NewPage
) -> None:
    """#25 item 8, in the real server: behind the shipped nginx the client is its X-Real-IP (here 127.0.0.1), apart from
    a browser on the server itself (no proxy, no header: "local"). Runs last in this module: it pauses its client."""
    page = new_page("en-US")
    page.goto(f"{proxy['base']}/")
    for i in range(CLIENT_LIMIT + 1):
        page.get_by_label("Editor password").fill(f"wrong-{i}")
        page.get_by_role("button", name="Log in").click()
        idle(page)
    assert page.get_by_text("Too many wrong passwords").count() >= 1
    page.get_by_label("Editor password").fill(PASSWORD)  # the right one, from the paused client: still refused
    page.get_by_role("button", name="Log in").click()
    idle(page)
    assert page.get_by_label("Editor password").count() == 1 and page.get_by_text("Too many wrong passwords").count() >= 1
    direct = new_page("en-US")  # another client
    login(direct, server["base"])
    assert direct.get_by_label("Editor password").count() == 0 and direct.get_by_test_id("stSidebar").is_visible()
