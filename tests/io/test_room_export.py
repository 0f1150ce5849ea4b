"""The room's ideas and votes in the canonical YAML (`room:`) and in Excel's Ideas sheet; export → import → export."""

from __future__ import annotations

import io

import openpyxl
import pytest
import yaml

from kpidesign.io.excel import to_xlsx
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Workshop
from kpidesign.room import VoteKind
from kpidesign.store import Store


def with_room(store: Store, ec: Workshop) -> str:
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, anon = store.rooms.join(wid, "Ann"), store.rooms.join(wid)
    a = store.rooms.add_idea(wid, ann, '=HYPERLINK("x") **指名検索** {x}', "customers")
    b = store.rooms.add_idea(wid, anon, "duplicate", "customers")
    c = store.rooms.add_idea(wid, anon, "no node")
    store.rooms.reveal_ideas(wid)
    store.rooms.merge_idea(wid, b, a)
    store.rooms.accept_idea(wid, c, "brand")
    vote = store.votes.open(wid, "どれ?", VoteKind.IDEAS, [str(a), str(c)], 2)
    store.votes.place_dot(wid, vote, ann, str(a))
    store.votes.place_dot(wid, vote, anon, str(a))
    store.votes.place_dot(wid, store.votes.open(wid, "KFS", VoteKind.NODES, ["customers", "avg_spend"], 3), ann, "avg_spend")
    store.votes.close(wid)
    return wid


def test_yaml_room_part_and_round_trip(store: Store, ec: Workshop) -> None:
    wid = with_room(store, ec)
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.__class__(**{**room.__dict__, "anonymous": False}))
    ws = store.with_room(store.load(wid).workshop, wid)
    text = to_yaml(ws)
    doc = yaml.safe_load(text)["room"]
    assert doc["anonymous"] is False
    assert doc["ideas"][0] == {
        "id": "i1",
        "text": '=HYPERLINK("x") **指名検索** {x}',
        "parent": "customers",
        "author": "Ann",
        "status": "revealed",
    }
    assert doc["ideas"][1] == {
        "id": "i2",
        "text": "duplicate",
        "parent": "customers",
        "author": None,
        "status": "merged",
        "merged_into": "i1",
    }
    assert doc["ideas"][2] == {"id": "i3", "text": "no node", "author": None, "status": "accepted", "node": "brand"}
    assert doc["votes"] == [
        {"question": "どれ?", "kind": "ideas", "dots": 2, "results": {"i1": 2, "i3": 0}},
        {"question": "KFS", "kind": "nodes", "dots": 3, "results": {"avg_spend": 1, "customers": 0}},
    ]
    imported = from_yaml(text)
    assert imported.workshop is not None and imported.workshop.room == ws.room
    again = store.create(imported.workshop)
    room = store.rooms.get(again)
    assert store.rooms.resolve("") is None and room is not None and not room.is_open
    assert to_yaml(store.with_room(store.load(again).workshop, again)) == text
    assert store.load(again).workshop.room is None  # the design's versions never hold the room


def test_design_without_room_has_no_room_part(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    assert "room" not in yaml.safe_load(to_yaml(store.with_room(store.load(wid).workshop, wid)))


@pytest.mark.parametrize(
    "bad",
    [{"ideas": [{"id": "i1", "text": "x" * 201}]}, {"votes": [{"dots": 0}]}, {"ideas": [{"id": "i1", "text": "x", "status": "secret"}]}],
)
def test_bad_room_part_is_refused(ec: Workshop, bad: dict[str, object]) -> None:
    text = to_yaml(ec) + yaml.safe_dump({"room": bad})
    result = from_yaml(text)
    assert result.workshop is None and result.findings


def test_excel_ideas_sheet(store: Store, ec: Workshop) -> None:
    wid = with_room(store, ec)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(store.with_room(store.load(wid).workshop, wid), "en")))
    sheet = book["Ideas"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Id", "Idea", "Node answered", "Author", "Status", "Became node", "Dots")
    assert rows[1][:2] == ("i1", '=HYPERLINK("x") **指名検索** {x}') and sheet["B2"].data_type == "s" and rows[1][6] == 2
    assert rows[3][4] == "accepted" and rows[3][3] in (None, "")
    assert "Ideas" not in openpyxl.load_workbook(io.BytesIO(to_xlsx(ec, "en"))).sheetnames
