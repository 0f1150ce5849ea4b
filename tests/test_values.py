import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign.language import Language
from kpidesign.values import (
    MAX_NUMBER,
    Parsed,
    clean_block,
    clean_line,
    clean_text,
    compact_value,
    format_number,
    format_value,
    half_up,
    in_range,
    make_id,
    parse_date,
    parse_id,
    parse_name,
    parse_number,
    unit_range,
)


def problem_code(parsed: Parsed[float] | Parsed[str] | Parsed[dt.date]) -> str:
    """The code of the problem an input was refused with (failing when it was not refused)."""
    assert parsed.problem is not None, parsed
    return parsed.problem.code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("１２００", 1200),
        ("  42 ", 42),
        ("-3.5", -3.5),
        ("1e9", 1e9),
        ("1.8%", 0.018),
        ("18％", 0.18),
        ("10億", 1e9),
        ("2.5万", 25000),
        ("3k", 3000),
        ("1.2M", 1.2e6),
        ("¥5,000", 5000),
        ("5000円", 5000),
        ("+0.5pt", 0.5),
        (".5", 0.5),
        (12, 12),
        (3.25, 3.25),
    ],
)
def test_parse_number_reads_what_people_type(text: str | float, expected: float) -> None:
    assert parse_number(text).value == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "1,2,3x", "1e", "--1", "one", "1.2.3", "円", "%", "nan", "inf", "1e400", "=1+1", "{}"])
def test_parse_number_refuses_text_with_a_problem(text: str) -> None:
    parsed = parse_number(text)
    assert not parsed.ok and problem_code(parsed) in ("not_a_number", "number_too_large")


def test_huge_numbers_are_refused_with_the_limit() -> None:
    parsed = parse_number("9" * 30)
    assert problem_code(parsed) == "number_too_large"
    assert parse_number(MAX_NUMBER).ok and not parse_number(MAX_NUMBER * 10).ok
    assert parse_number(float("nan")).value is None  # an empty table cell arrives as NaN


def test_empty_is_none_or_required() -> None:
    assert parse_number("").value is None and parse_number("").ok
    assert problem_code(parse_number("", allow_empty=False)) == "required"
    assert problem_code(parse_number(True)) == "not_a_number"


@given(st.text(max_size=60))
def test_parse_number_never_raises(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.ok or parsed.problem is not None
    if parsed.value is not None:
        assert math.isfinite(parsed.value) and abs(parsed.value) <= MAX_NUMBER


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False))
def test_format_then_parse_gives_the_number_back(value: float) -> None:
    assert parse_number(format_number(value)).value == pytest.approx(value, rel=1e-5, abs=1e-6)


def test_format_value_shows_percentages() -> None:
    assert format_value(0.018, "%") == "1.8%"
    assert parse_number(format_value(0.604, "%")).value == pytest.approx(0.604)
    assert format_value(800000000, "円") == "800,000,000"
    assert format_value(None) == ""


def test_compact_value() -> None:
    assert compact_value(800_000_000, lang="ja") == "8億"
    assert compact_value(1_650_000, lang="en") == "1.65M"
    assert compact_value(0.33, "%") == "33%"
    assert compact_value(5000) == "5,000"


def test_parse_name() -> None:
    assert parse_name("  顧客数 ").value == "顧客数"
    assert parse_name("a\nb").value == "a b"
    assert problem_code(parse_name("")) == "name_empty"
    long = parse_name("x" * 2000)
    assert long.problem is not None and long.problem.code == "too_long" and long.problem.params == {"max": 200, "length": 2000}
    assert parse_name("ok\x00\x07").value == "ok"


def test_ids() -> None:
    assert parse_id("customers").ok and parse_id("顧客数").ok and parse_id("ｃｖｒ").value == "cvr"
    for bad in ["1abc", "a-b", "", "if", "a b", "x" * 65]:
        assert not parse_id(bad).ok
    assert make_id("Average order value") == "average_order_value"
    assert make_id("顧客数") == "顧客数"
    assert make_id("CVR (%)", {"cvr"}) == "cvr_2"
    assert make_id("123") == "k_123"
    assert make_id("!!!") == "kpi"
    assert make_id("if") == "k_if"


@given(st.text(max_size=80), st.sets(st.text(max_size=5), max_size=5))
def test_make_id_always_gives_a_valid_unused_id(name: str, taken: set[str]) -> None:
    new = make_id(name, taken)
    assert parse_id(new).ok and new not in taken


def test_dates() -> None:
    assert parse_date("2027/3/31").value == dt.date(2027, 3, 31)
    assert parse_date("２０２７-０３-３１").value == dt.date(2027, 3, 31)
    assert problem_code(parse_date("2027-02-30")) == "not_a_date"
    assert parse_date("").value is None


def test_non_finite_numbers_format_without_crashing() -> None:
    for v in (float("inf"), float("-inf"), float("nan")):
        assert format_number(v) == "—" and format_value(v, "", precise=False) == "—" and compact_value(v) == "—"


@pytest.mark.parametrize(
    "text, text_kept, line_kept",
    [
        ("a\r\nb", "a\nb", "a b"),
        ("a\rb", "a\nb", "a b"),
        ("a\u2028b\u2029c", "a\nb\nc", "a b c"),
        ("a\x00b\x1b[31m\x7f\x85", "ab[31m", "ab[31m"),
        ("tab\tkept", "tab\tkept", "tab\tkept"),
        ("\ud800lone", "lone", "lone"),
        ("  売上\u3000 ", "  売上\u3000 ", "売上"),
        ("plain", "plain", "plain"),
    ],
)
def test_typed_text_loses_control_characters_and_every_kind_of_line_break(text: str, text_kept: str, line_kept: str) -> None:
    assert clean_text(text) == text_kept and clean_line(text) == line_kept and clean_block(text) == text_kept.strip()
    assert parse_name(text).value == (line_kept or None)


@given(st.text())
def test_a_cleaned_name_is_one_line(text: str) -> None:
    assert len(clean_line(text).splitlines()) <= 1 and clean_line(clean_line(text)) == clean_line(text)


def test_bidirectional_overrides_and_noncharacters_never_stay_in_a_name() -> None:
    """U+202E can make "exe.pdf" read as "fdp.exe" in a tree, a mail or Slack (found by review); U+FFFE is no XML."""
    from kpidesign.values import clean_line, one_line

    assert clean_line("invoice\u202efdp.exe") == "invoicefdp.exe" and clean_line("a\u2066b\u2069c\ufffe") == "abc"
    assert one_line("a\u202e\u202db\nc") == "a b c" and one_line("plain") == "plain"
    assert clean_line("مرحبا KPI") == "مرحبا KPI"  # right-to-left text itself is kept


def test_counts_are_not_shown_with_decimals_without_a_hint() -> None:
    assert format_value(28.06, "people", precise=False) == "≈28"
    assert format_value(28.06, "人", precise=False) == "≈28"
    assert format_value(28.0, "people", precise=False) == "28"
    assert format_value(2.5, "items", precise=False) == "≈2.5"  # an average per purchase keeps its decimal
    assert format_value(22.5, "people", precise=False) == "≈23"  # half up, as people round
    assert format_value(28.06, "people") == "28.06"  # an input field shows what is stored
    assert format_value(28.06, "JPY", precise=False) == "28.1"  # not a count
    assert format_value(0.11, "%", precise=False) == "11%" and format_value(0.11, "%") == "11%"


@given(
    st.floats(-1e9, 1e9, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-3),
    st.sampled_from(["people", "人", "件", "count", "Sessions"]),
)
def test_a_count_shown_for_reading_is_a_whole_number_or_says_it_is_rounded(value: float, unit: str) -> None:
    shown = format_value(value, unit, precise=False)
    exact = float(value).is_integer()
    assert shown.startswith("≈") != exact
    if abs(value) >= 10:
        assert parse_number(shown.lstrip("≈")).value == float(half_up(value))
    else:
        assert parse_number(shown.lstrip("≈")).value == pytest.approx(value, rel=0.01, abs=0.01)


@given(st.floats(-10, 10, allow_nan=False), st.sampled_from(["%", "people", "JPY", ""]))
def test_in_range_follows_the_unit(value: float, unit: str) -> None:
    low, high = unit_range(unit)
    assert in_range(value, unit) == ((low is None or value >= low - 1e-12) and (high is None or value <= high + 1e-12))
    if unit == "%":
        assert in_range(value, unit) == (0 <= value <= 1 or abs(value) < 1e-12 or abs(value - 1) < 1e-12)
    if unit in ("JPY", ""):
        assert in_range(value, unit)


def test_graph_labels_round_counts_too() -> None:
    assert compact_value(39.975, "people") == "≈40" and compact_value(40, "people") == "40"
    assert compact_value(39.975, "JPY") == "40" == format_value(39.975, "JPY", precise=False)  # rounded for reading, no ≈: not a count


# Japanese numerals: 万/億/兆 groups, 千/百/十 inside a group, kanji digits


@pytest.mark.parametrize(
    "text, expected",
    [
        ("１億５千万", 150_000_000),
        ("1億5千万", 150_000_000),
        ("三千", 3000),
        ("一億五千万", 150_000_000),
        ("1億5000万", 150_000_000),
        ("2億3456万7890", 234_567_890),
        ("千五百", 1500),
        ("二十三", 23),
        ("十", 10),
        ("百万", 1_000_000),
        ("5百万", 5_000_000),
        ("1千万円", 10_000_000),
        ("¥1億2千万", 120_000_000),
        ("-1億5千万", -150_000_000),
        ("1.5億", 150_000_000),
        ("3兆2億", 3_000_200_000_000),
        ("三十%", 0.3),
        ("〇", 0),
        ("12000万", 120_000_000),
        ("5千3百", 5300),
    ],
)
def test_japanese_numerals_are_read(text: str, expected: float) -> None:
    assert parse_number(text).value == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", ["万億", "1万2億", "千千", "二三", "5千3000", "1億12000万", "万", "億円", "千.5", "1千2千", "百千", "1万万"]
)
def test_japanese_numerals_out_of_order_or_ambiguous_are_refused(text: str) -> None:
    parsed = parse_number(text)
    assert not parsed.ok and problem_code(parsed) == "not_a_number", (text, parsed)


KANJI = "〇一二三四五六七八九"


def kanji_group(n: int) -> str:
    """A number below 10,000 in kanji as it is written: 1500 -> 千五百, 23 -> 二十三 (no 一 before 十, 百, 千)."""
    out = ""
    for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
        digit, n = divmod(n, size)
        if digit:
            out += ("" if digit == 1 else KANJI[digit]) + unit
    return out + (KANJI[n] if n else "")


def japanese(n: int, kanji: bool) -> str:
    """A whole number with 兆/億/万 groups, each group in kanji or in Arabic digits: 150000000 -> 1億5000万 / 一億五千万."""
    if n == 0:
        return "〇" if kanji else "0"
    out = ""
    for unit, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4), ("", 1)):
        group, n = divmod(n, size)
        if group:
            out += (kanji_group(group) if kanji else str(group)) + unit
    return out


@given(st.integers(0, 10**15 - 1), st.booleans(), st.booleans())
def test_any_whole_number_written_the_japanese_way_reads_back(n: int, kanji: bool, wide: bool) -> None:
    text = japanese(n, kanji)
    if wide:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_number(text).value == n, text
    assert parse_number("-" + text).value == -n


@given(st.integers(1, 9999), st.sampled_from(["万", "億"]), st.integers(1, 9999))
def test_a_group_and_a_remainder_add_up(high: int, unit: str, low: int) -> None:
    size = {"万": 10**4, "億": 10**8}[unit]
    assert parse_number(f"{high}{unit}{low}").value == high * size + low
    assert parse_number(f"{kanji_group(high) or '〇'}{unit}{kanji_group(low)}").value == high * size + low


# one rule for a value shown for reading: the graph's labels and every screen's text agree


def test_a_large_amount_reads_the_same_everywhere_in_its_language() -> None:
    assert format_value(120_000_000, "円", precise=False, lang="ja") == "1.2億" == compact_value(120_000_000, "円", "ja")
    assert format_value(120_000_000, "JPY", precise=False, lang="en") == "120M" == compact_value(120_000_000, "JPY", "en")
    assert format_value(16_510_000, "円", precise=False, lang="ja") == "1,651万"
    assert format_value(5000, "円", precise=False, lang="ja") == "5,000" == compact_value(5000, "円", "en")
    assert format_value(120_000_000, "円") == "120,000,000"  # an input field shows what is stored, every digit
    assert format_value(0.0515, "%", precise=False, lang="ja") == "5.15%"


@given(
    st.floats(-1e15, 1e15, allow_nan=False),
    st.sampled_from(["", "円", "JPY", "%", "人", "people", "件"]),
    st.sampled_from(["ja", "en"]),
)
def test_labels_and_text_follow_one_rule_that_reads_back(value: float, unit: str, lang: Language) -> None:
    shown = format_value(value, unit, precise=False, lang=lang)
    assert compact_value(value, unit, lang) == shown
    back = parse_number(shown.lstrip("≈")).value
    assert back is not None, shown
    scale = 0.01 if unit == "%" else 1
    assert back == pytest.approx(value, rel=0.006, abs=0.6 * scale if unit in ("人", "people", "件") or abs(value) >= 1 else 0.006), shown
