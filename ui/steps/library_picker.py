"""Adding a node from the KPI library (steps 2 and 3): search, pick, add under the chosen node."""

from __future__ import annotations

import streamlit as st

from kpidesign import edits
from kpidesign.library import DOMAINS, search
from kpidesign.model import Node, Workshop
from kpidesign.values import normalize
from ui.messages import Kind, field_error, flash
from ui.saving import commit
from ui.text import labeller, lang, looked_up, md, say, tr


def picker(ws: Workshop, parent: Node) -> None:
    """Search the library by words (Japanese or English) and domain; add the chosen KPI under parent (saying first when
    the workshop already has a node of that name)."""
    library = st.expander(tr("library_title"), icon=":material/menu_book:", key="lib_open", on_change="rerun")
    if not library.open:  # drawn only when opened: its lists are not rebuilt on every click elsewhere
        return
    with library:
        left, right = st.columns([3, 2])
        query = left.text_input(tr("library_search"), key="lib_query", placeholder=tr("library_search_help"))
        domain = right.selectbox(
            tr("library_domain"), [None, *DOMAINS], key="lib_domain", format_func=labeller("domain_", none="all"), placeholder=tr("choose")
        )
        found = search(query, domain, lang())
        if not found:
            st.caption(tr("library_none"))
            return
        by_key = {k.key: k for k in found}
        code = lang()
        key = st.selectbox(
            tr("library_results", count=len(found)),
            list(by_key),
            key="lib_pick",
            format_func=looked_up({k: f"{kpi.name[code]} — {kpi.formula[code]}" for k, kpi in by_key.items()}),
            placeholder=tr("choose"),
        )
        kpi = by_key[key]
        st.caption(f"{tr(kpi.layer)} · {tr(kpi.frequency)} · {tr(kpi.direction)} · {md(kpi.unit[lang()])}")
        name = kpi.name[lang()]
        same = [n for n in ws.nodes if normalize(n.name).lower() == normalize(name).lower()]
        if same:  # said before the click: a second 受注率 under 受注率 is seldom what anyone meant
            parent_of = ws.node(same[0].parent).name if same[0].parent else ""
            st.warning(say("library_same_name", name=name, parent=parent_of or name), icon=":material/content_copy:")
        st.button(
            say("library_add", parent=parent.name[:40]), key="lib_add", icon=":material/add:", on_click=_add, args=(parent.id, key, name)
        )
        field_error("lib.add")


def _add(parent_id: str, key: str, name: str) -> None:
    code = lang()
    added: list[str] = []

    def change(ws):  # type: ignore[no-untyped-def]
        new, node_id = edits.add_from_library(ws, parent_id, key, code)
        added.append(new.node(node_id).name)
        return new

    if commit(change, tr("sum_add", names=name[:40]), error_key="lib.add"):  # by its name in the language, not the library's key
        flash(Kind.INFO, say("added", count=1, names=added[0]))
