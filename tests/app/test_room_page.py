"""The facilitator's Room page: open/close, QR code, the live inbox, reveal, accept an idea as a node (undoable), votes."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from kpidesign.room import IdeaStatus, VoteKind
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander, seeded
from ui.keys import ROOM_VIEW


def room_page(db: Path | str, lang: str = "ja") -> tuple[AppTest, str, Store]:
    at, wid = seeded(db, lang)
    return ok(at.switch_page("views/room.py").run()), wid, Store(db)


def button(at: AppTest, key: str) -> Button:
    [found] = [b for b in at.button if b.key == key]
    return found


def test_open_shows_qr_and_address_then_close_ends_it(db: Path) -> None:
    at, wid, store = room_page(db)
    assert store.rooms.get(wid) is None and at.info
    ok(button(at, "room_open").click().run())
    token = at.session_state["room_token"]
    assert store.rooms.resolve(token) == wid and at.get("image")
    assert any(f"?join={token}" in c.value for c in at.code)
    assert at.query_params["qr"] in ([token], token)
    ok(button(at, "room_close").click().run())
    assert store.rooms.resolve(token) is None and not at.code


def view(at: AppTest, which: str) -> AppTest:
    """Turn the console to one view of the ideas: "inbox" (by node) or "themes"."""
    if at.button_group(key=ROOM_VIEW).value != which:
        ok(at.button_group(key=ROOM_VIEW).set_value(which).run())
    return at


def pick(at: AppTest, *ideas: int) -> AppTest:
    """Choose ideas in the inbox (tap their pills), whichever node's group they are in."""
    view(at, "inbox")
    for idea in ideas:
        [group] = [
            g for g in at.button_group if (g.key or "").startswith("room_pick_") and any(o.startswith(f"#{idea} ") for o in g.options)
        ]
        ok(group.select(idea).run())
    return at


def test_inbox_reveal_accept_as_node_and_undo(db: Path | str) -> None:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    pid = store.rooms.join(wid, "Ann")
    idea = store.rooms.add_idea(wid, pid, "指名検索数 **x**", "customers")
    other = store.rooms.add_idea(wid, pid, "duplicate")
    ok(at.run())
    assert [m.value for m in at.metric][:3] == ["1", "2", "2"]
    assert any("指名検索数 \\*\\*x\\*\\*" in o for g in at.button_group for o in g.options)  # literal, never bold
    assert button(at, "room_accept").disabled
    ok(button(at, "room_reveal").click().run())
    assert {i.status for i in store.rooms.ideas(wid)} == {IdeaStatus.REVEALED}
    before = store.load(wid).version
    ok(button(pick(at, idea), "room_accept").click().run())
    loaded = store.load(wid)
    [accepted] = [i for i in store.rooms.ideas(wid) if i.id == idea]
    assert loaded.version == before + 1 and accepted.status is IdeaStatus.ACCEPTED and accepted.node
    node = loaded.workshop.node(accepted.node)
    assert node.name == "指名検索数 **x**" and node.parent == "customers"
    assert store.history(wid, 1)[0].summary.startswith("ルームのアイデアをノードに")
    assert not any(o.startswith(f"#{idea} ") for g in at.button_group for o in g.options)  # decided: no longer offered
    assert any(f"#{idea} " in m.value and "採用" in m.value for m in at.markdown)
    assert store.undo(wid, expected_version=loaded.version) is not None  # an ordinary, undoable edit
    assert accepted.node not in {n.id for n in store.load(wid).workshop.nodes}
    ok(at.run())  # the undone acceptance: the idea is undecided again, in the inbox, choosable (#26 item 7)
    assert any(o.startswith(f"#{idea} ") for g in at.button_group for o in g.options)
    ok(button(pick(at, other), "room_dismiss").click().run())
    assert [i.status for i in store.rooms.ideas(wid) if i.id == other] == [IdeaStatus.DISMISSED]


def test_several_ideas_become_nodes_in_one_edit(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    pid = store.rooms.join(wid)
    a, b, c = (
        store.rooms.add_idea(wid, pid, "a", "customers"),
        store.rooms.add_idea(wid, pid, "b", "avg_spend"),
        store.rooms.add_idea(wid, pid, "c"),
    )
    ok(at.run())
    before = store.load(wid).version
    ok(button(pick(at, a, b, c), "room_accept").click().run())
    ws = store.load(wid).workshop
    made = {i.text: ws.node(i.node or "").parent for i in store.rooms.ideas(wid)}
    assert made == {"a": "customers", "b": "avg_spend", "c": ws.kgi.id} and store.load(wid).version == before + 1
    assert not [g for g in at.button_group if (g.key or "").startswith("room_pick_") and g.value]  # the choice is cleared


def test_vote_results_chart(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    pid = store.rooms.join(wid)
    open_expander(at, "room_vote_open")  # the vote's form is drawn only when opened
    at.text_input(key="room_vote_question").input("KFS?")
    at.radio(key="room_vote_kind").set_value(VoteKind.NODES)
    at.multiselect(key="room_vote_nodes").set_value(["customers", "avg_spend"])
    ok(button(at, "room_vote_submit").click().run())
    [vote] = store.votes.all(wid)
    assert vote.is_open and vote.options == ("customers", "avg_spend") and vote.dots == 3
    store.votes.place_dot(wid, vote.id, pid, "avg_spend")
    ok(at.run())
    assert (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) and any("KFS?" in s.value for s in at.subheader)
    ok(button(at, "room_vote_close").click().run())
    assert not store.votes.all(wid)[0].is_open


def test_timer_and_prompt(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    assert not at.selectbox and not at.number_input  # the forms are drawn only when opened
    open_expander(at, "room_prompt_open")
    open_expander(at, "room_timer_open")
    at.selectbox(key="room_step").set_value("decompose")
    at.selectbox(key="room_node").set_value("customers")
    ok(at.button(key="FormSubmitter:room_prompt_form-Ask").click().run())
    room = store.rooms.get(wid)
    assert room is not None and (room.step, room.node, room.activity) == ("decompose", "customers", 2)
    at.number_input(key="room_minutes").set_value(3.0)
    ok(at.button(key="FormSubmitter:room_timer_form-Set").click().run())
    ok(button(at, "room_timer_start").click().run())
    room = store.rooms.get(wid)
    assert room is not None and room.timer.seconds == 180 and room.timer.running
    ok(button(at, "room_timer_pause").click().run())
    room = store.rooms.get(wid)
    assert room is not None and not room.timer.running


def test_follow_me_moves_the_phones_prompt(db: Path) -> None:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    ok(at.toggle(key="room_follow").set_value(True).run())
    room = store.rooms.get(wid)
    assert room is not None and room.follow
    ok(at.switch_page("views/2_tree.py").run())
    at.selectbox(key="tree_selected").set_value("customers")
    ok(at.run())
    room = store.rooms.get(wid)
    assert room is not None and (room.step, room.node) == ("tree", "customers")
    ok(at.switch_page("views/3_decompose.py").run())
    room = store.rooms.get(wid)
    assert room is not None and room.step == "decompose"


def test_merge_duplicates(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    pid = store.rooms.join(wid)
    a, b = store.rooms.add_idea(wid, pid, "brand search"), store.rooms.add_idea(wid, pid, "Brand search!")
    store.rooms.add_idea(wid, pid, "coupons")
    ok(at.run())
    assert button(pick(at, b), "room_merge").disabled  # one idea cannot be merged
    ok(button(pick(at, a), "room_merge").click().run())
    merged = {i.id: i for i in store.rooms.ideas(wid)}[b]
    assert merged.status is IdeaStatus.MERGED and merged.merged_into == a


def test_the_inbox_is_a_few_elements_however_many_ideas(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    people = [store.rooms.join(wid) for _ in range(30)]
    for k in range(5):
        for p in people:
            store.rooms.add_idea(wid, p, f"idea {k}", ["customers", "avg_spend", None][k % 3])
    ok(at.run())
    assert len(at.button) <= 15 and len(at.markdown) <= 15, (len(at.button), len(at.markdown))
    assert sum(len(g.options) for g in at.button_group if (g.key or "").startswith("room_pick_")) == 150


def test_the_facilitator_removes_a_flooding_participant_and_takes_them_back(db: Path) -> None:
    """#25 item 3: the authors of the chosen ideas leave the room in one action, their ideas and dots with them, and the
    removal is taken back from the list of removed participants."""
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    spammer, ann = store.rooms.join(wid, "Spam"), store.rooms.join(wid, "Ann")
    flood = [store.rooms.add_idea(wid, spammer, f"spam {n}") for n in range(5)]
    store.rooms.add_idea(wid, ann, "a real idea")
    ok(at.run())
    assert button(at, "room_remove_authors").disabled
    ok(button(pick(at, flood[0]), "room_remove_authors").click().run())
    assert [i.text for i in store.rooms.ideas(wid)] == ["a real idea"] and store.rooms.participant_count(wid) == 1
    assert not any("spam" in o for g in at.button_group for o in g.options)
    [readmit] = [b for b in at.button if (b.key or "").startswith("room_readmit_") and b.key != "room_readmit_all"]
    assert "Spam" in readmit.label and "1" in button(at, "room_readmit_all").label
    ok(readmit.click().run())
    assert len(store.rooms.ideas(wid)) == 6 and store.rooms.participant_count(wid) == 2
    assert not [b for b in at.button if (b.key or "").startswith("room_readmit_")]


def _wall_html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html") if "kd-wall" in h.proto.body and "<style>" not in h.proto.body)


def test_the_wall_shows_nothing_private_and_the_console_button_goes_back(db: Path) -> None:
    """#26 item 1: in projector mode the Room page is the wall: the question, the join code, the counts, revealed ideas
    grouped by node; never a private idea's text, never the inbox; one click back to the console."""
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.prompt("tree", "customers"))
    ann = store.rooms.join(wid, "Ann")
    ok(button(at, "room_to_wall").click().run())
    on_wall = at.session_state["projector"]
    assert on_wall is True
    wall = _wall_html(at)
    assert "顧客数" in wall and '<img alt="QR"' in wall and "kd-join" in wall  # the code large while people join
    secret_text = "秘密の<b>アイデア</b>"
    store.rooms.add_idea(wid, ann, secret_text, "customers")
    ok(at.run())
    wall = _wall_html(at)
    assert "アイデア</b>" not in wall and "秘密の" not in wall and "kd-join" not in wall  # private: counted, never shown
    assert not [g for g in at.button_group if (g.key or "").startswith("room_pick_")]  # no inbox on the wall
    store.rooms.reveal_ideas(wid)
    ok(at.run())
    wall = _wall_html(at)
    assert "秘密の&lt;b&gt;アイデア&lt;/b&gt;" in wall and "kd-group" in wall and "Ann" not in wall  # literal; anonymous
    ok(button(at, "room_to_console").click().run())
    assert at.session_state["projector"] is False and [g for g in at.button_group if (g.key or "").startswith("room_pick_")]


def test_the_wall_shows_the_vote_without_counts_until_it_closes(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    people = [store.rooms.join(wid, f"P{n}") for n in range(3)]
    store.rooms.add_idea(wid, people[0], "an idea")
    vote = store.votes.open(wid, "Which first?", VoteKind.NODES, ["customers", "avg_spend"])
    for p in people:
        store.votes.place_dot(wid, vote, p, "customers")
    ok(button(at, "room_to_wall").click().run())
    wall = _wall_html(at)
    assert "Voting: Which first?" in wall and "Dots placed: 3" in wall and "kd-fill" not in wall
    store.votes.close(wid)
    ok(at.run())
    wall = _wall_html(at)
    assert "Results: Which first?" in wall and "<b>3</b>" in wall and "kd-fill" in wall


def test_the_wall_reads_names_as_typed_and_hides_running_counts(db: Path) -> None:
    """Review F7 and F4: a node called 受注率(%) reads so on the wall (no Markdown backslashes in HTML), and an open
    vote on ideas shows no idea's running dots."""
    from kpidesign import tree

    at, wid, store = room_page(db)
    loaded = store.load(wid)
    store.save(wid, tree.update_node(loaded.workshop, "customers", name="受注率(%)"), expected_version=loaded.version, summary="rename")
    ok(button(at, "room_open").click().run())
    room = store.rooms.get(wid)
    assert room is not None
    store.rooms.save(room.prompt("tree", "customers"))
    people = [store.rooms.join(wid, f"P{n}") for n in range(2)]
    idea = store.rooms.add_idea(wid, people[0], "指名検索", "customers")
    store.rooms.reveal_ideas(wid)
    vote = store.votes.open(wid, "どれ？", VoteKind.IDEAS, [str(idea)])
    for p in people:
        store.votes.place_dot(wid, vote, p, str(idea))
    ok(button(at, "room_to_wall").click().run())
    wall = _wall_html(at)
    assert "受注率(%)" in wall and "\\(" not in wall
    assert "kd-dots" not in wall  # no running count on the card while the vote is open
    store.votes.close(wid)
    ok(at.run())
    assert "● 2" in _wall_html(at)


def test_a_full_inbox_shows_one_page_of_one_node_s_group_at_a_time(db: Path) -> None:
    """Past 200 undecided ideas the console draws the pills of one page (50 ideas) of one node's group, chosen by the
    group's name and the page's range (a full room's 1,000 pills redrawn every second was too slow): every idea stays
    one tap away, on exactly one page, and a choice made on a page is acted on."""
    from ui.room.inbox import AT_ONCE, PAGE

    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    people = [store.rooms.join(wid, f"P{n}", client=f"c{n}") for n in range(AT_ONCE // 10 + 1)]
    for n, p in enumerate(people):
        for k in range(10):
            store.rooms.add_idea(wid, p, f"idea {n}-{k}", ["customers", "avg_spend"][k % 2])
    ok(at.run())
    [groups] = [w for w in at.segmented_control if w.key == "room_inbox_group"]
    pills = [g for g in at.button_group if (g.key or "").startswith("room_pick_")]
    per_group = len(people) * 5
    assert len(pills) == 1 and len(pills[0].options) == PAGE
    assert len(groups.options) == 2 * -(-per_group // PAGE)  # each group's pages
    assert "1–50" in groups.options[0] and f"101–{per_group}" in groups.options[2]
    seen: list[str] = []
    for option in groups.options:
        ok(groups.set_value(option).run())
        [groups] = [w for w in at.segmented_control if w.key == "room_inbox_group"]
        [shown] = [g for g in at.button_group if (g.key or "").startswith("room_pick_")]
        seen += shown.options
    assert len(seen) == len(set(seen)) == len(people) * 10  # every idea on exactly one page
    last = max(i.id for i in store.rooms.ideas(wid))
    ok(button(pick(at, last), "room_dismiss").click().run())  # the last page's idea, chosen there, is acted on
    assert [i.status for i in store.rooms.ideas(wid) if i.id == last] == [IdeaStatus.DISMISSED]
