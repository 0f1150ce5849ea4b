"""The model: lookups by id that stay right through copies; only finite numbers and clean names, whatever the way in."""

import datetime as dt
import json
import math
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from kpidesign import edits
from kpidesign.model import Actual, Alert, Definition, LearningEntry, Node, ReviewMeeting, Thresholds, Workshop, new_workshop
from kpidesign.store import Store
from kpidesign.values import EditError, parse_name, parse_text


def test_node_by_id_and_missing() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="売上"), Node(id="a", parent="kgi", name="客数")])
    assert ws.node("a").name == "客数"
    with pytest.raises(KeyError):
        ws.node("zz")


def test_node_lookup_follows_a_copy_with_new_nodes() -> None:
    ws = new_workshop("t")
    assert ws.node("kgi").name == "KGI"
    renamed = ws.model_copy(update={"nodes": [ws.kgi.model_copy(update={"name": "売上"}), Node(id="b", parent="kgi", name="b")]})
    assert renamed.node("kgi").name == "売上" and renamed.node("b").name == "b"
    assert ws.node("kgi").name == "KGI"  # the original is untouched
    with pytest.raises(KeyError):
        ws.node("b")


def test_node_lookup_sees_a_node_appended_in_place() -> None:
    ws = new_workshop("t")
    ws.node("kgi")
    ws.nodes.append(Node(id="c", parent="kgi", name="c"))
    assert ws.node("c").name == "c"


def test_first_node_wins_when_an_id_repeats() -> None:
    ws = Workshop.model_construct(title="t", nodes=[Node(id="x", name="first"), Node(id="x", name="second")])
    assert ws.node("x").name == "first"


def test_the_lookup_leaves_equality_and_the_dump_alone() -> None:
    a, b = new_workshop("t"), new_workshop("t")
    a.node("kgi")
    assert a == b and a.model_dump() == b.model_dump() and a.model_dump_json() == b.model_dump_json()


# issue 17: whatever the way in, only finite numbers, and names and texts cleaned as typed input cleans them

NUMERIC: dict[str, Callable[[object], BaseModel]] = {
    "baseline": lambda v: Node(id="a", name="A", baseline=v),
    "target": lambda v: Node(id="a", name="A", target=v),
    "green": lambda v: Thresholds(green=v),
    "yellow": lambda v: Thresholds(yellow=v),
    "value": lambda v: Actual(kpi="a", date=dt.date(2026, 1, 1), value=v),
    "market": lambda v: Actual(kpi="a", date=dt.date(2026, 1, 1), value=1, market=v),
}
non_finite = st.sampled_from([math.nan, math.inf, -math.inf, "nan", "inf", "-Infinity", "1e400", 10**400])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(NUMERIC)), non_finite)
def test_non_finite_numbers_are_refused_in_every_numeric_field(field: str, value: float | str | int) -> None:
    with pytest.raises(ValidationError) as refused:
        NUMERIC[field](value)
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(NUMERIC)), st.floats(allow_nan=False, allow_infinity=False))
def test_finite_numbers_are_kept_as_they_are(field: str, value: float) -> None:
    made = NUMERIC[field](value)
    assert getattr(made, field) == value


def test_a_workshop_refuses_a_non_finite_number_deep_inside() -> None:
    doc = new_workshop("t").model_dump()
    doc["nodes"][0]["thresholds"]["green"] = math.nan
    with pytest.raises(ValidationError) as refused:
        Workshop.model_validate(doc)
    assert refused.value.errors()[0]["loc"] == ("nodes", 0, "thresholds", "green")


LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
risky = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from([*LINE_BREAKS, "\x00", "\x1b", "\x7f", "\t", " "]), max_size=30)


def one_line(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") and ch != "\t" for ch in text) and len(text.splitlines()) <= 1


@settings(max_examples=200, deadline=None)
@given(risky)
def test_names_and_units_come_out_on_one_line_as_typed_input_keeps_them(text: str) -> None:
    expected = parse_name(text).value or ""
    node = Node(id="a", name=text, unit=text)
    assert node.name == node.unit == expected and one_line(node.name)
    assert Workshop(title=text, nodes=[node]).title == expected
    assert ReviewMeeting(name=text, participants=[text]).name == expected and Alert(kpi="a", to=text).to == expected


@settings(max_examples=200, deadline=None)
@given(risky)
def test_free_texts_keep_line_breaks_but_no_control_characters_as_typed_input_keeps_them(text: str) -> None:
    expected = parse_text(text, max_len=10**6).value
    assert Definition(why=text, owner=text).why == expected and LearningEntry(date=dt.date(2026, 1, 1), observe=text).observe == expected
    assert Node(id="a", name="A", objective=text, formula=text).objective == expected
    assert "\r" not in expected and "\u2028" not in expected
    assert not any(unicodedata.category(ch) == "Cc" for ch in expected.replace("\n", "").replace("\t", ""))


def test_typed_input_keeps_its_messages(ec: Workshop) -> None:
    assert edits.set_field(ec, "customers", "name", "  New\u2028customers\r\n").node("customers").name == "New customers"
    assert edits.set_field(ec, "customers", "unit", "people\r\n(net)").node("customers").unit == "people (net)"
    for raw, code in (("\x00\u2028\r\n", "name_empty"), ("x" * 201, "too_long")):
        with pytest.raises(EditError) as refused:
            edits.set_field(ec, "customers", "name", raw)
        assert refused.value.problem.code == code
    for raw in ("nan", "inf", "1e400"):
        with pytest.raises(EditError) as refused:
            edits.set_field(ec, "customers", "baseline", raw)
        assert refused.value.problem.code in ("not_a_number", "number_too_large")


def test_what_the_database_holds_still_loads(store: Store, ec: Workshop) -> None:
    wid = store.create(ec)
    doc = store.load(wid).workshop.model_dump(mode="json")
    doc["nodes"][1]["baseline"] = None  # a NaN saved before this check was written as null
    doc["nodes"][1]["name"] = "New\r\ncustomers"
    store.db.execute("update workshops set doc = ?, version = version + 1 where id = ?", (json.dumps(doc), wid))
    store.db.execute(
        "insert into actuals (workshop_id, kpi, date, value, market) values (?, 'customers', '2026-01-05', NULL, NULL)", (wid,)
    )
    loaded = store.load(wid).workshop
    assert loaded.nodes[1].baseline is None and loaded.nodes[1].name == "New customers"
    # a NULL value (a NaN stored by an early release) is no reading: left out, so every Actual's value is a float
    store.db.execute("insert into actuals (workshop_id, kpi, date, value, market) values (?, 'customers', '2026-01-12', 3.5, NULL)", (wid,))
    assert [(a.kpi, a.date.isoformat(), a.value, a.market) for a in store.actuals.all(wid)] == [("customers", "2026-01-12", 3.5, None)]
