"""Templates from data/templates: ready-made workshops to start from."""

from __future__ import annotations

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
    out = []
    for path in sorted(TEMPLATES.glob("*.yaml")):
        key, _, lang = path.stem.partition(".")
        if language and lang != language:
            continue
        ws = load_template(path)
        out.append(Template(key, lang, ws.title, path))
    return out


def load_template(path: Path) -> Workshop:
    """A template as a workshop (a template that does not load is a bug: it raises)."""
    result = from_yaml(path.read_text(encoding="utf-8"))
    if result.workshop is None:
        raise ValueError(f"template {path.name}: {result.findings}")
    return result.workshop
