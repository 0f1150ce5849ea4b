import pytest
import yaml

from kpidesign.analysis import consistency
from kpidesign.edits import add_from_library
from kpidesign.library import DOMAINS, LIBRARY, Template, as_node_fields, library, load_template, search, templates
from kpidesign.model import Workshop
from kpidesign.values import EditError


def test_the_library_is_broad_and_complete() -> None:
    kpis = library()
    assert len(kpis) >= 150
    assert {k.domain for k in kpis} == set(DOMAINS)
    assert all(sum(k.domain == d for k in kpis) >= 20 for d in DOMAINS if d != "general")
    assert len({k.key for k in kpis}) == len(kpis)
    for k in kpis:
        assert k.name["ja"] and k.name["en"] and k.formula["ja"] and k.formula["en"], k.key
        assert k.layer in ("leading", "intermediate", "lagging") and k.sensitivity in ("high", "low")
        assert k.frequency in ("daily", "weekly", "monthly", "quarterly", "yearly")
        assert k.direction in ("higher_is_better", "lower_is_better")
    assert yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["version"] == 1


def test_search_in_both_languages_and_by_domain() -> None:
    assert [k.key for k in search("CVR")][:1] == ["cvr"]
    assert {k.key for k in search("解約", lang="ja")} >= {"logo_churn", "churn_rate"}
    assert all(k.domain == "recruiting" for k in search("rate", "recruiting", "en"))
    assert search("no such kpi anywhere") == []
    assert len(search()) == 50  # capped


def test_adding_a_library_kpi_as_a_node(ec: Workshop) -> None:
    ws, node_id = add_from_library(ec, "customers", "first_response_time", "en")
    node = ws.node(node_id)
    assert node.parent == "customers" and node.name == "First response time" and node.unit == "hours"
    assert node.layer is not None and node.thresholds.direction.value == "lower_is_better" and node.layer.value == "leading"
    ws, node_id = add_from_library(ws, "customers", "cvr", "ja")
    definition = ws.node(node_id).definition
    assert definition.frequency is not None and definition.numerator == "コンバージョン数" and definition.frequency.value == "weekly"
    try:
        add_from_library(ws, "customers", "nope", "ja")
    except EditError as e:
        assert e.problem.code == "kpi_unknown"
    else:
        raise AssertionError("an unknown key must be refused")
    assert as_node_fields(library()[0], "en")["unit"]


PEOPLE = {"人", "名", "人数", "people", "persons", "person", "hires", "users", "customers"}


@pytest.mark.parametrize("tpl", templates(), ids=lambda t: t.path.name)
def test_every_template_counts_whole_people(tpl: Template) -> None:
    """A template opens on numbers a team could have counted: 22.5 hires or a threshold of 31.2375 people is not one."""
    ws = load_template(tpl.path)
    for node in ws.nodes:
        if node.unit.strip().lower() not in PEOPLE:
            continue
        for field, value in {
            "baseline": node.baseline,
            "target": node.target,
            **node.thresholds.model_dump(include={"green", "yellow"}),
        }.items():
            assert value is None or float(value).is_integer(), (tpl.path.name, node.id, field, value)


@pytest.mark.parametrize("tpl", templates(), ids=lambda t: t.path.name)
def test_every_templates_parents_are_computed_from_their_formulas(tpl: Template) -> None:
    """The numbers of a template add up: a parent's baseline and target are what its formula makes of its children's."""
    assert consistency(load_template(tpl.path)) == []
