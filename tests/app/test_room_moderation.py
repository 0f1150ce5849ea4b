"""Moderation on the Room page (#30 item 3): hold for approval, block words, mute; the wall and the exports follow."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from kpidesign import room as R
from kpidesign.room import VoteKind
from kpidesign.store import Store
from tests.app.conftest import ok, open_expander
from tests.app.test_room_page import _wall_html, button, pick, room_page
from ui.cache import Snapshot
from ui.keys import ROOM_VIEW
from ui.sharing import exports


def inbox_options(at: AppTest) -> list[str]:
    return [o for g in at.button_group if (g.key or "").startswith("room_pick_") for o in g.options]


def wall_of(at: AppTest) -> str:
    """The wall's HTML, the page switched to projector mode."""
    at.session_state["projector"] = True
    return _wall_html(ok(at.run()))


def console(at: AppTest) -> AppTest:
    """The page back on the console."""
    at.session_state["projector"] = False
    return ok(at.run())


def test_hold_on_an_idea_revealed_is_not_on_the_wall_until_approved(db: Path) -> None:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    ok(at.toggle(key="room_hold").set_value(True).run())
    assert store.moderation.get(wid).hold
    ann = store.rooms.join(wid, "Ann")
    first = store.rooms.add_idea(wid, ann, "指名検索を増やす", "customers")
    second = store.rooms.add_idea(wid, ann, "リピート購入の促進", "customers")
    ok(at.run())
    ok(button(at, "room_reveal").click().run())
    assert "【承認待ち】" in " ".join(inbox_options(at)) and "2" in button(at, "room_approve_all").label
    assert "指名検索" not in wall_of(at) and "リピート" not in _wall_html(at)  # revealed, but not on the wall
    ok(button(pick(console(at), first), "room_approve").click().run())  # approve one
    wall = wall_of(at)
    assert "指名検索を増やす" in wall and "リピート購入の促進" not in wall
    ok(button(console(at), "room_approve_all").click().run())  # then all
    assert "リピート購入の促進" in wall_of(at) and second in [i.id for i in store.rooms.ideas(wid) if i.seen]


def test_a_held_idea_dismissed_waits_for_nothing(db: Path) -> None:
    at, wid, store = room_page(db)
    ok(button(at, "room_open").click().run())
    ok(at.toggle(key="room_hold").set_value(True).run())
    ann = store.rooms.join(wid, "Ann")
    held = store.rooms.add_idea(wid, ann, "部長は無能", "customers")
    ok(at.run())
    ok(button(at, "room_reveal").click().run())
    assert at.button_group(key=ROOM_VIEW).value == "inbox"  # held: the console stays on the inbox, where it waits
    ok(button(pick(at, held), "room_dismiss").click().run())  # set aside, never approved
    assert not [b for b in at.button if b.key == "room_approve_all"]  # nothing waits any more
    ok(at.toggle(key="room_hold").set_value(False).run())
    store.rooms.add_idea(wid, ann, "指名検索を増やす", "customers")
    ok(at.run())
    ok(button(at, "room_reveal").click().run())
    assert at.button_group(key=ROOM_VIEW).value == "themes"  # the dismissed held idea no longer keeps it on the inbox


def test_a_block_word_holds_an_idea_and_the_list_is_edited_on_the_console(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    open_expander(at, "room_block_words")
    [area] = [a for a in at.text_area if a.key == "room_block_words_text"]
    assert area.value is not None and "バカ" in area.value and "[email]" in area.value  # the defaults, Japanese and English
    area.input(area.value + "\nsynergy")
    ok(at.button(key="FormSubmitter:room_block_words_form-Save the block words").click().run())
    assert "synergy" in store.moderation.get(wid).block_words
    p = store.rooms.join(wid, "Bo")
    store.rooms.add_idea(wid, p, "More SYNERGY between teams")  # case and width do not hide it
    store.rooms.add_idea(wid, p, "ﾊﾞｶげた承認フロー")
    store.rooms.add_idea(wid, p, "Shorter checkout")
    ok(button(ok(at.run()), "room_reveal").click().run())
    wall = wall_of(at)
    assert "Shorter checkout" in wall and "SYNERGY" not in wall and "承認フロー" not in wall
    console(at)
    assert sum("[awaiting approval]" in o for o in inbox_options(at)) == 2
    open_expander(at, "room_block_words")  # the wall drew no console: opened again
    [area] = [a for a in at.text_area if a.key == "room_block_words_text"]
    area.input("x" * (R.MAX_BLOCK_WORD + 1))
    ok(at.button(key="FormSubmitter:room_block_words_form-Save the block words").click().run())
    assert "synergy" in store.moderation.get(wid).block_words  # refused, with a message; nothing changed
    assert any(str(R.MAX_BLOCK_WORD) in e.value for e in at.error)
    ok(button(at, "room_block_words_default").click().run())
    assert store.moderation.get(wid).words is None


def test_mute_hides_a_participants_ideas_on_the_wall_and_in_the_yaml_export(db: Path) -> None:
    at, wid, store = room_page(db, "en")
    ok(button(at, "room_open").click().run())
    spam, ann = store.rooms.join(wid, "Spam"), store.rooms.join(wid, "Ann")
    bad = store.rooms.add_idea(wid, spam, "BUYNOWSPAM", "customers")
    store.rooms.add_idea(wid, ann, "Brand search", "customers")
    store.rooms.reveal_ideas(wid)
    vote = store.votes.open(wid, "Which?", VoteKind.IDEAS, [str(i.id) for i in store.rooms.ideas(wid)])
    store.votes.place_dot(wid, vote, ann, str(bad))
    store.votes.close(wid)
    ok(at.run())
    assert "BUYNOWSPAM" in wall_of(at)
    ok(button(pick(console(at), bad), "room_mute_authors").click().run())
    assert store.rooms.participant_count(wid) == 2 and store.moderation.muted(wid)  # still in the room, muted
    assert not any("BUYNOWSPAM" in o for o in inbox_options(at))  # the inbox's default view hides them
    ok(at.toggle(key="room_show_muted").set_value(True).run())
    assert any("BUYNOWSPAM" in o and "[muted]" in o for o in inbox_options(at))
    assert "BUYNOWSPAM" not in wall_of(at)  # neither a card nor the vote's option
    st.session_state["store"] = store  # as the Export page has it: the facilitator's own files, with the room
    snap = Snapshot(store.where, wid, store.load(wid).version, store.actuals.rev(wid), "en")
    own = exports.built_on_click(snap, "yaml", store.rooms.rev(wid), lambda: True)()
    assert b"BUYNOWSPAM" not in own and "Brand search" in yaml.safe_dump(yaml.safe_load(own)["room"])
    book = openpyxl.load_workbook(io.BytesIO(exports.built_on_click(snap, "xlsx", store.rooms.rev(wid), lambda: True)()))
    assert not any("BUYNOWSPAM" in str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    console(at)
    [unmute] = [b for b in at.button if (b.key or "").startswith("room_unmute_") and b.key != "room_unmute_all"]
    assert "Spam" in unmute.label
    ok(unmute.click().run())
    assert not store.moderation.muted(wid) and "BUYNOWSPAM" in wall_of(at)
    again = exports.built_on_click(snap, "yaml", Store(db).rooms.rev(wid), lambda: True)()
    assert b"BUYNOWSPAM" in again  # unmuted: back in the export


def test_a_phone_lists_no_held_or_muted_idea_of_others_and_no_such_vote_option(db: Path) -> None:
    from tests.app.test_participant import joined, room, send, texts

    store, wid, token = room(db)
    ann, bob = joined(token, "Ann"), joined(token, "Bob")
    send(ann, "あいつはバカ")  # a default block word
    send(bob, "指名検索を増やす")
    send(bob, "リピート率")
    store.rooms.reveal_ideas(wid)
    spam_key = R.participant_key(bob.session_state["room_me"])
    ok(ann.run())
    assert "指名検索" in texts(ann) and "承認待ち" in texts(ann)  # its author sees their own held idea as waiting
    ok(bob.run())
    assert "バカ" not in texts(bob)  # the other phone never lists it
    ideas = [i for i in store.rooms.ideas(wid) if i.seen]
    vote = store.votes.open(wid, "どれ?", VoteKind.IDEAS, [str(i.id) for i in ideas])
    store.moderation.mute(wid, [spam_key])
    ok(ann.run())
    assert "指名検索" not in texts(ann) and "リピート率" not in texts(ann)  # muted: gone from the other phones
    assert ann.button_group[0].options == [] and vote  # and from the vote's options
    ok(bob.run())
    assert "指名検索を増やす" in texts(bob)  # the muted person still sees their own: nothing tells them


def test_a_vote_on_themes_shows_no_label_that_is_a_muted_persons_idea(db: Path) -> None:
    """Review: an unnamed theme is labelled by its idea; muted after the vote on themes opened, that idea leaves the
    wall's ballot and every phone's pills."""
    from kpidesign import themes as T
    from tests.app.test_participant import joined, room, send

    store, wid, token = room(db)
    ann, bob = joined(token, "Ann"), joined(token, "Bob")
    send(ann, "newsletter open rate")
    send(bob, "BOBSECRET cart abandonment")
    store.rooms.reveal_ideas(wid)
    options = [T.vote_option(t) for t in store.themes.all(wid)]
    assert "BOBSECRET cart abandonment" in options
    store.votes.open(wid, "Which theme?", VoteKind.THEMES, options)
    ok(ann.run())
    assert any("BOBSECRET" in o for o in ann.button_group[0].options)
    store.moderation.mute(wid, [R.participant_key(bob.session_state["room_me"])])
    ok(ann.run())
    assert not any("BOBSECRET" in o for o in ann.button_group[0].options) and ann.button_group[0].options
    at, wid, store = room_page(db, "en")  # the wall, in a room the console opened
    ok(button(at, "room_open").click().run())
    ann_key, bob_key = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    store.rooms.add_idea(wid, ann_key, "newsletter open rate", "customers")
    store.rooms.add_idea(wid, bob_key, "BOBSECRET cart abandonment", "customers")
    store.rooms.reveal_ideas(wid)
    store.votes.open(wid, "Which theme?", VoteKind.THEMES, [T.vote_option(t) for t in store.themes.all(wid)])
    ok(at.run())
    assert "BOBSECRET" in wall_of(at)
    store.moderation.mute(wid, [R.participant_key(bob_key)])
    assert "BOBSECRET" not in wall_of(at) and "newsletter open rate" in wall_of(at)
