"""The dashboard's "why did it move?" tab: a node's change between two dates split through the formulas (waterfall,
tree coloured by contribution, influences, reasons).

Worked out only while its tab is open, once per snapshot (ui.cache) and choice of node and dates, then shared by every
rerun and session (never mutated).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import explain, render
from kpidesign.i18n import finding_text, t
from kpidesign.language import Language
from kpidesign.learning import Period, Step, comparison_dates, contributions, default_period, waterfall
from kpidesign.model import Workshop
from kpidesign.tree import walk
from kpidesign.values import compact_value, format_value, is_percent
from ui import derived
from ui.cache import Snapshot, cached, workshop_with_actuals
from ui.keys import WHY_NODE, WHY_PERIOD
from ui.text import labeller, looked_up, md, shown, tr

COLOURS = {"from": "#1e3a8a", "to": "#1e3a8a", "up": "#16a34a", "down": "#dc2626"}
FONT = 18  # px: axis labels read from the back of a room on a 1920×1080 projector
TITLE_FONT = 26
INK = "#111827"


@dataclass(frozen=True)
class Why:
    """What the "why it moved" tab shows for one node and two dates, built once."""

    explanation: explain.Explanation
    chart: alt.LayerChart | alt.FacetChart | None
    steps: list[Step]
    table: pd.DataFrame | None  # the contributions (numbers kept), None when there are none
    formats: dict[str, Any]  # how its columns are shown: a Styler is made per drawing, never shared between sessions
    influences: pd.DataFrame
    reasons: str
    dot: str | None


def why_it_moved(snap: Snapshot) -> None:
    """Pick a node and two dates; see the change split through the formulas as a waterfall, a coloured tree and tables."""
    ws = workshop_with_actuals(snap)
    found = derived.series(snap)
    if not derived.measured(snap):
        st.info(tr("no_actuals_yet"))
        return
    st.caption(tr("why_intro"))
    names = {n.id: n.name for n in ws.nodes}
    ids = [n.id for n, _ in walk(ws)]
    left, right = st.columns([2, 3])
    node = left.selectbox(tr("why_node"), ids, format_func=looked_up(names), key=WHY_NODE, placeholder=tr("choose"))
    st.session_state.setdefault(WHY_PERIOD, default_period(node, found).value)  # set once: a default given with a kept key is refused
    chosen = right.segmented_control(tr("why_period"), [p.value for p in Period], key=WHY_PERIOD, format_func=labeller("why_period_"))
    period = Period(chosen) if chosen else default_period(node, found)
    dates = comparison_dates(ws, node, period, found) or comparison_dates(ws, node, Period.PRIOR, found)
    if dates is None:
        st.info(tr("why_no_dates"))
        return
    if period is Period.CUSTOM:
        a, b = st.columns(2)
        picked = (
            a.date_input(tr("why_from"), value=dates[0], key="why_from", format="YYYY-MM-DD"),
            b.date_input(tr("why_to"), value=dates[1], key="why_to", format="YYYY-MM-DD"),
        )
        dates = comparison_dates(ws, node, period, found, picked) or dates
    why = _why(snap, node, dates[0], dates[1])
    _summary(ws, why.explanation)
    if why.chart is not None:
        st.altair_chart(why.chart, width="stretch")
    elif why.explanation.change == 0:
        st.info(tr("why_flat"))
    elif why.explanation.change is not None and not ws.node(node).formula:
        st.info(tr("why_leaf"))
    else:
        st.warning(tr("why_no_change"))
    if why.dot is not None:
        st.markdown(f"**{tr('why_tree')}**")
        st.graphviz_chart(why.dot, width="stretch")
        st.caption(tr("why_tree_legend"))
    if why.table is not None:
        st.markdown(f"**{tr('why_all')}**")
        st.dataframe(why.table.style.format(why.formats, na_rep="—"), hide_index=True, width="stretch")  # styled per drawing
    if not why.influences.empty:
        st.markdown(f"**{tr('why_influences')}**")
        st.dataframe(why.influences, hide_index=True, width="stretch")
    if why.reasons:
        st.warning(f"**{tr('why_reasons')}**\n\n{why.reasons}", icon=":material/info:")  # one block: a big tree's reasons stay one element


def _summary(ws: Workshop, e: explain.Explanation) -> None:
    node = ws.node(e.node)
    first, second, third = st.columns(3)
    first.metric(tr("why_start", date=e.date_from.isoformat()), shown(e.value_from, node.unit) or tr("no_data"))
    second.metric(tr("why_end", date=e.date_to.isoformat()), shown(e.value_to, node.unit) or tr("no_data"))
    change = e.change
    third.metric(
        tr("col_change"),
        "—" if change is None else ("+" if change > 0 else "") + shown(change, node.unit),
        None if change is None or not e.value_from else f"{change / abs(e.value_from):+.1%}",
    )


@cached(max_entries=64)
def _why(snap: Snapshot, node: str, date_from: dt.date, date_to: dt.date) -> Why:
    """The explanation of one node between two dates and everything drawn from it."""
    _ws, language = workshop_with_actuals(snap), snap.language
    e = explain.explain(_ws, date_from, date_to, node)
    names = {n.id: n.name for n in _ws.nodes}
    unit = _ws.node(node).unit
    steps = waterfall(e)
    chart = (
        waterfall_chart(steps, names, unit, language, t("why_title", language, name=names[node]), (date_from, date_to)) if steps else None
    )
    shares = explain.movement_shares(e)  # of the movement under the parent, signed as it pushed: never −122.8 % for a push
    table = pd.DataFrame(
        [
            {
                t("node", language): "\u3000" * (c.depth - 1) + names[c.node],
                t("parent", language): names[c.parent],
                t("col_from", language): format_value(c.value_from, _ws.node(c.node).unit, precise=False, lang=language),
                t("col_to", language): format_value(c.value_to, _ws.node(c.node).unit, precise=False, lang=language),
                t("col_contribution", language): c.contribution,
                t("col_share", language): shares[c.node],
            }
            for c in e.contributions
        ]
    )
    formats = {t("col_contribution", language): lambda v: _signed(v, unit, language), t("col_share", language): "{:+.1%}"}
    influences = pd.DataFrame(
        [
            {
                t("node", language): names[i.node],
                t("parent", language): names[i.parent],
                t("col_from", language): format_value(i.value_from, _ws.node(i.node).unit, precise=False, lang=language),
                t("col_to", language): format_value(i.value_to, _ws.node(i.node).unit, precise=False, lang=language),
                t("col_own_change", language): "—" if i.change is None else _signed(i.change, _ws.node(i.node).unit, language),
            }
            for i in e.influences
        ]
    )
    reasons = "\n".join(f"- **{md(names.get(f.node or '', ''))}** {md(finding_text(f, language))}" for f in e.findings)
    dot = None
    if e.contributions:
        dot = render.tree_dot(
            _ws,
            lang=language,
            direction=render.auto_direction(_ws, node),
            root=node,
            contribution=contributions(e),
            contribution_unit=unit,
            depth=render.fold_depth(_ws, node),
            observed={node: (e.value_from, e.value_to)}
            | {c.node: (c.value_from, c.value_to) for c in e.contributions}
            | {i.node: (i.value_from, i.value_to) for i in e.influences},
        )
    return Why(e, chart, steps, None if table.empty else table, formats, influences, reasons, dot)


def _signed(value: float, unit: str, language: Language) -> str:
    return ("+" if value > 0 else "") + compact_value(value, unit, language)


def waterfall_chart(
    steps: list[Step], names: dict[str, str], unit: str, language: Language, title: str, dates: tuple[dt.date, dt.date]
) -> alt.LayerChart | alt.FacetChart:
    """from → each direct child's contribution (largest first, green up, red down) → to, in fonts a projector shows."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for step in steps:
        if step.node is None:
            name = t(
                "why_start" if step.kind == "from" else "why_end",
                language,
                date=(dates[0] if step.kind == "from" else dates[1]).isoformat(),
            )
        else:
            name = names[step.node]
        label = "\n".join(render.wrap(name, 16, 2))
        while label in seen:  # two nodes of one name stay two bars
            label += "\u200b"
        seen.add(label)
        text = compact_value(step.end, unit, language) if step.node is None else _signed(step.amount, unit, language)
        rows.append(
            {"label": label, "kind": step.kind, "start": step.start, "end": step.end, "text": text, "top": max(step.start, step.end)}
        )
    moving: list[float] = [v for r in rows if r["kind"] in ("up", "down") for v in (r["start"], r["end"])] + [
        rows[0]["end"],
        rows[-1]["end"],
    ]
    lo, hi = min(moving), max(moving)
    pad = (hi - lo) * 0.35 or abs(hi) * 0.05 or 1.0
    floor = lo - pad
    for r in rows:
        if r["kind"] in ("from", "to"):
            r["start"] = floor  # totals rise from the axis' floor: the changes stay readable against them
    frame = pd.DataFrame(rows)
    order = list(frame.label)
    axis_y = alt.Axis(
        labelExpr=number_label(unit, language), labelFontSize=FONT, titleFontSize=FONT, labelColor=INK, titleColor=INK, tickCount=6
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            "label:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelAngle=0, labelFontSize=FONT, labelColor=INK, labelLimit=260, labelExpr="split(datum.label, '\\n')"),
        )
    )
    bars = base.mark_bar(size=70).encode(
        y=alt.Y("start:Q", title=unit or None, scale=alt.Scale(domain=[floor, hi + pad * 0.4], zero=False, nice=False), axis=axis_y),
        y2="end:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())), legend=None),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("text:N", title="")],
    )
    labels = base.mark_text(dy=-14, fontSize=FONT + 2, fontWeight="bold").encode(y="top:Q", text="text:N")
    return alt.layer(bars, labels).properties(height=460, title=alt.TitleParams(title, fontSize=TITLE_FONT, anchor="start", color=INK))


def number_label(unit: str, language: Language) -> str:
    """A vega expression writing an axis' numbers as the bars' labels do: 1.8B (en), 18億 (ja), 12% for a percentage."""
    if is_percent(unit):
        return "format(datum.value, '.3~%')"
    if language == "ja":
        return (
            "abs(datum.value) >= 1e8 ? format(datum.value / 1e8, ',.4~f') + '億' : abs(datum.value) >= 1e4 ? "
            "format(datum.value / 1e4, ',.4~f') + '万' : format(datum.value, ',.4~f')"
        )
    return "replace(format(datum.value, '.4~s'), 'G', 'B')"
