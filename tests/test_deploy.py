"""The deployment guide stays true (#21 item 3): every setting the code reads is in its table, the nightly backup line
runs as written, the systemd unit is valid."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesign.__main__ import main
from kpidesign.model import new_workshop
from kpidesign.store import Store

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def test_every_setting_the_code_reads_is_in_the_table() -> None:
    code = "".join(p.read_text(encoding="utf-8") for folder in ("kpidesign", "ui", "views") for p in (ROOT / folder).rglob("*.py"))
    code += (ROOT / "app.py").read_text(encoding="utf-8") + (ROOT / "tests" / "e2e" / "conftest.py").read_text(encoding="utf-8")
    code += (ROOT / "Makefile").read_text(encoding="utf-8")
    names = {n for n in re.findall(r"KPIDESIGN_[A-Z]+(?:_[A-Z]+)*", code) if not n.startswith("KPIDESIGN_CONNECTION")}  # <NAME>: below
    assert {"KPIDESIGN_DB", "KPIDESIGN_SMTP_HOST", "KPIDESIGN_SCREENSHOTS"} <= names
    table = {line.split("|")[1] for line in GUIDE.splitlines() if line.startswith("| `")}
    listed = set(re.findall(r"KPIDESIGN_[A-Z_]+(?:<NAME>)?", " ".join(table)))
    assert "KPIDESIGN_CONNECTION_<NAME>" in listed and {"KPIDESIGN_DB", "KPIDESIGN_EDITORS", "KPIDESIGN_EDITOR_PASSWORD"} <= listed
    missing = names - listed
    assert not missing, f"docs/deploy.md's table lacks {sorted(missing)}"


def test_the_nightly_backup_line_runs_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [line] = [ln for ln in GUIDE.splitlines() if ln.startswith("15 2 * * *") and "-m kpidesign backup" in ln]  # not pg_dump's
    command = line.split(".venv/bin/python -m kpidesign ", 1)[1]
    command = command.replace("/var/lib/kpidesign/kpidesign.db", str(tmp_path / "kpidesign.db")).replace(
        "/var/backups/kpidesign/", f"{tmp_path}/b/"
    )
    command = command.replace(r"$(date +\%a)", "Tue")
    (tmp_path / "b").mkdir()
    store = Store(tmp_path / "kpidesign.db")
    store.create(new_workshop("Nightly", language="en", kgi_name="Sales"))
    store.close()
    assert main(shlex.split(command)) == 0, capsys.readouterr().err
    assert [s.title for s in Store(tmp_path / "b" / "kpidesign-Tue.db").workshops()] == ["Nightly"]


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze here")
    unit = (ROOT / "deploy" / "kpidesign.service").read_text(encoding="utf-8")
    assert "--server.address 127.0.0.1 --server.port 8501" in unit  # what deploy/nginx.conf's upstream names
    assert "server 127.0.0.1:8501;" in (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    (tmp_path / "kpidesign.service").write_text(unit.replace("/srv/kpidesign/.venv/bin/python", sys.executable), encoding="utf-8")
    run = subprocess.run([analyze, "verify", str(tmp_path / "kpidesign.service")], check=False, capture_output=True, text=True, timeout=60)
    problems = [ln for ln in (run.stdout + run.stderr).splitlines() if "kpidesign.service" in ln]
    assert not problems, problems


def test_nginx_logs_paths_without_their_secrets() -> None:
    """#25 item 8: `?share=`, `?join=` and `?me=` are bearer secrets; the access log writes the path only (and the
    Referer without its query), in the site's own format, for HTTP and the HTTPS block alike."""
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    live = [ln.split("#", 1)[0] for ln in site.splitlines()]
    commented = [ln.lstrip("# ") for ln in site.splitlines() if ln.lstrip().startswith("#")]
    [fmt] = [ln for ln in live if ln.strip().startswith("log_format ")]
    assert fmt.split()[1] == "kpidesign"
    text = " ".join(ln for ln in live if "log_format" in ln or ln.strip().startswith("'"))
    for secret_bearing in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_", "$http_referer", "$is_args"):
        assert secret_bearing not in text, secret_bearing
    assert "$uri" in text and "$request_method" in text
    for block in (live, commented):
        logs = [ln.strip() for ln in block if ln.strip().startswith("access_log ") and "off" not in ln]
        assert logs and all(ln.rstrip(";").split()[-1] == "kpidesign" for ln in logs), logs


def _section(unit: str, name: str) -> list[str]:
    """The setting lines of one [section] of a unit file (comments and blank lines left out)."""
    out, inside = [], False
    for line in unit.splitlines():
        if line.startswith("["):
            inside = line.strip() == f"[{name}]"
        elif inside and line.strip() and not line.lstrip().startswith("#"):
            out.append(line.strip())
    return out


def test_the_template_unit_runs_one_process_per_port_as_hardened_as_the_single_one(tmp_path: Path) -> None:
    """#29 item 1: kpidesign@PORT.service is kpidesign.service with the port from the instance's name, part of
    kpidesign.target, and never beside kpidesign.service (both would take 8501)."""
    single = (ROOT / "deploy" / "kpidesign.service").read_text(encoding="utf-8")
    template = (ROOT / "deploy" / "kpidesign@.service").read_text(encoding="utf-8")
    assert _section(template, "Service") == [ln.replace("--server.port 8501", "--server.port %i") for ln in _section(single, "Service")]
    assert "--server.address 127.0.0.1 --server.port %i" in template
    assert {"PartOf=kpidesign.target", "Conflicts=kpidesign.service"} <= set(_section(template, "Unit"))
    assert _section(template, "Install") == ["WantedBy=kpidesign.target"]
    assert _section((ROOT / "deploy" / "kpidesign.target").read_text(encoding="utf-8"), "Install") == ["WantedBy=multi-user.target"]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze here")
    (tmp_path / "kpidesign@.service").write_text(template.replace("/srv/kpidesign/.venv/bin/python", sys.executable), encoding="utf-8")
    (tmp_path / "kpidesign.target").write_text((ROOT / "deploy" / "kpidesign.target").read_text(encoding="utf-8"), encoding="utf-8")
    for unit in ("kpidesign@8501.service", "kpidesign@8502.service", "kpidesign.target"):
        run = subprocess.run([analyze, "verify", str(tmp_path / unit)], check=False, capture_output=True, text=True, timeout=60)
        problems = [ln for ln in (run.stdout + run.stderr).splitlines() if "kpidesign" in ln]
        assert run.returncode == 0 and not problems, (unit, problems)


def test_nginx_keeps_each_browser_on_one_process_by_a_cookie() -> None:
    """#29 item 1: the upstream hashes a route cookie nginx sets on a browser's first response (not the client's address:
    a room's phones share one), in the HTTP block and the HTTPS one alike, and the proxy headers stay as they were."""
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    live = [" ".join(ln.split("#", 1)[0].split()) for ln in site.splitlines() if ln.split("#", 1)[0].strip()]
    commented = [" ".join(ln.lstrip("# ").split()) for ln in site.splitlines() if ln.lstrip().startswith("#")]
    start = live.index("upstream kpidesign {")
    assert live[start + 1 : live.index("}", start)] == ["hash $kpidesign_route consistent;", "server 127.0.0.1:8501;"]
    assert "map $cookie_kpidesign_route $kpidesign_route {" in live and "default $request_id;" in live
    for block in (live, commented):
        assert block.count("add_header Set-Cookie $kpidesign_route_cookie;") == 1, block
        for header in ("X-Real-IP $remote_addr;", "Upgrade $http_upgrade;", "Connection $connection_upgrade;", "Host $http_host;"):
            assert any(ln == f"proxy_set_header {header}" for ln in block), header
    cookie = next(ln for ln in live if ln.startswith('default "kpidesign_route='))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "$request_id" in cookie
    assert "cookie" not in " ".join(ln for ln in live if ln.startswith(("log_format", "'")))
