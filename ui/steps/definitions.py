"""Step 4's building blocks: what the sheet still lacks (one closed line) and the bands the thresholds make."""

from __future__ import annotations

import streamlit as st

from kpidesign.model import Node
from kpidesign.status import band_text, bands
from kpidesign.store import Loaded
from ui import derived
from ui.badges import badge
from ui.cache import snapshot
from ui.text import md, tr


def gaps(loaded: Loaded) -> None:
    """What the definition sheet still lacks, in one closed line: the counts in its title ("Owner 7/13"), the KPIs
    named inside (the sheet stays high on a projector)."""
    ws = loaded.workshop
    found = [g for g in derived.sheet_gaps(snapshot(loaded)) if g.field != "unit"]  # the unit is set on steps 1-3, not here
    short = {"thresholds": tr("gap_short_thresholds")}
    # "責任者 未記入 11/11": what is missing, said as missing (「責任者 11/11」 read as done)
    summary = " · ".join(tr("gap_count", field=short.get(g.field) or tr(g.field), missing=len(g.missing), total=g.total) for g in found)
    with st.expander(f"{tr('sheet_gaps_title')}: {summary}" if found else f"{tr('sheet_gaps_title')}: ✔", icon=":material/checklist:"):
        if not found:
            st.write(tr("sheet_gaps_done"))
        lines = []
        for gap in found:
            names = [md(ws.node(i).name[:40]) for i in gap.missing[:5]]
            more = [tr("gap_more", count=len(gap.missing) - 5)] if len(gap.missing) > 5 else []
            lines.append(f"- **{tr('gap_' + gap.field, missing=len(gap.missing), total=gap.total)}**: " + ", ".join(names + more))
        if lines:
            st.markdown("\n".join(lines))  # one block: tight lines, the sheet stays high on a projected screen


def read_back(node: Node) -> None:
    """The bands the thresholds make, read back under them: 「緑 ≤45 · 黄 >45〜60 · 赤 >60」."""
    found = bands(node.thresholds)
    if found:
        st.caption(" · ".join(f"{badge(b.status.value)} {md(band_text(b, node.unit))}" for b in found))
