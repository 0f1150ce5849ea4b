import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign.formula import MAX_LENGTH, FormulaError, parse, product_of, sum_of


def test_parse_and_evaluate() -> None:
    f = parse("customers * avg_spend * frequency")
    assert f.names == ("customers", "avg_spend", "frequency")
    assert f.evaluate({"customers": 40000, "avg_spend": 5000, "frequency": 4}) == 8e8


def test_unicode_ids_and_symbols() -> None:
    f = parse("顧客数 × 客単価 ÷ 2 − 1")
    assert f.names == ("顧客数", "客単価")
    assert f.evaluate({"顧客数": 10, "客単価": 4}) == 19


def test_missing_value_and_division_by_zero_give_none() -> None:
    f = parse("a / b")
    assert f.evaluate({"a": 1, "b": 0}) is None
    assert f.evaluate({"a": 1}) is None
    assert parse("(a + b) * 2").evaluate({"a": 1, "b": 2}) == 6
    assert parse("-a").evaluate({"a": 3}) == -3


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hi')",
        "a.b",
        "a[0]",
        "a ** 2",
        "a ** 9 ** 9 ** 9",
        "lambda: 1",
        "a if b else c",
        "'text'",
        "a and b",
        "a < b",
        "f(a)",
        "[a]",
        "{a}",
        "a @ b",
        "a // b",
        "a % b",
        "True",
        "1j",
        "(yield)",
        "a; b",
        "a = 1",
        "",
        "   ",
        "a +",
        "((((a)",
        "x" * (MAX_LENGTH + 1),
        "(" * 50 + "a" + ")" * 50,
    ],
)
def test_hostile_formulas_are_refused(text: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.problem.code.startswith(("formula_", "too_long", "number_too_large"))


def test_long_chains_are_limited() -> None:
    with pytest.raises(FormulaError):
        parse(" + ".join(["a"] * 400))


@settings(max_examples=300)
@given(st.text(alphabet="ab1 +-*/().e_x×÷'\"[]{}:=<>!@#$", max_size=80))
def test_random_text_never_raises_anything_but_formula_error(text: str) -> None:
    try:
        f = parse(text)
    except FormulaError:
        return
    f.evaluate({"a": 2.0, "b": 0.0, "x": 1.0, "a_b": 3.0})


ids = st.sampled_from(["a", "b", "c"])
exprs = st.recursive(
    ids | st.integers(0, 9).map(str),
    lambda inner: st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    max_leaves=12,
)


@given(exprs)
def test_valid_expressions_evaluate_like_python_arithmetic(text: str) -> None:
    values = {"a": 2.0, "b": 3.0, "c": 5.0}
    got = parse(text).evaluate(values)
    try:
        expected = _reference(text, values)
    except ZeroDivisionError:
        assert got is None
        return
    assert got == pytest.approx(expected)


def _reference(text: str, values: dict[str, float]) -> float:
    """Reference arithmetic by a tiny recursive-descent reading of the generated, fully parenthesised text."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()

    def expr(i: int) -> tuple[float, int]:
        if tokens[i] == "(":
            left, i = expr(i + 1)
            op = tokens[i]
            right, i = expr(i + 1)
            assert tokens[i] == ")"
            if op == "/" and right == 0:
                raise ZeroDivisionError
            return {"+": left + right, "-": left - right, "*": left * right, "/": left / right if right else 0}[op], i + 1
        tok = tokens[i]
        return (values[tok] if tok in values else float(tok)), i + 1

    return expr(0)[0]


def test_link_types() -> None:
    assert parse("a * b * c").link_types() == {"a": "×", "b": "×", "c": "×"}
    assert parse("a + b").link_types() == {"a": "+", "b": "+"}
    assert parse("a - b").link_types() == {"a": "+", "b": "−"}
    assert parse("a / b").link_types() == {"a": "×", "b": "÷"}
    assert parse("(a + b) * c").link_types() == {"a": "×", "b": "×", "c": "×"}


def test_helpers() -> None:
    assert product_of(["a", "b"]) == "a * b"
    assert sum_of(["a", "b"]) == "a + b"


def test_overflow_gives_no_value_not_infinity() -> None:
    assert parse("a * b").evaluate({"a": 1e300, "b": 1e300}) is None
    assert parse("a - b").evaluate({"a": -1e308, "b": 1e308}) is None


def test_parsed_formulas_are_shared_and_renaming_leaves_them_unchanged() -> None:
    from kpidesign.formula import rename

    first = parse("a * b + c")
    assert parse("a * b + c") is first  # every save checks every formula: a text is parsed once
    assert rename("a * b + c", {"a": "x"}) == "x * b + c"
    assert parse("a * b + c").names == ("a", "b", "c")
    assert parse("a * b + c").evaluate({"a": 2, "b": 3, "c": 1}) == 7  # the shared tree was not rewritten
