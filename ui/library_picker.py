"""Adding a node from the KPI library (steps 2 and 3): search, pick, add under the chosen node."""

from __future__ import annotations

import streamlit as st

from kpidesign import edits
from kpidesign.library import DOMAINS, search
from kpidesign.model import Node
from ui.messages import field_error, flash
from ui.saving import commit
from ui.text import labeller, lang, md, say, tr


def picker(parent: Node) -> None:
    """Search the library by words (Japanese or English) and domain; add the chosen KPI under parent."""
    library = st.expander(tr("library_title"), icon=":material/menu_book:", key="lib_open", on_change="rerun")
    if not library.open:  # drawn only when opened: its lists are not rebuilt on every click elsewhere
        return
    with library:
        left, right = st.columns([3, 2])
        query = left.text_input(tr("library_search"), key="lib_query", placeholder=tr("library_search_help"))
        domain = right.selectbox(tr("library_domain"), [None, *DOMAINS], key="lib_domain", format_func=labeller("domain_", none="all"))
        found = search(query, domain, lang())
        if not found:
            st.caption(tr("library_none"))
            return
        by_key = {k.key: k for k in found}
        key = st.selectbox(
            tr("library_results", count=len(found)),
            list(by_key),
            key="lib_pick",
            format_func=lambda k, code=lang(): f"{by_key[k].name[code]} — {by_key[k].formula[code]}",
        )
        kpi = by_key[key]
        st.caption(f"{tr(kpi.layer)} · {tr(kpi.frequency)} · {tr(kpi.direction)} · {md(kpi.unit[lang()])}")
        st.button(say("library_add", parent=parent.name[:40]), key="lib_add", icon=":material/add:", on_click=_add, args=(parent.id, key))
        field_error("lib.add")


def _add(parent_id: str, key: str) -> None:
    code = lang()
    added: list[str] = []

    def change(ws):  # type: ignore[no-untyped-def]
        new, node_id = edits.add_from_library(ws, parent_id, key, code)
        added.append(new.node(node_id).name)
        return new

    if commit(change, tr("sum_add", names=key), error_key="lib.add"):
        flash("info", say("added", count=1, names=added[0]))
