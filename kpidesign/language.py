"""The languages of the app: Japanese and English, as a type every text function takes."""

from __future__ import annotations

from typing import Literal, TypeGuard

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")


def is_language(code: object) -> TypeGuard[Language]:
    """Whether a code (from an address, a file, a browser) is a language of the app."""
    return code in LANGUAGES


def choose_language(locale: str | None) -> Language:
    """'ja' for a Japanese browser locale, else 'en' (default 'ja' when unknown)."""
    if not locale:
        return "ja"
    return "ja" if locale.lower().startswith("ja") else "en"
