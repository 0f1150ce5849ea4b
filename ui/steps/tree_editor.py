"""The KPI tree on screen: the graph beside the node editor and the add-children form (steps 2 and 3).

On a wide screen the graph and the editor sit side by side (Streamlit stacks them on a phone); a click on a box
selects its node for editing, as the picker does, and the selection is kept in the address (?node=<id>).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from kpidesign import formula as formulas
from kpidesign import tree
from kpidesign.edits import add_children, set_field
from kpidesign.model import Layer, Node, Sensitivity, Workshop
from ui import derived, graphs, widgets
from ui.binding import hand_on, sync
from ui.cache import open_snapshot
from ui.keys import TREE_SELECTED, parent_key
from ui.messages import Kind, field_error, flash
from ui.saving import commit
from ui.state import version
from ui.steps import library_picker
from ui.text import labeller, looked_up, md, say, shown, tr
from ui.theme import projector

SELECTED = TREE_SELECTED  # the node being edited (session state, handed on between steps 2 and 3)
ADDRESS = "node"  # ?node=<id>: the node being edited, so a reload or a shared address opens it
GRAPH_BOX = "graph_tree"  # the container the graph is drawn in: a click on a box inside it selects the node


def columns(wide_editor: bool = False) -> tuple[DeltaGenerator, DeltaGenerator]:
    """The graph's column and the editor's, side by side on a wide screen (stacked on a phone); wide_editor: half the
    width each (a table of every node is open beside the graph)."""
    if wide_editor:
        left, right = st.columns([1, 1], gap="medium")
        return left, right
    left, right = st.columns([2, 1] if projector() else [3, 2], gap="medium")  # the room's screen: the graph as large as it can be
    return left, right


def graph(ws: Workshop, also: Callable[[], None] | None = None) -> None:
    """Draw the tree (whole, or the selected branch) with a direction switch and the legend; a click on a box selects
    its node (and calls also, e.g. to open the editor's tab)."""
    highlight = selected(ws)
    with st.container(key=GRAPH_BOX):
        _graph(ws, highlight)
    graphs.clickable(GRAPH_BOX, derived.node_ids(open_snapshot()), lambda node: _pick(node, also))


def _pick(node: str, also: Callable[[], None] | None) -> None:
    st.session_state[SELECTED] = node
    if also is not None:
        also()


def selected(ws: Workshop) -> str:
    """The node being edited: the one picked (here or on the other step), else the one the address names, else the KGI."""
    ids = {n.id for n in ws.nodes}
    if st.session_state.get(SELECTED) not in ids:
        asked = st.query_params.get(ADDRESS)
        st.session_state[SELECTED] = asked if asked in ids else ws.kgi.id
    return str(st.session_state[SELECTED])


def _graph(ws: Workshop, highlight: str | None) -> None:
    # the three switches behind one button that says how the tree is drawn: the graph starts right under the title
    state = st.session_state
    levels = state.get("tree_levels") or ("all" if st.query_params.get("levels") == "all" else "auto")
    summary = " · ".join(
        [tr("show_" + (state.get("tree_scope") or "all")), tr("dir_" + (state.get("tree_direction") or "auto")), tr("levels_" + levels)]
    )
    controls = st.popover(f"{tr('view_options')}: {summary}", icon=":material/tune:")
    scope = controls.segmented_control(tr("show"), ["all", "branch"], default="all", key="tree_scope", format_func=labeller("show_"))
    choice = controls.segmented_control(
        tr("orientation"), ["auto", "TB", "LR"], default="auto", key="tree_direction", format_func=labeller("dir_")
    )
    root = highlight if scope == "branch" and highlight in {n.id for n in ws.nodes} else None
    direction = None if choice in (None, "auto") else choice
    snap = open_snapshot()
    depth = graphs.levels(snap, key="tree_levels", root=root, always=True, container=controls)
    graphs.tree(snap, direction=direction, highlight=highlight, root=root, depth=depth, hint="tree_folded")
    graphs.show_legend()
    st.caption(tr("legend") + "　" + tr("nodes_count", count=len(ws.nodes)))


def workbench(ws: Workshop, *, tagging: bool) -> None:
    """The node picker and the chosen node's editor (with layer and speed radios when tagging), then the form that
    adds children under it and the KPI library (steps 2 and 3), one above the other in the editor's column."""
    node = node_picker(ws)
    with st.container(border=True):
        node_editor(ws, node, tagging=tagging)
    add_form(ws, node)
    library_picker.picker(ws, node)


def node_picker(ws: Workshop) -> Node:
    """Choose the node to edit (indented by level); the choice survives reruns and is kept in the address."""
    ids, labels = derived.node_choices(open_snapshot())
    hand_on(SELECTED)  # the node picked on step 2 is still picked on step 3
    selected(ws)
    chosen = st.selectbox(tr("select_node"), ids, key=SELECTED, format_func=looked_up(labels), placeholder=tr("choose"))
    if st.query_params.get(ADDRESS) != chosen:
        st.query_params[ADDRESS] = chosen
    return ws.node(chosen)


def add_form(ws: Workshop, parent: Node) -> None:
    """A form to add one or more children under the chosen node."""
    with st.form("tree_add", border=True):
        st.markdown(f"**{tr('add_child')}** — {tr('add_under')}: {md(parent.name[:60])}")
        st.text_area(tr("child_names"), key="tree_add_names", height=90)
        st.form_submit_button(tr("add"), type="primary", icon=":material/add:", on_click=_add, args=(parent.id,))
    field_error("tree.add")


def _add(parent_id: str) -> None:
    raw = st.session_state.get("tree_add_names", "")
    added: list[str] = []

    def change(ws: Workshop) -> Workshop:
        new, ids = add_children(ws, parent_id, raw)
        added.extend(new.node(i).name for i in ids)
        return new

    names = ", ".join(line.strip()[:30] for line in raw.splitlines() if line.strip())
    if commit(change, tr("sum_add", names=names[:80]), error_key="tree.add"):
        st.session_state["tree_add_names"] = ""
        flash(Kind.INFO, say("added", count=len(added), names=", ".join(added)[:200]))


def node_editor(ws: Workshop, node: Node, *, tagging: bool) -> None:
    """Every field of one node, the formula helpers, moving, reordering and deleting."""
    kids = ws.children(node.id)
    if node.parent is None:
        st.info(tr("kgi_node_hint"))
    else:
        widgets.text(node, "name", node.name)
        a, b, c = st.columns(3)
        with a:
            widgets.text(node, "unit", node.unit)
        with b:
            widgets.number(node, "baseline", node.baseline)
        with c:
            widgets.number(node, "target", node.target)
        a, b = st.columns(2)
        with a:
            widgets.choice(node, "layer", node.layer, Layer, radio=tagging)
        with b:
            widgets.choice(node, "sensitivity", node.sensitivity, Sensitivity, radio=tagging)
    formula_box(ws, node, kids)
    if node.parent is not None:
        placement(ws, node)


def formula_box(ws: Workshop, node: Node, kids: list[Node]) -> None:
    """The formula over the children, one-click product/sum, and what the children compute."""
    if not kids:
        st.caption(tr("no_children"))
        return
    widgets.text(node, "formula", node.formula, tr("formula"), help=tr("formula_help"))
    st.caption(tr("children_ids", ids=", ".join(f"`{k.id}`" for k in kids)))
    ids = [k.id for k in kids]
    a, b = st.columns(2)
    a.button(
        tr("product_of_children"), key=f"tree_prod_{node.id}_{version()}", on_click=_set_formula, args=(node, formulas.product_of(ids))
    )
    b.button(tr("sum_of_children"), key=f"tree_sum_{node.id}_{version()}", on_click=_set_formula, args=(node, formulas.sum_of(ids)))
    if node.formula:
        try:
            parsed = formulas.parse(node.formula)
        except formulas.FormulaError:
            return
        base = parsed.evaluate({k.id: k.baseline for k in kids})
        goal = parsed.evaluate({k.id: k.target for k in kids})
        st.caption(
            tr(
                "computed",
                baseline=shown(base, node.unit) or "?",
                target=shown(goal, node.unit) or "?",
            )
        )


def _set_formula(node: Node, text: str) -> None:
    commit(
        lambda ws: set_field(ws, node.id, "formula", text),
        tr("sum_node", name=node.name[:40], field=tr("formula")),
        error_key=f"{node.id}.formula",
    )


def placement(ws: Workshop, node: Node) -> None:
    """Change parent, move up/down among siblings, delete (asking first for a subtree)."""
    below, parents, names = derived.placements(open_snapshot(), node.id)
    key = parent_key(node.id)
    sync(key, node.parent, f"{node.id}.parent")
    st.selectbox(
        tr("move_to"), parents, key=key, format_func=looked_up(names), on_change=_move, args=(node, key, names), placeholder=tr("choose")
    )
    field_error(f"{node.id}.parent")
    up, down = st.columns(2)
    up.button(tr("move_up"), key=f"tree_up_{node.id}_{version()}", on_click=_reorder, args=(node, -1), width="stretch")
    down.button(tr("move_down"), key=f"tree_down_{node.id}_{version()}", on_click=_reorder, args=(node, 1), width="stretch")
    # the delete button on its own row: in a third of the editor's column it read 「この…」 on a projector
    if st.button(tr("delete_node"), key=f"tree_del_{node.id}_{version()}", icon=":material/delete:", width="stretch"):
        if below:
            st.session_state["tree_confirm"] = node.id
        else:
            _delete(node)
            st.rerun()
    if st.session_state.get("tree_confirm") == node.id:
        st.warning(say("confirm_delete_subtree", name=node.name[:60], count=len(below)))
        yes, no = st.columns(2)
        yes.button(tr("confirm"), type="primary", key="tree_confirm_yes", on_click=_delete, args=(node,))
        no.button(tr("cancel"), key="tree_confirm_no", on_click=lambda: st.session_state.update(tree_confirm=None))


def _move(node: Node, key: str, names: dict[str, str]) -> None:
    parent: str = st.session_state[key]  # the callback of the widget with this key: it holds a value
    if commit(lambda ws: tree.move(ws, node.id, parent), tr("sum_move", name=node.name[:40]), error_key=f"{node.id}.parent"):
        flash(Kind.INFO, say("moved", name=node.name[:60], parent=names.get(parent, parent)))


def _reorder(node: Node, step: int) -> None:
    commit(lambda ws: tree.reorder(ws, node.id, step), tr("sum_order", name=node.name[:40]))


def _delete(node: Node) -> None:
    st.session_state["tree_confirm"] = None
    if commit(lambda ws: tree.delete(ws, node.id), tr("sum_delete", name=node.name[:40])):
        st.session_state[SELECTED] = None
        flash(Kind.INFO, say("node_deleted", name=node.name[:60]))
