"""The participant's phone page (a join link): joining, sending, privacy before the reveal, dots, nothing else reachable."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Node

from kpidesign import room as R
from kpidesign.library import template
from kpidesign.room import IdeaStatus, VoteKind
from kpidesign.store import Rooms, Store
from tests.app.conftest import ok, start
from tests.app.test_share import EDITING as SHARE_EDITING
from ui.participant import joining as participant

EDITING = tuple(kind for kind in SHARE_EDITING if kind != "text_input")  # a phone types its ideas: the rest writes nothing


def room(db: Path | str) -> tuple[Store, str, str]:
    store = Store(db)
    wid = store.create(template("ec_sales", "ja"))
    return store, wid, store.rooms.open(wid)


def joined(token: str, name: str = "") -> AppTest:
    at = ok(start({"join": token}))
    at.text_input(key="room_name").input(name)
    return ok(at.button(key="room_join").click().run())


def texts(at: AppTest) -> str:
    popovers = [p.proto.popover.label for p in _get(at, "popover")]
    return "\n".join([m.value for m in at.markdown] + [e.value for e in at.subheader] + popovers)


def send(at: AppTest, text: str) -> AppTest:
    at.text_input(key="room_idea").input(text)
    return ok(at.button(key="FormSubmitter:room_send_form-送信").click().run())


def test_forged_closed_and_share_tokens_show_one_plain_page(db: Path) -> None:
    store, wid, token = room(db)
    share = store.shares.create(wid)
    for bad in ("forged", share, token + "x", ""):
        at = ok(start({"join": bad}))
        assert [t.value for t in at.title] == ["ルームは開いていません"] and not at.text_input and not at.button
    store.rooms.close(wid)
    at = ok(start({"join": token}))
    assert [t.value for t in at.title] == ["ルームは開いていません"]


def test_join_send_privacy_reveal_and_close(db: Path | str) -> None:
    store, wid, token = room(db)
    room_ = store.rooms.get(wid)
    assert room_ is not None
    store.rooms.save(room_.prompt("tree", "customers"))
    ann = joined(token, "Ann")
    assert "「顧客数」を動かす要因は？" in texts(ann) or any("動かす要因" in s.value for s in ann.subheader)
    assert not ann.sidebar.radio and not [w for kind in EDITING for w in _get(ann, kind)]
    send(ann, "**指名検索** <script>x</script>")
    bob = joined(token)
    send(bob, "bob's secret")
    send(bob, "x" * 10_000)
    assert bob.error and all(len(i.text) <= 200 for i in store.rooms.ideas(wid))  # refused with a message (the field itself holds 200)
    ideas = store.rooms.ideas(wid)
    assert [(i.text, i.parent, i.status) for i in ideas] == [
        ("**指名検索** <script>x</script>", "customers", IdeaStatus.PRIVATE),
        ("bob's secret", "customers", IdeaStatus.PRIVATE),
    ]
    ok(ann.run())
    assert "secret" not in texts(ann) and "指名検索" in texts(ann)
    assert r"\*\*指名検索\*\*" in texts(ann)  # literal, never bold
    store.rooms.reveal_ideas(wid)
    ok(ann.run())
    assert "bob's secret" in texts(ann).replace("\\", "").replace("\u2060", "")
    store.rooms.close(wid)
    ok(ann.run())
    assert [t.value for t in ann.title] == ["ルームは開いていません"]


def _get(at: AppTest, kind: str) -> list[Node]:
    try:
        return list(at.get(kind))
    except KeyError:
        return []


def chosen(at: AppTest) -> list[str]:
    """The options picked in the page's first pills (a multi-select: its value is a list), sorted."""
    value = at.button_group[0].value
    assert isinstance(value, list), value
    return sorted(value)


def cookie(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> None:
    """The participant cookie this browser sends (AppTest has no browser: the page's reader of it is replaced)."""
    monkeypatch.setattr(participant, "_cookie", lambda: secret)


def test_dots_are_bounded_and_a_reload_gives_none_back(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    at = joined(token)
    pid = at.session_state["room_me"]
    assert "me" not in at.query_params  # the secret is never in the address
    vote = store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend", "kgi"], 2)
    ok(at.run())
    [pills] = at.button_group
    assert (pills.key or "").startswith(f"room_dots_{vote}_") and len(at.button_group) == 1  # one widget, however many options
    ok(pills.select("customers").run())
    ok(at.button_group[0].select("avg_spend").run())
    assert sorted(o for _, o in store.votes.dots(vote)) == ["avg_spend", "customers"]
    ok(at.button_group[0].select("kgi").run())  # a third dot of two: refused, and the pill turns back
    assert len(store.votes.dots(vote)) == 2 and at.error and chosen(at) == ["avg_spend", "customers"]
    cookie(monkeypatch, pid)
    again = ok(start({"join": token}))  # a reload: the same person (by the cookie), no fresh dots
    assert "room_join" not in [b.key for b in again.button]
    assert chosen(again) == ["avg_spend", "customers"] and "0 / 2" in texts(again).replace("：", ":")
    ok(again.button_group[0].select("kgi").run())
    assert len(store.votes.dots(vote)) == 2 and again.error
    ok(again.button_group[0].unselect("customers").run())  # a dot taken back can go elsewhere
    ok(again.button_group[0].select("kgi").run())
    assert sorted(o for _, o in store.votes.dots(vote)) == ["avg_spend", "kgi"]
    store.votes.close(wid)
    ok(again.run())
    assert any("結果" in s.value for s in again.subheader) and not again.button_group


def test_a_join_session_reaches_nothing_else(db: Path) -> None:
    _, wid, token = room(db)
    at = ok(start({"join": token, "ws": wid, "share": "x"}))
    with pytest.raises(ValueError, match=r"participant\.py'\]"):  # the only page registered for a join session
        at.switch_page("views/2_tree.py")
    assert not _get(at, "graphviz_chart") and "room_join" in [b.key for b in at.button] and not at.sidebar.radio
    assert at.session_state["ws_id"] is None and not at.session_state["share_mode"] if "share_mode" in at.session_state else True


def test_own_ideas_editable_and_withdrawable_until_revealed(db: Path) -> None:
    store, wid, token = room(db)
    at = joined(token)
    send(at, "first")
    send(at, "second")
    first, second = (i.id for i in store.rooms.ideas(wid))
    assert not [s for s in at.selectbox if (s.key or "").startswith("room_edit_pick_")]  # drawn only when asked for
    ok(at.toggle(key="room_editing").set_value(True).run())
    [pick] = [s for s in at.selectbox if (s.key or "").startswith("room_edit_pick_")]
    assert pick.value == first
    at.text_input(key=f"room_edit_{first}").input("first, better")
    ok(at.button(key=f"room_save_{first}").click().run())
    [pick] = [s for s in at.selectbox if (s.key or "").startswith("room_edit_pick_")]
    ok(pick.set_value(second).run())
    ok(at.button(key=f"room_drop_{second}").click().run())
    assert [(i.id, i.text) for i in store.rooms.ideas(wid)] == [(first, "first, better")]
    other = joined(token)
    send(other, "not yours")
    ok(at.run())
    [pick] = [s for s in at.selectbox if (s.key or "").startswith("room_edit_pick_")]
    assert pick.options == [f"#{first} first, better"]  # only one's own private ideas are offered
    store.rooms.reveal_ideas(wid)
    ok(at.run())
    assert not [b for b in at.button if b.key in (f"room_save_{first}", f"room_drop_{first}")]  # revealed: no longer editable
    assert "first, better" in "\n".join(m.value for m in at.markdown)


def test_the_phone_page_draws_a_few_elements_however_many_ideas(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    people = [store.rooms.join(wid, f"P{i}") for i in range(20)]
    for k in range(3):
        for p in people:
            store.rooms.add_idea(wid, p, f"idea {k} **{p[:4]}**")
    cookie(monkeypatch, people[0])
    at = ok(start({"join": token}))

    def count() -> int:
        return sum(len(_get(at, kind)) for kind in ("markdown", "button", "button_group", "selectbox", "text_input", "subheader"))

    private = count()
    store.rooms.reveal_ideas(wid)
    ok(at.run())
    revealed = count()
    store.votes.open(wid, "q", VoteKind.IDEAS, [str(i.id) for i in store.rooms.ideas(wid)][:50])
    ok(at.run())
    assert private <= 12 and revealed <= 12 and count() <= 16, (private, revealed, count())
    assert "idea 2 " in texts(at) and r"\*\*" in texts(at)  # 60 ideas, in one list, literal


def test_a_busy_database_is_said_on_the_phone(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    _store, _wid, token = room(db)
    ann = joined(token, "Ann")

    def busy(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Rooms, "add_idea", busy)
    send(ann, "an idea")
    assert any("混み合って" in e.value for e in ann.error), [e.value for e in ann.error]


def test_a_secret_in_the_address_is_never_taken(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#25 item 2: a join link with someone else's `me=` (pasted in the workshop chat) gives a new participant, never
    them; a browser holding its own cookie stays itself; the `me=` leaves the address."""
    store, wid, token = room(db)
    ann = store.rooms.join(wid, "Ann")
    store.rooms.add_idea(wid, ann, "Ann's private idea")
    stranger = ok(start({"join": token, "me": ann}))
    assert "room_join" in [b.key for b in stranger.button] and "Ann's private idea" not in texts(stranger)
    assert "room_me" not in stranger.session_state or stranger.session_state["room_me"] != ann
    assert "me" not in stranger.query_params
    bob = store.rooms.join(wid, "Bob")
    cookie(monkeypatch, bob)
    held = ok(start({"join": token, "me": ann}))
    assert held.session_state["room_me"] == bob and "Ann's private idea" not in texts(held)
    send(held, "Bob's idea")
    assert [i.text for i in store.rooms.ideas(wid, ann)] == ["Ann's private idea"]
    assert [i.text for i in store.rooms.ideas(wid, bob)] == ["Bob's idea"]


def test_a_removed_participant_s_browser_does_not_join_again(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    at = joined(token, "Spam")
    secret = at.session_state["room_me"]
    send(at, "spam")
    store.rooms.remove_participant(wid, R.participant_key(secret))
    ok(at.run())
    assert "room_join" not in [b.key for b in at.button] and not at.text_input
    assert any("取り消しました" in i.value for i in at.info)
    cookie(monkeypatch, secret)
    again = ok(start({"join": token}))  # the join link opened again in the same browser
    assert "room_join" not in [b.key for b in again.button] and any("取り消しました" in i.value for i in again.info)
    assert store.rooms.participant_count(wid) == 0


def test_joins_from_one_client_are_limited_on_the_phone(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    monkeypatch.setattr(participant, "client_address", lambda: "203.0.113.7")
    for _ in range(R.JOINS_PER_CLIENT):
        store.rooms.join(wid, client="203.0.113.7")
    at = joined(token)
    assert "room_me" not in at.session_state or not at.session_state["room_me"]
    assert at.error and "少し待って" in at.error[0].value
    assert store.rooms.participant_count(wid) == R.JOINS_PER_CLIENT


def test_a_phone_lists_the_latest_revealed_ideas_of_a_full_room(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    people = [store.rooms.join(wid, f"P{i}") for i in range(8)]
    for k in range(R.IDEAS_PER_ACTIVITY):
        for n, p in enumerate(people):
            store.rooms.add_idea(wid, p, f"idea {k} by {n}")
    store.rooms.reveal_ideas(wid)
    cookie(monkeypatch, people[0])
    at = ok(start({"join": token}))
    shown = texts(at)
    others = [i for i in store.rooms.ideas(wid) if i.participant != R.participant_key(people[0])]
    assert f"{others[-1].text}\n" in shown + "\n" and f"{others[0].text}\n" not in shown + "\n"
    assert f"ほか{len(others) - R.PHONE_LIST}件" in shown


def test_a_closed_vote_s_result_leaves_the_phone_with_the_next_question(db: Path) -> None:
    store, wid, token = room(db)
    at = joined(token)
    store.votes.open(wid, "KFS?", VoteKind.NODES, ["customers", "avg_spend"], 2)
    store.votes.close(wid)
    ok(at.run())
    assert any("結果: KFS?" in s.value for s in at.subheader)
    asked = store.rooms.get(wid)
    assert asked is not None
    store.rooms.save(asked.prompt("tree", "customers"))
    ok(at.run())
    assert not any("KFS?" in s.value for s in at.subheader)


def test_a_venue_given_more_joins_a_minute_lets_its_next_phone_in(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, wid, token = room(db)
    monkeypatch.setattr(participant, "client_address", lambda: "203.0.113.7")
    monkeypatch.setenv("KPIDESIGN_JOINS_PER_ADDRESS", str(R.JOINS_PER_CLIENT + 1))  # read once, as the session starts
    for _ in range(R.JOINS_PER_CLIENT):
        store.rooms.join(wid, client="203.0.113.7")
    at = joined(token)
    assert at.session_state["room_me"] and not at.error  # one more than the default from this address: let in
    assert store.rooms.participant_count(wid) == R.JOINS_PER_CLIENT + 1
