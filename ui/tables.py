"""Editable tables whose rows are nodes: each edited cell is parsed and saved; refused cells are listed."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpidesign.edits import CellProblem, apply_sheet_edits
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from ui.saving import commit
from ui.state import version
from ui.text import lang, say, tr


def node_sheet(frame: pd.DataFrame, ids: list[str], columns: tuple[str, ...], prefix: str, **editor: Any) -> None:
    """A data editor over node rows; on change, good cells are saved at once and bad ones explained."""
    key = f"{prefix}_{version()}"
    st.data_editor(frame, key=key, on_change=_save, args=(key, ids, columns, prefix), hide_index=True, width="stretch", **editor)


def _save(key: str, ids: list[str], columns: tuple[str, ...], prefix: str) -> None:
    delta = st.session_state[key].get("edited_rows", {})
    problems: list[CellProblem] = []

    def change(ws: Workshop) -> Workshop:
        new, found = apply_sheet_edits(ws, ids, delta, columns)
        problems.extend(found)
        return new

    cells = sum(len(v) for v in delta.values())
    commit(change, tr("sum_definitions", count=cells - len(problems)) if cells else tr("sum_definitions", count=0))
    st.session_state[f"{prefix}_problems"] = problems


def show_cell_problems(prefix: str, ws: Workshop) -> None:
    """List the cells refused at the last edit of this table, by node name and column."""
    problems: list[CellProblem] = st.session_state.get(f"{prefix}_problems") or []
    if not problems:
        return
    names = {n.id: n.name for n in ws.nodes}
    lines = [
        "- " + say("cell_problem", row=names.get(p.row, p.row)[:40], column=tr(p.column), message=problem_text(p.problem, lang()))
        for p in problems
    ]
    st.error(tr("cells_refused", count=len(problems)) + "\n" + "\n".join(lines), icon=":material/error:")
