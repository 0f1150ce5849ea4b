import re
from pathlib import Path

import pytest

from kpidesign import i18n
from kpidesign.i18n import S, problem_text, t
from kpidesign.language import choose_language
from kpidesign.values import Problem

ROOT = Path(__file__).resolve().parent.parent


def test_every_string_has_both_languages() -> None:
    for key, (ja, en) in S.items():
        assert ja.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", ja)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_key_used_by_the_screens_exists() -> None:
    used = set()
    for path in [*ROOT.glob("views/*.py"), *ROOT.glob("ui/**/*.py"), ROOT / "app.py"]:
        used |= set(re.findall(r'\btr\(\s*"(\w+)"\s*[,)]', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'"(nav_\w+)"', path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in S)
    assert not missing


def test_every_problem_code_has_a_message() -> None:
    codes = set()
    for path in ROOT.glob("kpidesign/**/*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'Problem\(\s*"(\w+)"', text))
        codes |= set(re.findall(r'_fail\(\s*"(\w+)"', text))
        codes |= set(re.findall(r'Finding\(Severity\.\w+, "(\w+)"', text))
        codes |= set(re.findall(r'_refuse\(\s*"(\w+)"', text))
    assert codes and not sorted(c for c in codes if f"p_{c}" not in S and c not in S)


def test_translation_and_params() -> None:
    assert t("saved_version", "en", version=3, summary="x") == "Saved v3: x"
    assert t("saved_version", "ja", version=3, summary="x").startswith("v3")
    with pytest.raises(i18n.MissingTextError):  # the tests run strict: a key with no text fails
        t("no_such_key")
    assert "abc" in problem_text(Problem("not_a_number", {"text": "abc"}), "en")


def test_language_from_locale() -> None:
    assert choose_language("ja-JP") == "ja" and choose_language("en-US") == "en" and choose_language(None) == "ja"


def test_no_key_is_defined_twice() -> None:
    import ast

    keys: list[str] = []
    for name, table in (("core.py", "CORE"), ("screen.py", "SCREEN")):
        tree = ast.parse((ROOT / "kpidesign/i18n" / name).read_text(encoding="utf-8"))
        found = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == table)
        assert isinstance(found, ast.Dict), (name, table)
        for k in found.keys:
            assert isinstance(k, ast.Constant) and isinstance(k.value, str), (name, ast.dump(k) if k else "**")
            keys.append(k.value)
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})  # twice in one table, or in both


def test_what_kpidesign_itself_writes_is_core_text() -> None:
    from kpidesign.i18n.core import CORE

    asked = set()
    for path in ROOT.glob("kpidesign/**/*.py"):
        if "i18n" not in path.parts:
            asked |= set(re.findall(r"""\bt\(\s*["']([a-z][a-z0-9_]*)["']""", path.read_text(encoding="utf-8")))
    assert asked and asked <= set(CORE), sorted(asked - set(CORE))


def test_people_see_the_key_of_a_missing_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "STRICT", False)
    assert t("no_such_key") == "no_such_key"
