"""The review screen's parts: design review by principle, what-if, levers (KFS) and goal seek."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import analysis
from kpidesign.findings import Severity
from kpidesign.i18n import finding_text, problem_text
from kpidesign.model import Workshop
from kpidesign.review import PRINCIPLES, Review, review
from kpidesign.values import format_value, parse_number
from ui import graphs
from ui.session import lang, md, say, tr

ICON = {Severity.ERROR: ":material/error:", Severity.WARNING: ":material/warning:", Severity.HINT: ":material/lightbulb:"}
CHART_LEVERS = 25


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_review(workshop_id: str, version: int, _ws: Workshop) -> Review:
    """The design review of one version (a version never changes, so id and version are the key; shared, never mutated)."""
    return review(_ws)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_sensitivity(workshop_id: str, version: int, _ws: Workshop) -> list[analysis.Lever]:
    """The levers of one version."""
    return analysis.sensitivity(_ws)


def design_review(ws: Workshop, workshop_id: str, version: int) -> None:
    """Scores per principle, then the findings of each principle, errors first."""
    counts, principles = _review_text(workshop_id, version, lang(), ws)
    st.caption(tr("review_counts", errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING], hints=counts[Severity.HINT]))
    for column, (principle, score, _, _, _) in zip(st.columns(len(PRINCIPLES)), principles):
        column.metric(tr(f"principle_{principle}"), f"{score}", help=tr(f"principle_{principle}_help"))
    for principle, score, found, has_error, text in principles:
        label = f"{tr('principle_' + principle)} — {score} / 100 ({found})"
        with st.expander(label, expanded=has_error, icon=":material/checklist:"):
            st.caption(tr(f"principle_{principle}_help"))
            if text:  # one block per principle: a big tree's hundreds of findings stay one element
                st.markdown(text)
            else:
                st.success(tr("review_clean"), icon=":material/check_circle:")


@st.cache_resource(max_entries=32, show_spinner=False)
def _review_text(
    workshop_id: str, version: int, language: str, _ws: Workshop
) -> tuple[dict[Severity, int], list[tuple[str, int, int, bool, str]]]:
    """The counts by severity and, per principle, its score, number of findings, whether any is an error, and their text."""
    r = cached_review(workshop_id, version, _ws)
    counts = {s: sum(1 for f in r.findings if f.severity is s) for s in Severity}
    principles = []
    for principle in PRINCIPLES:
        found = r.by_principle(principle)
        text = "\n\n".join(f"{ICON[f.severity]} {md(finding_text(f, language))}" for f in found)
        principles.append((principle, r.score(principle), len(found), any(f.severity is Severity.ERROR for f in found), text))
    return counts, principles


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
        reached = result.kgi_after >= kgi.target if kgi.thresholds.direction.value == "higher_is_better" else result.kgi_after <= kgi.target
        (st.success if reached else st.info)(
            tr("whatif_vs_target", target=format_value(kgi.target, kgi.unit), gap=format_value(result.kgi_after - kgi.target, kgi.unit))
        )
    state = (workshop_id, version)
    graphs.tree(ws, state, lang(), whatif=result.moved, depth=graphs.levels(ws, state, key="wi_levels"))
    st.caption(tr("whatif_legend"))


def levers(ws: Workshop, workshop_id: str, version: int) -> None:
    """The tornado chart of the strongest levers' effect on the KGI, the KFS candidate, and every lever in a table."""
    ranked = cached_sensitivity(workshop_id, version, ws)
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
