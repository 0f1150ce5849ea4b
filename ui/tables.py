"""Editable tables whose rows are nodes: each edited cell is parsed and saved; refused cells are listed.

The editor keeps one widget key, and the data it was drawn from, while its rows stay the same and nobody else changed
the workshop: a save does not rebuild the grid or hand it new data (either resets the grid's edits in the browser, and
with them the cell being typed), so focus, selection and column widths stay. Streamlit keeps every edit since the grid
was drawn (edited_rows); each change applies only the cells that differ from what was already applied, and every cell
ends either saved or listed as refused, with its row, column and reason.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

import pandas as pd
import streamlit as st

from kpidesign.edits import CellProblem, apply_sheet_edits, pending_cells
from kpidesign.i18n import problem_text
from kpidesign.model import Workshop
from kpidesign.values import Problem
from ui.keys import WS_ID
from ui.saving import commit
from ui.state import store, version
from ui.text import labeller, lang, say, tr
from ui.theme import PROJECTOR_SCALE, projector

#: Column widths of the definition sheet in pixels: fixed, so the grid never re-sizes its columns between reruns.
SHEET_WIDTHS = {
    "name": 200,
    "expression": 260,
    "numerator": 160,
    "denominator": 160,
    "period": 100,
    "source": 160,
    "frequency": 130,
    "aggregation": 170,
    "owner": 160,
    "why": 260,
    "comparisons": 200,
    "direction": 130,
    "green": 100,
    "yellow": 100,
    "baseline": 110,
    "target": 110,
}


ROW_PX = 35  # a grid row's height at the normal size (rem-sized: larger in projector mode)


NO_CHOICE = "—"  # a choice column's "none" (kpidesign.edits reads it as no value); the grid draws "" and None as "None"


def choices(label: str, enum: type[StrEnum], width: int, prefix: str = "") -> Any:
    """A column of one choice of an enum whose empty cell reads blank: its options start with NO_CHOICE, drawn as an
    ideographic space, every other option in words (labeller)."""
    words = labeller(prefix)
    return st.column_config.SelectboxColumn(
        label,
        options=[NO_CHOICE, *(e.value for e in enum)],
        format_func=lambda v: "\u3000" if v in (NO_CHOICE, "", None) else words(v),
        width=width,
    )


def blank(value: StrEnum | None) -> str:
    """An enum's cell in a choices() column: its value, or NO_CHOICE for none."""
    return value.value if value is not None else NO_CHOICE


def fit_height(rows: int, most: int | None = None) -> int:
    """A grid's height in pixels for this many rows and its header, with no scroll bar of its own (at most `most` rows
    then scroll), at this session's size: keyboard flow and a glance reach every row without a scroll inside the page."""
    row = ROW_PX * (PROJECTOR_SCALE if projector() else 1)
    shown = rows if most is None else min(rows, most)
    return int(row * (shown + 1)) + 3


def node_sheet(
    frame: pd.DataFrame,
    ids: list[str],
    columns: tuple[str, ...],
    prefix: str,
    save_button: str | None = None,
    summary: str = "sum_definitions",
    **editor: Any,
) -> None:
    """A data editor over node rows; good cells are saved and bad ones explained, at each change, or with save_button
    (a label) when it is pressed: the grid is then in a form, so no rerun interrupts typing (a rerun that lands while a
    cell is being typed redraws the grid and drops the cell's editor, and with it what was typed). summary: the text key
    naming a save in the history ({count}: the cells saved)."""
    key = _key(prefix, ids)
    drawn = st.session_state.get(f"{prefix}_frame")
    if drawn is None or drawn[0] != key:  # the grid keeps the data it was drawn from: new data would reset its edits
        drawn = st.session_state[f"{prefix}_frame"] = (key, frame)
    args = (key, ids, columns, prefix, summary)
    if save_button is None:
        st.data_editor(drawn[1], key=key, on_change=_save, args=args, hide_index=True, width="stretch", **editor)
        return
    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        st.data_editor(drawn[1], key=key, hide_index=True, width="stretch", **editor)
        st.form_submit_button(save_button, type="primary", icon=":material/save:", on_click=_save, args=args)


def _key(prefix: str, ids: list[str]) -> str:
    """The editor's key: the same across this table's own saves; new when its rows change or the workshop changed
    elsewhere (undo, another field, another person), so the grid then shows what is stored instead of stale edits."""
    state = st.session_state
    if state.get(f"{prefix}_ws") != state.get(WS_ID):  # another workshop opened: nothing of the last one is kept
        for part in ("seen", "applied", "refused"):
            state.pop(f"{prefix}_{part}", None)
        state[f"{prefix}_ws"] = state.get(WS_ID)
    generation = state.get(f"{prefix}_gen", 0)
    if state.get(f"{prefix}_seen") not in (None, version()):
        generation += 1
        state[f"{prefix}_gen"] = generation
        state[f"{prefix}_applied"] = {}
    state[f"{prefix}_seen"] = version()
    rows = hashlib.blake2b("\n".join(ids).encode(), digest_size=6).hexdigest()
    return f"{prefix}_{generation}_{rows}"


def _save(key: str, ids: list[str], columns: tuple[str, ...], prefix: str, summary: str) -> None:
    state = st.session_state
    edited = state[key].get("edited_rows", {})
    applied: dict[tuple[int, str], Any] = state.setdefault(f"{prefix}_applied", {})
    if state.get(f"{prefix}_applied_key") != key:  # a new grid: nothing of it applied yet
        applied.clear()
        state[f"{prefix}_applied_key"] = key
    delta = pending_cells(edited, applied)
    if not delta:
        return
    found: list[CellProblem] = []

    def change(ws: Workshop) -> Workshop:
        found.clear()
        new, problems = apply_sheet_edits(ws, ids, delta, columns)
        found.extend(problems)
        return new

    cells = [(int(row), column) for row, changes in delta.items() for column in changes]
    refused: dict[tuple[str, str], CellProblem] = state.setdefault(f"{prefix}_refused", {})
    _, refusing = apply_sheet_edits(store().load(state[WS_ID]).workshop, ids, delta, columns)  # the history counts what is saved
    saved = commit(change, tr(summary, count=len(cells) - len(refusing)))
    if saved:
        state[f"{prefix}_seen"] = version()  # this table's own save: keep the grid as it is
        for row, column in cells:
            applied[(row, column)] = delta[row][column]
            if 0 <= row < len(ids):
                refused.pop((ids[row], column), None)
        problems = found
    else:  # not saved at all (someone else saved first, the database was busy): every cell of the change is listed
        problems = [CellProblem(ids[row], column, Problem("cell_not_saved")) for row, column in cells if 0 <= row < len(ids)]
    for p in problems:
        refused[(p.row, p.column)] = p


def show_cell_problems(prefix: str, ws: Workshop) -> None:
    """List every cell of this table refused and not yet corrected, by node name and column, with the reason."""
    refused: dict[tuple[str, str], CellProblem] = st.session_state.get(f"{prefix}_refused") or {}
    if not refused:
        return
    names = {n.id: n.name for n in ws.nodes}
    lines = [
        "- " + say("cell_problem", row=names.get(p.row, p.row)[:40], column=tr(p.column), message=problem_text(p.problem, lang()))
        for p in refused.values()
    ]
    st.error(tr("cells_refused", count=len(refused)) + "\n" + "\n".join(lines), icon=":material/error:")
