"""The what-if tabs of the review page: move levers and see the KGI follow, the levers ranked (the KFS candidate, a
tornado chart), and goal seek."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import analysis
from kpidesign.i18n import problem_text
from kpidesign.model import Direction, Workshop
from kpidesign.values import format_value, parse_number
from ui import graphs
from ui.cache import Snapshot, cached, workshop
from ui.keys import GS_LEVER, WI_LEVERS
from ui.text import lang, looked_up, md, say, shown, tr

CHART_LEVERS = 25  # levers drawn in the tornado chart (all of them are in the table below it)


def _movable(model: analysis.TreeModel, ws: Workshop) -> list[str]:
    """Nodes with a value that can be pinned: the formula levers first, then every other node but the KGI."""
    levers = model.levers()
    rest = [n.id for n in ws.nodes if n.parent is not None and n.id not in levers]
    return [i for i in [*levers, *rest] if model.values.get(i) is not None]


PERCENT = (-50, 100)  # the slider's range, in percent of the current value


def _typed(node_id: str, current: float) -> None:
    """A value typed: the slider shows the same change (as near as its range allows)."""
    value = parse_number(st.session_state.get(f"wi_val_{node_id}") or "")
    if value.ok and value.value is not None and current:
        percent = round((value.value / current - 1) * 100)
        st.session_state[f"wi_pct_{node_id}"] = max(PERCENT[0], min(PERCENT[1], percent))


def _slid(node_id: str) -> None:
    """The slider moved: the typed value no longer applies."""
    st.session_state[f"wi_val_{node_id}"] = ""


def what_if(snap: Snapshot) -> None:
    """Move levers by a percentage or to a value; the KGI and the graph beside them follow at once (a big tree folded,
    as elsewhere, with the moved levers and their paths drawn), and a change that stops short of the KGI says where."""
    ws = workshop(snap)
    model = analysis.TreeModel(ws)
    names = {n.id: n.name for n in ws.nodes}
    levers = _movable(model, ws)
    if not model.levers():
        st.info(tr("no_levers"))
        return
    controls, picture = st.columns([2, 3], gap="medium")  # the graph beside the levers: on the first screen, not below them
    with controls:
        changes = _levers(ws, model, levers, names)
    result = analysis.what_if(ws, changes)
    with controls:
        _outcome(ws, result, changes, names)
    with picture:
        graphs.tree(snap, whatif=result.moved, depth=graphs.levels(snap, key="wi_levels"))
        st.caption(tr("whatif_legend"))


def _levers(ws: Workshop, model: analysis.TreeModel, levers: list[str], names: dict[str, str]) -> dict[str, float]:
    """The levers chosen, each moved by its slider or to a typed value (the two kept in step): node -> new value."""
    chosen = st.multiselect(
        tr("whatif_levers"),
        levers,
        format_func=looked_up(names),
        key=WI_LEVERS,
        max_selections=8,
        placeholder=tr("choose"),
        select_all=False,
    )
    changes: dict[str, float] = {}
    for node_id in chosen:
        node, current = ws.node(node_id), model.values[node_id] or 0.0
        st.session_state.setdefault(f"wi_pct_{node_id}", 10)
        left, right = st.columns([3, 2])
        percent = left.slider(
            f"{md(names[node_id])} ({shown(current, node.unit)})",
            *PERCENT,
            step=1,
            format="%+d%%",
            key=f"wi_pct_{node_id}",
            on_change=_slid,
            args=(node_id,),
        )
        typed = right.text_input(
            tr("whatif_to_value"), key=f"wi_val_{node_id}", help=tr("number_help"), on_change=_typed, args=(node_id, current)
        )
        value = parse_number(typed)
        if typed.strip() and value.problem is not None:
            right.error(md(problem_text(value.problem, lang())))
        changes[node_id] = value.value if value.ok and value.value is not None else current * (1 + percent / 100)
    return changes


def _outcome(ws: Workshop, result: analysis.WhatIf, changes: dict[str, float], names: dict[str, str]) -> None:
    """The KGI before and after, against its target; a change that stops short of the KGI, where and why."""
    for node_id, parent in analysis.stops(ws, result, changes).items():
        st.warning(say("whatif_stops", node=names[node_id], parent=names[parent]), icon=":material/block:")
    kgi = ws.kgi
    delta = f"{result.kgi_change:+.2%}" if result.kgi_change is not None else None
    left, right = st.columns(2)
    left.metric(say("kgi_now", name=kgi.name), shown(result.kgi_before, kgi.unit))
    right.metric(say("kgi_whatif", name=kgi.name), shown(result.kgi_after, kgi.unit), delta)
    if kgi.target is not None and result.kgi_after is not None:
        reached = (
            result.kgi_after >= kgi.target if kgi.thresholds.direction is Direction.HIGHER_IS_BETTER else result.kgi_after <= kgi.target
        )
        (st.success if reached else st.info)(
            tr("whatif_vs_target", target=shown(kgi.target, kgi.unit), gap=shown(result.kgi_after - kgi.target, kgi.unit))
        )


@cached(uses=("version",), max_entries=32)
def ranked_levers(snap: Snapshot) -> list[analysis.Lever]:
    """The levers of one version, strongest first (shared, never mutated)."""
    return analysis.rank_levers(workshop(snap))


def levers(snap: Snapshot) -> None:
    """The tornado chart of the strongest levers' effect on the KGI, the KFS candidate, and every lever in a table."""
    ws = workshop(snap)
    ranked = ranked_levers(snap)
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
            tr("baseline"): [shown(lv.value, ws.node(lv.node).unit) for lv in ranked],
            "+1%": [f"{lv.kgi_change_1:+.3%}" for lv in ranked],
            "+10%": [f"{lv.kgi_change_10:+.2%}" for lv in ranked],
            "−10%": [f"{lv.kgi_change_minus_10:+.2%}" for lv in ranked],
            tr("at_own_target"): ["—" if lv.kgi_change_at_target is None else f"{lv.kgi_change_at_target:+.2%}" for lv in ranked],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(tr("levers_help"))


def goal_seek(snap: Snapshot) -> None:
    """The value one lever must reach for the KGI to hit its target, all else equal."""
    ws = workshop(snap)
    model = analysis.TreeModel(ws)
    names = {n.id: n.name for n in ws.nodes}
    levers = _movable(model, ws)
    kgi = ws.kgi
    if not model.levers() or kgi.target is None:
        st.info(tr("no_levers") if not model.levers() else tr("need_kgi_target"))
        return
    node_id = st.selectbox(tr("goal_lever"), levers, format_func=looked_up(names), key=GS_LEVER, placeholder=tr("choose"))
    raw = st.text_input(say("goal_target", name=kgi.name), value=format_value(kgi.target, kgi.unit), key="gs_target")
    target = parse_number(raw)
    if not target.ok or target.value is None:
        st.error(say("p_not_a_number", text=raw[:40]))
        return
    g = analysis.goal_seek(ws, node_id, target.value)
    unit = ws.node(node_id).unit
    if g.possible:
        change = f"{g.needed / g.current - 1:+.1%}" if g.current and g.needed is not None else ""
        st.success(
            tr(
                "goal_needed",
                name=md(names[node_id]),
                current=shown(g.current, unit),
                needed=shown(g.needed, unit),
                change=change,
            ),
            icon=":material/target:",
        )
    elif g.needed is not None:  # a rate above 100% or a count below 0: the arithmetic's answer, never shown as achievable
        st.warning(
            tr(
                "goal_out_of_range",
                name=md(names[node_id]),
                needed=shown(g.needed, unit),
                target=shown(target.value, kgi.unit),
                unit=md(unit),
            ),
            icon=":material/block:",
        )
    else:
        st.warning(tr("goal_impossible", name=md(names[node_id]), target=shown(target.value, kgi.unit)), icon=":material/block:")
