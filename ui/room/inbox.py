"""The facilitator's inbox: every idea, grouped by the node it answers, and what to do with the ones chosen: make them
nodes (each under the node it answers, one versioned and undoable edit), dismiss them, or merge duplicates.

It refreshes every second while phones send, so it is a few elements however many ideas: per group a title and one row
of pills (an idea each: tap to choose it; its number, text, author and dots), the decided ones as one line, and one row
of actions. What it shows is worked out once per room revision (kpidesign.store: every write to the room bumps it),
through ui.cache's one key (the snapshot, and the revision as an option), and shared by every console.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from kpidesign import room as R
from kpidesign import tree
from kpidesign.model import Workshop
from kpidesign.room import Idea, IdeaStatus, Room
from kpidesign.values import EditError, Problem
from ui.cache import Snapshot, cached, workshop
from ui.room import moderation
from ui.saving import commit, write
from ui.state import store
from ui.text import md, tr

OPEN = (IdeaStatus.PRIVATE, IdeaStatus.REVEALED)
PICK = "room_pick_"  # the key of each group's pills (+ the round of choosing, + the group's node id, "" for none)
AT_ONCE = 200  # undecided ideas the inbox draws at once; past them, one page of one node's group at a time
PAGE = 50  # undecided ideas on one page of a group, past AT_ONCE
ROUND = "room_pick_round"
STYLE = """<style>
/* the inbox's ideas, readable on the projector from the back of the room and easy to tap */
[class*="st-key-room_pick_"] button { min-height: 2.6rem; }
[class*="st-key-room_pick_"] button p { font-size: 1.15rem; }
</style>"""


@dataclass(frozen=True)
class Group:
    """One node's ideas as the inbox shows them: its title, the open ideas' labels (idea id → pill text), the decided
    ideas as one Markdown line."""

    key: str
    title: str
    labels: dict[int, str]
    decided: str


def label(idea: Idea, anonymous: bool, dots: int) -> str:
    """An open idea's pill: its number, its text (literal), its author when names are shown, its dots."""
    who = R.author(idea, anonymous)
    tags = (f"{tr('room_held_tag')} " if idea.held else "") + (f"{tr('room_muted_tag')} " if idea.muted else "")  # moderation
    return f"#{idea.id} {tags}" + md(idea.text) + (f" — {md(who)}" if who else "") + (f" · ● {dots}" if dots else "")


def groups(ws: Workshop, room: Room, ideas: list[Idea], dots: Counter[int]) -> list[Group]:
    """The ideas grouped by the node they answer, in the order the groups were first answered."""
    names = {n.id: n.name for n in ws.nodes}
    members: dict[str, list[Idea]] = {}
    for idea in ideas:
        members.setdefault(idea.parent if idea.parent in names else "", []).append(idea)
    out = []
    for parent, those in members.items():
        decided = [
            f"#{i.id} {md(i.text)} :gray[({tr('room_status_' + i.status.value)}{f' · ● {dots[i.id]}' if dots[i.id] else ''})]"
            for i in those
            if i.status not in OPEN
        ]
        out.append(
            Group(
                parent,
                f"**{md(names[parent]) if parent else tr('room_no_parent')}** ({len(those)})",
                {i.id: label(i, room.anonymous, dots[i.id]) for i in those if i.status in OPEN},
                " · ".join(decided),
            )
        )
    return out


@dataclass(frozen=True)
class Worked:
    """What the console shows of a room at one revision: the inbox's groups, the ideas sent, those still private."""

    groups: tuple[Group, ...]
    ideas: int
    private: int


@cached(uses=("version", "language"), max_entries=16)
def worked_out(snap: Snapshot, rev: int | None, with_muted: bool = False) -> Worked:
    """The inbox's groups and counts at one revision of the room (rev: every write to the room changes it), worked out
    once and shared by every console showing that revision; the design's version and the language are in the snapshot.
    Muted participants' ideas are in the groups only with_muted (the facilitator's switch); the counts count every idea."""
    wid = snap.workshop
    room = store().rooms.get(wid)
    if room is None:
        return Worked((), 0, 0)
    ideas, votes = store().rooms.ideas(wid), store().votes.all(wid)
    dots = R.idea_votes(votes, [store().votes.tally(v, wid) for v in votes]) if votes else Counter[int]()
    private = sum(i.status is IdeaStatus.PRIVATE for i in ideas)
    shown = ideas if with_muted else [i for i in ideas if not i.muted]
    return Worked(tuple(groups(workshop(snap), room, shown, dots)), len(ideas), private)


def _prefix() -> str:
    """The pills' key prefix of this round of choosing (a new one after each action, so every pill is drawn unchosen)."""
    return f"{PICK}{st.session_state.get(ROUND, 0)}_"


def chosen() -> list[int]:
    """The ideas chosen in every group's pills, in the order sent."""
    prefix, state = _prefix(), st.session_state
    keys = [key for key in state if str(key).startswith(prefix)]  # the keys first: reading every value costs
    return sorted({i for key in keys for i in (state[key] or [])})


def clear() -> None:
    """Start a new round of choosing: every pill drawn unchosen."""
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1


def _accept(workshop_id: str) -> None:
    """Every chosen idea becomes a node under the node it answers (the KGI when none): one edit, one undo."""
    ideas = {i.id: i for i in store().rooms.ideas(workshop_id)}
    picked = [ideas[i] for i in chosen() if i in ideas and ideas[i].status in OPEN]
    made: list[tuple[int, str]] = []

    def change(ws: Workshop) -> Workshop:
        made.clear()
        ids = {n.id for n in ws.nodes}
        for idea in picked:
            ws, node_id = tree.add_node(ws, idea.parent if idea.parent in ids else ws.kgi.id, idea.text)
            made.append((idea.id, node_id))
        return ws

    if picked and commit(change, tr("room_summary_accept", name=" / ".join(i.text[:40] for i in picked)[:120])):
        # the ideas marked in one transaction; should that fail, the message says so and Undo takes the nodes back
        write(lambda: store().rooms.accept_ideas(workshop_id, made), workshop_id=workshop_id)
    clear()


def _dismiss(workshop_id: str) -> None:
    gone = chosen()  # only those still undecided: one accepted meanwhile elsewhere stays accepted (the store checks)
    write(lambda: store().rooms.dismiss_ideas(workshop_id, gone), workshop_id=workshop_id)
    clear()


def _merge(workshop_id: str) -> None:
    """The chosen ideas merged into the first of them (the one sent first)."""
    first, *rest = chosen() or [0]

    def merge() -> None:
        if not rest:
            raise EditError(Problem("idea_cannot_merge"))
        for idea_id in rest:
            store().rooms.merge_idea(workshop_id, idea_id, first)

    write(merge, workshop_id=workshop_id)
    clear()


def _remove_authors(workshop_id: str) -> None:
    """Every author of a chosen idea taken out of the room, in one write (a participant flooding the room)."""
    picked = set(chosen())
    authors = sorted({i.participant for i in store().rooms.ideas(workshop_id) if i.id in picked})
    write(lambda: store().rooms.remove_participants(workshop_id, authors), workshop_id=workshop_id)
    clear()


def _approve(workshop_id: str) -> None:
    moderation.approve(workshop_id, chosen())
    clear()


def _mute_authors(workshop_id: str) -> None:
    moderation.mute_authors(workshop_id, set(chosen()))
    clear()


@dataclass(frozen=True)
class Action:
    """A button above the inbox's ideas that acts on the chosen ones: its key, label and icon, what it does, and how many ideas
    must be chosen for it."""

    key: str
    label: str
    icon: str | None
    act: Callable[[str], None]
    least: int = 1
    help: str | None = None
    primary: bool = False


ACTIONS = (
    Action("room_accept", "room_accept_chosen", ":material/add_circle:", _accept, help="room_accept_help", primary=True),
    Action("room_dismiss", "room_dismiss", None, _dismiss),
    Action("room_merge", "room_merge", ":material/merge:", _merge, least=2),
    Action("room_remove_authors", "room_remove_authors", ":material/person_remove:", _remove_authors, help="room_remove_help"),
    Action("room_approve", "room_approve_chosen", ":material/check_circle:", _approve, help="room_approve_help"),
    Action("room_mute_authors", "room_mute_authors", ":material/volume_off:", _mute_authors, help="room_mute_help"),
)


def actions(workshop_id: str) -> None:
    """What to do with the chosen ideas: make them nodes, dismiss them, merge them into the first, remove their authors;
    approve them (those held), mute their authors (ui.room.moderation)."""
    n = len(chosen())
    with st.container(horizontal=True):
        for a in ACTIONS:
            st.button(
                tr(a.label, count=n),
                key=a.key,
                icon=a.icon,
                type="primary" if a.primary else "secondary",
                disabled=n < a.least,
                on_click=a.act,
                args=(workshop_id,),
                help=tr(a.help) if a.help else None,
            )


def pages(shown: list[Group], size: int = PAGE) -> list[Group]:
    """Each group cut into pages of `size` undecided ideas, keyed "first:node id" (unambiguous whatever the id): the
    title of a page of a longer group says which of its ideas it holds; the decided ones are listed with its first page."""
    out = []
    for group in shown:
        ids = list(group.labels)
        for start in range(0, max(len(ids), 1), size):
            part = ids[start : start + size]
            title = group.title if len(ids) <= size else f"{group.title} · {start + 1}–{start + len(part)}"
            out.append(Group(f"{start}:{group.key}", title, {i: group.labels[i] for i in part}, group.decided if start == 0 else ""))
    return out


def _one_group(shown: list[Group]) -> list[Group]:
    """Past AT_ONCE undecided ideas, one page of one node's group at a time (chosen by its title and range): a full
    room's 1,000 pills redrawn every second made the console slow; every idea stays one tap away."""
    shown = pages(shown)
    titles = {g.key: g.title for g in shown}
    picked = st.segmented_control(
        tr("room_inbox_group"), list(titles), key="room_inbox_group", format_func=titles.__getitem__, default=shown[0].key
    )
    return [g for g in shown if g.key == (picked if picked in titles else shown[0].key)]


def inbox(workshop_id: str, shown: tuple[Group, ...] | list[Group]) -> None:
    """Every idea, grouped by the node it answers: tap ideas to choose them, then an action."""
    st.caption(tr("room_inbox_hint"))
    actions(workshop_id)
    if shown and sum(len(g.labels) for g in shown) > AT_ONCE:
        shown = _one_group(list(shown))
    for group in shown:
        st.markdown(group.title)
        if group.labels:
            key = _prefix() + group.key
            st.pills(
                group.title,
                list(group.labels),
                selection_mode="multi",
                key=key,
                format_func=group.labels.__getitem__,
                label_visibility="collapsed",
            )
        if group.decided:
            st.markdown(group.decided)
