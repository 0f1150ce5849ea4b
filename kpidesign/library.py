"""Templates (data/templates) to start a workshop from, and the KPI library (data/kpi_library.yaml) to add nodes from."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kpidesign.io.yaml_io import from_yaml
from kpidesign.language import Language
from kpidesign.model import Definition, Thresholds, Workshop
from kpidesign.values import normalize

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


def template(key: str, language: str) -> Workshop:
    """One template by its key and language (e.g. 'ec_sales', 'ja')."""
    return load_template(TEMPLATES / f"{key}.{language}.yaml")


def load_template(path: Path) -> Workshop:
    """A template as a workshop (a template that does not load is a bug: it raises)."""
    result = from_yaml(path.read_text(encoding="utf-8"))
    if result.workshop is None:
        raise ValueError(f"template {path.name}: {result.findings}")
    return result.workshop


LIBRARY = Path(__file__).resolve().parent.parent / "data" / "kpi_library.yaml"
DOMAINS = ("branding", "marketing", "saas_b2b", "ecommerce", "recruiting", "customer_success", "general")


@dataclass(frozen=True)
class LibraryKpi:
    """A KPI of the library, in both languages."""

    key: str
    domain: str
    name: dict[str, str]
    formula: dict[str, str]
    unit: dict[str, str]
    layer: str
    sensitivity: str
    frequency: str
    direction: str
    numerator: dict[str, str] | None = None
    denominator: dict[str, str] | None = None

    def text(self, lang: Language) -> str:
        """What a search looks at: names in both languages, the formula in the given one."""
        return " ".join([self.name["ja"], self.name["en"], self.formula.get(lang, ""), self.key]).lower()


@functools.lru_cache(maxsize=2)
def _library(stamp: int) -> tuple[LibraryKpi, ...]:
    from kpidesign.io.yaml_io import _Loader  # the same safe loader as every YAML file

    doc = yaml.load(LIBRARY.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a safe loader)
    return tuple(LibraryKpi(**entry) for entry in doc["kpis"])


def library() -> tuple[LibraryKpi, ...]:
    """Every KPI of the library (read once per change of the file)."""
    return _library(LIBRARY.stat().st_mtime_ns)


def search(query: str = "", domain: str | None = None, lang: Language = "ja", limit: int = 50) -> list[LibraryKpi]:
    """Library KPIs whose names or formula contain every word of the query, optionally of one domain."""
    words = [w for w in normalize(query).lower().split() if w]
    found = [k for k in library() if (domain is None or k.domain == domain) and all(w in k.text(lang) for w in words)]
    return found[:limit]


def as_node_fields(kpi: LibraryKpi, lang: Language) -> dict[str, Any]:
    """The fields a new node takes from a library KPI, in one language."""

    def pick(d: dict[str, str] | None) -> str:
        return (d or {}).get(lang) or (d or {}).get("en") or ""

    return {
        "unit": pick(kpi.unit)[:40],
        "layer": kpi.layer,
        "sensitivity": kpi.sensitivity,
        "definition": Definition(
            expression=pick(kpi.formula)[:500],
            numerator=pick(kpi.numerator)[:300],
            denominator=pick(kpi.denominator)[:300],
            frequency=kpi.frequency,
        ),
        "thresholds": Thresholds(direction=kpi.direction),
    }
