"""The wall: the Room page in projector mode, what the room reads on the projector (kpidesign.wall works out what).

One HTML block, redrawn every second from the database: the question, the join code (large while people join, small
once ideas arrive), the counts, the timer, the revealed ideas grouped by the node they answer at the size that fits,
and the latest vote; once ideas are grouped into themes, each node's ideas under their themes' labels. Nothing private
is ever in it, and it never scrolls, whatever window the projector's browser has: the sidebar is hidden, the wall takes
the window's height below what is above it, the ideas take the height its top row leaves (a flex column), and a tiny
script measures that area and sends it here, where the ideas are laid out and paged for it (kpidesign.wall). Every
text a person typed is escaped (html.escape) before it is placed.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import streamlit as st

from kpidesign import room as R
from kpidesign import wall
from kpidesign.model import Workshop
from kpidesign.moderation import hidden_options
from kpidesign.room import IdeaStatus, Room, VoteKind
from ui import qr
from ui.room import agenda as agenda_ui
from ui.room.console import base_url, token
from ui.state import store
from ui.text import tr

BALLOT_WIDTH = 500  # px of the vote's panel beside the ideas
LAYOUT_MEMO = "room_wall_layout"
SIZE_KEY = "room_wall_size"  # what the browser measured: {"size": {"w": the body's width, "h": the ideas' height}}
# The wall's size, measured in the projector's browser (st.components.v2: inline, no iframe) and sent only when it
# changes (a resize, another top row): the wall's top (so it ends at the window's bottom, whatever is above it), the
# width of its body and the height the flex layout leaves its ideas, independent of the ideas drawn in it.
_SIZE_JS = """
export default function ({ setStateValue }) {
  const state = (window.__kpidesignWall ||= { sent: "", send: null });
  const send = (size) => setStateValue("size", size);
  state.send = send;
  if (!state.measure) {
    state.measure = () => {
      const wall = document.querySelector(".kd-wall");
      if (!wall) return;
      const top = Math.max(0, Math.round(wall.getBoundingClientRect().top));
      document.documentElement.style.setProperty("--kd-wall-top", `${top}px`);
      const body = document.querySelector(".kd-body"), ideas = document.querySelector(".kd-ideas");
      if (!body || !ideas || !state.send) return;
      const size = { w: Math.floor(body.clientWidth), h: Math.floor(ideas.clientHeight) };
      const text = `${size.w}x${size.h}`;
      if (text !== state.sent) { state.sent = text; state.sends = (state.sends || 0) + 1; state.send(size); }
    };
    setInterval(state.measure, 400);
    window.addEventListener("resize", state.measure);
  }
  requestAnimationFrame(state.measure);
  return () => { if (state.send === send) { state.send = null; state.sent = ""; } };
}
"""
_size = st.components.v2.component("kpidesign.wall_size", js=_SIZE_JS)
STYLE = f"""<style>
/* the wall: the whole screen, no sidebar, nothing scrolls */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 0.6rem 40px 0 40px !important; max-width: 100% !important; }}
[data-testid="stMain"] {{ overflow: hidden; }}
.st-key-{SIZE_KEY} {{ display: none; }}
.kd-wall {{ font-family: "Noto Sans CJK JP", "Noto Sans JP", sans-serif; color: #1a1a1a;
  height: calc(100vh - var(--kd-wall-top, 5.5rem) - 12px);
  display: flex; flex-direction: column; gap: 12px; overflow: hidden; }}
.kd-top {{ display: flex; align-items: center; gap: 28px; min-height: 150px; }}
.kd-question {{ flex: 1; font-size: 52px; font-weight: 700; line-height: 1.2; }}
.kd-step {{ font-size: 24px; color: #555; font-weight: 400; }}
.kd-counts {{ display: flex; gap: 22px; font-size: 26px; color: #333; }}
.kd-counts b {{ display: block; font-size: 48px; color: #111; line-height: 1.1; }}
.kd-timer {{ font-size: 96px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1; }}
.kd-timer.over {{ color: #c0392b; }}
.kd-qr-small img {{ width: 150px; height: 150px; display: block; }}
.kd-join {{ display: flex; align-items: center; justify-content: center; gap: 60px; flex: 1; }}
.kd-join img {{ height: min(56vh, 600px); width: auto; }}
.kd-join-text {{ font-size: 40px; max-width: 760px; line-height: 1.4; }}
.kd-join-text code {{ font-size: 24px; word-break: break-all; background: #f3f3f3; padding: 4px 8px; }}
.kd-body {{ display: flex; gap: 24px; flex: 1; min-height: 0; }}
.kd-area {{ flex: 1; min-width: 0; min-height: 0; display: flex; flex-direction: column; }}
.kd-ideas {{ flex: 1; min-height: 0; column-gap: {wall.COLUMN_GAP}px; column-fill: auto; overflow: hidden; line-height: {wall.LINE}; }}
.kd-group {{ break-inside: avoid; break-after: avoid; font-weight: 700; color: #1f4e79; margin: 0.2em 0 0.25em 0;
  font-size: 1.05em; border-bottom: 3px solid #1f4e79; }}
.kd-theme {{ color: #7a4b00; border-bottom-color: #e0a800; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.kd-theme .kd-of {{ color: #666; font-weight: 400; font-size: max(0.75em, {wall.SIZES[-1][0]}px); }}  /* never under the wall's smallest text */
.kd-card {{ break-inside: avoid; background: #fff8d6; border-left: 8px solid #f1c40f; border-radius: 6px;
  padding: 0.2em 0.45em; margin-bottom: 0.35em; }}
.kd-card .kd-text {{ display: -webkit-box; -webkit-line-clamp: {wall.CLAMP}; -webkit-box-orient: vertical; overflow: hidden; }}
.kd-card .kd-no {{ color: #777; margin-right: 0.3em; }}
.kd-card .kd-who {{ color: #555; }}
.kd-card .kd-dots {{ color: #1f4e79; font-weight: 700; }}
.kd-page {{ flex: none; height: 32px; line-height: 32px; font-size: 24px; color: #555; text-align: right; }}
.kd-empty {{ font-size: 40px; color: #666; margin-top: 1em; }}
.kd-ballot {{ width: {BALLOT_WIDTH}px; flex: none; font-size: 28px; min-height: 0; overflow: hidden; }}
.kd-ballot h3 {{ font-size: 34px; margin: 0 0 0.4em 0; }}
.kd-bar {{ display: flex; align-items: center; gap: 10px; margin: 6px 0; }}
.kd-bar span.kd-label {{ width: 260px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }}
.kd-bar span.kd-fill {{ background: #4c78a8; height: 28px; border-radius: 4px; }}
</style>"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _question(room: Room, ws: Workshop, asked: str | None = None) -> str:
    names = {n.id: n.name for n in ws.nodes}
    step = tr(f"nav_{room.step}")
    if asked:  # the agenda's segment asks its own question (ui.room.agenda.asked)
        return f'<div class="kd-step">{_e(names.get(room.node or "", step))}</div>{_e(asked)}'
    if room.node in names:
        return f'<div class="kd-step">{_e(step)}</div>{_e(tr("room_prompt_node", node=names[room.node]))}'
    return _e(tr("room_prompt_step", step=step))  # plain text, escaped as HTML: never Markdown's backslashes


def _timer(room: Room, now: float) -> str:
    left = room.timer.remaining(now)
    if left is None:
        return ""
    text = f"{int(left) // 60}:{int(left) % 60:02d}"
    return f'<div class="kd-timer{" over" if left <= 0 else ""}" title="{_e(tr("room_time_left", time=text))}">{text}</div>'


def _counts(people: int, ideas: list[R.Idea]) -> str:
    items = [
        (tr("room_participants"), people),
        (tr("room_ideas"), len(ideas)),
        (tr("room_private_count"), sum(i.status is IdeaStatus.PRIVATE for i in ideas)),
    ]
    return '<div class="kd-counts">' + "".join(f"<div><b>{n}</b>{_e(label)}</div>" for label, n in items) + "</div>"


def _ideas(laid: wall.Layout, names: dict[str, str], now: float, area: str) -> str:
    """The ideas' area: the page shown now, and under it a line kept for the page number (empty with one page: the
    area's height never depends on what it holds, so what the browser measures is what the layout had)."""
    if not any(g.cards for page in laid.pages for g in page):
        return f'<div class="kd-area"><div class="kd-ideas" data-area="{area}"><div class="kd-empty">{_e(tr("room_wall_waiting"))}</div></div><div class="kd-page"></div></div>'
    page = wall.page_at(len(laid.pages), now)
    parts = []
    for group in laid.pages[page]:
        node = _e(names.get(group.node) or tr("room_no_parent"))
        if group.theme:  # one theme of the node's ideas: its label, the node in small
            parts.append(f'<div class="kd-group kd-theme">{_e(group.theme)} <span class="kd-of">· {node}</span></div>')
        else:
            parts.append(f'<div class="kd-group">{node}</div>')
        for card in group.cards:
            who = f' <span class="kd-who">— {_e(card.author)}</span>' if card.author else ""
            dots = f' <span class="kd-dots">● {card.dots}</span>' if card.dots else ""
            parts.append(
                f'<div class="kd-card"><div class="kd-text"><span class="kd-no">#{card.id}</span>{_e(card.text)}{who}{dots}</div></div>'
            )
    style = f"font-size:{laid.font}px;column-count:{laid.columns}"
    more = f"{page + 1} / {len(laid.pages)}" if len(laid.pages) > 1 else ""
    return f'<div class="kd-area"><div class="kd-ideas" data-area="{area}" style="{style}">{"".join(parts)}</div><div class="kd-page">{more}</div></div>'


def _ballot(shown: wall.Ballot, labels: dict[str, str]) -> str:
    title = tr("room_wall_voting" if shown.open else "room_results", question=shown.question)
    if shown.open:
        rows = "".join(f'<div class="kd-bar"><span class="kd-label">{_e(labels.get(o, o))}</span></div>' for o in shown.options)
        rows += f"<div>{_e(tr('room_wall_dots_placed', count=shown.placed))}</div>"
    else:
        top = max((n for _, n in shown.results), default=0) or 1
        rows = "".join(
            f'<div class="kd-bar"><span class="kd-label">{_e(labels.get(o, o))}</span>'
            f'<span class="kd-fill" style="width:{round(200 * n / top)}px"></span><b>{n}</b></div>'
            for o, n in shown.results[: R.MAX_OPTIONS]
        )
    return f'<div class="kd-ballot"><h3>{_e(title)}</h3>{rows}</div>'


def _laid(stamp: tuple[object, ...], width: int, height: int, found: Callable[[], list[wall.Group]]) -> wall.Layout:
    """The ideas' layout, worked out again only when the room, the design, the language or the area changed (the wall
    is redrawn every second for its timer and its pages; at a full room's 1,000 ideas the layout takes ~0.4 s)."""
    held = st.session_state.get(LAYOUT_MEMO)
    if held is None or held[0] != (stamp, width, height):
        held = ((stamp, width, height), wall.layout(found(), width, height))
        st.session_state[LAYOUT_MEMO] = held
    laid: wall.Layout = held[1]
    return laid


def draw(workshop_id: str, room: Room, ws: Workshop, stamp: tuple[object, ...]) -> None:
    """The whole wall, as it stands now (stamp: the room's revision, the design's version and the language)."""
    now = time.time()
    _size(key=SIZE_KEY, default={"size": None}, on_size_change=lambda: None, height=0)  # hidden: it only measures
    ideas, votes = store().rooms.ideas(workshop_id), store().votes.all(workshop_id)
    vote = votes[-1] if votes and votes[-1].shown(room) else None
    hidden = hidden_options(ideas, vote.kind) if vote is not None else frozenset[str]()  # held, muted
    shown = wall.ballot(vote, store().votes.tally(vote, workshop_id) if vote else [], hidden)
    held = token(workshop_id) if room.is_open else None
    names = {n.id: n.name for n in ws.nodes}
    band = agenda_ui.band(workshop_id, room, ws, now)  # the agenda's segment and its time left, when one runs
    top = f'<div class="kd-question">{_question(room, ws, agenda_ui.asked(workshop_id, room, ws))}</div>{_counts(store().rooms.participant_count(workshop_id), ideas)}{_timer(room, now)}'
    if held is not None and wall.qr_large(ideas, room.activity):
        address = R.join_address(held, base_url())
        join = f'<div class="kd-join"><img alt="QR" src="{qr.svg_uri(address)}"><div class="kd-join-text">{_e(tr("room_wall_scan"))}<br><code>{_e(address)}</code></div></div>'
        st.html(f'<div class="kd-wall">{band}<div class="kd-top">{top}</div>{join}</div>')
        return
    if held is not None:
        top += f'<div class="kd-qr-small"><img alt="QR" src="{qr.svg_uri(R.join_address(held, base_url()))}"></div>'
    closed = [v for v in votes if not v.is_open]  # an open vote's running counts are not the room's to follow
    across, height = wall.area((st.session_state.get(SIZE_KEY) or {}).get("size"))  # FALLBACK until the browser measured
    width = max(across - (BALLOT_WIDTH + 24 if shown else 0), wall.LIMITS[0][0])

    def found() -> list[wall.Group]:
        dots = R.idea_votes(closed, [store().votes.tally(v, workshop_id) for v in closed]) if closed else {}
        return wall.groups(ideas, [n.id for n in ws.nodes], room.anonymous, dots, store().themes.all(workshop_id))

    body = _ideas(_laid(stamp, width, height, found), names, now, f"{across}x{height}")  # the area it was laid out for
    if shown is not None and vote is not None:
        seen = wall.on_wall(ideas)  # an option the room has not seen is shown by its number only
        labels = {str(i.id): f"#{i.id} {i.text}" for i in seen} if vote.kind is VoteKind.IDEAS else names
        body += _ballot(shown, labels)
    st.html(f'<div class="kd-wall">{band}<div class="kd-top">{top}</div><div class="kd-body">{body}</div></div>')
