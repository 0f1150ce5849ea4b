"""The wall (kpidesign.wall): nothing private, ever; every revealed idea on some page; the largest size that fits."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import wall
from kpidesign.room import Idea, IdeaStatus, Vote, VoteKind, VoteState

NODES = ["kgi", "顧客数", "客単価"]
texts = st.text(alphabet=st.sampled_from("指名検索の伸びabc xyz顧客単価レビュー数 1234"), min_size=1, max_size=200)
TALLEST = math.ceil((wall.HEADER + wall.CLAMP + wall.CARD) * wall.SIZES[-1][0] * wall.LINE)  # px: a title and a 4-line card
ideas = st.lists(
    st.builds(
        Idea,
        id=st.integers(1, 10**6),
        participant=st.sampled_from(["p1", "p2", "p3"]),
        text=texts,
        parent=st.sampled_from([None, "kgi", "顧客数", "客単価", "gone"]),
        status=st.sampled_from(list(IdeaStatus)),
        activity=st.integers(1, 3),
        author=st.sampled_from(["", "Ann", "佐藤"]),
        decided_from=st.sampled_from([None, IdeaStatus.PRIVATE, IdeaStatus.REVEALED]),
    ),
    max_size=300,
    unique_by=lambda i: i.id,
)


@settings(max_examples=60, deadline=None)
@given(ideas, st.booleans())
def test_the_wall_shows_only_what_the_room_has_seen_each_once(found: list[Idea], anonymous: bool) -> None:
    grouped = wall.groups(found, NODES, anonymous, {})
    laid = wall.layout(grouped)
    shown = [c for page in laid.pages for g in page for c in g.cards]
    seen = {
        i.id
        for i in found
        if i.status is IdeaStatus.REVEALED or (i.status is IdeaStatus.ACCEPTED and i.decided_from is not IdeaStatus.PRIVATE)
    }  # made a node while still private: never on the wall
    assert sorted(c.id for c in shown) == sorted(seen)  # every one, once, on some page; nothing private, dismissed or merged
    if anonymous:
        assert all(c.author is None for c in shown)
    assert [g.node for g in grouped] == [n for n in [*NODES, ""] if n in {g.node for g in grouped}]  # the tree's order


@settings(max_examples=80, deadline=None)
@given(ideas, st.sampled_from([wall.AREA_WIDTH, wall.AREA_WIDTH - 520, 1200, 676, 1286]), st.integers(TALLEST, 1100))
def test_every_page_fits_the_wall(found: list[Idea], width: int, height: int) -> None:
    laid = wall.layout(wall.groups(found, NODES, False, {}), width, height)
    per_column = height / (laid.font * wall.LINE)
    for page in laid.pages:
        column, used = 0, 0.0
        for group in page:
            items = [wall.HEADER] + [wall._lines(c, laid.font, laid.columns, laid.width) for c in group.cards]
            for lines in items:
                if used + lines > per_column:
                    column, used = column + 1, 0.0
                used += lines
        assert column < laid.columns
    assert laid.font >= wall.SIZES[-1][0] and laid.width == width  # a smaller area: more pages, never smaller text
    column_width = (width - wall.COLUMN_GAP * (laid.columns - 1)) / laid.columns
    assert laid.columns == 1 or column_width >= wall.MIN_COLUMN * laid.font  # no column too narrow to read


def test_a_smaller_window_gives_more_pages_never_smaller_text() -> None:
    many = wall.groups(
        [Idea(i, "p", "顧客の声をもとに改善する施策" * (1 + i % 4), "顧客数", IdeaStatus.REVEALED) for i in range(1, 61)], NODES, True, {}
    )
    full, tabs, small = (wall.layout(many, w, h) for w, h in [(1840, 740), (1840, 610), (1200, 400)])
    assert len(full.pages) <= len(tabs.pages) < len(small.pages) and small.font == wall.SIZES[-1][0]
    assert sorted(c.id for p in small.pages for g in p for c in g.cards) == list(range(1, 61))
    few = wall.groups([Idea(1, "p", "指名検索の伸び", "顧客数", IdeaStatus.REVEALED)], NODES, True, {})
    assert wall.layout(few, 1200, 400).font == wall.SIZES[0][0]  # a few ideas are large in a small window too


def test_the_measured_area_is_taken_within_bounds_else_the_fallback() -> None:
    assert wall.area({"w": 1840, "h": 610}) == (1840, 610)
    assert wall.area({"w": 1839.7, "h": 10**9}) == (1839, wall.LIMITS[1][1])
    assert wall.area({"w": -5, "h": 0}) == (wall.LIMITS[0][0], wall.LIMITS[1][0])
    for bad in (
        None,
        "1920x1080",
        [1920, 1080],
        {"w": "1920", "h": 700},
        {"w": True, "h": 700},
        {"w": float("nan"), "h": 700},
        {"w": float("inf"), "h": 700},
        {"h": 700},
        {},
    ):
        assert wall.area(bad) == wall.FALLBACK


def test_columns_follow_the_width() -> None:
    assert [wall.columns_for(font, most, 1840) for font, most in wall.SIZES] == [3, 3, 3, 4, 4]
    assert [wall.columns_for(font, most, 1316) for font, most in wall.SIZES] == [2, 2, 3, 3, 4]
    assert wall.columns_for(48, 3, 320) == 1 and wall.columns_for(24, 4, 676) == 2


def test_few_ideas_are_large_many_are_paged() -> None:
    few = [Idea(i, "p", f"アイデア {i}", "顧客数", IdeaStatus.REVEALED) for i in range(1, 6)]
    assert wall.layout(wall.groups(few, NODES, True, {})).font == wall.SIZES[0][0]
    many = [Idea(i, "p", "長い" * 90, "顧客数", IdeaStatus.REVEALED) for i in range(1, 301)]
    laid = wall.layout(wall.groups(many, NODES, True, {}))
    assert laid.font == wall.SIZES[-1][0] and len(laid.pages) > 1
    assert [wall.page_at(len(laid.pages), t) for t in (0, wall.PAGE_SECONDS, wall.PAGE_SECONDS * len(laid.pages))] == [0, 1, 0]


def test_the_code_is_large_until_the_first_idea_of_the_question_now_asked() -> None:
    assert wall.qr_large([], 1)
    assert wall.qr_large([Idea(1, "p", "x", activity=1)], 2)
    assert not wall.qr_large([Idea(1, "p", "x", activity=2)], 2)


def test_an_open_vote_shows_no_counts_a_closed_one_its_results() -> None:
    vote = Vote(1, "KFS?", VoteKind.NODES, ("a", "b"), 3, VoteState.OPEN)
    tallied = [("a", 5), ("b", 2)]
    shown = wall.ballot(vote, tallied)
    assert shown is not None and shown.open and shown.results == () and shown.placed == 7
    closed = wall.ballot(Vote(1, "KFS?", VoteKind.NODES, ("a", "b"), 3, VoteState.CLOSED), tallied)
    assert closed is not None and closed.results == (("a", 5), ("b", 2))
    assert wall.ballot(None, []) is None


def test_a_full_width_character_is_one_em() -> None:
    assert wall.width_em("顧客") == 2.0 and wall.width_em("ab") == 1.1 and wall.width_em("ＡＢ") == 2.0


@settings(max_examples=30, deadline=None)
@given(ideas, st.booleans())
def test_with_themes_every_idea_on_the_wall_is_shown_once_under_its_theme(found: list[Idea], anonymous: bool) -> None:
    from kpidesign import themes

    grouped = themes.group(found)
    laid = wall.layout(wall.groups(found, NODES, anonymous, {}, grouped))
    shown = [(g.theme, c.id) for page in laid.pages for g in page for c in g.cards]
    assert sorted(i for _, i in shown) == sorted(i.id for i in wall.on_wall(found))
    label = {i: t.label for t in grouped if len(t.ideas) > 1 for i in t.ideas}
    assert all(theme == label.get(i, "") for theme, i in shown)  # under its theme's label (alone: with the node's rest)


def test_themes_group_a_node_s_ideas_on_the_wall() -> None:
    from kpidesign.themes import Theme

    seen = [Idea(n, "p", text, "顧客数", IdeaStatus.REVEALED) for n, text in enumerate(["a", "b", "c", "d"], start=1)]
    grouped = wall.groups(seen, NODES, True, {}, [Theme(1, "AB", (1, 2)), Theme(2, "c", (3,)), Theme(3, "名前", (4,), named=True)])
    assert [(g.theme, [c.id for c in g.cards]) for g in grouped] == [("AB", [1, 2]), ("名前", [4]), ("", [3])]
