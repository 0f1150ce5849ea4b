"""The store is a package of nouns: small modules, no circle between them, no business rule inside, SQL kept in it."""

from __future__ import annotations

import ast
from pathlib import Path

from kpidesign.store import Store

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kpidesign" / "store"
MAX_LINES = 450


def imports(path: Path) -> set[str]:
    """The modules a file imports (absolute names; `from a import b` counts a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def modules() -> dict[str, Path]:
    return {f"kpidesign.store.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_no_module_of_the_store_is_over_450_lines() -> None:
    long = {p.name: n for p in PACKAGE.glob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


def test_no_circle_between_the_store_modules() -> None:
    graph = {name: {m for m in imports(path) if m in modules()} for name, path in modules().items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph[start])

    assert not [name for name in graph if reaches(name, name, set())]


def test_the_store_knows_no_method_progress_nor_screen() -> None:
    for path in PACKAGE.glob("*.py"):
        used = imports(path)
        assert "kpidesign.progress" not in used and not any(m.startswith("streamlit") for m in used), path.name


def test_sqlite_is_named_only_inside_the_store() -> None:
    # backup.py works on database files (SQLite's backup API); connectors.py fences a user's own SQLite connector
    allowed = {"kpidesign/backup.py", "kpidesign/connectors.py"}
    outside = [
        p.relative_to(ROOT).as_posix()
        for folder in ("kpidesign", "ui", "views")
        for p in (ROOT / folder).rglob("*.py")
        if PACKAGE not in p.parents and p.relative_to(ROOT).as_posix() not in allowed
    ]
    named = [f for f in outside if {"sqlite3", "sqlite_utils"} & {m.split(".")[0] for m in imports(ROOT / f)}]
    assert not named


def test_postgresql_is_named_only_inside_the_store() -> None:
    outside = [
        p.relative_to(ROOT).as_posix()
        for folder in ("kpidesign", "ui", "views")
        for p in (ROOT / folder).rglob("*.py")
        if PACKAGE not in p.parents
    ]
    assert not [f for f in outside if "psycopg" in {m.split(".")[0] for m in imports(ROOT / f)}]


def _strings(path: Path) -> str:
    """Every string literal of a module but its docstrings (the SQL it sends), lower case."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    found = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
    return "\n".join(found).lower()


def test_the_nouns_write_no_sqlite_only_sql() -> None:
    """What PostgreSQL would refuse (issue #29): the nouns' SQL is the dialect both engines share."""
    shared = ("schema", "base", "engine", "postgres", "errors")  # the engines themselves, and the errors naming both
    for path in [p for p in PACKAGE.glob("*.py") if p.stem not in shared]:
        sql = _strings(path)
        for sqlite_only in ("insert or ", "rowid", "pragma", "autoincrement", "[", "glob "):
            assert sqlite_only not in sql, (path.name, sqlite_only)
        assert "lastrowid" not in path.read_text(encoding="utf-8"), path.name


def test_the_nouns_share_the_facade_connection() -> None:
    store = Store(memory=True)
    assert all(noun.db is store.db for noun in (store.actuals, store.shares, store.rooms, store.votes, store.alerts))
    store.close()
