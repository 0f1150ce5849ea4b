"""Review: a vote on themes shows no option that is the text of an idea the room may no longer read (its author muted,
or held by a block word added after the vote opened), on the wall, the phones or in an export."""

from __future__ import annotations

from kpidesign import room as R
from kpidesign import themes as T
from kpidesign.model import Workshop
from kpidesign.moderation import hidden_options
from kpidesign.room import VoteKind
from kpidesign.store import Store

SECRET = "SECRET-BOB cart abandonment"


def themes_vote(store: Store, ec: Workshop) -> tuple[str, str]:
    """A room whose vote on themes has an unnamed theme labelled by Bob's idea; Bob's secret."""
    wid = store.create(ec)
    store.rooms.open(wid)
    ann, bob = store.rooms.join(wid, "Ann"), store.rooms.join(wid, "Bob")
    store.rooms.add_idea(wid, ann, "newsletter open rate", "new_customers")
    store.rooms.add_idea(wid, bob, SECRET, "new_customers")
    store.rooms.reveal_ideas(wid)
    options = [T.vote_option(t) for t in store.themes.all(wid)]
    assert SECRET in options  # an unnamed theme is labelled by its idea
    store.votes.open(wid, "q", VoteKind.THEMES, options, 3)
    store.votes.place_dot(wid, store.votes.all(wid)[-1].id, ann, SECRET)
    return wid, bob


def test_a_muted_authors_theme_option_is_hidden_and_not_exported(store: Store, ec: Workshop) -> None:
    wid, bob = themes_vote(store, ec)
    store.moderation.mute(wid, [R.participant_key(bob)])
    assert SECRET in hidden_options(store.rooms.ideas(wid), VoteKind.THEMES)
    record = store.room_record(wid)
    assert record is not None and all(SECRET not in v.results for v in record.votes)
    store.moderation.unmute(wid)
    assert hidden_options(store.rooms.ideas(wid), VoteKind.THEMES) == set()


def test_a_held_ideas_theme_option_is_hidden(store: Store, ec: Workshop) -> None:
    wid, _ = themes_vote(store, ec)
    store.moderation.set_words(wid, ["SECRET-BOB"])
    assert hidden_options(store.rooms.ideas(wid), VoteKind.THEMES) == {SECRET}
    assert hidden_options(store.rooms.ideas(wid), VoteKind.NODES) == set()


def test_a_copied_rooms_theme_labelled_by_an_idea_follows_its_idea(store: Store, ec: Workshop) -> None:
    """A theme labelled by its most central idea, copied (or exported and imported), is not frozen as a name: muting
    that idea's author in the copy takes the text off the theme too, as in the original room."""
    wid = store.create(ec)
    store.rooms.open(wid, anonymous=False)
    bob, ann = store.rooms.join(wid, "Bob"), store.rooms.join(wid, "Ann")
    store.rooms.add_idea(wid, bob, "newsletter open rate", "new_customers")
    store.rooms.add_idea(wid, ann, "newsletter open rate weekly", "new_customers")
    store.rooms.add_idea(wid, ann, "newsletter open rate by segment", "new_customers")
    store.rooms.reveal_ideas(wid)
    [theme] = store.themes.all(wid)
    assert theme.label == "newsletter open rate"  # Bob's: the most central
    store.themes.regroup(wid)
    copy = store.duplicate(wid, "copy")
    assert [t.label for t in store.themes.all(copy)] == [theme.label]  # as it was
    store.moderation.mute(wid, [R.participant_key(bob)])
    assert all(t.label != "newsletter open rate" for t in store.themes.all(wid))
    who = next(i.participant for i in store.rooms.ideas(copy) if i.text == "newsletter open rate")
    store.moderation.mute(copy, [who])
    assert all(t.label != "newsletter open rate" for t in store.themes.all(copy))
