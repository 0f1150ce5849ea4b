"""The wall: what a room's projected screen shows, worked out as data (the Room page in projector mode draws it).

The wall is what the whole room reads, so it holds nothing private, ever: only ideas the room has seen (revealed, or
made nodes), names only when the room shows names, counts rather than texts for everything else. It never scrolls: on
whatever window the projector's browser gives it (1920×1080 full screen, 1920×947 with tabs and an address bar,
1280×720, 1366×768, ...) everything fits the first screen, so the revealed ideas are laid out here, for the area the
browser measured (`area`), in the same columns the browser will use, at the largest text size at which they all fit,
and when even the smallest does not, in pages the wall turns through (`page_at`). The text never goes below the
smallest size: a smaller window has more pages, not smaller text.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpidesign import room as rules
from kpidesign.room import Idea, IdeaStatus, Vote
from kpidesign.themes import Theme

ON_WALL = (IdeaStatus.REVEALED, IdeaStatus.ACCEPTED)  # what the room has seen: merged ones are shown as the one they joined
AREA_WIDTH = 1840  # px: the ideas' area on a 1920×1080 projector (the sidebar hidden; less a vote's panel beside it) ...
AREA_HEIGHT = 740  # ... below the question, the counts and the timer
FALLBACK = (1200, 420)  # px: the area assumed until the browser has measured it (1280×720 in a window): fits any larger one
LIMITS = ((320, 7680), (120, 4320))  # px: a measured width and height are taken within these (the browser sends them)
MIN_COLUMN = 12  # em: a column at least this wide at its size, else a column less (the most is the size's own)
COLUMN_GAP = 24  # px between the columns of ideas
LINE = 1.3  # line height, in em
CARD = 0.9  # a card's padding and the gap below it, in lines
HEADER = 1.7  # a group's title and the space around it, in lines of the ideas' text
CLAMP = 4  # lines of one idea at the most (its text is cut with … beyond: the console has it whole)
SIZES = ((48, 3), (40, 3), (34, 3), (28, 4), (24, 4))  # (font px, columns), largest first; 24 px is still read from the back row
PAGE_SECONDS = 12  # a page of ideas stays this long when they do not fit on one


@dataclass(frozen=True)
class Card:
    """One idea as the wall shows it: its number, its text, its author (None unless the room shows names), its dots."""

    id: int
    text: str
    author: str | None
    dots: int


@dataclass(frozen=True)
class Group:
    """The ideas answering one node ("" for none), in the order sent; or one theme of them (its label)."""

    node: str
    cards: tuple[Card, ...]
    theme: str = ""


@dataclass(frozen=True)
class Layout:
    """The revealed ideas laid out: the text size and columns, and the pages (groups cut where a page ends)."""

    font: int
    columns: int
    width: int
    pages: tuple[tuple[Group, ...], ...]


def width_em(text: str) -> float:
    """How wide a text runs, in em: a full-width character (kana, kanji, full-width forms) is one, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.55 for c in text)


def on_wall(ideas: Sequence[Idea]) -> list[Idea]:
    """The ideas the room may read: revealed ones and those made nodes after the reveal; never a private, dismissed or
    merged one (a merged one is shown as the one it joined)."""
    return [i for i in ideas if i.status in ON_WALL and i.seen]


def groups(
    ideas: Sequence[Idea], nodes: Sequence[str], anonymous: bool, dots: Mapping[int, int], themes: Sequence[Theme] = ()
) -> list[Group]:
    """The ideas on the wall grouped by the node they answer, the groups in the tree's order (nodes: ids in display
    order; an idea answering no node, or one no longer in the tree, is in the group "" at the end). With themes, each
    node's ideas are grouped by theme (a theme of one idea only when the facilitator named it or made it a node), the
    ideas in no such theme last."""
    known = set(nodes)
    members: dict[str, list[Card]] = {}
    for idea in on_wall(ideas):
        node = idea.parent if idea.parent in known else ""
        members.setdefault(node, []).append(Card(idea.id, idea.text, rules.author(idea, anonymous), dots.get(idea.id, 0)))
    order = [*nodes, ""]
    shown = [t for t in themes if len(t.ideas) > 1 or t.named or t.node]
    out: list[Group] = []
    for node in (n for n in order if n in members):
        cards = {c.id: c for c in members[node]}
        for theme in shown:
            mine = tuple(cards.pop(i) for i in theme.ideas if i in cards)
            if mine:
                out.append(Group(node, mine, theme.label))
        if cards:
            out.append(Group(node, tuple(cards.values())))
    return out


def area(measured: object) -> tuple[int, int]:
    """The ideas' area (width, height in px) from what the browser measured ({"w": .., "h": ..}), each within LIMITS;
    FALLBACK when it has not measured it yet or sent anything else."""
    if not isinstance(measured, Mapping):
        return FALLBACK
    sides = [n for n in (measured.get("w"), measured.get("h")) if isinstance(n, int | float) and not isinstance(n, bool)]
    if len(sides) != 2 or not all(math.isfinite(n) for n in sides):
        return FALLBACK
    width, height = (int(min(max(n, low), high)) for n, (low, high) in zip(sides, LIMITS, strict=True))
    return width, height


def columns_for(font: int, most: int, width: int) -> int:
    """How many columns an area this wide takes at this size: at most the size's own, each at least MIN_COLUMN em."""
    fit = (width + COLUMN_GAP) // (MIN_COLUMN * font + COLUMN_GAP)
    return int(max(1, min(most, fit)))


def _lines(card: Card, font: int, columns: int, width: int = AREA_WIDTH) -> float:
    """The lines one card takes in a column at this size (its text wrapped, at most CLAMP, plus its padding)."""
    column = (width - COLUMN_GAP * (columns - 1)) / columns
    label = f"#{card.id} {card.text}" + (f" — {card.author}" if card.author else "") + (f" ● {card.dots}" if card.dots else "")
    wrapped = math.ceil(width_em(label) * font / max(column - font, 1.0)) or 1
    return min(CLAMP, wrapped) + CARD


def paginate(
    found: Sequence[Group], font: int, columns: int, width: int = AREA_WIDTH, height: int = AREA_HEIGHT
) -> tuple[tuple[Group, ...], ...]:
    """The groups in pages, as the browser fills its columns (one after the other, a card never split) in an area this
    wide and high (px): a page ends where its last column is full; a group cut there goes on, with its title again, on
    the next page."""
    per_column = height / (font * LINE)
    pages: list[tuple[Group, ...]] = []
    page: list[Group] = []
    column, used = 0, 0.0

    def place(lines: float) -> bool:
        """Room for lines in this column or the next one on the page (moving there); False when the page is full."""
        nonlocal column, used
        if used + lines <= per_column:
            used += lines
            return True
        if column + 1 < columns:
            column, used = column + 1, lines
            return True
        return False

    for group in found:
        cards: list[Card] = []
        if not place(HEADER):
            pages.append(tuple(page))
            page, column, used = [], 0, HEADER
        for card in group.cards:
            lines = _lines(card, font, columns, width)
            if not place(lines):
                if cards:
                    page.append(dataclasses.replace(group, cards=tuple(cards)))
                pages.append(tuple(page))
                page, cards, column, used = [], [], 0, HEADER + lines
            cards.append(card)
        if cards:
            page.append(dataclasses.replace(group, cards=tuple(cards)))
    if page or not pages:
        pages.append(tuple(page))
    return tuple(pages)


def layout(found: Sequence[Group], width: int = AREA_WIDTH, height: int = AREA_HEIGHT) -> Layout:
    """The largest size at which every idea fits on one page of an area this wide and high (px); below the smallest,
    that size in pages. A narrower area has fewer columns (none narrower than MIN_COLUMN em)."""
    sizes = [(font, columns_for(font, columns, width)) for font, columns in SIZES]
    for font, columns in sizes:
        pages = paginate(found, font, columns, width, height)
        if len(pages) == 1:
            return Layout(font, columns, width, pages)
    font, columns = sizes[-1]
    return Layout(font, columns, width, paginate(found, font, columns, width, height))


def page_at(pages: int, now: float) -> int:
    """Which page the wall shows at time now (turning every PAGE_SECONDS)."""
    return int(now // PAGE_SECONDS) % pages if pages > 1 else 0


def qr_large(ideas: Sequence[Idea], activity: int) -> bool:
    """The join code is large while people are joining: until the first idea answers the question now asked."""
    return not any(i.activity == activity for i in ideas)


@dataclass(frozen=True)
class Ballot:
    """The latest vote as the wall shows it: its question, open or closed, the dots placed, and once closed the results
    (option, dots), most first. While it is open no option's count is shown: the room does not follow the crowd."""

    question: str
    open: bool
    placed: int
    options: tuple[str, ...]
    results: tuple[tuple[str, int], ...]


def ballot(vote: Vote | None, tallied: Sequence[tuple[str, int]], hidden: frozenset[str] = frozenset()) -> Ballot | None:
    """The wall's view of the latest vote (None when there is none); hidden: options the room may not read (ideas held
    or muted, kpidesign.moderation.hidden_options), left out with their dots."""
    if vote is None:
        return None
    kept = [(o, n) for o, n in tallied if o not in hidden]
    options = tuple(o for o in vote.options if o not in hidden)
    return Ballot(vote.question, vote.is_open, sum(n for _, n in kept), options, () if vote.is_open else tuple(kept))
