"""The review's "what the data say" tab: whether the data bear out each link of the tree (holds / no relation / opposite),
the leading indicators that lead nothing, and the tree with its links coloured by verdict; once per snapshot (ui.cache)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from kpidesign import links, render
from kpidesign.findings import Finding
from kpidesign.i18n import finding_text, t
from kpidesign.language import Language
from kpidesign.store import Loaded
from ui import derived
from ui.cache import Snapshot, cached, snapshot, workshop_with_actuals
from ui.text import md, tr


def what_the_data_say(loaded: Loaded) -> None:
    """Each link's verdict in the data, the leading indicators that lead nothing, and the tree with links by verdict."""
    snap = snapshot(loaded)  # the actuals are read only when this tab is open
    if not derived.measured(snap):
        st.info(tr("links_none"))
        return
    st.caption(tr("links_intro"))
    counts, table, warnings, _ = _links(snap)
    st.markdown(f"**{md(counts)}**")
    st.dataframe(table, hide_index=True, width="stretch")
    if warnings:
        st.warning(warnings, icon=":material/warning:")
    else:
        st.success(tr("links_leading_ok"), icon=":material/check_circle:")
    if st.toggle(tr("links_colour"), value=True, key="links_colour"):
        dot = _links_dot(snap)
        st.graphviz_chart(dot, width="stretch")
        st.caption(tr("links_legend"))


@cached(max_entries=16)
def _links(snap: Snapshot) -> tuple[str, pd.DataFrame, str, dict[tuple[str, str], str]]:
    """The counts by verdict, the table of links, the warnings' text and each link's verdict."""
    _ws, language = workshop_with_actuals(snap), snap.language
    report = links.links(_ws)
    names = {n.id: n.name for n in _ws.nodes}
    found = [link.verdict.value for link in report.links]
    # in the rows' own words ("insufficient data 3", not "not tested 3"); the three answers always, the rest when present
    counts = " · ".join(
        f"{t(f'link_verdict_{v.value}', language)} {found.count(v.value)}"
        for v in links.Verdict
        if v.value in ("holds", "opposite", "no_relation") or v.value in found
    )
    table = pd.DataFrame(
        [
            {
                t("parent", language): names[link.parent],
                t("col_child", language): names[link.child],
                t("col_kind", language): t(f"link_kind_{link.kind}", language),
                t("col_verdict", language): t(f"link_verdict_{link.verdict.value}", language),
                t("col_correlation", language): "—" if link.correlation is None else f"{link.correlation:+.2f}",
                t("col_lag", language): "—" if link.lag is None else str(link.lag),
                t("col_pairs", language): link.n,
                t("col_reason", language): finding_text(link.reason, language) if link.reason else "",
            }
            for link in report.links
        ]
    )
    warnings = "\n".join(
        f"- {md(finding_text(_named(f, names, language), language))}" for f in report.findings if f.code == "links_leading_leads_nothing"
    )
    data = [f for f in report.findings if f.code != "links_leading_leads_nothing"]
    warnings += ("\n" if warnings and data else "") + "\n".join(
        f"- **{md(names.get(f.node or '', ''))}** {md(finding_text(f, language))}" for f in data
    )
    return counts, table, warnings, {(link.parent, link.child): link.verdict.value for link in report.links}


def _named(f: Finding, names: dict[str, str], language: Language) -> Finding:
    """A "leads nothing" finding as people read it: the parent by its name, the verdict in words."""
    params = {
        **f.params,
        "parent": names.get(f.params.get("parent", ""), f.params.get("parent", "")),
        "verdict": t(f"link_verdict_{f.params.get('verdict')}", language),
    }
    return replace(f, params=params)


@cached(max_entries=16)
def _links_dot(snap: Snapshot) -> str:
    """The tree with each link coloured by its verdict."""
    ws, verdicts = workshop_with_actuals(snap), _links(snap)[3]
    return render.tree_dot(ws, lang=snap.language, direction=render.auto_direction(ws), link_verdicts=verdicts, depth=render.fold_depth(ws))
