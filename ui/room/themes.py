"""The facilitator's themes: the revealed ideas of each node grouped by what they say (kpidesign.themes), near-identical
ones offered for merging; rename a theme, move an idea into another theme, make a theme a node (its ideas kept as the
node's evidence, one versioned and undoable edit) or put themes to the vote.

Drawn in the console's live fragment with the inbox (one fragment: a second one on its own timer kept the page
rerunning twice as often): what it shows is worked out once per room revision, and every change is one store write
(ui.saving), made on top of the themes as they are inside it.
"""

from __future__ import annotations

import threading

import streamlit as st

from kpidesign import room as R
from kpidesign import themes as T
from kpidesign import tree
from kpidesign.model import Workshop
from kpidesign.room import Idea, VoteKind
from kpidesign.themes import Theme
from ui.saving import commit, write
from ui.state import store
from ui.text import md, tr

NODE = "room_themes_node"  # which node's themes are shown
PICK = "room_theme_pick"
EDIT_OPEN = "room_themes_edit_open"  # the forms that change the themes, drawn only while open
CARD_IDEAS = 12  # ideas a theme's card lists on the console (the rest counted)
_warming: list[threading.Thread] = []


def warm() -> None:
    """Import what grouping needs on a thread, once per process (the first reveal then does not wait for it)."""
    if not _warming:
        _warming.append(threading.Thread(target=T.warm, name="themes-warm", daemon=True))
        _warming[0].start()


def regroup(workshop_id: str) -> None:
    """Keep the themes as they are now (after a reveal: the new ideas placed)."""
    write(lambda: store().themes.regroup(workshop_id), workshop_id=workshop_id)


def by_node(themes: list[Theme], ws: Workshop) -> dict[str, list[Theme]]:
    """The themes per node they answer, in the tree's order ("" — no node, or one no longer in the tree — last)."""
    known = [n.id for n in ws.nodes]
    found: dict[str, list[Theme]] = {}
    for t in themes:
        found.setdefault(t.parent if t.parent in known else "", []).append(t)
    return {k: found[k] for k in [*known, ""] if k in found}


def _theme(workshop_id: str, theme_id: object) -> Theme | None:
    return next((t for t in store().themes.all(workshop_id) if t.id == theme_id), None)


def _rename(workshop_id: str) -> None:
    theme = _theme(workshop_id, st.session_state.get(PICK))
    label = str(st.session_state.get("room_theme_label") or "")
    if theme is not None:
        write(lambda: store().themes.rename(workshop_id, theme.id, label, theme.ideas), workshop_id=workshop_id)


def _make_node(workshop_id: str) -> None:
    """The chosen theme becomes a node under the node its ideas answer (the KGI when none): one edit, one undo; its
    ideas are recorded as that node's evidence."""
    theme = _theme(workshop_id, st.session_state.get(PICK))
    if theme is None or theme.node:
        return
    made: list[str] = []

    def change(ws: Workshop) -> Workshop:
        made.clear()
        parent = theme.parent if theme.parent in {n.id for n in ws.nodes} else ws.kgi.id
        ws, node = tree.add_node(ws, parent, theme.label)
        made.append(node)
        return ws

    if commit(change, tr("room_theme_summary", name=theme.label[:60])) and made:
        write(lambda: store().themes.make_node(workshop_id, theme.id, made[0], theme.ideas), workshop_id=workshop_id)


def _move(workshop_id: str) -> None:
    idea, to = st.session_state.get("room_theme_move_idea"), st.session_state.get("room_theme_move_to")
    if isinstance(idea, int):
        write(lambda: store().themes.move(workshop_id, idea, to if isinstance(to, int) and to > 0 else None), workshop_id=workshop_id)


def _merge(workshop_id: str, idea: int, into: int) -> None:
    write(lambda: store().rooms.merge_idea(workshop_id, idea, into), workshop_id=workshop_id)


def _vote(workshop_id: str) -> None:
    chosen = set(st.session_state.get("room_themes_vote_pick") or [])
    options = [T.vote_option(t) for t in store().themes.all(workshop_id) if t.id in chosen]
    question = tr("room_themes_vote_question")
    write(lambda: store().votes.open(workshop_id, question, VoteKind.THEMES, options, R.DEFAULT_DOTS), workshop_id=workshop_id)


def card(theme: Theme, texts: dict[int, str], names: dict[str, str]) -> str:
    """One theme as Markdown (every text made literal): its label and count, the node it became, its first CARD_IDEAS
    ideas (a theme of a full room's 160 would be redrawn every second) and how many more."""
    became = f" :green[{md(tr('room_theme_became', node=names.get(theme.node, theme.node)))}]" if theme.node else ""
    head = f"**{md(theme.label)}** :gray[· {tr('room_theme_count', count=len(theme.ideas))}]{became}"
    listed = " · ".join(f":gray[#{i}] {md(texts.get(i, ''))}" for i in theme.ideas[:CARD_IDEAS])
    more = len(theme.ideas) - CARD_IDEAS
    return head + "  \n" + listed + (f" :gray[{tr('room_theme_more', count=more)}]" if more > 0 else "")


def panel(workshop_id: str, ws: Workshop, themes: list[Theme], ideas: list[Idea]) -> None:
    """Every node's themes (one node at a time when several were answered), what to do with them."""
    st.caption(tr("room_themes_hint"))
    grouped = by_node(themes, ws)
    if not grouped:
        st.info(tr("room_themes_none"))
        return
    names = {n.id: n.name for n in ws.nodes}
    label = {k: f"{names.get(k) or tr('room_no_parent')} ({len(v)})" for k, v in grouped.items()}
    node = next(iter(grouped))
    if len(grouped) > 1:
        picked = st.segmented_control(tr("room_themes_node"), list(grouped), key=NODE, format_func=label.__getitem__, default=node)
        node = picked if picked in grouped else node
    shown = grouped[node]
    texts = {i.id: i.text for i in ideas}
    for theme in shown:
        with st.container(border=True, key=f"room_theme_{theme.id}"):
            st.markdown(card(theme, texts, names))
            if theme.duplicates:
                with st.container(horizontal=True):
                    for idea, into in theme.duplicates[:5]:
                        st.button(
                            tr("room_theme_merge", idea=idea, into=into),
                            key=f"room_theme_merge_{idea}_{into}",
                            icon=":material/merge:",
                            on_click=_merge,
                            args=(workshop_id, idea, into),
                            help=tr("room_theme_duplicates"),
                        )
    forms(workshop_id, shown, texts)


def forms(workshop_id: str, shown: list[Theme], texts: dict[int, str]) -> None:
    """Rename, make a node, move an idea, put themes to the vote: drawn only when opened (their pickers carry every
    theme and idea of the node, redrawn with the live fragment every second)."""
    opened = st.expander(tr("room_themes_edit_open"), icon=":material/edit:", key=EDIT_OPEN, on_change="rerun")
    if not opened.open:
        return
    titles = {t.id: t.label[:60] for t in shown}
    with opened, st.form("room_theme_form", border=True):
        st.selectbox(tr("room_theme_pick"), list(titles), key=PICK, format_func=titles.__getitem__)
        st.text_input(tr("room_theme_label"), key="room_theme_label", max_chars=T.MAX_LABEL)
        with st.container(horizontal=True):
            st.form_submit_button(tr("room_theme_rename"), key="room_theme_rename", on_click=_rename, args=(workshop_id,))
            st.form_submit_button(
                tr("room_theme_make_node"),
                key="room_theme_make_node",
                type="primary",
                icon=":material/add_circle:",
                on_click=_make_node,
                args=(workshop_id,),
                help=tr("room_theme_make_node_help"),
            )
    where = {i: t.id for t in shown for i in t.ideas}
    targets = {**titles, 0: tr("room_theme_new")}
    with opened, st.form("room_theme_move_form", border=True):
        st.selectbox(
            tr("room_theme_move_idea"), list(where), key="room_theme_move_idea", format_func=lambda i: f"#{i} {texts.get(i, '')[:60]}"
        )
        st.selectbox(tr("room_theme_move_to"), list(targets), key="room_theme_move_to", format_func=targets.__getitem__)
        st.form_submit_button(
            tr("room_theme_move"), key="room_theme_move", icon=":material/drive_file_move:", on_click=_move, args=(workshop_id,)
        )
    with opened, st.form("room_themes_vote_form", border=True):
        st.multiselect(
            tr("room_themes_vote_pick"),
            list(titles),
            key="room_themes_vote_pick",
            format_func=titles.__getitem__,
            max_selections=R.MAX_OPTIONS,
            placeholder=tr("choose"),
        )
        st.form_submit_button(
            tr("room_themes_vote"), key="room_themes_vote", icon=":material/how_to_vote:", on_click=_vote, args=(workshop_id,)
        )


def draw(workshop_id: str, ws: Workshop, themes: list[Theme], ideas: list[Idea]) -> None:
    """The themes as they are now (drawn in the console's live fragment, in the inbox's place when chosen)."""
    panel(workshop_id, ws, themes, ideas)
