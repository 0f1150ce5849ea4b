"""The parts of the read-only share view; nothing here writes anything."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpidesign.language import Language
from kpidesign.lru import remembered
from kpidesign.monitor import Comparison, status_words
from kpidesign.tree import walk
from kpidesign.values import format_value
from ui import compare, derived, graphs
from ui.badges import label, status_column
from ui.cache import Snapshot, cached
from ui.tables import fit_height
from ui.text import md, shown, speaking, tr


def invalid() -> None:
    """The same plain page for a wrong, expired or revoked token: it reveals nothing."""
    st.title(tr("link_invalid_title"))
    st.write(tr("link_invalid"))


def header(snap: Snapshot) -> None:
    """Title and the KGI in one line (redacted, as every text of the view)."""
    ws = derived.shared_copy(snap)
    kgi = ws.kgi
    st.subheader(md(ws.title), anchor=False)  # a heading, not a title: on a phone it left 60 % of the first screen
    st.caption(tr("share_read_only"))
    line = f"**{md(kgi.name)}**: {shown(kgi.baseline, kgi.unit)} → {shown(kgi.target, kgi.unit)} {md(kgi.unit)}"
    st.markdown(line + (f" — {kgi.deadline}" if kgi.deadline else ""))
    if kgi.definition.why:
        st.markdown(f"{tr('why')}: {md(kgi.definition.why)}")


def tree(snap: Snapshot) -> None:
    """The tree coloured by status (the dashboard's rule), drawn as in the workshop (a big one folded until asked): on a
    phone, the colours answer "what is red?" before any label can be read; its labels are the redacted copy's."""
    graphs.tree(snap, by_status=True, depth=graphs.levels(snap, key="share_levels"), shared=True)
    graphs.show_legend(status=True)
    st.caption(tr("share_tree_legend"))


def definitions(snap: Snapshot) -> None:
    """The definition sheet as a read-only table (built once per version and language)."""
    st.dataframe(_definitions(snap), hide_index=True, width="stretch")


@cached()
def _definitions(snap: Snapshot) -> pd.DataFrame:
    """The definition sheet's rows in tree order."""
    order = [n for n, _ in walk(derived.shared_copy(snap))]  # what a share link may show (kpidesign.redact)
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


def thresholds(snap: Snapshot) -> None:
    """Each KPI's thresholds and its status now, by the dashboard's rule (actuals alone: nothing measured is "no data",
    never green on a plan), red and yellow first; built once per version and actuals."""
    frame = _thresholds(snap)
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
    """Each KPI's thresholds and status (a cell of ui.badges.status_column), red and yellow first, named as the redacted
    copy names them. One list per column, the words looked up once: 500 rows of dicts keyed by translated labels
    were a third of the first rerun after an edit."""
    ws, (now, _), priors = derived.shared_copy(snap), derived.readings(snap), derived.prior_periods(snap)
    order = [n for n, _ in walk(ws)]
    words = status_words(ws, now)
    first = sorted(range(len(order)), key=lambda i: SHARE_ORDER.index(words[order[i].id]))  # red and yellow first (stable)
    nodes = [order[i] for i in first]
    readings = [now[n.id] for n in nodes]
    labels = {state: [label(state)] for state in SHARE_ORDER}  # a cell of the status column: the chips drawn on colour
    bases = {basis: tr(f"basis_{basis or 'none'}") for basis in {r.basis for r in readings}}
    directions = {d: tr(d.value) for d in {n.thresholds.direction for n in nodes}}
    numbers = [  # the value, the prior period, green and yellow as read (the data's own period when the stated one has none)
        _numbers(snap.language, n.unit, r.value, priors.of(n), n.thresholds.green, n.thresholds.yellow) for n, r in zip(nodes, readings)
    ]
    return pd.DataFrame(
        {
            tr("col_status"): [labels[words[n.id]] for n in nodes],
            tr("name"): [n.name for n in nodes],
            tr("value"): [row[0] for row in numbers],
            tr("col_basis"): [bases[r.basis] for r in readings],
            tr("cmp_prior_period"): [row[1] for row in numbers],
            tr("direction"): [directions[n.thresholds.direction] for n in nodes],
            tr("green"): [row[2] for row in numbers],
            tr("yellow"): [row[3] for row in numbers],
        }
    )


Numbers = tuple[str, str, str, str]


# an edit changes one KPI's numbers at most, and 500 rows' formatting was most of the status table's rebuild; 8,192 rows
# of short strings are about 4 MB at most (the language's two letters and a unit of over 64 characters: formatted, never kept)
@remembered(size=8192, longest=66)
def _numbers(language: Language, unit: str, value: float | None, prior: Comparison, green: float | None, yellow: float | None) -> Numbers:
    """One row's numbers as read in this language: the value, the prior period's cell, green and yellow."""
    with speaking(language):  # a kept row is the language's it was asked in, whoever asks
        return shown(value, unit), compare.cell(prior, unit), format_value(green, unit), format_value(yellow, unit)


def monitoring(snap: Snapshot) -> None:
    """Reviews, alerts and the learning log as read-only tables (redacted: no recipients, no addresses)."""
    ws = derived.shared_copy(snap)
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
