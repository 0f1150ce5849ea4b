"""Japanese and English text: what kpidesign itself writes (core.py: problems and findings, exports, alerts, the
command line) apart from the screens' text (screen.py), looked up through one function, `t`, with a typed language."""

from __future__ import annotations

from typing import Any

from kpidesign.findings import Finding
from kpidesign.i18n.core import CORE
from kpidesign.i18n.screen import SCREEN
from kpidesign.language import Language
from kpidesign.settings import strict_text
from kpidesign.values import Problem, format_number

S: dict[str, tuple[str, str]] = CORE | SCREEN  # every key, for lookups (a key is in one of the two, never both)


class MissingTextError(KeyError):
    """A text key with no entry (raised only when strict: the tests run strict, so a missing key fails there)."""


STRICT = strict_text()  # tests/conftest.py sets KPIDESIGN_STRICT_TEXT=1; people see the key instead


def t(key: str, lang: Language = "ja", **params: Any) -> str:
    """The text for key in lang, with {params} filled in; the key itself if unknown (MissingTextError when strict)."""
    pair = S.get(key)
    if pair is None:
        if STRICT:
            raise MissingTextError(key)
        return key
    text = pair[0] if lang == "ja" else pair[1]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has_text(key: str) -> bool:
    """Whether key has a text (for a label of a value that may be one already: Streamlit's tests pass labels back)."""
    return key in S


def problem_text(problem: Problem, lang: Language = "ja") -> str:
    """A Problem as a sentence for people."""
    return t(f"p_{problem.code}", lang, **problem.params)


def finding_text(finding: Finding, lang: Language = "ja") -> str:
    """A Finding as a sentence for people (numbers formatted, choices translated)."""
    params = {k: _show(k, v, lang) for k, v in finding.params.items()}
    return t(f"p_{finding.code}", lang, **params)


_TRANSLATED_PARAMS = ("basis", "direction", "speed", "how")


def _show(key: str, value: Any, lang: Language) -> Any:
    if isinstance(value, float):
        return format_number(value)
    if key in _TRANSLATED_PARAMS and isinstance(value, str):
        return t(value, lang)
    if key == "aggregation" and isinstance(value, str):  # sum | average | last, as model.Aggregation names them
        return t(f"agg_{value}", lang)
    return value
