"""No two modules import each other, across kpidesign/, ui/ and views/ (imports for type checking included: mypy and
a reader follow them too)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("kpidesign", "ui", "views")


def modules() -> dict[str, Path]:
    """Every module of the three folders by its dotted name (a package by its own name)."""
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(path: Path, known: dict[str, Path]) -> set[str]:
    """The known modules a file imports: `from a import b` names a.b when it is a module, else a."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names)
    return found & known.keys()


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(path, known) - {name} for name, path in known.items()}


def test_no_two_modules_import_each_other() -> None:
    edges = graph()
    mutual = sorted({tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, set())})
    assert not mutual


def test_the_graph_sees_the_imports_it_must() -> None:
    edges = graph()
    assert "kpidesign.store" in edges["ui.state"]  # from kpidesign.store import …
    assert "ui.connectors" in edges["views.dashboard"]  # from ui import connectors as …
    assert "kpidesign.edits" in edges["views.5_monitoring"]  # from kpidesign import edits, tree
    assert "kpidesign.index" in edges["kpidesign.model"]  # the one way round that is left
