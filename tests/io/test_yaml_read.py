"""The YAML reader: what yaml.load reads, read the same; anchors, aliases and unreadable values refused in bounded time."""

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign.io import yaml_read

ROOT = Path(__file__).resolve().parents[2]


def outcome(read: Callable[[str], object], text: str) -> tuple[str, object]:
    """What a reader makes of text: ('ok', data) or ('error', the exception's class)."""
    try:
        return "ok", read(text)
    except yaml.YAMLError as e:
        return "error", type(e).__name__


def pyyaml(text: str | bytes) -> Any:
    """What PyYAML's own reader (with kpidesign's loader) makes of text: any YAML data."""
    return yaml.load(text, Loader=yaml_read.Loader)  # noqa: S506 (a safe loader)


def bomb(levels: int = 9, width: int = 9, where: str = "layer") -> str:
    """A billion-laughs nest (levels × width aliases) in one field of a node: ~560 bytes, 9**8 items once expanded."""
    parts = ["&a0 [lol]"] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    node = f"{{id: n, parent: k, name: N, {where}: [{', '.join(parts)}]}}"
    return f"kpidesign: 1\nworkshop: {{title: bomb}}\nkgi: {{id: k, name: K}}\nnodes:\n  - {node}\n"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("where", ["layer", "sensitivity", "definition: {frequency", "thresholds: {direction", "definition: {comparisons"])
def test_an_alias_bomb_is_refused_at_once_with_its_line(where: str) -> None:
    text = bomb(where=where)
    if "{" in where:
        text = text.replace("]}\n", "]}}\n")
    assert len(text.encode()) < 700
    started = time.perf_counter()
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load(text)
    assert time.perf_counter() - started < 0.5
    assert refused.value.code == "yaml_anchor" and refused.value.params == {"field": "line 5", "anchor": "a0"}


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text, line",
    [
        ("a: &x 1\nb: 2\n", 1),  # an anchor never used
        ("a: 1\nb: *x\n", 2),  # an alias to nothing
        ("a:\n  - 1\n  - &l [1, 2]\n", 3),  # on a sequence
        ("a: 1\nb: &m {c: 1}\nd: *m\n", 2),  # on a mapping
    ],
)
def test_any_anchor_or_alias_is_refused(text: str, line: int) -> None:
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load(text)
    assert refused.value.code == "yaml_anchor" and refused.value.params["field"] == f"line {line}"


@pytest.mark.timeout(10)
def test_an_integer_of_thousands_of_digits_is_refused_with_its_field() -> None:
    with pytest.raises(ValueError):  # what PyYAML itself does with it: an exception no caller expects
        pyyaml("kgi: {baseline: " + "9" * 5000 + "}")
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load("kpidesign: 1\nnodes:\n  - {id: a}\n  - {id: b, thresholds: {green: " + "9" * 5000 + "}}\n")
    assert refused.value.code == "yaml_number_too_long"
    assert refused.value.params == {"field": "nodes[1].thresholds.green", "line": 4, "digits": "5,000"}


def test_a_date_that_does_not_exist_is_refused_with_its_field() -> None:
    with pytest.raises(ValueError):
        pyyaml("d: 2026-02-30")
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load("kgi:\n  deadline: 2026-02-30\n")
    assert refused.value.code == "yaml_bad_value" and refused.value.params == {"field": "kgi.deadline", "line": 2, "text": "2026-02-30"}


EDGE_CASES = [
    "",
    "# nothing\n",
    "a: 1",
    "--- 1\n--- 2\n",
    "[1, 2",
    "a: b: c",
    "? [a]\n: 1",
    "? {a: 1}\n: 1",
    "<<: {a: 1}\nb: 2",
    "a: {<<: [{x: 1}, {y: 2}], z: 3}",
    "a: !!set {x, y}",
    "a: !!binary aGk=",
    "a: !!omap [{x: 1}]",
    "x: =",
    "=: 3",
    "~: 1\nnull: 2",
    "a: !foo 1",
    "a: !!python/name:os.system ''",
    "a: [1, 0x1f, 0o7, 017, 0b11, 1_000, 1:30, 190:20:30, 1.5e+3, 1e3, .inf, -.Inf, +.INF, .NaN, yes, No, on, OFF, ~, '']",
    "a: [2026-01-01, 2026-1-1 10:00:00+09:00]",
    "a: !!int '12'\nb: !!float '1'\nc: !!str 12\nd: ! 12\ne: !!null ''\nf: !!bool 'yes'\ng: !!timestamp 2026-01-01",
    "a: |\n  x\n  y\nb: >\n  p\n  q\nc: 'it''s'\nd: \"\\u2028\\t\"\n",
    "- {a: 1}\n- [1, [2, [3]]]\n- 'x'\n- ",
    "a:\nb:\n- \n",
    "{a: 1, a: 2}",
    "%YAML 1.1\n---\na: 1\n...\n",
    "\ufeffa: 1",
    "a: 2026-01-01t10:00:00.5z",
    "1: one\n2.5: two\ntrue: three\n2026-01-01: four",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_whatever_yaml_load_reads_is_read_the_same(text: str) -> None:
    """The same reading, except what kpidesign never writes (tags, merge keys, complex keys): refused with its line."""
    try:
        mine = outcome(yaml_read.load, text)
    except yaml_read.Refused as e:
        assert e.code == "yaml_unsupported" and any(mark in text for mark in ("!", "<<", "?", "=")), text
        return
    assert mine == outcome(pyyaml, text)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("line", ["zz: !!binary AAAA", "zz: !!set {a}", "<<: {a: 1}", "? [a]\n: 1", "zz: !custom 1"])
def test_what_kpidesign_never_writes_is_refused_at_once_even_at_the_end_of_a_big_file(line: str) -> None:
    """Handing such a file to PyYAML's own reader read it a second time in pure Python: ~14 s for 5 MB (found by review)."""
    from bench.generate import weekly_actuals, workshop
    from kpidesign.io import yaml_io

    ws = workshop(300)
    text = yaml_io.to_yaml(ws.model_copy(update={"actuals": weekly_actuals(ws)})) + line + "\n"
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load(text)
    assert refused.value.code == "yaml_unsupported" and refused.value.params["line"] >= text.count("\n") - 1


@pytest.mark.parametrize("path", sorted((ROOT / "data").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_yaml_file_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml_read.load(text) == pyyaml(text)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.dates()
    | st.text(max_size=20)
    | st.sampled_from(["yes", "off", "~", "null", "0x1f", "017", "1:30", "1e3", ".5", "1_0", "<<", "="])
    | st.sampled_from(["2026-01-01 10:00:00", "-", "? x", "#", "'"])
)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(scalars, inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.booleans())
def test_generated_documents_read_as_yaml_load_reads_them(data: object, flow: bool, canonical: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, canonical=canonical, allow_unicode=True)
    assert outcome(yaml_read.load, text) == outcome(pyyaml, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1:-[]{}?,'\"!&*<=.#|> \n", max_size=40))
def test_arbitrary_text_reads_as_yaml_load_reads_it_or_is_refused_for_an_anchor(text: str) -> None:
    try:
        mine = outcome(yaml_read.load, text)
    except yaml_read.Refused as e:
        # refused: an anchor, a tag, a merge key or a complex key (`? …`, or a collection as a key: `[]:`, which PyYAML
        # itself cannot build either)
        unsupported = any(mark in text for mark in ("!", "<<", "?", "=")) or outcome(pyyaml, text)[0] != "ok"
        assert e.code == "yaml_anchor" or (e.code == "yaml_unsupported" and unsupported)
        return
    theirs = outcome(pyyaml, text)
    if mine[0] == "ok" and theirs[0] == "ok" and isinstance(mine[1], float) and math.isnan(mine[1]):
        assert isinstance(theirs[1], float) and math.isnan(theirs[1])
    else:
        assert mine == theirs


def test_repeated_scalars_are_read_once_and_shared_only_when_immutable() -> None:
    doc = yaml_read.load("- {kpi: cvr, date: 2026-01-05, value: 1.5}\n- {kpi: cvr, date: 2026-01-05, value: 1.5}\n- [a]\n- [a]\n")
    assert doc[0] == doc[1] and doc[0]["date"] == dt.date(2026, 1, 5)
    assert doc[2] is not doc[3]  # lists are never shared


# the actuals block as kpidesign writes it is read without libyaml's events: the same data, or the ordinary reading decides

PREFIXES = [
    "kpidesign: 1\nworkshop: {title: x}\n",
    "",
    "# only a comment\n",
    "a: |\n  text\n  more\n",
    "a: |+\n  kept\n\n",
    "a: >-\n  folded\n",
    "a:\n  b: [1, 2]\n  c: {d: e}\n",
    "nodes:\n- id: a\n  name: A\n",
    "actuals: [1, 2]\nb: 2\n",
    "actuals:\n- kpi: a\n  date: 2026-01-01\n  value: 1\nz: 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "? a\n: 1\n",
    "a: 'multi\n  line'\n",
    "a: 1   \n",
    "{a: 1}\n",
    "[1]\n",
    "- 1\n",
    "a: 1\n...\n",
    "a: 1\n---\n",
    'a: "unclosed\n',
    "a: [1,\n",
    "a: &x 1\n",
    "a: *x\n",
    "a: !!set {x}\n",
    "a: <<\n",
    "abc\n",
    "a: b: c\n",
    "\ufeffa: 1\n",
    "a: 1\n  b: 2\n",
]
ids = (
    st.sampled_from(["cvr", "k12", "顧客数", "yes", "No", "null", "true", "1e3", "123", "0x1f", "0o7", "1_0", "_", "a_b", "Ⅻ", "ｋ"])
    | st.sampled_from(["&x", "*x", "!t", "!!int 1", "'q'", '"q"', "a:b", "a: b", "a #b", "#c", "[a]", "{a}", "- x", "-", "?", "|", ">"])
    | st.sampled_from(["%", "@", "`", "~", "<<", "="])
    | st.from_regex(r"\w{1,8}", fullmatch=True)
)
plain_numbers = (
    st.sampled_from([".inf", "-.inf", ".nan", "1_000", "0.1.2", "1.", "-0", "+5", "1.5e+300", "1e3", "0777", "9" * 5000, "1.0e+400"])
    | st.floats(allow_nan=False).map(repr)
    | st.integers().map(str)
)
dates = st.dates().map(dt.date.isoformat) | st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01"])
rows = st.lists(st.tuples(ids, dates, plain_numbers, st.none() | plain_numbers), min_size=1, max_size=6)
TAILS = ["", "# a comment\n", "\n", "- kpi: x\n", "z: 1\n", "  extra: 1\n"]


Row = tuple[str, str, str, str | None]  # kpi, date, value, market: as written in the file


def actuals_block(rows: Sequence[Row]) -> str:
    def market(m: str | None) -> str:
        return f"  market: {m}\n" if m is not None else ""

    return "actuals:\n" + "".join(f"- kpi: {k}\n  date: {d}\n  value: {v}\n{market(m)}" for k, d, v, m in rows)


def same_reading(text: str) -> None:
    """The reader gives what yaml.load gives, or refuses what yaml.load cannot give (an anchor, an unreadable value)."""
    mine: tuple[str, object]
    theirs: tuple[str, object]
    try:
        mine = ("ok", yaml_read.load(text))
    except yaml_read.Refused as e:
        mine = ("refused", e.code)
    except yaml.YAMLError as e:
        mine = ("error", type(e).__name__)
    try:
        theirs = ("ok", pyyaml(text))
    except yaml.YAMLError as e:
        theirs = ("error", type(e).__name__)
    except ValueError:
        theirs = ("error", "ValueError")
    if mine == ("refused", "yaml_anchor"):
        assert "&" in text or "*" in text
    elif mine == ("refused", "yaml_unsupported"):
        assert any(mark in text for mark in ("!", "<<", "?", "=")), text
    elif mine[0] == "refused":  # a value PyYAML cannot build: its ValueError, or its error about something further on
        assert theirs[0] == "error", (mine, theirs)
    else:
        assert repr(mine) == repr(theirs)  # repr: a NaN equals itself there


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PREFIXES), rows, st.sampled_from(TAILS), st.booleans())
def test_an_actuals_block_reads_as_yaml_load_reads_it(prefix: str, rows: list[Row], tail: str, crlf: bool) -> None:
    text = prefix + actuals_block(rows) + tail
    same_reading(text.replace("\n", "\r\n") if crlf else text)


def test_the_fast_reading_is_taken_for_what_kpidesign_writes_and_not_for_a_doubtful_prefix() -> None:
    block = actuals_block([("cvr", "2026-01-05", "0.25", None), ("cvr", "2026-01-12", "0.3", "0.2")])
    doc = yaml_read._with_actuals_block("kpidesign: 1\nworkshop: {title: x}\n" + block)
    assert doc["actuals"] == [
        {"kpi": "cvr", "date": dt.date(2026, 1, 5), "value": 0.25},
        {"kpi": "cvr", "date": dt.date(2026, 1, 12), "value": 0.3, "market": 0.2},
    ]
    for prefix in ("{a: 1}\n", "a: 1\n...\n", "- 1\n", "a: 1\n---\n"):
        try:
            assert yaml_read._with_actuals_block(prefix + block) is yaml_read._NOTHING
        except yaml.YAMLError:
            pass
    assert yaml_read._with_actuals_block("a: 1\n" + block + "# end\n") is yaml_read._NOTHING


@pytest.mark.timeout(20)
def test_a_big_workshop_reads_as_yaml_load_reads_it() -> None:
    from bench.generate import weekly_actuals, workshop
    from kpidesign.io.yaml_io import to_yaml

    ws = workshop(120)
    text = to_yaml(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
    assert yaml_read._with_actuals_block(text) is not yaml_read._NOTHING and yaml_read.load(text) == pyyaml(text)


def test_an_unreadable_key_names_the_mapping_it_is_in() -> None:
    with pytest.raises(yaml_read.Refused) as refused:
        yaml_read.load("kgi:\n  2026-02-30: x\n")
    assert refused.value.params == {"field": "kgi", "line": 2, "text": "2026-02-30"}


@pytest.mark.parametrize(
    "text",
    [
        b'title: !!bool "maybe"\n',
        b'version: !!int ""\n',
        b'x: !!timestamp "2026-13"\n',
        b'? !!bool "x"\n: 1\n',
        b'kpidesign: 1\nworkshop: {title: !!float ""}\n',
        b"a: !!set {x}\nb: !!bool maybe\n",
    ],
)
def test_explicitly_tagged_text_that_cannot_be_built_is_refused_not_raised(text: bytes) -> None:
    """PyYAML's constructors raise KeyError, IndexError or AttributeError on such text: a finding, never a traceback."""
    from kpidesign.io import files

    result = files.read("w.yaml", text)
    assert result.workshop is None and result.findings[0].code in ("yaml_bad_value", "yaml_unsupported")
