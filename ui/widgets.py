"""Input widgets bound to one field of one node: each change is parsed and saved at once.

A refused input keeps what the person typed in the widget, shows why next to it, and leaves the
database at its previous state; a saved input refreshes the widget from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

import streamlit as st

from kpidesign import edits
from kpidesign.aggregation import infer, is_ratio
from kpidesign.model import Aggregation, Node
from kpidesign.values import format_value
from ui.binding import sync
from ui.keys import field_key
from ui.messages import field_error
from ui.saving import commit
from ui.text import labeller, tr


def _save(node_id: str, node_name: str, field: str, key: str) -> None:
    raw = st.session_state.get(key)
    summary = tr("sum_node", name=node_name[:40], field=tr(field if field != "why" else "purpose"))
    commit(lambda ws: edits.set_field(ws, node_id, field, raw), summary, error_key=f"{node_id}.{field}")


def _bind(node: Node, field: str, stored: Any) -> dict[str, Any]:
    """Key and callback of a field's widget, its value synced from the stored one."""
    key = field_key(node.id, field)  # stable: a save elsewhere never re-mounts a field being typed in
    sync(key, stored, f"{node.id}.{field}")
    return {"key": key, "on_change": _save, "args": (node.id, node.name, field, key)}


def text(node: Node, field: str, value: str, label: str | None = None, *, area: bool = False, **kwargs: Any) -> None:
    """A text field (or area) for a node's field."""
    widget = st.text_area if area else st.text_input
    widget(label or tr(field), **_bind(node, field, value), **kwargs)
    field_error(f"{node.id}.{field}")


def number(node: Node, field: str, value: float | None, label: str | None = None, **kwargs: Any) -> None:
    """A number typed as text (1,200 / 10億 / 1.8%), so any mistake can be explained rather than blocked."""
    kwargs.setdefault("help", tr("number_help"))
    st.text_input(label or tr(field), **_bind(node, field, format_value(value, node.unit)), **kwargs)
    field_error(f"{node.id}.{field}")


def choice(
    node: Node,
    field: str,
    value: StrEnum | None,
    enum: type[StrEnum],
    *,
    optional: bool = True,
    label: str | None = None,
    radio: bool = False,
) -> None:
    """A choice among an enum's values, labelled in the current language."""
    options: list[Any] = ([None] if optional else []) + [e.value for e in enum]
    current = value.value if value is not None else None
    widget: Callable[..., Any] = st.selectbox
    if radio:
        widget = st.radio
    extra = {"horizontal": True} if radio else {"placeholder": tr("choose")}  # not Streamlit's English "Choose an option"
    widget(
        label or tr(field), options, format_func=labeller(), **_bind(node, field, current if current in options else options[0]), **extra
    )
    field_error(f"{node.id}.{field}")


def aggregation(node: Node) -> None:
    """How the KPI's values over time make one period's value: the team's choice, or what kpidesign inferred from its
    unit and name (said so, and flagged as a guess when it is one) for the team to confirm or change; a ratio is told."""
    if is_ratio(node):
        st.text_input(
            tr("aggregation"), tr("agg_ratio"), disabled=True, help=tr("aggregation_help"), key=field_key(node.id, "aggregation_ratio")
        )
        return
    inferred, certain = infer(node)
    guess = tr("agg_inferred" if certain else "agg_guessed", aggregation=tr(f"agg_{inferred.value}"))
    label = labeller("agg_")
    current = node.definition.aggregation.value if node.definition.aggregation else None
    st.selectbox(
        tr("aggregation"),
        [None, *(a.value for a in Aggregation)],
        format_func=lambda v: guess if v is None else label(v),
        help=tr("aggregation_help"),
        placeholder=tr("choose"),
        **_bind(node, "aggregation", current),
    )
    field_error(f"{node.id}.aggregation")


def date(node: Node, field: str, value: Any, label: str | None = None) -> None:
    """A date picker for a node's date field."""
    st.date_input(label or tr(field), format="YYYY-MM-DD", **_bind(node, field, value))
    field_error(f"{node.id}.{field}")


def multi(node: Node, field: str, values: Sequence[StrEnum], enum: type[StrEnum], label: str | None = None, prefix: str = "") -> None:
    """Several choices among an enum's values (labels are the i18n keys prefix + value)."""
    st.multiselect(
        label or tr(field),
        [e.value for e in enum],
        format_func=labeller(prefix),
        placeholder=tr("choose"),
        **_bind(node, field, [v.value for v in values]),
        select_all=False,
    )
    field_error(f"{node.id}.{field}")
