"""The wall on a 1920x1080 projector, in Japanese with Japanese node ids (#26 items 1 and 2): nothing private before
the reveal, the revealed ideas grouped by node on the first screen, no scrolling, the vote's result; the console one
click away."""

from __future__ import annotations

import pytest

from kpidesign.model import Node, Workshop
from kpidesign.room import VoteKind
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login
from tests.e2e.test_room import SHOTS

NO_SCROLL = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [main.scrollHeight - main.clientHeight, document.documentElement.scrollHeight - window.innerHeight];
}"""
IDEAS = [
    ("新規顧客", "指名検索の伸び"),
    ("新規顧客", "SNS広告のクリック率"),
    ("新規顧客", "紹介キャンペーンの参加者数"),
    ("既存顧客", "リピート購入までの日数"),
    ("既存顧客", "メルマガ開封率"),
    ("客単価", "まとめ買いクーポンの利用率"),
    ("客単価", "1回当たり購入点数"),
    ("客単価", "高価格帯商品の閲覧数"),
]


def japanese() -> Workshop:
    """A small tree whose node ids are Japanese, as a Japanese facilitator types them."""
    return Workshop(
        title="EC売上 2027",
        language="ja",
        nodes=[
            Node(id="売上", name="年間売上高", unit="円"),
            Node(id="顧客数", parent="売上", name="顧客数", unit="人"),
            Node(id="客単価", parent="売上", name="客単価", unit="円"),
            Node(id="新規顧客", parent="顧客数", name="新規顧客数", unit="人"),
            Node(id="既存顧客", parent="顧客数", name="既存顧客数", unit="人"),
        ],
    )


@pytest.mark.e2e
def test_the_wall_on_a_projector(server: dict[str, str], new_page: NewPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    wid = store.create(japanese())
    token = store.rooms.open(wid)
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.prompt("tree", "顧客数"))
    people = [store.rooms.join(wid, f"参加者{n}", client=f"10.0.0.{n}") for n in range(12)]
    wall = new_page(locale="ja-JP", width=1920, height=1080)
    login(wall, server["base"], f"room?ws={wid}&projector=1&qr={token}", lang="ja")  # the projector's browser, in Japanese
    wall.wait_for_selector(".kd-join img")
    wall.screenshot(path=str(SHOTS / "wall-joining-ja.png"))
    for n, (parent, text) in enumerate(IDEAS):
        store.rooms.add_idea(wid, people[n % len(people)], text, parent)
    secret = "まだ誰にも見せない秘密の案"
    store.rooms.add_idea(wid, people[0], secret, "客単価")
    wall.wait_for_selector(".kd-counts", timeout=10_000)
    wall.wait_for_function("() => !document.querySelector('.kd-join')", timeout=10_000)
    assert secret not in wall.content() and IDEAS[0][1] not in wall.content()  # private: counted, never on the wall
    store.rooms.reveal_ideas(wid)
    wall.wait_for_selector(".kd-card", timeout=10_000)
    idle(wall)
    content = wall.content()
    assert secret in content and all(text in content for _, text in IDEAS)
    assert wall.locator(".kd-group").all_inner_texts() == ["客単価", "新規顧客数", "既存顧客数"]  # grouped, in the tree's order
    for card in wall.locator(".kd-card").all():  # every idea on the first screen, none below the fold
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1080, box
    assert max(wall.evaluate(NO_SCROLL)) <= 1
    size = float(wall.locator(".kd-card").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 34  # nine ideas: large text
    wall.screenshot(path=str(SHOTS / "wall-revealed-ja.png"))
    options = ["新規顧客", "既存顧客", "客単価"]
    vote = store.votes.open(wid, "最初に取り組むのは？", VoteKind.NODES, options)
    for n, p in enumerate(people):
        store.votes.place_dot(wid, vote, p, options[n % 3])
    store.votes.close(wid)
    wall.wait_for_selector(".kd-fill", timeout=10_000)
    idle(wall)
    assert max(wall.evaluate(NO_SCROLL)) <= 1
    wall.screenshot(path=str(SHOTS / "wall-vote-ja.png"))
    wall.locator(".st-key-room_to_console button").click()
    idle(wall)
    wall.wait_for_selector("[class*='st-key-room_pick_']", timeout=10_000)  # the console: the inbox is there
    assert "projector=1" not in wall.url
    # a full room: far more ideas than one screen holds, long ones too: smaller text, then pages, never a scroll
    for n in range(150):
        store.rooms.add_idea(
            wid,
            people[n % len(people)],
            f"アイデア{n} " + "顧客の声をもとに改善する施策" * (1 + n % 6),
            ["新規顧客", "既存顧客", "客単価"][n % 3],
        )
    store.rooms.reveal_ideas(wid)
    wall.locator(".st-key-room_to_wall button").click()
    idle(wall)
    wall.wait_for_selector(".kd-page", timeout=10_000)
    assert max(wall.evaluate(NO_SCROLL)) <= 1
    for card in wall.locator(".kd-card").all():
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920, box
    wall.screenshot(path=str(SHOTS / "wall-full-ja.png"))
