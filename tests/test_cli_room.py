"""The `room` command line: open prints the join address, close ends it, ideas lists what the room sent."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesign.__main__ import main
from kpidesign.model import Workshop
from kpidesign.room import VoteKind
from kpidesign.store import Store

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path: Path, ec: Workshop) -> tuple[str, str]:
    path = str(tmp_path / "k.db")
    store = Store(path)
    wid = store.create(ec)
    store.close()
    return path, wid


def test_open_prints_join_address_and_close_ends_it(
    capsys: pytest.CaptureFixture[str], db: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, wid = db
    monkeypatch.delenv("KPIDESIGN_BASE_URL", raising=False)
    code, out, _ = run(capsys, "room", "open", wid, "--db", path)
    found = re.search(r"^http://localhost:8501/\?join=([A-Za-z0-9_-]{43,})$", out.strip(), re.M)
    assert code == 0 and found
    token = found.group(1)
    assert Store(path).rooms.resolve(token) == wid
    monkeypatch.setenv("KPIDESIGN_BASE_URL", "https://kpi.example.com/")
    code, out, _ = run(capsys, "room", "open", "EC", "--db", path)  # by title too; a new token replaces the old
    assert code == 0 and out.startswith("https://kpi.example.com/?join=")
    assert Store(path).rooms.resolve(token) is None
    assert run(capsys, "room", "close", wid, "--db", path)[0] == 0
    assert Store(path).rooms.resolve(out.strip().split("join=")[1]) is None


def test_ideas_json(capsys: pytest.CaptureFixture[str], db: tuple[str, str]) -> None:
    path, wid = db
    store = Store(path)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    a = store.rooms.add_idea(wid, ann, '指名検索 "<b>{x}</b>"', "customers")
    b = store.rooms.add_idea(wid, ann, "second")
    code, out, _ = run(capsys, "room", "ideas", wid, "--db", path, "--json")
    doc = json.loads(out)
    assert code == 0 and doc == {
        "ideas": [
            {
                "id": a,
                "text": '指名検索 "<b>{x}</b>"',
                "author": None,
                "parent": "customers",
                "votes": 0,
                "status": "private",
                "node": None,
                "merged_into": None,
            },
            {"id": b, "text": "second", "author": None, "parent": None, "votes": 0, "status": "private", "node": None, "merged_into": None},
        ]
    }
    store.rooms.reveal_ideas(wid)
    vote = store.votes.open(wid, "best?", VoteKind.IDEAS, [str(a), str(b)], 3)
    store.votes.place_dot(wid, vote, ann, str(a))
    store.votes.place_dot(wid, vote, ann, str(a))
    store.rooms.dismiss_idea(wid, b)
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.__class__(**{**room.__dict__, "anonymous": False}))
    _, out, _ = run(capsys, "room", "ideas", wid, "--db", path, "--json")
    rows = {r["id"]: r for r in json.loads(out)["ideas"]}
    assert (rows[a]["votes"], rows[a]["status"], rows[a]["author"]) == (2, "revealed", "Ann") and rows[b]["status"] == "dismissed"
    code, out, _ = run(capsys, "room", "ideas", wid, "--db", path)
    assert code == 0 and "指名検索" in out and "(Ann)" in out


def test_unknown_workshop_exits_2(capsys: pytest.CaptureFixture[str], db: tuple[str, str]) -> None:
    path, _ = db
    code, _, err = run(capsys, "room", "open", "nope", "--db", path)
    assert code == 2 and "no workshop" in err


def test_as_a_process(db: tuple[str, str]) -> None:
    path, wid = db
    env = {**os.environ, "KPIDESIGN_BASE_URL": "http://10.0.0.5:8501"}
    done = subprocess.run(
        [sys.executable, "-m", "kpidesign", "room", "open", wid, "--db", path], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0 and "http://10.0.0.5:8501/?join=" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "kpidesign", "room", "ideas", wid, "--db", path, "--json"], capture_output=True, text=True, cwd=ROOT
    )
    assert json.loads(done.stdout) == {"ideas": []}


def test_themes_json(capsys: pytest.CaptureFixture[str], db: tuple[str, str]) -> None:
    path, wid = db
    store = Store(path)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    sent = [
        store.rooms.add_idea(wid, ann, text, "new_customers")
        for text in ["指名検索の伸び", "カート放棄率", "指名検索数の伸び", "カート放棄メールの効果", "指名検索からの流入数"]
    ]
    code, out, _ = run(capsys, "room", "themes", wid, "--db", path, "--json")
    assert code == 0 and json.loads(out) == {"themes": []}  # nothing revealed: nothing grouped
    store.rooms.reveal_ideas(wid)
    code, out, _ = run(capsys, "room", "themes", wid, "--db", path, "--json")
    assert code == 0 and json.loads(out) == {
        "themes": [
            {"label": "指名検索の伸び", "ideas": [sent[0], sent[2], sent[4]]},
            {"label": "カート放棄率", "ideas": [sent[1], sent[3]]},
        ]
    }
    first = store.themes.all(wid)[0]
    store.themes.rename(wid, first.id, '"指名検索" <b>')
    _, out, _ = run(capsys, "room", "themes", "EC", "--db", path, "--json")
    assert json.loads(out)["themes"][0] == {"label": '"指名検索" <b>', "ideas": [sent[0], sent[2], sent[4]]}
    code, out, _ = run(capsys, "room", "themes", wid, "--db", path)
    assert code == 0 and '"指名検索" <b>' in out and f"{sent[1]} {sent[3]}" in out
