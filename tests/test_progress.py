from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpidesign import edits
from kpidesign.model import Workshop, new_workshop
from kpidesign.progress import SHEET_FIELDS, sheet_gaps, step_status, steps_done


def test_empty_workshop_has_nothing_done() -> None:
    statuses = step_status(new_workshop("t"))
    assert [s.done for s in statuses] == [False] * 5
    assert "need_kgi_name" in statuses[0].missing


def test_the_template_is_complete(template: Workshop) -> None:
    assert steps_done(template) == 5


def test_steps_follow_the_work(ec: Workshop) -> None:
    assert step_status(ec)[1].done  # three factors under the KGI
    assert not step_status(ec)[2].done  # only two levels below the KGI
    ws = edits.set_field(ec, "sales", "why", "because")
    assert "need_why" not in step_status(ws)[0].missing


def test_sheet_gaps_count_the_kpis_missing_each_field(ec: Workshop) -> None:
    gaps = {g.field: g for g in sheet_gaps(ec)}
    kpis = [n for n in ec.nodes if n.parent is not None]
    assert all(g.total == len(kpis) for g in gaps.values())
    assert set(gaps["owner"].missing) == {n.id for n in kpis if not n.definition.owner}
    ws = ec
    for n in kpis:
        ws = edits.set_field(ws, n.id, "owner", "Team")
    assert "owner" not in {g.field for g in sheet_gaps(ws)}


def test_the_complete_template_lacks_nothing_that_step_four_requires(template: Workshop) -> None:
    fields = {g.field for g in sheet_gaps(template)}
    assert not fields & {"owner", "source", "frequency"}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(st.data())
def test_sheet_gaps_match_a_field_by_field_count(ec: Workshop, data: st.DataObject) -> None:
    """Whatever each KPI has or lacks, each gap lists exactly the KPIs without that field, of all KPIs."""
    ws = ec
    kpis = [n.id for n in ec.nodes if n.parent is not None]
    plan = {k: {f: data.draw(st.booleans()) for f in ("owner", "source", "unit", "green", "yellow")} for k in kpis}
    for k, has in plan.items():
        ws = edits.set_field(ws, k, "owner", "Team" if has["owner"] else "")
        ws = edits.set_field(ws, k, "source", "DB" if has["source"] else "")
        ws = edits.set_field(ws, k, "unit", "人" if has["unit"] else "")
        ws = edits.set_field(ws, k, "green", "10" if has["green"] else "")
        ws = edits.set_field(ws, k, "yellow", "5" if has["yellow"] else "")
    gaps = {g.field: g for g in sheet_gaps(ws)}
    for field, lacks in {
        "owner": [k for k in kpis if not plan[k]["owner"]],
        "source": [k for k in kpis if not plan[k]["source"]],
        "unit": [k for k in kpis if not plan[k]["unit"]],
        "thresholds": [k for k in kpis if not (plan[k]["green"] and plan[k]["yellow"])],
    }.items():
        assert list(gaps[field].missing if field in gaps else ()) == lacks
        assert field in gaps or not lacks
    assert [g.field for g in sheet_gaps(ws)] == [f for f in SHEET_FIELDS if f in gaps]
