"""The review tab: what to fix now and what to consider, grouped by node, each finding a link to the field that fixes
it, then the score of each principle; worked out once per snapshot (ui.cache)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from kpidesign.findings import Finding, Severity
from kpidesign.fixes import Fix, fix_for
from kpidesign.i18n import finding_text, t
from kpidesign.review import PRINCIPLES, DesignReview, Group, Triage, review, triage
from ui import jump
from ui.cache import Snapshot, cached, workshop
from ui.pages import spec_at
from ui.state import go
from ui.text import looked_up, md, tr

ICON = {Severity.ERROR: ":material/error:", Severity.WARNING: ":material/warning:", Severity.HINT: ":material/lightbulb:"}


@cached(uses=("version",), max_entries=32)
def cached_review(snap: Snapshot) -> DesignReview:
    """The design review of one version (shared, never mutated)."""
    return review(workshop(snap))


def design_review(snap: Snapshot) -> None:
    """What to fix now and what to consider, grouped by node, each finding a link to the field that fixes it; then the
    score of each principle."""
    if (target := st.session_state.pop(GO, None)) is not None:
        go(jump.page(target[0]), target[1])
    view = _review_view(snap, "now")
    st.markdown(f"### {tr('review_headline', now=view.errors + view.warnings, later=view.hints)}")
    if view.errors + view.warnings:
        st.subheader(tr("review_fix_now", errors=view.errors, warnings=view.warnings), divider="red" if view.errors else "orange")
        st.caption(tr("review_link_help"))
        _groups(view.groups, view.rest, "now")
    else:
        st.success(tr("review_nothing_now" if view.hints else "review_clean"), icon=":material/check_circle:")
    if view.hints:
        hints = st.expander(
            tr("review_consider", hints=view.hints),
            expanded=view.errors + view.warnings == 0,
            icon=":material/lightbulb:",
            key="rv_hints_open",
            on_change="rerun",
        )
        if hints.open:  # drawn only when opened: a big tree's thousand hints cost nothing while they are folded
            with hints:
                part = _review_view(snap, "hint")
                _groups(part.groups, part.rest, "hint")
    st.subheader(tr("review_scores"))
    for column, (principle, score) in zip(st.columns(len(PRINCIPLES)), view.scores):
        column.metric(tr(f"principle_{principle}"), f"{score}", help=tr(f"principle_{principle}_help"))


LINKED_GROUPS = 12  # groups to fix now drawn with a link per finding; the rest is one block of text (a 500-node tree: a few dozen elements)
LINKED_HINTS = 6  # the same for the hints, folded below
GO = "review_go"
SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "orange", Severity.HINT: "blue"}


@dataclass(frozen=True)
class _Line:
    severity: Severity
    label: str  # Markdown, user text made literal
    page: str
    params: dict[str, str]


@dataclass(frozen=True)
class _Group:
    title: str  # Markdown, user text made literal
    lines: tuple[_Line, ...]


@dataclass(frozen=True)
class _View:
    errors: int
    warnings: int
    hints: int
    groups: tuple[_Group, ...]  # of the part asked for: to fix now, or hints
    rest: str
    scores: tuple[tuple[str, int], ...]


def _groups(groups: tuple[_Group, ...], rest: str, kind: str) -> None:
    """The first groups each as one list whose lines open where the finding is fixed (a radio group styled as links by
    ui.theme: one element per group, not one per finding), then the rest as one block of text."""
    for i, group in enumerate(groups):
        key = f"rv_{kind}_{i}"
        st.radio(
            group.title,
            range(len(group.lines)),
            index=None,
            key=key,
            format_func=looked_up({j: line.label for j, line in enumerate(group.lines)}),
            on_change=_go,
            args=(key, group.lines),
        )
    if rest:
        st.markdown(rest)


def _go(key: str, lines: tuple[_Line, ...]) -> None:
    """A finding was clicked: remember where it is fixed (the page switch happens in the run, not in a callback)."""
    chosen = st.session_state.get(key)
    st.session_state[key] = None  # back on the review, nothing is left chosen
    if chosen is not None:
        st.session_state[GO] = (lines[chosen].page, lines[chosen].params)


@cached(uses=("version",), max_entries=32)
def _triage(snap: Snapshot) -> Triage:
    """The review of one version sorted into what to fix now and what to consider (shared, never mutated)."""
    return triage(cached_review(snap).findings, workshop(snap))


@cached(uses=("version", "language"), max_entries=64)
def _review_view(snap: Snapshot, part: str) -> _View:
    """The review of one version laid out for the screen in one language: counts, and for one part ("now": errors and
    warnings, "hint": hints, worked out only when opened) the linked groups and the rest as text."""
    _ws, language = workshop(snap), snap.language
    r = cached_review(snap)
    found = _triage(snap)
    names = {n.id: n.name for n in _ws.nodes}
    kgi = _ws.kgi.id
    places: dict[Fix, str] = {}

    def where(f: Finding) -> tuple[Fix, str]:
        fix = fix_for(f, kgi)
        if fix not in places:
            places[fix] = jump.where(fix, language)
        return fix, places[fix]

    def title(group: Group) -> str:
        worst = group.findings[0].severity
        name = md(names[group.node]) if group.node is not None else f"*{t('review_whole_workshop', language)}*"
        return f":{SEVERITY_COLOUR[worst]}[{ICON[worst]}] **{name}**"

    def lines(group: Group) -> tuple[_Line, ...]:
        out = []
        for f in group.findings:
            fix, place = where(f)
            sev = f":{SEVERITY_COLOUR[f.severity]}[{ICON[f.severity]} **{t('sev_' + f.severity.value, language)}**]"
            label = f"{sev} {md(finding_text(f, language))} → {place}"
            out.append(_Line(f.severity, label, spec_at(fix.page).file, jump.address(fix, f.node, language)))
        return tuple(out)

    def rest(groups: tuple[Group, ...], shown: int) -> str:
        if not groups:
            return ""
        head = t("review_more", language, groups=len(groups), findings=sum(len(g.findings) for g in groups), shown=shown)
        blocks = [
            f"**{md(names[g.node]) if g.node else t('review_whole_workshop', language)}**  \n"
            + "  \n".join(
                f":{SEVERITY_COLOUR[f.severity]}[{ICON[f.severity]}] {md(finding_text(f, language))} → {where(f)[1]}" for f in g.findings
            )
            for g in groups
        ]
        return head + "\n\n" + "\n\n".join(blocks)

    chosen, shown = (found.fix_now, LINKED_GROUPS) if part == "now" else (found.consider, LINKED_HINTS)
    return _View(
        found.errors,
        found.warnings,
        found.hints,
        tuple(_Group(title(g), lines(g)) for g in chosen[:shown]),
        rest(chosen[shown:], shown),
        tuple((p, r.score(p)) for p in PRINCIPLES),
    )
