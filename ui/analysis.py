"""The review screen's parts: design review by principle, what-if, levers (KFS) and goal seek."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import analysis
from kpidesign.findings import Finding, Severity
from kpidesign.fixes import Fix, fix_for
from kpidesign.i18n import finding_text, problem_text, t
from kpidesign.model import Direction, Workshop
from kpidesign.review import PRINCIPLES, DesignReview, Group, Triage, review, triage
from kpidesign.values import format_value, parse_number
from ui import graphs, jump
from ui.cache import open_snapshot
from ui.pages import spec_at
from ui.text import lang, md, say, tr

ICON = {Severity.ERROR: ":material/error:", Severity.WARNING: ":material/warning:", Severity.HINT: ":material/lightbulb:"}
CHART_LEVERS = 25


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_review(workshop_id: str, version: int, _ws: Workshop) -> DesignReview:
    """The design review of one version (a version never changes, so id and version are the key; shared, never mutated)."""
    return review(_ws)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_levers(workshop_id: str, version: int, _ws: Workshop) -> list[analysis.Lever]:
    """The levers of one version."""
    return analysis.rank_levers(_ws)


def design_review(ws: Workshop, workshop_id: str, version: int) -> None:
    """What to fix now and what to consider, grouped by node, each finding a link to the field that fixes it; then the
    score of each principle."""
    if (target := st.session_state.pop(GO, None)) is not None:
        kept = {k: st.query_params[k] for k in ("lang", "projector") if k in st.query_params}  # the view survives a reload
        st.switch_page(jump.page(target[0]), query_params={**kept, **target[1]})
    view = _review_view(workshop_id, version, lang(), "now", ws)
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
                part = _review_view(workshop_id, version, lang(), "hint", ws)
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
            format_func=lambda j, lines=group.lines: lines[j].label,
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


@st.cache_resource(max_entries=32, show_spinner=False)
def _triage(workshop_id: str, version: int, _ws: Workshop) -> Triage:
    """The review of one version sorted into what to fix now and what to consider (shared, never mutated)."""
    return triage(cached_review(workshop_id, version, _ws).findings, _ws)


@st.cache_resource(max_entries=64, show_spinner=False)
def _review_view(workshop_id: str, version: int, language: str, part: str, _ws: Workshop) -> _View:
    """The review of one version laid out for the screen in one language: counts, and for one part ("now": errors and
    warnings, "hint": hints, worked out only when opened) the linked groups and the rest as text."""
    r = cached_review(workshop_id, version, _ws)
    found = _triage(workshop_id, version, _ws)
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


def _movable(model: analysis.TreeModel, ws: Workshop) -> list[str]:
    """Nodes with a value that can be pinned: the formula levers first, then every other node but the KGI."""
    levers = model.levers()
    rest = [n.id for n in ws.nodes if n.parent is not None and n.id not in levers]
    return [i for i in [*levers, *rest] if model.values.get(i) is not None]


def what_if(ws: Workshop, workshop_id: str, version: int) -> None:
    """Move levers by a percentage or to a value; the KGI and the graph follow at once (a big tree folded, as
    elsewhere, with the moved levers and their paths drawn)."""
    model = analysis.TreeModel(ws)
    names = {n.id: n.name for n in ws.nodes}
    levers = _movable(model, ws)
    if not model.levers():
        st.info(tr("no_levers"))
        return
    chosen = st.multiselect(tr("whatif_levers"), levers, format_func=names.get, key="wi_levers", max_selections=8, placeholder=tr("choose"))
    changes: dict[str, float] = {}
    for node_id in chosen:
        node, current = ws.node(node_id), model.values[node_id]
        left, right = st.columns([3, 1])
        percent = left.slider(
            f"{md(names[node_id])} ({format_value(current, node.unit)})", -50, 100, 10, step=1, format="%+d%%", key=f"wi_pct_{node_id}"
        )
        typed = right.text_input(tr("whatif_to_value"), key=f"wi_val_{node_id}", help=tr("number_help"))
        value = parse_number(typed)
        if typed.strip() and not value.ok:
            right.error(md(problem_text(value.problem, lang())))
        changes[node_id] = value.value if value.ok and value.value is not None else current * (1 + percent / 100)
    result = analysis.what_if(ws, changes)
    kgi = ws.kgi
    delta = f"{result.kgi_change:+.2%}" if result.kgi_change is not None else None
    left, right = st.columns(2)
    left.metric(say("kgi_now", name=kgi.name), format_value(result.kgi_before, kgi.unit))
    right.metric(say("kgi_whatif", name=kgi.name), format_value(result.kgi_after, kgi.unit), delta)
    if kgi.target is not None and result.kgi_after is not None:
        reached = (
            result.kgi_after >= kgi.target if kgi.thresholds.direction is Direction.HIGHER_IS_BETTER else result.kgi_after <= kgi.target
        )
        (st.success if reached else st.info)(
            tr("whatif_vs_target", target=format_value(kgi.target, kgi.unit), gap=format_value(result.kgi_after - kgi.target, kgi.unit))
        )
    snap = open_snapshot()
    graphs.tree(snap, whatif=result.moved, depth=graphs.levels(snap, key="wi_levels"))
    st.caption(tr("whatif_legend"))


def levers(ws: Workshop, workshop_id: str, version: int) -> None:
    """The tornado chart of the strongest levers' effect on the KGI, the KFS candidate, and every lever in a table."""
    ranked = cached_levers(workshop_id, version, ws)
    if not ranked:
        st.info(tr("no_levers"))
        return
    names = {n.id: n.name for n in ws.nodes}
    best = ranked[0] if ranked[0].kgi_change_1 != 0 else None
    if best:
        st.success(
            tr("kfs_candidate", name=md(names[best.node]), one=f"{best.kgi_change_1:+.2%}", ten=f"{best.kgi_change_10:+.1%}"),
            icon=":material/star:",
        )
        if tied := analysis.tied_with_first(ranked):
            at = "—" if best.kgi_change_at_target is None else f"{best.kgi_change_at_target:+.1%}"
            st.caption(
                tr(
                    "kfs_tied",
                    names="、".join(md(names[lv.node]) for lv in tied) if lang() == "ja" else ", ".join(md(names[lv.node]) for lv in tied),
                    name=md(names[best.node]),
                    at=at,
                )
            )
    rows = []
    top = ranked[:CHART_LEVERS]
    for lv in top:
        rows.append({"lever": names[lv.node], "step": "−10%", "change": lv.kgi_change_minus_10 * 100})
        rows.append({"lever": names[lv.node], "step": "+10%", "change": lv.kgi_change_10 * 100})
    order = [names[lv.node] for lv in top]
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            y=alt.Y("lever:N", sort=order, title=None, axis=alt.Axis(labelLimit=420, labelFontSize=20)),  # read from the back row
            x=alt.X("change:Q", title=tr("kgi_change_percent"), axis=alt.Axis(labelFontSize=18, titleFontSize=18)),
            color=alt.Color("step:N", title=tr("lever_step"), scale=alt.Scale(domain=["−10%", "+10%"], range=["#f87171", "#1e3a8a"])),
            tooltip=["lever", "step", alt.Tooltip("change:Q", format="+.3f")],
        )
        .properties(height=max(200, 46 * len(top)))
        .configure_legend(labelFontSize=18, titleFontSize=18)
    )
    st.altair_chart(chart, width="stretch")
    table = pd.DataFrame(
        {
            tr("node"): [names[lv.node] for lv in ranked],
            tr("baseline"): [format_value(lv.value, ws.node(lv.node).unit) for lv in ranked],
            "+1%": [f"{lv.kgi_change_1:+.3%}" for lv in ranked],
            "+10%": [f"{lv.kgi_change_10:+.2%}" for lv in ranked],
            "−10%": [f"{lv.kgi_change_minus_10:+.2%}" for lv in ranked],
            tr("at_own_target"): ["—" if lv.kgi_change_at_target is None else f"{lv.kgi_change_at_target:+.2%}" for lv in ranked],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(tr("levers_help"))


def goal_seek(ws: Workshop) -> None:
    """The value one lever must reach for the KGI to hit its target, all else equal."""
    model = analysis.TreeModel(ws)
    names = {n.id: n.name for n in ws.nodes}
    levers = _movable(model, ws)
    kgi = ws.kgi
    if not model.levers() or kgi.target is None:
        st.info(tr("no_levers") if not model.levers() else tr("need_kgi_target"))
        return
    node_id = st.selectbox(tr("goal_lever"), levers, format_func=names.get, key="gs_lever")
    raw = st.text_input(say("goal_target", name=kgi.name), value=format_value(kgi.target, kgi.unit), key="gs_target")
    target = parse_number(raw)
    if not target.ok or target.value is None:
        st.error(say("p_not_a_number", text=raw[:40]))
        return
    g = analysis.goal_seek(ws, node_id, target.value)
    unit = ws.node(node_id).unit
    if g.possible:
        change = f"{g.needed / g.current - 1:+.1%}" if g.current else ""
        st.success(
            tr(
                "goal_needed",
                name=md(names[node_id]),
                current=format_value(g.current, unit, precise=False),
                needed=format_value(g.needed, unit, precise=False),
                change=change,
            ),
            icon=":material/target:",
        )
    elif g.needed is not None:  # a rate above 100% or a count below 0: the arithmetic's answer, never shown as achievable
        st.warning(
            tr(
                "goal_out_of_range",
                name=md(names[node_id]),
                needed=format_value(g.needed, unit, precise=False),
                target=format_value(target.value, kgi.unit),
                unit=md(unit),
            ),
            icon=":material/block:",
        )
    else:
        st.warning(tr("goal_impossible", name=md(names[node_id]), target=format_value(target.value, kgi.unit)), icon=":material/block:")
