"""Moderation for a big room: ideas held for the facilitator's approval, a block-word list that holds matching ideas by
itself, and what a muted participant's ideas hide. Pure rules: the store asks them when ideas are revealed and when
the list changes; the screens ask them what to show.

Matching is meant for Japanese as much as English. Both the text and each word are normalised the same way (NFKC:
full-width letters and digits and half-width katakana become their usual forms; case folded; invisible format
characters such as zero-width spaces dropped; runs of spaces made one), then a word with any non-ASCII character is
found anywhere (Japanese has no spaces between words), while an ASCII word is found only as a whole word ("ass" is not
in "class"), or as the start of one when it ends with ``*`` ("fuck*" finds "fucking"). Two entries are rules rather
than words: ``[email]`` (an e-mail address) and ``[phone]`` (a telephone number).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kpidesign.language import LANGUAGES, Language
from kpidesign.room import BLOCK_WORDS, MAX_BLOCK_WORD, MAX_OPTION, Idea, VoteKind
from kpidesign.values import Problem, clean_line

EMAIL = "[email]"
PHONE = "[phone]"
RULES = (EMAIL, PHONE)

# What a corporate workshop keeps off its projector: profanity, personal attacks, contact details. Short on purpose:
# the facilitator adds the team's own words; a held idea is one click from the wall, never lost.
DEFAULT_WORDS: dict[Language, tuple[str, ...]] = {
    "ja": (
        "バカ",
        "馬鹿",
        "アホ",
        "阿呆",
        "クソ",
        "糞",
        "死ね",
        "氏ね",
        "消えろ",
        "黙れ",
        "うざい",
        "ウザい",
        "きもい",
        "キモい",
        "無能",
        "役立たず",
        "給料泥棒",
    ),
    "en": (
        "fuck*",
        "shit*",
        "bullshit",
        "crap",
        "damn",
        "wtf",
        "asshole*",
        "bastard*",
        "idiot*",
        "moron*",
        "stupid",
        "dumbass",
        "loser*",
        "incompetent",
        "shut up",
    ),
}

_FORMAT = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")
_SPACES = re.compile(r"\s+")
_SPLIT = re.compile(r"[\n,、，]")
_WORDISH = re.compile(r"[a-z0-9]")
_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc"  # hyphens, dashes, minus, and the long vowel mark typed for one
_PHONE_RUN = re.compile(rf"(?<![\d.,])\+?\(?\d[\d\s{_DASH}().]{{7,}}\d(?![\d,])")
_PHONE_US = re.compile(rf"\(?\d{{3}}\)?[\s{_DASH}.]\d{{3}}[\s{_DASH}.]\d{{4}}")


def default_words() -> tuple[str, ...]:
    """The list a room starts with: the Japanese and the English words (a room speaks both), then the two rules."""
    return tuple(w for language in LANGUAGES for w in DEFAULT_WORDS[language]) + RULES


def normalize(text: str) -> str:
    """Text as matching sees it: NFKC, case folded, format characters dropped, every run of spaces one space, trimmed."""
    folded = unicodedata.normalize("NFKC", _FORMAT.sub("", text)).casefold()
    return _SPACES.sub(" ", _FORMAT.sub("", folded)).strip()


def _is_phone(run: str) -> bool:
    """Whether a run of digits and separators reads as a telephone number: 10 to 13 digits, starting with 0, + or (
    (Japanese and international numbers), or in the North American 3-3-4 shape."""
    digits = sum(c.isdigit() for c in run)
    if not 10 <= digits <= 13:
        return False
    return run[0] in "0+(" or _PHONE_US.fullmatch(run.strip()) is not None


def has_email(text: str) -> bool:
    """Whether normalised text holds an e-mail address."""
    return "@" in text and _EMAIL.search(text) is not None


def has_phone(text: str) -> bool:
    """Whether normalised text holds a telephone number."""
    return any(_is_phone(m.group(0).rstrip(" ().")) for m in _PHONE_RUN.finditer(text))


@dataclass(frozen=True)
class _Entry:
    """One word as matching uses it: its normalised core, whether it is a prefix (ended with *), whether it is ASCII
    (found only as a whole word, or as a word's start), and its boundary pattern then."""

    word: str
    core: str
    pattern: re.Pattern[str] | None


def _entry(word: str) -> _Entry | None:
    """A word ready for matching, None when nothing is left of it once normalised."""
    norm = normalize(word)
    prefix = norm.endswith("*")
    core = norm.rstrip("*").strip()
    if not core or norm in RULES:
        return None
    if not core.isascii():
        return _Entry(word, core, None)
    start = r"(?<![a-z0-9])" if _WORDISH.match(core[0]) else ""
    end = "" if prefix or not _WORDISH.match(core[-1]) else r"(?![a-z0-9])"
    return _Entry(word, core, re.compile(start + re.escape(core) + end))


@functools.lru_cache(maxsize=64)
def _matcher(words: tuple[str, ...]) -> tuple[tuple[_Entry, ...], bool, bool]:
    """The entries of a list, and whether its e-mail and telephone rules are on (kept per list: lists rarely change)."""
    norms = {normalize(w) for w in words}
    entries = tuple(e for e in (_entry(w) for w in words) if e is not None)
    return entries, EMAIL in norms, PHONE in norms


def blocked(text: str, words: Sequence[str]) -> str | None:
    """The first entry of the list the text matches (a word as listed, or [email] / [phone]), or None."""
    entries, email, phone = _matcher(tuple(words))
    norm = normalize(text)
    for e in entries:
        if e.core in norm and (e.pattern is None or e.pattern.search(norm)):
            return e.word
    if email and has_email(norm):
        return EMAIL
    if phone and has_phone(norm):
        return PHONE
    return None


def parse_words(text: str | None) -> tuple[str, ...] | Problem:
    """A block-word list as typed (one a line, or separated by commas): cleaned, each once (as matching sees it), at
    most BLOCK_WORDS words of at most MAX_BLOCK_WORD characters; else a Problem."""
    raw = text or ""
    if len(raw) > BLOCK_WORDS * (MAX_BLOCK_WORD + 2) * 4:  # refuse a flood before reading it
        return Problem("block_words_too_many", {"max": BLOCK_WORDS})
    return check_words(_SPLIT.split(raw))


def check_words(words: Iterable[str]) -> tuple[str, ...] | Problem:
    """Words cleaned (one line each, trimmed), the empty ones and repeats (as matching sees them) dropped, within the
    bounds (BLOCK_WORDS words, MAX_BLOCK_WORD characters each); else a Problem."""
    kept: dict[str, str] = {}
    for word in words:
        w = clean_line(word[: MAX_BLOCK_WORD * 4]).replace("\t", " ").strip()
        if len(word) > MAX_BLOCK_WORD * 4 or len(w) > MAX_BLOCK_WORD:
            return Problem("block_word_too_long", {"max": MAX_BLOCK_WORD, "word": w[:MAX_BLOCK_WORD] + "…"})
        key = normalize(w)
        if key.rstrip("*").strip() and key not in kept:
            kept[key] = w
        if len(kept) > BLOCK_WORDS:
            return Problem("block_words_too_many", {"max": BLOCK_WORDS})
    return tuple(kept.values())


@dataclass(frozen=True)
class Moderation:
    """A room's moderation as the facilitator set it: hold every revealed idea for approval, and the block-word list
    (None: the defaults, default_words(), which follow the release)."""

    hold: bool = False
    words: tuple[str, ...] | None = None

    @property
    def block_words(self) -> tuple[str, ...]:
        """The list in force."""
        return default_words() if self.words is None else self.words

    def holds(self, text: str) -> bool:
        """Whether an idea with this text waits for approval when revealed: every idea while hold is on, else those the
        list blocks."""
        return self.hold or blocked(text, self.block_words) is not None


def to_hold(moderation: Moderation, ideas: Iterable[tuple[int, str]]) -> list[int]:
    """Of (id, text) pairs being revealed, the ids held for approval."""
    return [i for i, text in ideas if moderation.holds(text)]


def to_block(words: Sequence[str], ideas: Iterable[tuple[int, str]]) -> list[int]:
    """Of (id, text) pairs the room can read, the ids a (changed) list now blocks."""
    return [i for i, text in ideas if blocked(text, words) is not None]


def hidden_options(ideas: Iterable[Idea], kind: VoteKind = VoteKind.IDEAS) -> frozenset[str]:
    """A vote's options the room may not read (held for approval, or of a muted author); a vote keeps them but shows
    them to no one. Of a vote on ideas: their ids as text; of a vote on themes: the texts (as an option, cut to
    MAX_OPTION) of such ideas, as an unnamed theme is labelled by its idea, unless an idea the room reads says the same;
    of a vote on nodes: none."""
    if kind is VoteKind.IDEAS:
        return frozenset(str(i.id) for i in ideas if i.held or i.muted)
    if kind is not VoteKind.THEMES:
        return frozenset()
    every = list(ideas)
    readable = {i.text[:MAX_OPTION] for i in every if not (i.held or i.muted)}
    return frozenset(i.text[:MAX_OPTION] for i in every if (i.held or i.muted) and i.text[:MAX_OPTION] not in readable)
