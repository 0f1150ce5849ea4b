"""Reading what people type: numbers (with commas, %, 万/億, full-width digits), names, ids, dates.

Every parser returns a Parsed value: either a value or a Problem that says what is wrong,
so that the caller can show the message and keep the previous state.
"""

from __future__ import annotations

import datetime as dt
import keyword
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from kpidesign.language import Language
from kpidesign.lru import remembered

T = TypeVar("T")

MAX_NUMBER = 1e15
MAX_NAME = 200
MAX_TEXT = 4000
MAX_ID = 64

_BIG_UNITS = {"万": 1e4, "億": 1e8, "兆": 1e12}
_SUFFIX_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_ID = re.compile(r"^[^\W\d]\w*$")
_LINE_BREAK = re.compile("\r\n|[\r\u2028\u2029]")
# never text, in any output: control characters but LF and tab (Cc), lone surrogates (Cs), the bidirectional overrides and
# isolates that can make a name read as something else (U+202A-202E, U+2066-2069), and the noncharacters (U+FDD0-FDEF, and
# U+FFFE, U+FFFF of every plane: invalid in XML 1.0)
_NONCHARACTERS = "".join(chr(plane + last) for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF))
_NOT_TEXT = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef" + _NONCHARACTERS
_CONTROL = re.compile(f"[{_NOT_TEXT}]")
_NOT_IN_A_LINE = re.compile(f"[\t\n\u2028\u2029{_NOT_TEXT}]+")


@dataclass(frozen=True)
class Problem:
    """What is wrong with an input: a message code for i18n and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


class EditError(ValueError):
    """An edit that cannot be made; ``problem`` says why and nothing was changed."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """The outcome of reading one input: a value, or a problem."""

    value: T | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return self.problem is None

    def get(self) -> T | None:
        """The value; raise EditError with the problem if there is one."""
        if self.problem is not None:
            raise EditError(self.problem)
        return self.value


def normalize(text: str) -> str:
    """NFKC-normalise and strip: full-width digits and letters become ASCII, spaces are trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_number(text: str | float | int | None, *, allow_empty: bool = True) -> Parsed[float]:
    """Read a number such as '1,200', '１２００', '1.8%', '10億', '2.5万', '1億5千万', '三千', '3k' or '1e9'."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return Parsed(None) if allow_empty else Parsed(problem=Problem("required"))
    if isinstance(text, bool):
        return Parsed(problem=Problem("not_a_number", {"text": str(text)}))
    if isinstance(text, (int, float)):
        return _check_range(float(text), str(text))
    raw = str(text)
    s = normalize(raw).replace(",", "").replace("_", "").replace(" ", "").replace("¥", "").replace("$", "")
    s = s.replace("円", "").replace("pt", "") if len(s) > 1 else s
    if s == "":
        return Parsed(None) if allow_empty else Parsed(problem=Problem("required"))
    factor = 1.0
    if s.endswith("%"):
        factor, s = 0.01, s[:-1]
    elif s and s[-1].lower() in _SUFFIX_MULTIPLIERS and _NUMBER.match(s[:-1] or "x"):
        factor, s = _SUFFIX_MULTIPLIERS[s[-1].lower()], s[:-1]
    if len(s) > 40:
        return Parsed(problem=Problem("not_a_number", {"text": _short(raw)}))
    try:
        number = float(s) if _NUMBER.match(s) else japanese_number(s)
    except (ValueError, OverflowError):
        number = None
    if number is None:
        return Parsed(problem=Problem("not_a_number", {"text": _short(raw)}))
    return _check_range(number * factor, raw)


_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "壱": 1, "弐": 2, "参": 3}
_SMALL_UNITS = {"十": 10.0, "百": 100.0, "千": 1000.0}
_ARABIC = re.compile(r"\d+(\.\d+)?")


def japanese_number(text: str) -> float | None:
    """A number written the Japanese way, or None: groups of 兆/億/万 in decreasing order ('1億5千万', '2億3456万7890'),
    each group in Arabic digits ('5000', '1.5') or with 千/百/十 ('5千', '千五百', '三千'), kanji digits one at a time.

    Refused (None), rather than guessed: units out of order ('万億', '百千'), a unit twice, two digits in a row ('二三'),
    a unit without a number ('万'), a group of 10,000 or more after a larger unit ('1億12000万') and a remainder not
    below the unit before it ('5千3000'); a decimal only right before a unit ('1.5億')."""
    sign, rest = (-1.0, text[1:]) if text[:1] == "-" else (1.0, text[1:] if text[:1] == "+" else text)
    total = group = 0.0
    pending: float | None = None  # a number not yet multiplied by a unit
    decimal = False  # whether pending has a decimal point (it must then meet a unit)
    big = small = math.inf  # the last unit met (each must be smaller than the one before)
    seen = False
    i = 0
    while i < len(rest):
        c = rest[i]
        if arabic := _ARABIC.match(rest, i):
            if pending is not None:
                return None
            pending, decimal, i = float(arabic.group()), arabic.group(1) is not None, arabic.end()
            continue
        i += 1
        if c in _KANJI_DIGITS:
            if pending is not None:
                return None
            pending, decimal = float(_KANJI_DIGITS[c]), False
        elif c in _SMALL_UNITS:
            unit = _SMALL_UNITS[c]
            if unit >= small:
                return None
            group += (1.0 if pending is None else pending) * unit
            pending, small, seen = None, unit, True
        elif c in _BIG_UNITS:
            unit = _BIG_UNITS[c]
            value = group + (pending or 0.0)
            if unit >= big or (group == 0 and pending is None) or (pending is not None and small < math.inf and pending >= small):
                return None
            if big < math.inf and value >= 1e4:
                return None
            total += value * unit
            group, pending, decimal, big, small, seen = 0.0, None, False, unit, math.inf, True
        else:
            return None
    if pending is not None:
        if decimal and seen:
            return None
        if pending >= min(small, big):  # 5千3000, 1万12345: a remainder the unit before should have held
            return None
    if not seen and pending is None:
        return None
    return sign * (total + group + (pending or 0.0))


def _check_range(value: float, raw: str) -> Parsed[float]:
    if math.isnan(value) or math.isinf(value) or abs(value) > MAX_NUMBER:
        return Parsed(problem=Problem("number_too_large", {"text": _short(raw), "max": f"{MAX_NUMBER:,.0f}"}))
    return Parsed(round(value, 12) if value != int(value) else float(int(value)))


def parse_name(text: str | None, *, max_len: int = MAX_NAME) -> Parsed[str]:
    """Read a required one-line name: trimmed, not empty, not too long, no control characters."""
    s = clean_line(text or "")
    if not s:
        return Parsed(problem=Problem("name_empty"))
    if len(s) > max_len:
        return Parsed(problem=Problem("too_long", {"max": max_len, "length": len(s)}))
    return Parsed(s)


def parse_text(text: str | None, *, max_len: int = MAX_TEXT) -> Parsed[str]:
    """Read optional free text (may be empty, may have line breaks)."""
    s = clean_block(text or "")
    if len(s) > max_len:
        return Parsed(problem=Problem("too_long", {"max": max_len, "length": len(s)}))
    return Parsed(s)


def clean_text(text: str) -> str:
    """Drop control characters other than line breaks and tabs; every line break (CR, CRLF, U+2028, U+2029) becomes LF."""
    if text.isprintable():  # nothing to change (the common case; False for any line break, tab or control character)
        return text
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def one_line(text: str) -> str:
    """Text as one line any output accepts (SVG, PNG, DOT, a mail header): each run of what cannot stand on a line becomes
    one space (names are cleaned when typed or imported, but an older database may hold anything)."""
    return text if text.isprintable() else _NOT_IN_A_LINE.sub(" ", text)  # all of them are unprintable: most texts are done at once


def clean_line(text: str) -> str:
    """A name or a unit as typed input keeps it: clean_text, line breaks as spaces, trimmed."""
    return text.strip() if text.isprintable() else clean_text(text).replace("\n", " ").strip()


def clean_block(text: str) -> str:
    """Free text as typed input keeps it: clean_text (line breaks kept as LF), trimmed."""
    return text.strip() if text.isprintable() else clean_text(text).strip()


def parse_id(text: str | None) -> Parsed[str]:
    """Read a node id usable in formulas: letters (any script), digits and _, not starting with a digit."""
    s = normalize(text or "")
    if not s:
        return Parsed(problem=Problem("id_empty"))
    if len(s) > MAX_ID:
        return Parsed(problem=Problem("too_long", {"max": MAX_ID, "length": len(s)}))
    if not _ID.match(s) or keyword.iskeyword(s) or keyword.issoftkeyword(s):
        return Parsed(problem=Problem("id_invalid", {"text": _short(s)}))
    return Parsed(s)


def make_id(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A readable, unique id from a name: 'Average order value' -> 'average_order_value', '顧客数' -> '顧客数'."""
    s = normalize(name).lower()
    s = re.sub(r"\W+", "_", s).strip("_")[:40].strip("_")
    if not s or not _ID.match(s) or keyword.iskeyword(s) or keyword.issoftkeyword(s):
        s = f"k_{s}" if s else "kpi"
    candidate, i = s, 2
    while candidate in taken:
        candidate, i = f"{s}_{i}", i + 1
    return candidate


def parse_date(text: str | dt.date | None, *, allow_empty: bool = True) -> Parsed[dt.date]:
    """Read an ISO date (2027-03-31, also 2027/3/31)."""
    if text is None or text == "":
        return Parsed(None) if allow_empty else Parsed(problem=Problem("required"))
    if isinstance(text, dt.datetime):
        return Parsed(text.date())
    if isinstance(text, dt.date):
        return Parsed(text)
    s = normalize(str(text)).replace("/", "-").replace(".", "-")
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", s)
    try:
        if not m:
            raise ValueError
        return Parsed(dt.date(int(m[1]), int(m[2]), int(m[3])))
    except ValueError:
        return Parsed(problem=Problem("not_a_date", {"text": _short(str(text))}))


def is_percent(unit: str) -> bool:
    """True when a unit means the value is a fraction shown as a percentage."""
    return _unit_kind(unit)[0]


_PERCENT_UNITS = frozenset({"%", "percent", "パーセント", "率", "ratio", "比率", "割合", "fraction"})


#: Units that count whole things (people, cases, visits…): a value between whole numbers is an average or a plan.
COUNT_UNITS = frozenset(
    {
        "人", "名", "件", "回", "社", "個", "本", "台", "ページ", "人数", "件数", "回数", "社数",
        "people", "persons", "person", "count", "times", "accounts", "leads", "applications", "sessions", "searches",
        "visits", "keywords", "items", "impressions", "pages", "users", "customers", "orders", "hires", "deals",
    }
)  # fmt: skip


def is_count(unit: str) -> bool:
    """True when a unit counts whole things (people, cases, visits), so 28.06 of it is not what anyone counted."""
    return _unit_kind(unit)[1]


@remembered(size=1024, longest=64)
def _unit_kind(unit: str) -> tuple[bool, bool]:
    """(a percentage, a count) for a unit: kept for a unit of ordinary length, since every value shown reads its unit
    (a 500-box tree formats a thousand numbers after each edit) and a team uses a handful of units."""
    plain = normalize(unit).lower()
    return plain in _PERCENT_UNITS, plain in COUNT_UNITS


def unit_range(unit: str) -> tuple[float | None, float | None]:
    """The values a unit allows (low, high; None: no bound): a rate from 0 to 100%, a count from 0 up."""
    if is_percent(unit):
        return 0.0, 1.0
    if is_count(unit):
        return 0.0, None
    return None, None


def in_range(value: float, unit: str) -> bool:
    """Whether a value is one its unit allows (a rate of 134% or -3 people is not)."""
    low, high = unit_range(unit)
    return (low is None or value >= low - 1e-12) and (high is None or value <= high + 1e-12)


def half_up(value: float) -> int:
    """Round to a whole number as people do: 22.5 -> 23, -22.5 -> -23 (Python's round gives 22, to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def format_value(value: float | None, unit: str = "", precise: bool = True, lang: Language | None = None) -> str:
    """Show a KPI's value as people read it, the one rule for every screen, table, label and export: a percentage when its
    unit is % (0.018 -> 1.8%); rounded for reading unless precise (an input field shows what is stored); a count that is
    not a whole number rounded with ≈ (28.06 people -> ≈28: an average or a plan, not what was counted). For reading in a
    language (lang), a large amount in that language's units, as the graph's labels show it: 1.2億 and 1,651万 (ja, from
    10,000), 120M (en, from a million), never 120,000,000 on one line and 1.2億 on the next."""
    if value is None:
        return ""
    if is_percent(unit):
        return (format_number(round(value * 100, 10)) if precise else _readable(value * 100)) + "%"
    if not precise and lang is not None and math.isfinite(value):
        for size, suffix in _LARGE["ja" if lang == "ja" else "en"]:
            if abs(value) >= size:
                scaled = value / size
                text = f"{scaled:.3g}"  # 1.2億, 8.3億, 165万: three significant digits
                return (f"{scaled:,.0f}" if "e" in text or abs(scaled) >= 1000 else text) + suffix  # 1,651万, not 1.65e+03万
    if not precise and math.isfinite(value) and not float(value).is_integer() and is_count(unit):
        return "≈" + _readable(float(half_up(value)) if abs(value) >= 10 else value)  # 2.5 items per purchase is an average
    return format_number(value) if precise else _readable(value)


_LARGE = {
    "ja": ((1e12, "兆"), (1e8, "億"), (1e4, "万")),
    "en": ((1e12, "T"), (1e9, "B"), (1e6, "M")),
}


def format_change(delta: float | None, ratio: float | None, unit: str = "") -> str | None:
    """A change as people read it: a rate's in percentage points ("-3 pt", 21% -> 18%), anything else's in percent of
    the value before ("+20.0%"); None when there is nothing to say (no value before, or a ratio to zero)."""
    if is_percent(unit):
        if delta is None or not math.isfinite(delta):
            return None
        points = round(delta * 100, 2)
        return "±0 pt" if points == 0 else f"{points:+,.2f}".rstrip("0").rstrip(".") + " pt"
    if ratio is None or not math.isfinite(ratio):
        return None
    return f"{ratio:+.1%}"


def _readable(value: float) -> str:
    """A number rounded for reading: no decimals from 1,000 up, else three significant digits."""
    if not math.isfinite(value):
        return "—"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{round(value):,}"
    if not value:
        return "0"
    if abs(value) < 1e-4:
        return f"{value:.3g}"  # 2.58e-07, not forty zeros
    shown = f"{value:,.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown  # 11%, not 11.0%


def compact_value(value: float | None, unit: str = "", lang: Language = "ja") -> str:
    """A value on a graph's label: format_value's rule for reading in that language (800000000 -> '8億' / '800M')."""
    return format_value(value, unit, precise=False, lang=lang)


def format_number(value: float | None) -> str:
    """Show a number for people: thousands separators, no trailing .0, up to 6 significant decimals."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    digits = len(str(int(abs(value)))) if abs(value) >= 1 else 0
    return f"{value:,.{max(2, 6 - digits)}f}".rstrip("0").rstrip(".")


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


_CONNECTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_URL_WITH_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/\s]*@", re.IGNORECASE)


def connection_problem(name: str) -> Problem | None:
    """Why a text cannot name a connection (a URL with credentials, or not letters, digits and _ from a letter), or None."""
    if _URL_WITH_CREDENTIALS.match(name.strip()):
        return Problem("connection_has_password")
    if not _CONNECTION_NAME.match(name.strip()):
        return Problem("connection_name", {"text": name[:40]})
    return None
