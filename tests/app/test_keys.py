"""Widget keys a second module finds: ASCII whatever the node id, one to one, and the browser's class keeps them whole."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kpidesign.values import _ID
from ui import keys
from ui.keys import ascii_id, browser_class, field_key, parent_key

ids = st.from_regex(_ID, fullmatch=True)
FRONT_END = re.compile(r"[^a-zA-Z0-9_-]")  # Streamlit's front end: key.trim().replaceAll(/[^a-zA-Z0-9_-]/g, "-")


@given(ids)
def test_a_key_reaches_the_browser_whole(node_id: str) -> None:
    for key in (field_key(node_id, "why"), parent_key(node_id)):
        assert FRONT_END.sub("-", key) == key and browser_class(key) == f"st-key-{key}"
    assert ascii_id(node_id) == ascii_id(str(node_id))  # stable


@given(ids, ids)
def test_two_ids_never_share_a_key(a: str, b: str) -> None:
    assert (ascii_id(a) == ascii_id(b)) == (a == b)
    assert (field_key(a, "owner") == field_key(b, "owner")) == (a == b)


def test_ascii_ids_are_kept_and_japanese_ones_told_apart() -> None:
    assert field_key("purchase_rate", "owner") == "f_purchase_rate_owner" and parent_key("customers") == "tree_parent_customers"
    assert len({field_key(x, "why") for x in ("受注率", "商談数", "受注数", "受注率2", "ｘ")}) == 5
    assert browser_class("f_受注率_why") == "st-key-f_---_why"  # why the id itself cannot be the key


# Session-state keys: one list (ui/keys.py) of every key a second module reads.

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENS = [p for folder in ("ui", "views") for p in (ROOT / folder).rglob("*.py")] + [ROOT / "app.py"]
KEYS_MODULE = ROOT / "ui" / "keys.py"


def _session_state(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session_state"


def literal_keys(path: Path) -> set[str]:
    """The keys a module spells as literals where a key goes: st.session_state[...], .get/.setdefault/.pop(...),
    `"k" in st.session_state`, a widget's key=, and the keys handed on (keep=, hand_on)."""
    found: set[str] = set()

    def text(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and _session_state(node.value):
            text(node.slice)
        elif isinstance(node, ast.Compare) and any(_session_state(c) for c in node.comparators):
            text(node.left)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and _session_state(func.value) and node.args:
                text(node.args[0])
            if isinstance(func, ast.Name) and func.id == "hand_on":
                for arg in node.args:
                    text(arg)
            for keyword in node.keywords:
                if keyword.arg == "key":
                    text(keyword.value)
                elif keyword.arg == "keep" and isinstance(keyword.value, ast.Tuple):
                    for element in keyword.value.elts:
                        text(element)
    return found


def test_no_module_but_ui_keys_spells_a_key_another_module_reads() -> None:
    by_key: dict[str, set[str]] = {}
    for path in SCREENS:
        if path != KEYS_MODULE:
            for key in literal_keys(path):
                by_key.setdefault(key, set()).add(path.relative_to(ROOT).as_posix())
    shared = {key: sorted(modules) for key, modules in by_key.items() if len(modules) > 1}
    listed = {str(value) for value in vars(keys).values() if isinstance(value, keys.Key)}
    bypassed = {key: sorted(modules) for key, modules in by_key.items() if key in listed}
    assert not shared and not bypassed


def test_the_check_finds_a_literal_key(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        'st.session_state["a"] = 1\nst.session_state.get("b")\nif "c" in st.session_state: pass\n'
        'st.text_input("x", key="d")\ntabs({}, keep=("e",))\nhand_on("f")\n'
    )
    assert literal_keys(page) == {"a", "b", "c", "d", "e", "f"}


def test_a_key_is_its_text() -> None:
    assert keys.WS_ID == "ws_id" and hash(keys.WS_ID) == hash("ws_id") and {"ws_id": 1}[keys.WS_ID] == 1
