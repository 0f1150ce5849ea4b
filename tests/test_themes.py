"""Themes (kpidesign.themes): fixed sets of ideas with known groups in Japanese and English, near-identical ideas,
labels, the facilitator's edits, and robustness under hypothesis (empty, one idea, identical ideas, emoji, long text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import room as rules
from kpidesign import themes as T
from kpidesign.room import Idea, IdeaStatus
from kpidesign.values import Problem

# what a room answering "what drives new customers?" sends, grouped as a facilitator would
JAPANESE = {
    "指名検索": ["指名検索の伸び", "指名検索数の増加", "指名検索からの流入数", "ブランド指名検索の割合"],
    "SNS広告": ["SNS広告のクリック率", "SNS広告の表示回数", "SNS広告経由の購入数", "インスタ広告のクリック率"],
    "メルマガ": ["メルマガ開封率", "メルマガ登録者数", "メルマガ経由の売上", "メルマガの配信頻度"],
    "リピート": ["リピート購入までの日数", "リピート購入率", "リピート顧客の割合"],
    "クーポン": ["まとめ買いクーポンの利用率", "クーポン利用率", "クーポン配布数"],
    "レビュー": ["商品レビューの投稿数", "レビュー評価の平均点", "レビューを書いた顧客数"],
    "カート": ["カート放棄率", "カート追加から購入までの時間", "カート放棄メールの効果"],
    "配送": ["配送日数の短縮", "配送料無料ラインの見直し", "配送遅延の件数"],
}
ENGLISH = {
    "search": ["branded search volume", "growth in branded search", "branded search share", "traffic from branded search"],
    "ads": ["social ads click-through rate", "click-through rate of social ads", "social ad impressions", "purchases from social ads"],
    "mail": ["newsletter open rate", "newsletter sign-ups", "revenue from the newsletter", "newsletter frequency"],
    "repeat": ["repeat purchase rate", "days until a repeat purchase", "repeat customer share"],
    "coupon": ["coupon redemption rate", "coupons handed out", "bulk-buy coupon redemption"],
    "review": ["number of product reviews", "average review rating", "reviews written per buyer"],
    "cart": ["cart abandonment rate", "time from add-to-cart to checkout", "cart abandonment emails"],
    "ship": ["shipping time in days", "free shipping threshold", "late shipping incidents"],
}


def revealed(texts: list[str], parent: str | None = "new_customers", start: int = 1) -> list[Idea]:
    return [Idea(start + n, "p", text, parent, IdeaStatus.REVEALED) for n, text in enumerate(texts)]


def interleaved(groups: dict[str, list[str]]) -> tuple[list[Idea], dict[int, str]]:
    """The ideas sent in turn from each group (as a room sends them: never group by group), and each one's group."""
    order = [(g, t) for n in range(4) for g, texts in groups.items() for t in texts[n : n + 1]]
    ideas = revealed([t for _, t in order])
    return ideas, {i.id: g for i, (g, _) in zip(ideas, order, strict=True)}


@pytest.mark.parametrize("groups", [JAPANESE, ENGLISH], ids=["ja", "en"])
def test_known_groups_are_found(groups: dict[str, list[str]]) -> None:
    ideas, truth = interleaved(groups)
    found = T.group(ideas)
    assert sorted(sorted(truth[i] for i in t.ideas) for t in found) == sorted([g] * len(texts) for g, texts in groups.items())
    assert all(list(t.ideas) == sorted(t.ideas) for t in found)  # in the order sent
    texts = {i.id: i.text for i in ideas}
    assert all(t.label in (texts[i] for i in t.ideas) for t in found)  # labelled by one of its own ideas
    assert [len(t.ideas) for t in found] == sorted((len(t.ideas) for t in found), reverse=True)  # largest first


def test_label_is_the_most_central_idea() -> None:
    ideas = revealed(["newsletter frequency", "newsletter open rate", "newsletter open rate by segment", "email open rate"])
    (theme,) = T.group(ideas)
    assert theme.label == "newsletter open rate"  # the one the others are closest to, not the first sent


def test_near_identical_ideas_are_suggested_for_merging() -> None:
    ideas = revealed(["指名検索の伸び", "SNS広告のクリック率", "指名検索の伸び！", "ＳＮＳ広告のクリック率", "指名検索数の増加"])
    pairs = {p for t in T.group(ideas) for p in t.duplicates}
    assert pairs == {(3, 1), (4, 2)}  # punctuation and full-width letters set aside; 指名検索数の増加 is not a duplicate
    english = revealed(["social ads click-through rate", "click-through rate of social ads", "Social ads click through rate"])
    assert {p for t in T.group(english) for p in t.duplicates} == {(2, 1), (3, 1)}  # reordered, case and hyphen


def test_only_what_the_room_has_seen_is_grouped() -> None:
    ideas = [
        Idea(1, "p", "a private idea", "n", IdeaStatus.PRIVATE),
        Idea(2, "p", "revealed idea", "n", IdeaStatus.REVEALED),
        Idea(3, "p", "dismissed idea", "n", IdeaStatus.DISMISSED),
        Idea(4, "p", "merged idea", "n", IdeaStatus.MERGED, merged_into=2, decided_from=IdeaStatus.REVEALED),
        Idea(5, "p", "made a node after the reveal", "n", IdeaStatus.ACCEPTED, node="x", decided_from=IdeaStatus.REVEALED),
        Idea(6, "p", "made a node while private", "n", IdeaStatus.ACCEPTED, node="y", decided_from=IdeaStatus.PRIVATE),
    ]
    assert sorted(i for t in T.group(ideas) for i in t.ideas) == [2, 5]


def test_themes_are_per_node() -> None:
    ideas = revealed(["branded search volume", "growth in branded search"], "a") + revealed(["branded search share"], "b", start=3)
    found = T.group(ideas)
    assert [(t.parent, t.ideas) for t in found] == [("a", (1, 2)), ("b", (3,))]
    assert T.group(revealed(["x"], None))[0].parent == ""


def test_kept_themes_keep_their_ideas_and_new_ones_join_the_closest() -> None:
    first = revealed(["newsletter open rate", "newsletter sign-ups", "cart abandonment rate", "cart abandonment emails"])
    found = T.group(first)
    renamed = T.rename(found, found[0].id, "メルマガ")
    assert not isinstance(renamed, Problem)
    later = [*first, *revealed(["newsletter revenue", "free shipping threshold"], start=5)]
    now = T.update(renamed, later)
    assert [t.label for t in now[:2]] == ["メルマガ", found[1].label]  # kept: their names and their order
    assert 5 in now[0].ideas and now[0].named  # joined the kept theme it is close to
    assert now[2].ideas == (6,) and now[2].id == max(t.id for t in found) + 1  # a new theme, a new id
    assert T.update(now, later) == now  # worked out again: the same


def test_rename_move_and_made_node() -> None:
    found = T.group(revealed(["newsletter open rate", "newsletter sign-ups", "cart abandonment rate"]))
    mail, cart = found
    assert T.rename(found, mail.id, "  ") == Problem("theme_label_empty")
    assert isinstance(T.rename(found, mail.id, "x" * (T.MAX_LABEL + 1)), Problem)
    assert T.rename(found, 99, "x") == Problem("theme_changed")
    assert T.rename(found, mail.id, "x", expected=[1]) == Problem("theme_changed")  # it no longer holds what was shown
    moved = T.move(found, 2, cart.id)
    assert not isinstance(moved, Problem)
    assert [t.ideas for t in moved] == [(1,), (2, 3)]
    alone = T.move(found, 2, None)
    assert not isinstance(alone, Problem) and [t.ideas for t in alone] == [(1,), (2,), (3,)] and alone[1].id == 3
    first = T.move(found, 1, cart.id)
    assert not isinstance(first, Problem)
    emptied = T.move(first, 2, cart.id)
    assert not isinstance(emptied, Problem) and [t.id for t in emptied] == [cart.id]  # a theme left empty is gone
    assert T.move(found, 42, None) == Problem("theme_changed")
    made = T.made_node(found, cart.id, "cart_abandonment")
    assert not isinstance(made, Problem) and made[1].node == "cart_abandonment"


def test_a_node_is_kept_while_its_ideas_are_its_evidence() -> None:
    ideas = revealed(["cart abandonment rate", "cart abandonment emails"])
    theme = T.made_node(T.group(ideas), 1, "cart")
    assert not isinstance(theme, Problem)
    assert T.update(theme, ideas)[0].node is None  # no idea became that node (an undo took it back): not kept
    accepted = [Idea(i.id, "p", i.text, i.parent, IdeaStatus.ACCEPTED, node="cart", decided_from=IdeaStatus.REVEALED) for i in ideas]
    assert T.update(theme, accepted)[0].node == "cart"


def test_vote_option_and_listing() -> None:
    theme = T.Theme(1, "x" * 100, (1, 2))
    assert T.vote_option(theme) == "x" * rules.MAX_OPTION
    assert T.listing([theme]) == [{"label": "x" * 100, "ideas": [1, 2]}]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=rules.MAX_IDEA)
EMOJI = st.text(st.sampled_from("😀🎉👍🔥💡🚀✨🙏"), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(TEXT, EMOJI, st.sampled_from(["指名検索の伸び", "x"])), max_size=30))
def test_any_ideas_are_grouped_once_each(texts: list[str]) -> None:
    ideas = revealed(texts)
    found = T.group(ideas)
    grouped = [i for t in found for i in t.ideas]
    assert sorted(grouped) == [i.id for i in ideas]  # every idea in exactly one theme, none invented
    assert all(t.label and len(t.label) <= T.MAX_LABEL for t in found)
    assert all(a in t.ideas and b in t.ideas and b < a for t in found for a, b in t.duplicates)
    assert T.update(found, ideas) == found


@settings(max_examples=20, deadline=None)
@given(st.one_of(TEXT, EMOJI), st.integers(min_value=1, max_value=40))
def test_identical_ideas_are_one_theme_and_merge_into_the_first(text: str, n: int) -> None:
    (theme,) = T.group(revealed([text] * n))
    assert theme.ideas == tuple(range(1, n + 1)) and theme.label == text
    assert theme.duplicates == tuple((i, 1) for i in range(2, n + 1))


def test_empty_and_one() -> None:
    assert T.group([]) == []
    assert T.group(revealed(["🎉"])) == [T.Theme(1, "🎉", (1,), "new_customers")]
    long = "顧客の声をもとに改善する施策" * 15
    assert T.group(revealed([long[: rules.MAX_IDEA]] * 2))[0].duplicates == ((2, 1),)


def test_punctuation_only_ideas_do_not_fail() -> None:
    found = T.group(revealed(["？？？", "!!!", "...", "。"]))
    assert sorted(i for t in found for i in t.ideas) == [1, 2, 3, 4]
