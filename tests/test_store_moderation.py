"""Moderation in the store: ideas held when revealed (hold on, or a block word), approved one, chosen or all; muted
participants' ideas hidden from the room and from every export (YAML, Excel, the command line, share links), and back
when unmuted; the room's moderation travels with the workshop."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from kpidesign import moderation as M
from kpidesign import room as R
from kpidesign.__main__ import main
from kpidesign.io import files
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Workshop
from kpidesign.redact import for_share
from kpidesign.room import BLOCK_WORDS, MAX_BLOCK_WORD, IdeaStatus, VoteKind
from kpidesign.store import Store
from kpidesign.values import EditError


def imported(text: str) -> Workshop:
    got = from_yaml(text)
    assert got.workshop is not None, got.findings
    return got.workshop


def seen(store: Store, wid: str) -> list[str]:
    """What the room reads: the texts the wall shows and every phone lists."""
    return [i.text for i in store.rooms.ideas(wid) if i.seen]


def test_hold_keeps_revealed_ideas_off_the_room_until_approved(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    assert store.moderation.get(wid) == M.Moderation()
    store.moderation.set_hold(wid, True)
    a, b, c = (store.rooms.add_idea(wid, who, text) for who, text in [(ann, "指名検索"), (bob, "リピート率"), (ann, "客単価")])
    assert store.rooms.reveal_ideas(wid) == 3
    assert seen(store, wid) == [] and {i.status for i in store.rooms.ideas(wid)} == {IdeaStatus.REVEALED}
    mine = R.visible(store.rooms.ideas(wid), R.participant_key(ann))
    assert [i.text for i in mine] == ["指名検索", "客単価"]  # its author still sees their own
    assert store.moderation.approve(wid, [a]) == 1 and seen(store, wid) == ["指名検索"]  # one
    assert store.moderation.approve(wid, [a, b]) == 1 and seen(store, wid) == ["指名検索", "リピート率"]  # chosen
    store.moderation.set_hold(wid, False)
    assert not next(i for i in store.rooms.ideas(wid) if i.id == c).seen  # turning hold off lets nothing through
    assert store.moderation.approve(wid) == 1 and len(seen(store, wid)) == 3  # all
    store.rooms.add_idea(wid, bob, "新規顧客")
    store.rooms.reveal_ideas(wid)
    assert "新規顧客" in seen(store, wid)  # hold off: revealed straight to the room


def test_a_block_word_holds_an_idea_and_a_changed_list_holds_at_once(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    p = store.rooms.join(wid)
    store.rooms.add_idea(wid, p, "ﾊﾞｶでも分かるKPI")  # half-width katakana of a default word
    store.rooms.add_idea(wid, p, "連絡は taro＠example.com")
    ok = store.rooms.add_idea(wid, p, "指名検索数")
    store.rooms.reveal_ideas(wid)
    assert seen(store, wid) == ["指名検索数"]
    assert store.moderation.set_words(wid, ["指名"]) == 1 and seen(store, wid) == []  # held the moment the word is listed
    assert store.moderation.approve(wid, [ok]) == 1
    assert store.moderation.set_words(wid, ["指名", "検索"]) == 0 and seen(store, wid) == ["指名検索数"]  # approved: never again
    assert store.moderation.get(wid).block_words == ("指名", "検索")
    store.moderation.set_words(wid, None)
    assert store.moderation.get(wid) == M.Moderation()  # back to the defaults
    with pytest.raises(EditError) as e:
        store.moderation.set_words(wid, [f"w{n}" for n in range(BLOCK_WORDS + 1)])
    assert e.value.problem.code == "block_words_too_many"
    with pytest.raises(EditError) as e:
        store.moderation.set_words(wid, ["x" * (MAX_BLOCK_WORD + 1)])
    assert e.value.problem.code == "block_word_too_long" and store.moderation.get(wid) == M.Moderation()


def muted_room(store: Store, ec: Workshop) -> tuple[str, str, str, int]:
    """A room where Spam's ideas are muted: one revealed, one voted on; Ann's idea is fine."""
    wid = store.create(ec)
    store.rooms.open(wid)
    spam, ann = store.rooms.join(wid, "Spam"), store.rooms.join(wid, "Ann")
    bad = store.rooms.add_idea(wid, spam, "MUTED-TEXT 広告です", "customers")
    good = store.rooms.add_idea(wid, ann, "指名検索", "customers")
    store.rooms.reveal_ideas(wid)
    vote = store.votes.open(wid, "どれ?", VoteKind.IDEAS, [str(bad), str(good)], 2)
    store.votes.place_dot(wid, vote, ann, str(bad))
    store.votes.place_dot(wid, vote, ann, str(good))
    store.votes.close(wid)
    assert store.moderation.mute(wid, [R.participant_key(spam)]) == 1
    return wid, spam, ann, bad


def test_mute_hides_a_participants_ideas_from_the_room_and_unmute_restores(store: Store, ec: Workshop) -> None:
    wid, spam, ann, bad = muted_room(store, ec)
    assert seen(store, wid) == ["指名検索"] and store.rooms.participant_count(wid) == 2  # still in the room
    assert [i.text for i in R.visible(store.rooms.ideas(wid), R.participant_key(ann))] == ["指名検索"]  # other phones
    assert "MUTED-TEXT 広告です" in [i.text for i in R.visible(store.rooms.ideas(wid), R.participant_key(spam))]  # their own
    assert M.hidden_options(store.rooms.ideas(wid)) == {str(bad)}  # the vote's option shown to no one
    store.rooms.add_idea(wid, spam, "more")  # they may still send: nothing tells them
    assert store.moderation.muted(wid) == [(R.participant_key(spam), "Spam")]
    assert store.moderation.unmute(wid) == 1 and store.moderation.muted(wid) == []
    assert seen(store, wid) == ["MUTED-TEXT 広告です", "指名検索"] and M.hidden_options(store.rooms.ideas(wid)) == set()


def test_an_idea_made_a_node_stays_when_its_author_is_muted(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    p = store.rooms.join(wid)
    made, other = store.rooms.add_idea(wid, p, "a node now"), store.rooms.add_idea(wid, p, "just an idea")
    store.rooms.reveal_ideas(wid)
    store.rooms.accept_idea(wid, made, "a_node")
    store.moderation.mute(wid, [R.participant_key(p)])
    got = {i.id: i for i in store.rooms.ideas(wid)}
    assert got[made].seen and not got[made].muted and got[other].muted


def test_muted_ideas_leave_with_no_export(ec: Workshop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The YAML, Excel and summary files (as the app and the command line write them) and share links carry no muted
    idea, nor its dots; unmuted, the files carry it again."""
    store = Store(tmp_path / "k.db")
    wid, spam, _, _ = muted_room(store, ec)
    ws = store.with_room(store.actuals.attach(store.load(wid).workshop, wid), wid)
    text = to_yaml(ws)
    doc = yaml.safe_load(text)["room"]
    assert "MUTED-TEXT" not in text and [i["text"] for i in doc["ideas"]] == ["指名検索"]
    assert doc["votes"][0]["results"] == {"i1": 1}  # the muted idea's option is gone, the others keep their dots
    workbook = files.export(ws, "xlsx", "ja")
    assert workbook is not None
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "指名検索" in cells and not any("MUTED-TEXT" in c for c in cells)
    summary = files.export(ws, "html", "ja")  # the summary to send (what the room voted)
    assert summary is not None and "MUTED-TEXT" not in summary.data.decode()
    shared = files.export(for_share(ws), "xlsx", "ja")  # a share link's download
    assert shared is not None and b"MUTED-TEXT" not in shared.data
    shared_yaml = files.export(for_share(ws), "yaml", "ja")
    assert shared_yaml is not None and "MUTED-TEXT" not in shared_yaml.data.decode()
    db = store.connection.where
    for fmt, name in (("yaml", "out.yaml"), ("xlsx", "out.xlsx")):  # the command line
        assert main(["export", "--db", db, wid, "--format", fmt, "-o", str(tmp_path / name)]) == 0
    assert "MUTED-TEXT" not in (tmp_path / "out.yaml").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert not any("MUTED-TEXT" in str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert main(["room", "--db", db, "ideas", wid, "--json"]) == 0
    assert "MUTED-TEXT" not in capsys.readouterr().out
    store.moderation.unmute(wid, R.participant_key(spam))
    assert "MUTED-TEXT" in to_yaml(store.with_room(store.load(wid).workshop, wid))


def test_held_ideas_and_the_rooms_moderation_round_trip(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    store.rooms.open(wid)
    p = store.rooms.join(wid)
    store.moderation.set_words(wid, ["禁止語", "[email]"])
    store.moderation.set_hold(wid, True)
    store.rooms.add_idea(wid, p, "waiting")
    store.rooms.reveal_ideas(wid)
    store.moderation.set_hold(wid, False)
    store.rooms.add_idea(wid, p, "禁止語を含む")
    store.rooms.add_idea(wid, p, "fine")
    store.rooms.reveal_ideas(wid)
    text = to_yaml(store.with_room(store.load(wid).workshop, wid))
    doc = yaml.safe_load(text)["room"]
    assert doc["moderation"] == {"hold": False, "block_words": ["禁止語", "[email]"]}
    assert [i.get("held", False) for i in doc["ideas"]] == [True, True, False]
    workbook = files.export(imported(text), "xlsx", "en")
    assert workbook is not None
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    statuses = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert statuses.count("awaiting approval") == 2  # Excel's Ideas sheet says which wait
    copy = store.create(imported(text))
    assert store.moderation.get(copy) == M.Moderation(False, ("禁止語", "[email]"))
    assert [(i.text, i.held) for i in store.rooms.ideas(copy)] == [("waiting", True), ("禁止語を含む", True), ("fine", False)]
    assert to_yaml(store.with_room(store.load(copy).workshop, copy)) == text
    plain = store.create(ec)  # defaults: nothing written, and a file without moderation reads as the defaults
    store.rooms.open(plain)
    assert "moderation" not in yaml.safe_load(to_yaml(store.with_room(store.load(plain).workshop, plain)))["room"]


def test_a_file_beyond_the_lists_bounds_is_refused_with_the_field_named(ec: Workshop) -> None:
    base = yaml.safe_load(to_yaml(ec))
    for words, field in ((["x" * (MAX_BLOCK_WORD + 1)], "block_words"), ([f"w{n}" for n in range(BLOCK_WORDS + 1)], "block_words")):
        doc = {**base, "room": {"anonymous": True, "ideas": [], "votes": [], "moderation": {"hold": True, "block_words": words}}}
        got = from_yaml(yaml.safe_dump(doc, allow_unicode=True))
        assert got.workshop is None and field in str(got.findings[0].params)


def test_delete_and_duplicate_keep_moderation_consistent(store: Store, ec: Workshop) -> None:
    wid, _, _, _ = muted_room(store, ec)
    store.moderation.set_hold(wid, True)
    copy = store.duplicate(wid, "copy")
    assert store.moderation.get(copy).hold and "MUTED-TEXT 広告です" not in [i.text for i in store.rooms.ideas(copy)]
    store.delete(wid)
    assert store.db.execute("select count(*) from room_moderation where workshop_id = ?", (wid,)).fetchone()[0] == 0
    assert json.loads(json.dumps(store.moderation.get(copy).block_words))
