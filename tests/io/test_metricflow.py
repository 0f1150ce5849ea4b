from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.io.metricflow import metric_names, semantic_model_stub, to_metricflow
from kpidesign.library import load_template, templates
from kpidesign.model import Workshop


def metrics_of(ws: Workshop) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in yaml.safe_load(to_metricflow(ws))["metrics"]}


def test_every_reference_exists_in_every_template() -> None:
    for tpl in templates():
        metrics = metrics_of(load_template(tpl.path))
        for m in metrics.values():
            params = m["type_params"]
            refs = [x["name"] for x in params.get("metrics", [])] + [params[k]["name"] for k in ("numerator", "denominator") if k in params]
            assert all(r in metrics for r in refs), (tpl.path, m["name"], refs)
            assert m["type"] in ("simple", "ratio", "derived")
            assert m["name"].isascii() and m["name"][0].isalpha()


def test_types_and_meta(template: Workshop) -> None:
    metrics = metrics_of(template)
    sales = metrics["sales"]
    assert sales["type"] == "simple", "a KPI with a formula is first what it is measured to be"
    estimate = metrics["sales_from_drivers"]
    assert estimate["type"] == "derived" and estimate["type_params"]["expr"] == "customers * avg_spend * frequency"
    assert estimate["config"]["meta"]["estimate_of"] == "sales"
    assert sales["time_granularity"] == "month" and metrics["new_customers"]["time_granularity"] == "week"
    words = template.node("customers").definition.expression
    assert words and metrics["customers"]["description"].startswith(words), "the definition in words travels"
    assert sales["config"]["meta"]["owner"] == "EC部長" and sales["config"]["meta"]["target"] == 1000000000
    assert sales["config"]["meta"]["thresholds"]["green"] == 1000000000
    cvr = metrics["purchase_rate"]
    assert cvr["type"] == "ratio" and metrics[cvr["type_params"]["numerator"]["name"]]["type"] == "simple"
    assert metrics["target_population"]["type"] == "simple"


def test_japanese_ids_get_ascii_names(ec: Workshop) -> None:
    ws, jp = tree.add_node(ec, "frequency", "購入回数")
    ws, jp2 = tree.add_node(ws, "frequency", "購入者")
    ws = tree.update_node(ws, "frequency", formula=f"{jp} / {jp2}")
    names = metric_names(ws)
    assert names[jp] != names[jp2] and names[jp].isascii()
    metrics = metrics_of(ws)
    assert metrics["frequency_from_drivers"]["type_params"]["expr"] == f"{names[jp]} / {names[jp2]}"


# --- dbt-semantic-interfaces: the parser and validator dbt and MetricFlow run -------------------------------------------


def dsi_errors(ws: Workshop) -> list[str]:
    """Every blocking issue dbt-semantic-interfaces finds in the export, with the export's own semantic model stub and a time spine."""
    from dbt_semantic_interfaces.implementations.semantic_manifest import PydanticSemanticManifest
    from dbt_semantic_interfaces.parsing.dir_to_model import parse_yaml_files_to_validation_ready_semantic_manifest
    from dbt_semantic_interfaces.parsing.objects import YamlConfigFile
    from dbt_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator

    metrics = yaml.safe_load(to_metricflow(ws))["metrics"]
    model = dict(semantic_model_stub(ws))
    model.pop("model")  # dbt resolves ref('…') to a relation; dsi is given the relation itself
    model["node_relation"] = {"alias": "kpi_facts", "schema_name": "analytics"}
    spine = {
        "time_spines": [
            {
                "node_relation": {"alias": "time_spine", "schema_name": "analytics"},
                "primary_column": {"name": "date_day", "time_granularity": "day"},
            }
        ]
    }
    docs = [{"metric": m} for m in metrics] + [{"semantic_model": model}, {"project_configuration": spine}]
    text = yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)
    built = parse_yaml_files_to_validation_ready_semantic_manifest(
        [YamlConfigFile(filepath="kpis.yml", contents=text)], raise_issues_as_exceptions=False
    )
    issues = [i.as_readable_str() for i in built.issues.errors]
    result = SemanticManifestValidator[PydanticSemanticManifest]().validate_semantic_manifest(built.semantic_manifest)
    return issues + [i.as_readable_str() for i in result.errors]


def test_dbt_semantic_interfaces_accepts_every_template() -> None:
    for tpl in templates():
        assert dsi_errors(load_template(tpl.path)) == [], tpl.path


def test_dbt_semantic_interfaces_accepts_awkward_ids_and_names(ec: Workshop) -> None:
    """Ids dsi refuses as names (one letter, leading or double underscores, granularity words), a node whose id is a
    generated metric's name, duplicate names and ratio KPIs whose numerator labels repeat the template's."""
    ws = ec
    for parent, node_id, name in [
        ("frequency", "x", "X"),
        ("frequency", "_z", "Z"),
        ("frequency", "a__b", "A B"),
        ("frequency", "month", "Month"),
        ("frequency", "metric_time", "Metric time"),
        ("frequency", "cvr", "CVR"),
        ("frequency", "cvr_numerator", "CVR"),
    ]:
        ws, _ = tree.add_node(ws, parent, name, node_id=node_id)
    ws = tree.update_node(ws, "cvr", definition={"numerator": "people or events that qualify", "denominator": "people or events in scope"})
    ws = tree.update_node(
        ws, "items", definition={"numerator": "people or events that qualify", "denominator": "people or events in scope"}
    )
    assert dsi_errors(ws) == []
    names = set(metrics_of(ws))
    assert len(names) == len(metrics_of(ws)) and {"cvr", "cvr_numerator"} <= names


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=60), st.integers(min_value=0, max_value=10_000))
def test_dbt_semantic_interfaces_accepts_generated_workshops(size: int, seed: int) -> None:
    from bench.generate import workshop

    assert dsi_errors(workshop(size, seed=seed)) == []


def test_rates_are_averaged_not_summed(template: Workshop) -> None:
    """A % KPI without numerator and denominator would be summed across time by a `sum` measure: its measure averages."""
    stub = {m["name"]: m for m in semantic_model_stub(template)["measures"]}
    metrics = metrics_of(template)
    rate = metrics["awareness_rate"]
    assert rate["type"] == "ratio"  # it has a numerator and a denominator: a ratio of two sums
    ws = tree.update_node(template, "awareness_rate", definition={"numerator": "", "denominator": ""})
    stub = {m["name"]: m for m in semantic_model_stub(ws)["measures"]}
    simple = metrics_of(ws)["awareness_rate"]
    assert simple["type"] == "simple" and stub[simple["type_params"]["measure"]["name"]]["agg"] == "average"
    assert simple["config"]["meta"]["aggregation"] == "average"
    assert stub[metrics_of(ws)["target_population"]["type_params"]["measure"]["name"]]["agg"] == "sum"
