"""Tabs are named by stable ids, not by their translated titles: the tabs a review link opens are declared, by the id
kpidesign.fixes gives them, on the page the link goes to."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kpidesign import fixes
from kpidesign.fixes import FIXES
from ui.pages import spec_at

ROOT = Path(__file__).resolve().parent.parent.parent


def declared_tabs(page: Path) -> list[list[ast.expr]]:
    """The keys of the sections each `tabs(...)` call of a page declares (a dict literal, or a name bound to one)."""
    tree = ast.parse(page.read_text(encoding="utf-8"))
    bound = {t.id: n.value for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tabs" and node.args:
            sections = node.args[0]
            sections = bound.get(sections.id, sections) if isinstance(sections, ast.Name) else sections
            assert isinstance(sections, ast.Dict), page
            found.append([k for k in sections.keys if k is not None])
    return found


def tab_id(key: ast.expr) -> str:
    """A tab's id as the page writes it: a string, or a constant of kpidesign.fixes."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    if isinstance(key, ast.Name) and isinstance(getattr(fixes, key.id, None), str):
        return str(getattr(fixes, key.id))
    raise AssertionError(f"a tab named by {ast.unparse(key)}: name it by its id")


@pytest.mark.parametrize("code", sorted(code for code, fix in FIXES.items() if fix.tab is not None))
def test_a_review_link_opens_a_tab_its_page_declares(code: str) -> None:
    fix = FIXES[code]
    page = ROOT / spec_at(fix.page).file
    ids = {tab_id(key) for keys in declared_tabs(page) for key in keys}
    assert fix.tab in ids, (code, page.name, ids)


def test_every_page_names_its_tabs_by_id() -> None:
    pages = sorted((ROOT / "views").glob("*.py"))
    declared = [(page.name, keys) for page in pages for keys in declared_tabs(page)]
    assert len(declared) >= 6  # the definitions, decomposition, monitoring, review, dashboard and share pages
    for _, keys in declared:
        for key in keys:
            tab_id(key)  # never tr(...): a title changes with a translation, an id does not
