"""`kpidesign export WORKSHOP --format html -o FILE`: the summary to send, from the command line (issue #30 item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpidesign.__main__ import main
from kpidesign.room import VoteKind
from kpidesign.store import Store

ROOT = Path(__file__).resolve().parent.parent
EC = str(ROOT / "data/templates/ec_sales.ja.yaml")
TITLE = "EC売上を10億円へ（例）"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def imported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    db = str(tmp_path / "cli.db")
    assert run(capsys, "import", EC, "--db", db)[0] == 0
    return db


def test_the_exact_command_writes_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = imported(capsys, tmp_path)
    target = tmp_path / "summary.html"
    done = subprocess.run(
        [sys.executable, "-m", "kpidesign", "export", TITLE, "--format", "html", "-o", str(target), "--db", db],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(target)) and "bytes" in done.stdout and not done.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="ja">')  # the workshop's language
    assert "「年間売上高」を 8億 円 から 10億 円 へ（+25.0%）" in page and "≥ 4.5万" in page


def test_the_summary_carries_the_rooms_vote_and_speaks_the_language_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = imported(capsys, tmp_path)
    store = Store(db)
    [wid] = [s.id for s in store.workshops()]
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    vote = store.votes.open(wid, "KFS はどれ?", VoteKind.NODES, ["repeat_rate", "purchase_rate"], 3)
    store.votes.place_dot(wid, vote, ann, "repeat_rate")
    store.votes.close(wid)
    store.close()
    target = tmp_path / "en.html"
    code, out, err = run(capsys, "export", TITLE, "--format", "html", "-o", str(target), "--db", db, "--lang", "en")
    assert code == 0 and not err and str(target) in out
    page = target.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Definition sheet: owners and thresholds" in page
    assert "Vote: KFS はどれ? (dots each: 3)" in page and "The room chose リピート率 (dots: 1)" in page


def test_a_workshop_not_found_or_a_folder_that_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = imported(capsys, tmp_path)
    code, _, err = run(capsys, "export", "nothing", "--format", "html", "-o", str(tmp_path / "x.html"), "--db", db)
    assert code == 2 and "no workshop" in err and not (tmp_path / "x.html").exists()
    code, _, err = run(capsys, "export", TITLE, "--format", "html", "-o", str(tmp_path / "missing" / "x.html"), "--db", db)
    assert code == 2 and "missing" in err
