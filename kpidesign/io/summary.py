"""The summary a facilitator sends after the session: one self-contained HTML page that prints to A4.

The KGI as a sentence, the tree's picture (the SVG export, inline), the KFS by the tree's arithmetic and what the room
voted, the definition sheet's owners and thresholds, the monitoring plan with each meeting's next date, and the room's
themes; in the workshop's language. Nothing is fetched: the CSS is inline, the picture is inline SVG, the fonts are the
reader's own (Japanese ones named as fallbacks), and a Content-Security-Policy forbids any request. Every text a person
typed goes through Jinja2's autoescape (a name `<script>` or `{{x}}` prints as written); only the SVG, whose text
kpidesign.io.image escapes itself, is inserted as markup.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from kpidesign import analysis
from kpidesign.i18n import t
from kpidesign.io import image
from kpidesign.io.summary_page import PAGE
from kpidesign.language import Language
from kpidesign.model import Cadence, Direction, Node, RoomRecord, Workshop
from kpidesign.room import IdeaStatus, VoteKind
from kpidesign.tree import walk
from kpidesign.values import format_change, format_value, is_percent

# the printable area of A4 at the page's margins (CSS px, 96 to the inch): the tree is laid out in the direction that
# draws its text largest there (a wide tree turned left to right fills a portrait page better than one thin row)
PAGE_WIDTH_PX = 182 / 25.4 * 96
PAGE_HEIGHT_PX = 230 / 25.4 * 96
TOP_LEVERS = 5  # the levers listed beside the KFS candidate
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_SHOWN_IDEAS = (IdeaStatus.REVEALED, IdeaStatus.ACCEPTED, IdeaStatus.MERGED)  # what the room has seen; never a private idea


@dataclass(frozen=True)
class DefinitionRow:
    """One KPI of the definition sheet as the summary prints it (every value already formatted)."""

    depth: int
    name: str
    layer: str  # leading | intermediate | lagging | "" (the swatch's class)
    layer_text: str
    unit: str
    owner: str
    frequency: str
    baseline: str
    target: str
    green: str
    yellow: str


@dataclass(frozen=True)
class LeverRow:
    """A lever and its effect on the KGI."""

    name: str
    baseline: str
    one: str
    ten: str
    at_target: str


@dataclass(frozen=True)
class VoteRow:
    """One option of a vote with its dots and the width of its bar (% of the most dots)."""

    name: str
    dots: int
    bar: int
    top: bool


@dataclass(frozen=True)
class Vote:
    """A vote the room held: its heading, the room's choice and the options, most dots first."""

    heading: str
    chosen: str
    rows: tuple[VoteRow, ...]


@dataclass(frozen=True)
class Meeting:
    """A review meeting with its next date."""

    name: str
    cadence: str
    next: str
    kpis: str
    participants: str


@dataclass(frozen=True)
class AlertRow:
    """An alert rule as one line."""

    kpi: str
    when: str
    notify: str
    action: str


@dataclass(frozen=True)
class Theme:
    """A theme the room's ideas were grouped into: its label, what it became and its ideas' texts."""

    label: str
    count: str
    node: str
    ideas: tuple[str, ...]


def next_review(cadence: Cadence, after: dt.date) -> dt.date:
    """The first meeting one cadence after a date: the next day, week, month (the day kept, or the month's last) or quarter."""
    if cadence is Cadence.DAILY:
        return after + dt.timedelta(days=1)
    if cadence is Cadence.WEEKLY:
        return after + dt.timedelta(days=7)
    months = 1 if cadence is Cadence.MONTHLY else 3
    year, month = divmod(after.month - 1 + months, 12)
    year, month = after.year + year, month + 1
    return dt.date(year, month, min(after.day, calendar.monthrange(year, month)[1]))


def long_date(day: dt.date, lang: Language) -> str:
    """A date as people write it: 2027年3月31日 / 31 March 2027."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "ja" else f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def amount(value: float | None, unit: str, lang: Language) -> str:
    """A value for reading with its unit (the app's one rule, kpidesign.values.format_value): 8億 円, 1.8%, 120M JPY."""
    if value is None:
        return ""
    text = format_value(value, unit, precise=False, lang=lang)
    return text if not unit or is_percent(unit) else f"{text} {unit}"


def kgi_sentence(ws: Workshop, lang: Language) -> str:
    """The KGI in one sentence: what, from where to where, by when (plain text: escaped where it is printed)."""
    kgi = ws.kgi
    if kgi.baseline is not None and kgi.target is not None:
        ratio = (kgi.target - kgi.baseline) / kgi.baseline if kgi.baseline else None
        change = format_change(kgi.target - kgi.baseline, ratio, kgi.unit) or amount(kgi.target - kgi.baseline, kgi.unit, lang)
        goal = t(
            "summary_kgi_change",
            lang,
            name=kgi.name,
            baseline=amount(kgi.baseline, kgi.unit, lang),
            target=amount(kgi.target, kgi.unit, lang),
            change=change,
        )
    elif kgi.target is not None:
        goal = t("summary_kgi_to", lang, name=kgi.name, target=amount(kgi.target, kgi.unit, lang))
    else:
        goal = t("summary_kgi_name", lang, name=kgi.name)
    if kgi.deadline is None:
        return t("summary_kgi_open", lang, goal=goal)
    return t("summary_kgi_by", lang, goal=goal, deadline=long_date(kgi.deadline, lang))


def tree_svg(ws: Workshop, lang: Language) -> str:
    """The tree's picture as the SVG export draws it, turned the way that draws it largest on a portrait A4 page."""

    def fit(direction: str) -> float:
        lay = image.layout(ws, lang, direction)
        return min(PAGE_WIDTH_PX / lay.width, PAGE_HEIGHT_PX / lay.height)

    best = max(("TB", "LR"), key=fit)
    svg = image.to_svg(ws, lang, best)
    return svg[svg.index("<svg") :]  # no XML declaration inside an HTML page (to_svg writes none today; one would be text)


def _definitions(ws: Workshop, lang: Language) -> list[DefinitionRow]:
    rows = []
    for node, depth in walk(ws):
        th, unit = node.thresholds, node.unit
        mark = "≤ " if th.direction is Direction.LOWER_IS_BETTER else "≥ "
        rows.append(
            DefinitionRow(
                depth=depth,
                name=node.name,
                layer=node.layer.value if node.layer else "",
                layer_text=t(node.layer.value, lang) if node.layer else t("none", lang),
                unit=unit,
                owner=node.definition.owner,
                frequency=t(node.definition.frequency.value, lang) if node.definition.frequency else "",
                baseline=format_value(node.baseline, unit, precise=False, lang=lang),
                target=format_value(node.target, unit, precise=False, lang=lang),
                green=mark + format_value(th.green, unit, precise=False, lang=lang) if th.green is not None else "",
                yellow=mark + format_value(th.yellow, unit, precise=False, lang=lang) if th.yellow is not None else "",
            )
        )
    return rows


def _joined(names: list[str], lang: Language) -> str:
    return ("、" if lang == "ja" else ", ").join(names)


def _kfs(ws: Workshop, lang: Language) -> tuple[str, str, list[LeverRow]]:
    """The KFS candidate's sentence, the note on levers tied with it, and the strongest levers."""
    names = {n.id: n.name for n in ws.nodes}
    ranked = analysis.rank_levers(ws)
    best = ranked[0] if ranked and ranked[0].kgi_change_1 != 0 else None
    if best is None:
        return t("summary_no_kfs", lang), "", []
    sentence = t("summary_kfs_candidate", lang, name=names[best.node], one=f"{best.kgi_change_1:+.2%}", ten=f"{best.kgi_change_10:+.1%}")
    tied = analysis.tied_with_first(ranked)
    note = t("summary_kfs_tied", lang, names=_joined([names[lv.node] for lv in tied], lang)) if tied else ""
    levers = [
        LeverRow(
            name=names[lv.node],
            baseline=amount(lv.value, ws.node(lv.node).unit, lang),
            one=f"{lv.kgi_change_1:+.2%}",
            ten=f"{lv.kgi_change_10:+.1%}",
            at_target="—" if lv.kgi_change_at_target is None else f"{lv.kgi_change_at_target:+.1%}",
        )
        for lv in ranked[:TOP_LEVERS]
    ]
    return sentence, note, levers


def _votes(ws: Workshop, room: RoomRecord | None, lang: Language) -> list[Vote]:
    if room is None:
        return []
    nodes = {n.id: n.name for n in ws.nodes}
    ideas = _readable(room)  # an option that is an idea held or private is named by its label only
    out = []
    for vote in room.votes:
        names = ideas if vote.kind is VoteKind.IDEAS else nodes
        results = sorted(vote.results.items(), key=lambda item: -item[1])  # most dots first, ties in the vote's own order
        most = max((n for _, n in results), default=0)
        rows = tuple(
            VoteRow(name=names.get(option, option), dots=n, bar=round(100 * n / most) if most else 0, top=most > 0 and n == most)
            for option, n in results
        )
        chosen = [r.name for r in rows if r.top]
        out.append(
            Vote(
                heading=t("summary_vote", lang, question=vote.question or "—", dots=vote.dots),
                chosen=t("summary_vote_top", lang, names=_joined(chosen, lang), dots=most) if chosen else t("summary_vote_empty", lang),
                rows=rows,
            )
        )
    return out


def _monitoring(ws: Workshop, lang: Language, today: dt.date) -> tuple[list[Meeting], str, list[AlertRow]]:
    names = {n.id: n.name for n in ws.nodes}
    meetings, soonest = [], None
    for review in ws.monitoring.reviews:
        when = next_review(review.cadence, today)
        if soonest is None or when < soonest[0]:
            soonest = (when, review.name)
        meetings.append(
            Meeting(
                name=review.name,
                cadence=t(review.cadence.value, lang),
                next=long_date(when, lang),
                kpis=_joined([names.get(k, k) for k in review.kpis], lang),
                participants=_joined(list(review.participants), lang),
            )
        )
    headline = t("summary_next_review", lang, date=long_date(soonest[0], lang), name=soonest[1]) if soonest else ""
    alerts = [
        AlertRow(
            kpi=names.get(a.kpi, a.kpi),
            when=t(f"summary_at_{a.when.value}", lang),
            notify=f"{t(a.channel.value, lang)} {a.to}".strip(),
            action=a.action,
        )
        for a in ws.monitoring.alerts
    ]
    return meetings, headline, alerts


def _themes(ws: Workshop, room: RoomRecord | None, lang: Language) -> list[Theme]:
    """The room's themes (`room.themes`), each with the texts of the ideas the room has seen; read defensively, as the
    field may be absent from the model (another part of the app adds it) or hold ideas that are gone."""
    if room is None:
        return []
    nodes = {n.id: n.name for n in ws.nodes}
    seen = _readable(room)
    out = []
    for theme in getattr(room, "themes", None) or []:
        texts = tuple(seen[i] for i in _field(theme, "ideas") or [] if i in seen)
        node = _field(theme, "node")
        out.append(
            Theme(
                label=str(_field(theme, "label") or "—"),
                count=t("summary_theme_ideas", lang, count=len(texts)),
                node=t("summary_theme_node", lang, name=nodes[node]) if node in nodes else "",
                ideas=texts,
            )
        )
    return out


def _readable(room: RoomRecord) -> dict[str, str]:
    """The texts of the ideas the room has read (by their labels): never a private one nor one held for approval."""
    return {i.id: i.text for i in room.ideas if i.status in _SHOWN_IDEAS and not i.held}


def _field(item: Any, name: str) -> Any:
    """A theme's field, whether the model gives it as an object or a mapping."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


@cache
def _template() -> Template:
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.from_string(PAGE)


def to_html(ws: Workshop, lang: Language | None = None, today: dt.date | None = None) -> str:
    """The summary page of a workshop in a language (default: the workshop's own), dated today unless told."""
    lang = lang or ws.language
    today = today or dt.date.today()
    room = ws.room
    kfs, tied, levers = _kfs(ws, lang)
    meetings, next_headline, alerts = _monitoring(ws, lang, today)
    kgi: Node = ws.kgi
    return _template().render(
        lang=lang,
        t=lambda key, **params: t(key, lang, **params),
        title=ws.title,
        description=ws.description,
        made=t("summary_made", lang, date=long_date(today, lang)),
        kgi_sentence=kgi_sentence(ws, lang),
        why=kgi.definition.why,
        objective=kgi.objective,
        svg=Markup(tree_svg(ws, lang)),  # markup as it is: kpidesign.io.image escapes every text it draws
        kfs=kfs,
        tied=tied,
        levers=levers,
        votes=_votes(ws, room, lang),
        definitions=_definitions(ws, lang),
        meetings=meetings,
        next_headline=next_headline,
        alerts=alerts,
        room_counts=t(
            "summary_room_counts",
            lang,
            ideas=len(room.ideas),
            nodes=sum(1 for i in room.ideas if i.status is IdeaStatus.ACCEPTED),
        )
        if room and room.ideas
        else "",
        themes=_themes(ws, room, lang),
        has_room=room is not None,
    )
