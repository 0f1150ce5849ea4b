"""The console's themes (ui/room/themes.py): the reveal groups the ideas, then rename, move an idea, merge a
near-identical one, make a theme a node (undoable, its ideas kept as the node's evidence), vote on themes."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpidesign.room import IdeaStatus, VoteKind
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander
from tests.app.test_room_page import button, room_page, view
from ui.keys import ROOM_VIEW

SENT = ["メルマガ開封率", "カート放棄率", "メルマガ登録者数", "カート放棄メールの効果", "メルマガ開封率！", "配送日数の短縮"]


def revealed(db: Path) -> tuple[AppTest, str, Store, list[int]]:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    who = store.rooms.join(wid, "Ann")
    ids = [store.rooms.add_idea(wid, who, text, "customers") for text in SENT]
    ok(at.run())
    ok(button(at, "room_reveal").click().run())
    open_expander(at, "room_themes_edit_open")  # the forms that change themes, drawn only when opened
    return at, wid, store, ids


def shown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_reveal_groups_the_ideas_into_themes(db: Path) -> None:
    at, wid, store, ids = revealed(db)
    assert [t.ideas for t in store.themes.stored(wid)] == [(ids[0], ids[2], ids[4]), (ids[1], ids[3]), (ids[5],)]  # kept at once
    text = shown(at)
    assert "**メルマガ開封率** :gray[· 3件]" in text and "**カート放棄率** :gray[· 2件]" in text
    merge = button(at, f"room_theme_merge_{ids[4]}_{ids[0]}")  # near-identical: offered for merging
    ok(merge.click().run())
    assert [i.status for i in store.rooms.ideas(wid) if i.id == ids[4]] == [IdeaStatus.MERGED]
    assert store.themes.all(wid)[0].ideas == (ids[0], ids[2])


def test_rename_and_move(db: Path) -> None:
    at, wid, store, ids = revealed(db)
    mail, cart, _ = store.themes.all(wid)
    at.selectbox(key="room_theme_pick").set_value(mail.id)
    at.text_input(key="room_theme_label").input("メルマガ *施策*")
    ok(button(at, "room_theme_rename").click().run())
    assert store.themes.all(wid)[0].label == "メルマガ *施策*"
    assert "**メルマガ \\*施策\\*** :gray[· 3件]" in shown(at)  # literal, never Markdown
    at.selectbox(key="room_theme_pick").set_value(cart.id)
    at.text_input(key="room_theme_label").input("  ")
    ok(button(at, "room_theme_rename").click().run())
    assert store.themes.all(wid)[1].label == "カート放棄率" and at.error  # refused, with a message
    at.selectbox(key="room_theme_move_idea").set_value(ids[2])
    at.selectbox(key="room_theme_move_to").set_value(cart.id)
    ok(button(at, "room_theme_move").click().run())
    assert [t.ideas for t in store.themes.all(wid)][:2] == [(ids[0], ids[4]), (ids[1], ids[2], ids[3])]
    at.selectbox(key="room_theme_move_idea").set_value(ids[2])
    at.selectbox(key="room_theme_move_to").set_value(0)  # a theme of its own
    ok(button(at, "room_theme_move").click().run())
    assert (ids[2],) in [t.ideas for t in store.themes.all(wid)]


def test_make_a_theme_a_node_and_undo(db: Path) -> None:
    at, wid, store, ids = revealed(db)
    cart = store.themes.all(wid)[1]
    before = store.load(wid).version
    at.selectbox(key="room_theme_pick").set_value(cart.id)
    ok(button(at, "room_theme_make_node").click().run())
    loaded = store.load(wid)
    assert loaded.version == before + 1
    [node] = [n for n in loaded.workshop.nodes if n.name == "カート放棄率" and n.parent == "customers"]
    evidence = [i for i in store.rooms.ideas(wid) if i.node == node.id]
    assert [i.id for i in evidence] == [ids[1], ids[3]] and {i.status for i in evidence} == {IdeaStatus.ACCEPTED}
    assert store.themes.all(wid)[1].node == node.id
    assert "ノード「カート放棄率」" in shown(at)
    assert store.history(wid, 1)[0].summary == "テーマ「カート放棄率」をノードに"
    store.undo(wid, expected_version=loaded.version)
    ok(at.run())
    assert store.themes.all(wid)[1].node is None and "ノード「カート放棄率」" not in shown(at)


def test_vote_on_themes(db: Path) -> None:
    at, wid, store, _ = revealed(db)
    mail, cart, _ = store.themes.all(wid)
    at.multiselect(key="room_themes_vote_pick").set_value([mail.id, cart.id])
    ok(button(at, "room_themes_vote").click().run())
    [vote] = store.votes.all(wid)
    assert vote.kind is VoteKind.THEMES and vote.options == ("メルマガ開封率", "カート放棄率") and vote.is_open
    assert "どのテーマに取り組むか" in vote.question


def test_english_console(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    who = store.rooms.join(wid)
    for text in ["newsletter open rate", "newsletter sign-ups", "cart abandonment rate"]:
        store.rooms.add_idea(wid, who, text, "customers")
    ok(view(at.run(), "themes"))
    assert "No idea has been revealed yet." in [i.value for i in at.info]
    ok(button(at, "room_reveal").click().run())
    assert "**newsletter open rate** :gray[· 2 ideas]" in shown(at)


def test_a_big_theme_s_card_lists_its_first_ideas_and_counts_the_rest(db: Path) -> None:
    from kpidesign.themes import Theme
    from ui.room.themes import CARD_IDEAS, card

    ideas = tuple(range(1, 161))  # a full room's node: 160 ideas in one theme
    text = card(Theme(1, "指名検索", ideas), {i: f"アイデア{i}" for i in ideas}, {})
    assert f"アイデア{CARD_IDEAS}" in text and f"アイデア{CARD_IDEAS + 1}" not in text
    assert "148" in text and "160" in text  # the rest counted (in the screen's language), and the count is of every idea


def test_the_console_shows_one_view_of_the_ideas_and_the_reveal_turns_to_the_themes(db: Path) -> None:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    who = store.rooms.join(wid, "Ann")
    for text in SENT:
        store.rooms.add_idea(wid, who, text, "customers")
    ok(at.run())
    assert at.button_group(key=ROOM_VIEW).value == "inbox"
    assert [g for g in at.button_group if (g.key or "").startswith("room_pick_")] and "**メルマガ開封率**" not in shown(at)
    ok(button(at, "room_reveal").click().run())
    assert at.button_group(key=ROOM_VIEW).value == "themes"  # the reveal made themes: the console turns to them
    assert "**メルマガ開封率** :gray[· 3件]" in shown(at)
    assert not [g for g in at.button_group if (g.key or "").startswith("room_pick_")]  # the inbox is not drawn beside them
    assert at.button_group(key=ROOM_VIEW).options == ["受信箱 (6)", "テーマ (3)"]
    ok(view(at, "inbox"))
    assert [g for g in at.button_group if (g.key or "").startswith("room_pick_")] and "**メルマガ開封率**" not in shown(at)
