import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import edits
from kpidesign.model import ComparisonAxis, Direction, Frequency, Layer, Workshop
from kpidesign.values import EditError


def test_set_field_parses_each_kind(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "baseline", "4万")
    ws = edits.set_field(ws, "customers", "layer", "lagging")
    ws = edits.set_field(ws, "customers", "frequency", "weekly")
    ws = edits.set_field(ws, "customers", "comparisons", ["prior_year", "target", "prior_year"])
    ws = edits.set_field(ws, "customers", "direction", "lower_is_better")
    ws = edits.set_field(ws, "customers", "green", "45,000")
    ws = edits.set_field(ws, "customers", "owner", "  EC team ")
    ws = edits.set_field(ws, "sales", "why", "投資原資のため")
    n = ws.node("customers")
    assert n.baseline == 40000 and n.layer is Layer.LAGGING and n.definition.frequency is Frequency.WEEKLY
    assert n.definition.comparisons == [ComparisonAxis.PRIOR_YEAR, ComparisonAxis.TARGET]
    assert n.thresholds.direction is Direction.LOWER_IS_BETTER and n.thresholds.green == 45000
    assert n.definition.owner == "EC team" and ws.kgi.definition.why == "投資原資のため"
    assert edits.set_field(ws, "customers", "layer", None).node("customers").layer is None


@pytest.mark.parametrize(
    "field, raw, code",
    [
        ("baseline", "abc", "not_a_number"),
        ("target", "1" * 30, "number_too_large"),
        ("layer", "sideways", "choice_invalid"),
        ("direction", "", "required"),
        ("name", "", "name_empty"),
        ("name", "x" * 2000, "too_long"),
        ("owner", "x" * 500, "too_long"),
        ("formula", "customers.__class__", "formula_forbidden"),
        ("deadline", "2001-01-01", "deadline_past"),
        ("deadline", "tomorrow", "not_a_date"),
        ("id", "x", "field_not_editable"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(ec: Workshop, field: str, raw: str, code: str) -> None:
    node = "sales" if field in ("deadline", "formula") else "customers"
    with pytest.raises(EditError) as info:
        edits.set_field(ec, node, field, raw)
    assert info.value.problem.code == code


def test_future_deadline_and_unchanged_past_deadline(ec: Workshop) -> None:
    future = dt.date.today() + dt.timedelta(days=30)
    ws = edits.set_field(ec, "sales", "deadline", future)
    assert ws.kgi.deadline == future


def test_sheet_edits_keep_good_cells_and_list_bad_ones(ec: Workshop) -> None:
    ids = [n.id for n in ec.nodes]
    row = ids.index("customers")
    ws, problems = edits.apply_sheet_edits(
        ec, ids, {str(row): {"owner": "Lead", "green": "lots", "yellow": "45,000", "name": "hack"}, 999: {"owner": "x"}}
    )
    n = ws.node("customers")
    assert n.definition.owner == "Lead" and n.thresholds.yellow == 45000 and n.thresholds.green is None
    assert [(p.column, p.problem.code) for p in problems] == [("green", "not_a_number"), ("name", "field_not_editable")]


def test_nothing_applied_returns_the_same_object(ec: Workshop) -> None:
    ws, problems = edits.apply_sheet_edits(ec, [n.id for n in ec.nodes], {0: {"green": "bad"}})
    assert ws is ec and len(problems) == 1


def test_reviews_delta(ec: Workshop) -> None:
    ws, problems = edits.set_reviews(
        ec, {"added_rows": [{"name": "Weekly", "cadence": "weekly", "kpis": ["customers"], "participants": "A, B"}]}
    )
    assert not problems and ws.monitoring.reviews[0].participants == ["A", "B"]
    ws, problems = edits.set_reviews(ws, {"edited_rows": {0: {"kpis": ["Customers", "avg_spend"]}}})
    assert ws.monitoring.reviews[0].kpis == ["customers", "avg_spend"]
    same, problems = edits.set_reviews(ws, {"edited_rows": {0: {"name": ""}}})
    assert same is ws and problems[0][1].code == "review_name_empty"
    ws, _ = edits.set_reviews(ws, {"deleted_rows": [0]})
    assert ws.monitoring.reviews == []


def test_alerts_delta_checks_recipients(ec: Workshop) -> None:
    ws, problems = edits.set_alerts(
        ec, {"added_rows": [{"kpi": "customers", "when": "red", "channel": "slack", "to": "#kpi", "action": "look"}]}
    )
    assert not problems and ws.monitoring.alerts[0].to == "#kpi"
    for row, code in [
        ({"kpi": "customers", "channel": "email", "to": "not-an-address"}, "email_invalid"),
        ({"kpi": "customers", "channel": "slack", "to": "kpi channel"}, "slack_invalid"),
        ({"kpi": "ghost"}, "kpi_unknown"),
        ({"kpi": None}, "kpi_unknown"),
        ({"kpi": "customers", "when": "purple"}, "choice_invalid"),
    ]:
        same, problems = edits.set_alerts(ws, {"added_rows": [row]})
        assert same is ws and problems[0][1].code == code


def test_learning_log(ec: Workshop) -> None:
    ws = edits.add_learning(
        ec, date="2026-10-01", kpi="customers", observe="CVR fell", insight="checkout bug", act="fix", integrate="share"
    )
    assert ws.monitoring.learning_log[0].date == dt.date(2026, 10, 1)
    with pytest.raises(EditError) as info:
        edits.add_learning(ec, date=None, kpi=None, observe=" ", insight="", act="", integrate="")
    assert info.value.problem.code == "observe_required"
    assert edits.remove_learning(ws, 0).monitoring.learning_log == []


def test_add_children_all_or_nothing(ec: Workshop) -> None:
    ws, added = edits.add_children(ec, "customers", "Reactivated\n\n休眠復帰顧客\n")
    assert [ws.node(i).name for i in added] == ["Reactivated", "休眠復帰顧客"]
    with pytest.raises(EditError):
        edits.add_children(ec, "customers", "ok\n" + "x" * 300)
    with pytest.raises(EditError):
        edits.add_children(ec, "customers", "  \n ")


def test_titles(ec: Workshop) -> None:
    assert edits.set_title(ec, " New ").title == "New"
    with pytest.raises(EditError):
        edits.set_title(ec, "")
    assert edits.set_description(ec, "d").description == "d"


def test_pending_cells_are_those_not_yet_applied_with_that_value() -> None:
    edited = {"0": {"owner": "A", "source": "B"}, 1: {"owner": "C"}}
    assert edits.pending_cells(edited, {}) == {0: {"owner": "A", "source": "B"}, 1: {"owner": "C"}}
    assert edits.pending_cells(edited, {(0, "owner"): "A", (0, "source"): "old", (1, "owner"): "C"}) == {0: {"source": "B"}}


@given(
    st.dictionaries(st.integers(0, 20), st.dictionaries(st.sampled_from(edits.SHEET_COLUMNS), st.text(max_size=5), min_size=1), max_size=8),
    st.data(),
)
def test_every_cell_is_applied_once_across_any_split_into_saves(edited: dict[int, dict[str, str]], data: st.DataObject) -> None:
    """However the edits are cut into saves (each save sees every edit so far), each cell value is applied exactly once."""
    cells = [(r, c, v) for r, changes in edited.items() for c, v in changes.items()]
    cut = data.draw(st.integers(0, len(cells)))
    applied: dict[tuple[int, str], str] = {}
    seen: list[tuple[int, str, str]] = []
    for upto in (cut, len(cells)):
        so_far: dict[int, dict[str, str]] = {}
        for r, c, v in cells[:upto]:
            so_far.setdefault(r, {})[c] = v
        pending = edits.pending_cells(so_far, applied)
        for r, changes in pending.items():
            for c, v in changes.items():
                seen.append((r, c, v))
                applied[(r, c)] = v
    assert sorted(seen) == sorted(cells)
