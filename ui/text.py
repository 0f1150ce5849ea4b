"""Text on screen: the session's language, translation, and user text made literal for Markdown."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from kpidesign.i18n import has_text, t
from kpidesign.language import Language, is_language
from kpidesign.values import format_value
from ui.keys import LANG

P = ParamSpec("P")
R = TypeVar("R")
_BUILDING: ContextVar[Language | None] = ContextVar("kpidesign_view_language", default=None)


def lang() -> Language:
    """The language of the interface: 'ja' or 'en'; while ui.cache builds a view, the language it is built for, and
    while the router runs a page (or a fragment reruns), the session's, read once (`speaking`)."""
    building = _BUILDING.get()
    if building is not None:
        return building
    code = st.session_state.get(LANG, "ja")
    return code if is_language(code) else "ja"


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Within the block lang() is `language`, read once: ui.cache builds a view in its snapshot's language, and the
    router runs a page in the session's (st.session_state costs ~11 µs a read, a translation ~0.7 µs without it; a
    view of 500 KPIs asks thousands of times)."""
    token = _BUILDING.set(language)
    try:
        yield
    finally:
        _BUILDING.reset(token)


def in_session_language(fn: Callable[P, R]) -> Callable[P, R]:
    """fn run in the session's language read once (`speaking`): a fragment's rerun does not pass through the router,
    which reads it once for the rest of a page's run."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with speaking(lang()):
            return fn(*args, **kwargs)

    return run


def tr(key: str, **params: Any) -> str:
    """Translate a key into the current language (plain text: for a stored summary, a table, an option's label)."""
    return t(key, lang(), **params)


def say(key: str, **params: Any) -> str:
    """Translate a key for an element that renders Markdown (title, message, caption, toast, a button's or metric's
    label): every text parameter is made literal (`md`), so a name never becomes a link, an image or emphasis."""
    return t(key, lang(), **{k: md(v) if isinstance(v, str) else v for k, v in params.items()})


def labeller(prefix: str = "", none: str = "none") -> Callable[[Any], str]:
    """A format_func translating prefix+value in this run's language (it may be called after the run)."""
    code = lang()
    return lambda v: t(none, code) if v is None else t(f"{prefix}{v}", code) if has_text(f"{prefix}{v}") else str(v)


def looked_up(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A format_func showing each option by its label in `labels` (as `labels.get` did: "None" for one without)."""
    return lambda option: str(labels.get(option))


def shown(value: float | None, unit: str = "") -> str:
    """A value for reading, by the one rule (kpidesign.values.format_value) in the session's language: 1.2億 / 120M."""
    return format_value(value, unit, precise=False, lang=lang())


def md(text: str) -> str:
    """User text made literal for st.markdown (no emphasis, links, images, bare-URL or e-mail autolinks, HTML, entities,
    headings, colours or shortcodes): every Markdown punctuation character gets a backslash, which renders as itself;
    "." and ":" also get an invisible word joiner before them, because GFM turns `https://…`, `www.…` and `a@b.c` into
    links after the escapes are read (the browser showed `https\\://evil\\.example` as a link)."""
    return text.translate(_LITERAL)


_LITERAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]()#+-!<>|~$&=@^"} | {ch: "\u2060\\" + ch for ch in ".:"})
