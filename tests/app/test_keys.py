"""Widget keys a second module finds: ASCII whatever the node id, one to one, and the browser's class keeps them whole."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kpidesign.values import _ID
from ui.keys import ascii_id, browser_class, field_key, parent_key

ids = st.from_regex(_ID, fullmatch=True)
FRONT_END = re.compile(r"[^a-zA-Z0-9_-]")  # Streamlit's front end: key.trim().replaceAll(/[^a-zA-Z0-9_-]/g, "-")


@given(ids)
def test_a_key_reaches_the_browser_whole(node_id):
    for key in (field_key(node_id, "why"), parent_key(node_id)):
        assert FRONT_END.sub("-", key) == key and browser_class(key) == f"st-key-{key}"
    assert ascii_id(node_id) == ascii_id(str(node_id))  # stable


@given(ids, ids)
def test_two_ids_never_share_a_key(a, b):
    assert (ascii_id(a) == ascii_id(b)) == (a == b)
    assert (field_key(a, "owner") == field_key(b, "owner")) == (a == b)


def test_ascii_ids_are_kept_and_japanese_ones_told_apart():
    assert field_key("purchase_rate", "owner") == "f_purchase_rate_owner" and parent_key("customers") == "tree_parent_customers"
    assert len({field_key(x, "why") for x in ("受注率", "商談数", "受注数", "受注率2", "ｘ")}) == 5
    assert browser_class("f_受注率_why") == "st-key-f_---_why"  # why the id itself cannot be the key
