"""Rooms (participant mode): the pure rules of what participants may send, see and vote, and of the facilitator's timer.

Nothing here touches the database or Streamlit: the store keeps rooms, participants, ideas and dots in their own tables
and asks these rules before it writes; the screens ask them what to show. A refusal is a Problem (kpidesign.values).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kpidesign.values import Problem, clean_line

MAX_IDEA = 200  # characters of one idea
MAX_NAME = 40  # characters of a display name
IDEAS_PER_ACTIVITY = 20  # ideas one person may have in one activity (one prompt)
IDEAS_PER_PERSON = 100  # ideas one person may have in the whole room, whatever the prompts
MAX_PARTICIPANTS = 300  # people in one room
ROOM_IDEAS = 1_000  # ideas in one room, everyone's together: what every phone receives is bounded by it
ROOM_VOTES = 100  # votes put to one room
DEFAULT_DOTS = 3
MAX_DOTS = 10
MAX_OPTIONS = 50  # options of one vote
MAX_OPTION = 64  # characters of one option (an idea's or a node's id)
PHONE_LIST = 100  # revealed ideas a phone lists (the latest): a full room's 1,000 would be ~250 KB every refresh
JOINS_PER_CLIENT = 60  # joins a room takes from one client address ...
JOIN_WINDOW = 60.0  # ... within this many seconds (a room behind one office address still joins 60 people a minute)
WRITE_BURST = 20  # writes (ideas, edits, dots) one participant may make at once ...
WRITE_RATE = 2.0  # ... and then per second: a phone tapping dots is far below it, a script holding the write lock is not
MAX_QUESTION = 200
MAX_MINUTES = 120
STEPS = ("kgi", "tree", "decompose", "definitions", "monitoring")
BLOCK_WORDS = 200  # words of a room's block-word list (kpidesign.moderation) ...
MAX_BLOCK_WORD = 40  # ... and characters of one


class RoomState(StrEnum):
    """Whether participants may reach the room."""

    OPEN = "open"
    CLOSED = "closed"


class IdeaStatus(StrEnum):
    """An idea's life: private (its author's only) → revealed (everyone's) → accepted / dismissed / merged."""

    PRIVATE = "private"
    REVEALED = "revealed"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    MERGED = "merged"


class VoteKind(StrEnum):
    """What a vote's options are: revealed ideas, nodes of the tree, or themes of the ideas (each by its label,
    kpidesign.themes.vote_option)."""

    IDEAS = "ideas"
    NODES = "nodes"
    THEMES = "themes"


class VoteState(StrEnum):
    """A vote takes dots while open; its results stay when closed."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Timer:
    """A countdown: its length, when it last started (None while paused) and the seconds already run before that."""

    seconds: int = 0
    started_at: float | None = None
    elapsed: float = 0.0
    close_on_end: bool = False

    @property
    def running(self) -> bool:
        """True while counting down."""
        return self.started_at is not None

    def remaining(self, now: float) -> float | None:
        """Seconds left at time now (never below 0); None when no timer is set."""
        if self.seconds <= 0:
            return None
        run = self.elapsed + (now - self.started_at if self.started_at is not None else 0.0)
        return max(0.0, self.seconds - max(0.0, run))

    def ended(self, now: float) -> bool:
        """True once a set timer has run out."""
        left = self.remaining(now)
        return left is not None and left <= 0

    def start(self, now: float) -> Timer:
        """Count down from where it stands (a timer already run out starts again from its full length)."""
        if self.seconds <= 0 or self.running:
            return self
        elapsed = 0.0 if self.ended(now) else self.elapsed
        return dataclasses.replace(self, started_at=now, elapsed=elapsed)

    def pause(self, now: float) -> Timer:
        """Stop counting, keeping the time left."""
        if self.started_at is None:
            return self
        return dataclasses.replace(self, started_at=None, elapsed=min(float(self.seconds), self.elapsed + max(0.0, now - self.started_at)))


def set_timer(minutes: float, close_on_end: bool = False) -> Timer | Problem:
    """A stopped timer of this many minutes (0 clears it), or a Problem for a length out of range."""
    if not 0 <= minutes <= MAX_MINUTES:
        return Problem("room_timer_range", {"max": MAX_MINUTES})
    return Timer(seconds=round(minutes * 60), close_on_end=close_on_end)


@dataclass(frozen=True)
class Room:
    """A workshop's room as the facilitator set it: open or closed, names shown or not, the prompt, the timer."""

    workshop_id: str
    state: RoomState = RoomState.CLOSED
    anonymous: bool = True
    step: str = "tree"
    node: str | None = None  # the node the prompt asks about ("What drives …?")
    activity: int = 1  # bumped with each new prompt: ideas are counted per person per activity
    follow: bool = False  # "follow me": the phones show the step and node the facilitator is on
    timer: Timer = Timer()
    opened_at: str | None = None

    @property
    def is_open(self) -> bool:
        """True while participants may reach it."""
        return self.state is RoomState.OPEN

    def prompt(self, step: str, node: str | None) -> Room:
        """Ask about another step and node: a new activity (each person's idea count starts again) unless unchanged."""
        step = step if step in STEPS else self.step
        if (step, node) == (self.step, self.node):
            return self
        return dataclasses.replace(self, step=step, node=node, activity=self.activity + 1)


@dataclass(frozen=True)
class Idea:
    """One idea sent by a participant, as stored."""

    id: int
    participant: str
    text: str
    parent: str | None = None  # the node it answers
    status: IdeaStatus = IdeaStatus.PRIVATE
    activity: int = 1
    author: str = ""  # the participant's display name at the time it was read ("" for none)
    merged_into: int | None = None
    node: str | None = None  # the node it became, once accepted
    decided_from: IdeaStatus | None = None  # what it was when accepted or merged (None: not recorded, before m008)
    held: bool = False  # revealed, but held for the facilitator's approval (kpidesign.moderation)
    muted: bool = False  # its author is muted and it is not a node: hidden from everyone but its author and the facilitator

    @property
    def waiting(self) -> bool:
        """Held for the facilitator's approval and still undecided (a held idea dismissed, merged or made a node waits
        for nothing)."""
        return self.held and self.status is IdeaStatus.REVEALED

    @property
    def seen(self) -> bool:
        """Whether the room may read it: revealed, or decided (made a node, merged) after it was revealed. An idea
        the facilitator decided while still private stays its author's (and the facilitator's) alone; one held for
        approval or of a muted author is read by no one else."""
        if self.held or self.muted:
            return False
        if self.status is IdeaStatus.REVEALED:
            return True
        return self.status in (IdeaStatus.ACCEPTED, IdeaStatus.MERGED) and self.decided_from is not IdeaStatus.PRIVATE


@dataclass(frozen=True)
class Vote:
    """A question put to the vote: its options (idea ids as text, or node ids) and the dots each person has."""

    id: int
    question: str
    kind: VoteKind
    options: tuple[str, ...]
    dots: int = DEFAULT_DOTS
    state: VoteState = VoteState.OPEN
    activity: int = 0  # the room's activity (question) it was opened in

    @property
    def is_open(self) -> bool:
        """True while it takes dots."""
        return self.state is VoteState.OPEN

    def shown(self, room: Room) -> bool:
        """Whether the phones and the wall show it: while open, and once closed until the facilitator asks a new
        question (its result is not left on every screen for the rest of the session)."""
        return self.is_open or self.activity == room.activity


def participant_key(secret: str) -> str:
    """The id a participant is stored and known by: the SHA-256 of the secret only their browser holds (so the
    database never holds the secret, and a key read from it names a participant but cannot act as one)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _one_line(text: str) -> str:
    """Text cleaned as a name is (kpidesign.values.clean_line), tabs made spaces too."""
    return clean_line(text).replace("\t", " ").strip()


def parse_idea(text: str | None) -> str | Problem:
    """An idea as typed: one line, control characters dropped, 1 to MAX_IDEA characters; else a Problem."""
    raw = text or ""
    if len(raw) > MAX_IDEA * 4:  # refuse a flood before cleaning it
        return Problem("idea_too_long", {"max": MAX_IDEA, "length": len(raw)})
    s = _one_line(raw)
    if not s:
        return Problem("idea_empty")
    if len(s) > MAX_IDEA:
        return Problem("idea_too_long", {"max": MAX_IDEA, "length": len(s)})
    return s


def parse_display_name(text: str | None) -> str | Problem:
    """An optional display name: one line, cleaned, at most MAX_NAME characters ("" for none)."""
    raw = text or ""
    s = _one_line(raw[: MAX_NAME * 4])
    if len(raw) > MAX_NAME * 4 or len(s) > MAX_NAME:
        return Problem("room_name_too_long", {"max": MAX_NAME})
    return s


def can_send(room: Room, mine: Sequence[Idea], now: float, in_room: int = 0) -> Problem | None:
    """Why this participant may not send one more idea now (room closed, time up, too many of theirs or of the room's:
    in_room counts everyone's ideas), or None."""
    if not room.is_open:
        return Problem("room_closed")
    if room.timer.close_on_end and room.timer.ended(now):
        return Problem("room_time_up")
    if in_room >= ROOM_IDEAS:
        return Problem("room_ideas_full", {"max": ROOM_IDEAS})
    if len(mine) >= IDEAS_PER_PERSON:
        return Problem("idea_limit", {"max": IDEAS_PER_PERSON})
    if sum(1 for i in mine if i.activity == room.activity) >= IDEAS_PER_ACTIVITY:
        return Problem("idea_limit", {"max": IDEAS_PER_ACTIVITY})
    return None


def can_join(room_state: RoomState | None, people: int, from_client: int, per_client: int = JOINS_PER_CLIENT) -> Problem | None:
    """Why one more person may not join (room closed, full, or per_client joins already made from their client address
    within JOIN_WINDOW: one holder of the join link cannot fill the room), or None."""
    if room_state is not RoomState.OPEN:
        return Problem("room_closed")
    if people >= MAX_PARTICIPANTS:
        return Problem("room_full", {"max": MAX_PARTICIPANTS})
    if from_client >= per_client:
        return Problem("room_join_rate", {"max": per_client, "seconds": int(JOIN_WINDOW)})
    return None


def joins_per_client(raw: object) -> int:
    """The joins a room takes from one client address a minute, as configured: a whole number from 1 up, at most
    MAX_PARTICIPANTS (more would be the room's own limit); JOINS_PER_CLIENT when it is not set or not such a number."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdecimal()) or int(text) < 1:  # "²", "①" and "٣" are digits int() refuses or misreads
        return JOINS_PER_CLIENT
    return min(int(text), MAX_PARTICIPANTS)


def max_dots(dots: int) -> int:
    """The most dots a vote giving each person `dots` can hold: a full room spending all of them."""
    return MAX_PARTICIPANTS * dots


def can_change(idea: Idea | None, participant: str) -> Problem | None:
    """Why a participant may not edit or withdraw this idea (not theirs, or already revealed), or None."""
    if idea is None or idea.participant != participant:
        return Problem("idea_not_yours")
    if idea.status is not IdeaStatus.PRIVATE:
        return Problem("idea_revealed")
    return None


def visible(ideas: Iterable[Idea], participant: str | None) -> list[Idea]:
    """The ideas a participant may see: their own, and everyone's once revealed (dismissed ones only to their author);
    participant None is the facilitator, who sees everything."""
    if participant is None:
        return list(ideas)
    return [i for i in ideas if i.participant == participant or i.seen]


def latest(ideas: Sequence[Idea], most: int = PHONE_LIST) -> tuple[list[Idea], int]:
    """The last `most` ideas in the order sent, and how many earlier ones are left out."""
    kept = list(ideas[-most:]) if most > 0 else []
    return kept, len(ideas) - len(kept)


def author(idea: Idea, anonymous: bool) -> str | None:
    """The name shown with an idea: None when the room is anonymous or the author gave no name."""
    return None if anonymous or not idea.author else idea.author


def can_merge(idea: Idea, into: Idea) -> Problem | None:
    """Why idea cannot be merged into another (itself, or either already decided), or None."""
    open_ = (IdeaStatus.PRIVATE, IdeaStatus.REVEALED)
    if idea.id == into.id or idea.status not in open_ or into.status in (IdeaStatus.DISMISSED, IdeaStatus.MERGED):
        return Problem("idea_cannot_merge")
    return None


def make_vote(
    question: str, kind: VoteKind, options: Sequence[str], dots: int, votes_before: int = 0
) -> tuple[str, tuple[str, ...], int] | Problem:
    """A vote's cleaned question, options (unique, in order) and dots per person, or a Problem (also when the room
    already had ROOM_VOTES votes: votes_before)."""
    q = _one_line(question[: MAX_QUESTION * 4])[:MAX_QUESTION]
    unique = tuple(dict.fromkeys(o for o in options if o))
    if votes_before >= ROOM_VOTES:
        return Problem("room_votes_full", {"max": ROOM_VOTES})
    if not unique:
        return Problem("vote_no_options")
    if len(unique) > MAX_OPTIONS:
        return Problem("vote_too_many_options", {"max": MAX_OPTIONS})
    if any(len(o) > MAX_OPTION for o in unique):
        return Problem("vote_bad_option")
    if not 1 <= dots <= MAX_DOTS:
        return Problem("vote_dots_range", {"max": MAX_DOTS})
    return q, unique, dots


def can_dot(vote: Vote | None, option: str, mine: int) -> Problem | None:
    """Why one more dot (the person has placed `mine` already) cannot go on option, or None."""
    if vote is None or not vote.is_open:
        return Problem("vote_closed")
    if option not in vote.options:
        return Problem("vote_bad_option")
    if mine >= vote.dots:
        return Problem("vote_no_dots", {"dots": vote.dots})
    return None


def tally(vote: Vote, dots: Iterable[tuple[str, str]], counted: Mapping[str, int] | None = None) -> list[tuple[str, int]]:
    """Dots per option (every option listed, most dots first, then in the vote's order), from (participant, option)
    pairs and from results already counted (an imported vote's: option -> dots); dots beyond a person's allowance or on
    unknown options are not counted."""
    per_person: Counter[str] = Counter()
    counts: Counter[str] = Counter({o: max(0, int((counted or {}).get(o, 0))) for o in vote.options})
    for who, option in dots:
        if option in counts and per_person[who] < vote.dots:
            per_person[who] += 1
            counts[option] += 1
    order = {o: i for i, o in enumerate(vote.options)}
    return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def dots_left(vote: Vote, mine: int) -> int:
    """Dots a person still has in a vote."""
    return max(0, vote.dots - mine)


DEFAULT_BASE_URL = "http://localhost:8501"


def join_address(token: str, base: str | None = None) -> str:
    """The address participants open: the app's base address (DEFAULT_BASE_URL when none) with ?join=TOKEN."""
    return f"{(base or DEFAULT_BASE_URL).rstrip('/')}/?join={token}"


def idea_votes(votes: Iterable[Vote], tallies: Iterable[Sequence[tuple[str, int]]]) -> Counter[int]:
    """Dots received by each idea over every vote on ideas (tallies in the order of votes)."""
    total: Counter[int] = Counter()
    for vote, counts in zip(votes, tallies):
        if vote.kind is VoteKind.IDEAS:
            for option, n in counts:
                if option.isdigit():
                    total[int(option)] += n
    return total


def listing(ideas: Iterable[Idea], anonymous: bool, votes: Counter[int]) -> list[dict[str, object]]:
    """The room's ideas as plain records: id, text, author (None when anonymous), parent, votes, status, node, merged_into."""
    return [
        {
            "id": i.id,
            "text": i.text,
            "author": author(i, anonymous),
            "parent": i.parent,
            "votes": votes.get(i.id, 0),
            "status": i.status.value,
            "node": i.node,
            "merged_into": i.merged_into,
        }
        for i in ideas
    ]


def spend(budget: float | None, at: float | None, now: float) -> float | None:
    """A participant's write budget after one more write (None: refused, nothing left). A token bucket: WRITE_BURST
    writes at once, refilled at WRITE_RATE a second; a participant who never wrote has a full one."""
    full = float(WRITE_BURST)
    left = full if budget is None or at is None else min(full, budget + max(0.0, now - at) * WRITE_RATE)
    return left - 1.0 if left >= 1.0 else None
