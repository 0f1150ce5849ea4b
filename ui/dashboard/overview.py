"""The dashboard's overview: the filters, counts by status and forecast, the tree coloured by status, and the KPIs
leading → intermediate → lagging side by side."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from kpidesign import learning
from kpidesign.forecast import Forecast, forecasts
from kpidesign.model import Layer, Workshop
from kpidesign.status import status_word
from ui import compare, derived, graphs
from ui.badges import WORDS, badge
from ui.cache import Snapshot, cached, workshop_with_actuals
from ui.text import labeller, md, shown, tr


def arrow(delta: float | None) -> str:
    """Which way a KPI moved since the prior period: ↑, ↓ or →."""
    return "" if delta is None else ("↑" if delta > 0 else "↓" if delta < 0 else "→")


def filtered(ws: Workshop) -> tuple[list[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """The KPIs kept by the owner and cadence filters (all when nothing is chosen), and the choice itself: with the
    version it names the list, and is what a cache keys on (hashing the ids of 500 KPIs took 4 ms of every rerun)."""
    owners = sorted({n.definition.owner for n in ws.nodes if n.definition.owner})
    cadences = [c for c in ("daily", "weekly", "monthly", "quarterly") if any(r.cadence.value == c for r in ws.monitoring.reviews)]
    left, right = st.columns(2)
    chosen_owners = left.multiselect(tr("filter_owner"), owners, key="dash_owners", placeholder=tr("all"), select_all=False)
    chosen_cadences = right.multiselect(
        tr("filter_cadence"), cadences, key="dash_cadences", format_func=labeller(), placeholder=tr("all"), select_all=False
    )
    choice = (tuple(chosen_owners), tuple(chosen_cadences))
    return kept_by(ws, *choice), choice


def kept_by(ws: Workshop, owners: tuple[str, ...], cadences: tuple[str, ...]) -> list[str]:
    """The KPIs of these owners reviewed at these cadences (all when none is chosen)."""
    in_cadence = {k for r in ws.monitoring.reviews if r.cadence.value in cadences for k in r.kpis}
    return [n.id for n in ws.nodes if (not owners or n.definition.owner in owners) and (not cadences or n.id in in_cadence)]


def overview(snap: Snapshot, kpis: list[str], choice: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    """Counts by status, the tree coloured by status, and leading → intermediate → lagging side by side (choice: the
    filter that kept kpis)."""
    counts, flow = _overview(snap, choice)
    verdicts = forecasts_now(snap)
    ahead = learning.verdict_counts([verdicts[k] for k in kpis if k in verdicts])
    columns = st.columns(len(WORDS) + 2)
    for column, word in zip(columns, WORDS):
        column.metric(badge(word), counts[word])
    for column, verdict in zip(columns[len(WORDS) :], ("off_track", "at_risk")):  # beside the red/yellow counts: where the trend is heading
        column.metric(tr(f"metric_{verdict}"), ahead[verdict], help=tr("metric_forecast_help"))
    depth = graphs.levels(snap, key="dash_levels")  # a folded box counts the red and yellow KPIs below it
    graphs.tree(snap, by_status=True, depth=depth)
    graphs.show_legend(status=True)
    st.caption(tr("dash_flow"))
    for column, text in zip(st.columns(3), flow):
        column.markdown(text)  # one block per column: hundreds of KPIs stay one element each side
    if len(flow) > 3:  # the KPIs without a layer, below
        st.markdown(flow[3])


@cached(max_entries=16)
def _overview(snap: Snapshot, choice: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[Counter[str], tuple[str, ...]]:
    """The counts by status word and the three columns' text, once per snapshot and filter (the KPIs it keeps are
    named by the version and the filter's choice)."""
    _ws = workshop_with_actuals(snap)
    (_now, _), _kpis = derived.readings(snap), kept_by(_ws, *choice)
    priors = derived.prior_periods(snap)  # kept per revision of the actuals: an edit of the design reuses them
    nodes = {n.id: n for n in _ws.nodes}
    words = {k: status_word(_now[k].value, nodes[k].thresholds) for k in _kpis}  # no threshold and no data told apart
    badges = {word: badge(word) for word in WORDS}
    no_data, no_prior = tr("no_data"), tr("no_prior")
    flow = []
    # a node without a layer still has its line: the KGI (the result) among the lagging ones, the others in a fourth block
    placed = {k: nodes[k].layer or (Layer.LAGGING if nodes[k].parent is None else None) for k in _kpis}
    for layer in (Layer.LEADING, Layer.INTERMEDIATE, Layer.LAGGING, None):
        if layer is None and None not in placed.values():
            break
        lines = [f"**{tr(layer.value if layer else 'no_layer')}**"]
        for k in [k for k in _kpis if placed[k] is layer]:
            r, node = _now[k], nodes[k]
            prior = priors.of(node)
            moved = compare.change(prior, node.unit)
            lines.append(
                f"{badges[words[k]]} {md(node.name)}  \n**{shown(r.value, node.unit) or no_data}** {arrow(prior.delta)} "
                + (f":gray[{moved} {compare.label(prior)}]" if moved is not None else f":gray[{no_prior}]" if r.value is not None else "")
            )
        flow.append("\n\n".join(lines))
    return Counter(words.values()), tuple(flow)


@cached(uses=("version", "actuals"), max_entries=16)
def forecasts_now(snap: Snapshot) -> dict[str, Forecast]:
    """Every KPI's forecast at its deadline (shared, never mutated); the series are kept per revision of the actuals,
    so an edit of the design fits the lines again but does not rebuild the series."""
    return {f.kpi: f for f in forecasts(workshop_with_actuals(snap), derived.series(snap))}
