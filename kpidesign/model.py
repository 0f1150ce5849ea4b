"""The workshop and everything in it: nodes, definitions, thresholds, the monitoring plan.

Whatever the way in (typed input, YAML, Excel, the database), a workshop holds only finite numbers (NaN and ±inf are
refused with the field named), and its names and texts are cleaned as typed input cleans them (values.clean_line:
one line, no control characters or line separators; values.clean_block: control characters dropped, line breaks LF).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kpidesign import agenda as plan
from kpidesign import room as rules
from kpidesign.index import index
from kpidesign.language import Language
from kpidesign.room import DEFAULT_DOTS, MAX_DOTS, MAX_IDEA, MAX_OPTIONS, MAX_QUESTION, IdeaStatus, VoteKind
from kpidesign.room import MAX_NAME as MAX_ROOM_NAME
from kpidesign.values import clean_block, clean_line, connection_problem

Line = Annotated[str, AfterValidator(clean_line)]  # a name, a unit, a recipient: one line
Text = Annotated[str, AfterValidator(clean_block)]  # free text: line breaks kept


def _connection_name(name: str) -> str:
    """A connection is named, never given as a URL (the workshop and its files are shared; the URL stays on the server)."""
    if name and connection_problem(name) is not None:
        raise ValueError("a connection is a name of letters, digits and _ (its URL, with any password, belongs in the server's secrets)")
    return name


class Layer(StrEnum):
    """Where an indicator sits in time: early behaviour, steps, or the result."""

    LEADING = "leading"
    INTERMEDIATE = "intermediate"
    LAGGING = "lagging"


class Sensitivity(StrEnum):
    """How fast an indicator moves: in days/weeks (high) or over quarters (low)."""

    HIGH = "high"
    LOW = "low"


class Frequency(StrEnum):
    """How often a KPI's number is updated."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Aggregation(StrEnum):
    """How values over time make one period's value (kpidesign.aggregation infers it when a definition leaves it out)."""

    SUM = "sum"  # a flow: orders, sales, new customers in the period
    AVERAGE = "average"  # a rate, score, price or per-unit figure without numerator and denominator
    LAST = "last"  # a stock or level: customers at a date, population, headcount (the period's last value)


class Cadence(StrEnum):
    """How often a review meeting takes place."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Direction(StrEnum):
    """Whether a higher or a lower value is the good one."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class ComparisonAxis(StrEnum):
    """An axis a KPI is compared along."""

    PRIOR_PERIOD = "prior_period"
    PRIOR_YEAR = "prior_year"
    TARGET = "target"
    MARKET = "market"


class AlertLevel(StrEnum):
    """The status at which an alert fires."""

    RED = "red"
    YELLOW = "yellow"
    OUT_OF_CONTROL = "out_of_control"  # the data's own limits (kpidesign.control): beyond centre ± 2.66 × mean moving range, or a run of 8


class Channel(StrEnum):
    """Where an alert is delivered."""

    SLACK = "slack"
    EMAIL = "email"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False, allow_inf_nan=False)


class Definition(_Base):
    """One row of the definition sheet (all optional)."""

    expression: Text = ""
    numerator: Text = ""
    denominator: Text = ""
    period: Text = ""
    source: Text = ""
    frequency: Frequency | None = None
    owner: Text = ""
    why: Text = ""
    comparisons: list[ComparisonAxis] = Field(default_factory=list)
    query: Text = ""  # SQL returning date, value[, market], run by `kpidesign refresh` on the named connection
    connection: Annotated[str, AfterValidator(clean_line), AfterValidator(_connection_name)] = ""  # a name: its URL stays on the server
    aggregation: Aggregation | None = None  # None: inferred (kpidesign.aggregation.infer) and shown as inferred


class Thresholds(_Base):
    """Red/yellow/green levels: at or beyond green is green, at or beyond yellow is yellow, else red."""

    direction: Direction = Direction.HIGHER_IS_BETTER
    green: float | None = None
    yellow: float | None = None


class Node(_Base):
    """A KPI in the tree; the node without a parent is the KGI."""

    id: str
    parent: str | None = None
    name: Line
    unit: Line = ""
    layer: Layer | None = None
    sensitivity: Sensitivity | None = None
    baseline: float | None = None
    target: float | None = None
    formula: Text = ""
    deadline: dt.date | None = None
    objective: Text = ""
    definition: Definition = Field(default_factory=Definition)
    thresholds: Thresholds = Field(default_factory=Thresholds)


class ReviewMeeting(_Base):
    """A recurring meeting that looks at some KPIs."""

    name: Line
    cadence: Cadence = Cadence.WEEKLY
    kpis: list[str] = Field(default_factory=list)
    participants: list[Line] = Field(default_factory=list)


class Alert(_Base):
    """A rule: when a KPI reaches a status, tell someone through a channel what to do."""

    kpi: str
    when: AlertLevel = AlertLevel.RED
    channel: Channel = Channel.SLACK
    to: Line = ""
    action: Text = ""


class LearningEntry(_Base):
    """One turn of the learning loop: observe -> insight -> act -> integrate."""

    date: dt.date
    kpi: str = ""
    observe: Text = ""
    insight: Text = ""
    act: Text = ""
    integrate: Text = ""


class Monitoring(_Base):
    """The monitoring plan: reviews, alerts and the learning log."""

    reviews: list[ReviewMeeting] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list)
    learning_log: list[LearningEntry] = Field(default_factory=list)


class Actual(_Base):
    """An observed value of a KPI at a date (and, optionally, the market's value for comparison)."""

    kpi: str
    date: dt.date
    value: float
    market: float | None = None


class RoomIdea(_Base):
    """An idea the room contributed, as exported (participant mode): literal text, the node it answers, what became of it."""

    id: str = Field(max_length=64)
    text: Line = Field(max_length=MAX_IDEA)
    parent: str | None = Field(default=None, max_length=rules.MAX_OPTION)
    author: Line | None = Field(default=None, max_length=MAX_ROOM_NAME)
    status: IdeaStatus = IdeaStatus.PRIVATE
    node: str | None = Field(default=None, max_length=rules.MAX_OPTION)
    merged_into: str | None = Field(default=None, max_length=64)
    held: bool = False  # revealed, but waiting for the facilitator's approval (kpidesign.moderation)


class RoomVote(_Base):
    """A question put to the room's vote and its results: option (an idea's id or a node's id) -> dots."""

    question: Line = Field(default="", max_length=MAX_QUESTION)
    kind: VoteKind = VoteKind.NODES
    dots: int = Field(default=DEFAULT_DOTS, ge=1, le=MAX_DOTS)
    results: dict[Annotated[str, Field(max_length=rules.MAX_OPTION)], Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, max_length=MAX_OPTIONS
    )

    @model_validator(mode="after")
    def _dots_a_room_can_give(self) -> RoomVote:
        """No more dots than a full room can place (kpidesign.room.max_dots): the store keeps them as counts either way."""
        most = rules.max_dots(self.dots)
        if sum(self.results.values()) > most:
            raise ValueError(f"results: at most {most} dots in all ({rules.MAX_PARTICIPANTS} people x {self.dots} dots)")
        return self


class RoomModeration(_Base):
    """A room's moderation: every revealed idea held for approval or not, and its block-word list (absent: the defaults,
    kpidesign.moderation.default_words), within the store's bounds (kpidesign.room)."""

    hold: bool = False
    block_words: list[Annotated[Line, Field(max_length=rules.MAX_BLOCK_WORD)]] | None = Field(default=None, max_length=rules.BLOCK_WORDS)


class RoomTheme(_Base):
    """Ideas the room's ideas were grouped into (kpidesign.themes): a label, the ideas (by their ids in `ideas`), the
    node it became."""

    label: Line = Field(min_length=1, max_length=MAX_IDEA)
    ideas: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=rules.ROOM_IDEAS)
    node: str | None = Field(default=None, max_length=rules.MAX_OPTION)


class RoomRecord(_Base):
    """What a workshop's room contributed (kept in the store's room tables; attached for export and import only), within
    what a live room can hold: the same limits as the store's (kpidesign.room)."""

    anonymous: bool = True
    ideas: list[RoomIdea] = Field(default_factory=list, max_length=rules.ROOM_IDEAS)
    votes: list[RoomVote] = Field(default_factory=list, max_length=rules.ROOM_VOTES)
    moderation: RoomModeration | None = None  # absent: hold off, the default block words
    themes: list[RoomTheme] = Field(default_factory=list, max_length=rules.ROOM_IDEAS)

    @model_validator(mode="after")
    def _ideas_named_once(self) -> RoomRecord:
        """Every idea's id once (votes and merges name ideas by it). Authors are display names, not people: two Kens
        are two people, so nothing is counted per name."""
        if len({i.id for i in self.ideas}) != len(self.ideas):
            raise ValueError("ideas: an id is given to two ideas")
        return self

    @model_validator(mode="after")
    def _themes_name_ideas_once(self) -> RoomRecord:
        """A theme names ideas of the record, and an idea is in one theme at most."""
        known = {i.id for i in self.ideas}
        named = [i for t in self.themes for i in t.ideas]
        if any(i not in known for i in named):
            raise ValueError("themes: a theme names an idea that is not in ideas")
        if len(set(named)) != len(named):
            raise ValueError("themes: an idea is in two themes")
        return self


def _agenda_step(raw: object) -> object:
    """A segment's step as written (1-5 as a number or text, room, review): the step, or the raw value for the error."""
    step = plan.parse_step(raw)
    return raw if step is None else step


def _said(text: str) -> str:
    """A required text, after cleaning: not empty."""
    if not text:
        raise ValueError("must not be empty")
    return text


def _agenda_total(segments: list[AgendaSegment]) -> list[AgendaSegment]:
    """An agenda no longer than a working day (kpidesign.agenda.MAX_TOTAL_MINUTES)."""
    total = sum(s.minutes for s in segments)
    if total > plan.MAX_TOTAL_MINUTES:
        raise ValueError(f"at most {plan.MAX_TOTAL_MINUTES} minutes in all ({total} given)")
    return segments


class AgendaSegment(_Base):
    """One segment of the session's run of show: its title, the method's step (1-5, room or review), the node asked
    about, its time box and what the phones are asked (the bounds are kpidesign.agenda's)."""

    title: Annotated[Line, AfterValidator(_said)] = Field(max_length=plan.MAX_TITLE)
    step: Annotated[plan.AgendaStep, BeforeValidator(_agenda_step)] = "room"
    node: str | None = Field(default=None, max_length=rules.MAX_OPTION)
    minutes: int = Field(ge=1, le=plan.MAX_MINUTES)
    prompt: Line = Field(default="", max_length=plan.MAX_PROMPT)


class Workshop(_Base):
    """A whole workshop: its title and its tree, KGI first, then nodes in display order."""

    title: Line
    description: Text = ""
    language: Language = "ja"
    nodes: list[Node]
    monitoring: Monitoring = Field(default_factory=Monitoring)
    actuals: list[Actual] = Field(default_factory=list)
    room: RoomRecord | None = None  # participant mode's ideas and votes (attached like the actuals: stored in their own tables)
    agenda: Annotated[list[AgendaSegment], AfterValidator(_agenda_total)] = Field(default_factory=list, max_length=plan.MAX_SEGMENTS)

    @property
    def kgi(self) -> Node:
        """The root node."""
        return next(n for n in self.nodes if n.parent is None)

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if none); the first one if an id were repeated."""
        return index(self).by_id[node_id]

    def children(self, node_id: str) -> list[Node]:
        """The direct children of a node, in display order."""
        return [n for n in self.nodes if n.parent == node_id]


def new_workshop(title: str, language: Language = "ja", kgi_name: str = "") -> Workshop:
    """A fresh workshop with an empty KGI."""
    return Workshop(title=title, language=language, nodes=[Node(id="kgi", name=kgi_name or "KGI")])
