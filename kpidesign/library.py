"""Templates from data/templates: ready-made workshops to start from."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from kpidesign.io.yaml_io import from_yaml
from kpidesign.model import Workshop

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


@dataclass(frozen=True)
class Template:
    """A template file: its key, language and title."""

    key: str
    language: str
    title: str
    path: Path


def templates(language: str | None = None) -> list[Template]:
    """The templates on disk (named KEY.LANG.yaml), optionally only one language's."""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(TEMPLATES.glob("*.yaml")))
    return [t for t in _templates(stamp) if not language or t.language == language]


@functools.lru_cache(maxsize=4)
def _templates(stamp: tuple[tuple[str, int], ...]) -> tuple[Template, ...]:
    """Read every template once per change of the folder (the stamp is names and modification times)."""
    out = []
    for name, _ in stamp:
        path = TEMPLATES / name
        key, _, lang = path.stem.partition(".")
        out.append(Template(key, lang, load_template(path).title, path))
    return tuple(out)


def load_template(path: Path) -> Workshop:
    """A template as a workshop (a template that does not load is a bug: it raises)."""
    result = from_yaml(path.read_text(encoding="utf-8"))
    if result.workshop is None:
        raise ValueError(f"template {path.name}: {result.findings}")
    return result.workshop
