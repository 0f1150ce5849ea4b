"""The parts of the read-only share view; nothing here writes anything."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpidesign.model import Workshop
from kpidesign.monitor import status_words
from kpidesign.redact import for_share
from kpidesign.store import Loaded
from kpidesign.tree import walk
from kpidesign.values import format_value
from ui import compare, derived, graphs
from ui.badges import label, status_column
from ui.cache import Snapshot, cached, snapshot, workshop_with_actuals
from ui.tables import fit_height
from ui.text import md, shown, tr


@cached(uses=("version", "actuals"))
def shown_copy(snap: Snapshot) -> Workshop:
    """The workshop as a share link may show it (kpidesign.redact.for_share: no recipients, queries or addresses), with
    its actuals: worked out once per version and actuals, not on each viewer's refresh (500 KPIs: ~0.5 s)."""
    return for_share(workshop_with_actuals(snap))


def invalid() -> None:
    """The same plain page for a wrong, expired or revoked token: it reveals nothing."""
    st.title(tr("link_invalid_title"))
    st.write(tr("link_invalid"))


def header(loaded: Loaded) -> None:
    """Title and the KGI in one line."""
    ws, kgi = loaded.workshop, loaded.workshop.kgi
    st.subheader(md(ws.title), anchor=False)  # a heading, not a title: on a phone it left 60 % of the first screen
    st.caption(tr("share_read_only"))
    line = f"**{md(kgi.name)}**: {shown(kgi.baseline, kgi.unit)} → {shown(kgi.target, kgi.unit)} {md(kgi.unit)}"
    st.markdown(line + (f" — {kgi.deadline}" if kgi.deadline else ""))
    if kgi.definition.why:
        st.markdown(f"{tr('why')}: {md(kgi.definition.why)}")


def tree(ws: Workshop, loaded: Loaded, actuals_rev: int) -> None:
    """The tree coloured by status (the dashboard's rule), drawn as in the workshop (a big one folded until asked): on a
    phone, the colours answer "what is red?" before any label can be read."""
    snap = snapshot(loaded)
    graphs.tree(snap, by_status=True, depth=graphs.levels(snap, key="share_levels"))
    graphs.show_legend(status=True)
    st.caption(tr("share_tree_legend"))


def definitions(ws: Workshop, loaded: Loaded) -> None:
    """The definition sheet as a read-only table (built once per version and language)."""
    st.dataframe(_definitions(snapshot(loaded)), hide_index=True, width="stretch")


@cached()
def _definitions(snap: Snapshot) -> pd.DataFrame:
    """The definition sheet's rows in tree order."""
    order = [n for n, _ in walk(shown_copy(snap))]  # what a share link may show (kpidesign.redact)
    return pd.DataFrame(
        {
            tr("name"): [n.name for n in order],
            tr("expression"): [n.definition.expression or n.formula for n in order],
            tr("numerator"): [n.definition.numerator for n in order],
            tr("denominator"): [n.definition.denominator for n in order],
            tr("period"): [n.definition.period for n in order],
            tr("source"): [n.definition.source for n in order],
            tr("frequency"): [tr(n.definition.frequency.value) if n.definition.frequency else "" for n in order],
            tr("owner"): [n.definition.owner for n in order],
            tr("purpose"): [n.definition.why for n in order],
            tr("baseline"): [shown(n.baseline, n.unit) for n in order],
            tr("target"): [shown(n.target, n.unit) for n in order],
            tr("layer"): [tr(n.layer.value) if n.layer else "" for n in order],
        }
    )


def thresholds(ws: Workshop, loaded: Loaded, actuals_rev: int) -> None:
    """Each KPI's thresholds and its status now, by the dashboard's rule (actuals alone: nothing measured is "no data",
    never green on a plan), red and yellow first; built once per version and actuals."""
    frame = _thresholds(snapshot(loaded))
    # as tall as its rows: never a scroll inside the page's scroll (on a phone the two fought)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=fit_height(len(frame)),
        column_config={tr("col_status"): status_column(tr("col_status"))},
    )


SHARE_ORDER = ["red", "yellow", "green", "no_data", "none"]  # a stakeholder's first question: what is red?


@cached()
def _thresholds(snap: Snapshot) -> pd.DataFrame:
    """Each KPI's thresholds and status (a cell of ui.badges.status_column), red and yellow first."""
    ws, (now, _), priors = workshop_with_actuals(snap), derived.readings(snap), derived.prior_periods(snap)
    rows, states = [], []
    words = status_words(ws, now)
    for n, _ in walk(ws):
        r, state = now[n.id], words[n.id]
        states.append(state)
        rows.append(
            {
                tr("col_status"): [label(state)],  # drawn on its colour (ui.badges.status_column)
                tr("name"): n.name,
                tr("value"): shown(r.value, n.unit),
                tr("col_basis"): tr(f"basis_{r.basis or 'none'}"),
                tr("cmp_prior_period"): compare.cell(priors.of(n), n),  # the data's own period when the stated one has none
                tr("direction"): tr(n.thresholds.direction.value),
                tr("green"): format_value(n.thresholds.green, n.unit),
                tr("yellow"): format_value(n.thresholds.yellow, n.unit),
            }
        )
    order = sorted(range(len(rows)), key=lambda i: SHARE_ORDER.index(states[i]))  # what is red or yellow first (stable)
    return pd.DataFrame([rows[i] for i in order])


def monitoring(ws: Workshop) -> None:
    """Reviews, alerts and the learning log as read-only tables."""
    names = {n.id: n.name for n in ws.nodes}
    st.subheader(tr("reviews"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    tr("review_name"): r.name,
                    tr("cadence"): tr(r.cadence.value),
                    tr("kpis"): ", ".join(names.get(k, k) for k in r.kpis),
                    tr("participants"): ", ".join(r.participants),
                }
                for r in ws.monitoring.reviews
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader(tr("alerts"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    tr("kpi"): names.get(a.kpi, a.kpi),
                    tr("when"): tr("level_" + a.when.value),
                    tr("channel"): tr(a.channel.value),  # who receives it (an e-mail address) is not for a link's readers
                    tr("action"): a.action,
                }
                for a in ws.monitoring.alerts
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    if ws.monitoring.learning_log:
        st.subheader(tr("learning_log"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        tr("date"): e.date,
                        tr("kpi"): names.get(e.kpi, e.kpi),
                        tr("observe"): e.observe,
                        tr("insight"): e.insight,
                        tr("act"): e.act,
                        tr("integrate"): e.integrate,
                    }
                    for e in ws.monitoring.learning_log
                ]
            ),
            hide_index=True,
            width="stretch",
        )
