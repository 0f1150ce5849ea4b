"""The dbt folder's contents, without the dbt tools (tests/io/test_dbt_tools.py runs them on it)."""

import io
import zipfile
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign.io import dbt
from kpidesign.io.metricflow import naming
from kpidesign.library import template, templates


def semantic(files: dict[str, str], prefix: str = "") -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(files[f"{prefix or 'kpidesign'}_kpis.yml"])
    return doc


def test_the_folder_holds_the_model_the_metrics_the_spine_and_a_readme() -> None:
    ws = template("ec_sales", "ja")
    files = dbt.to_files(ws, "ec")
    assert set(files) == {"ec_kpis.yml", "ec_time_spine.sql", "ec_time_spine.yml", "README.md"}
    doc = semantic(files, "ec")
    [model] = doc["semantic_models"]
    assert model["name"] == "ec_kpis" and model["model"] == "ref('ec_kpi_facts')"
    measures = {m["name"]: m for m in model["measures"]}
    assert measures["ec_target_population"]["non_additive_dimension"] == {"name": "date_day", "window_choice": "max"}
    assert measures["ec_sales"]["agg"] == "sum" and "non_additive_dimension" not in measures["ec_sales"]
    assert measures["ec_avg_spend"]["agg"] == "average"
    assert measures["ec_purchase_rate_numerator"]["agg"] == "sum"
    metrics = {m["name"]: m for m in doc["metrics"]}
    assert all(name.startswith("ec_") for name in metrics) and all(m["label"].endswith("(ec)") for m in metrics.values())
    assert metrics["ec_sales"]["type"] == "simple" and metrics["ec_sales_from_drivers"]["type"] == "derived"
    assert metrics["ec_sales_from_drivers"]["type_params"]["expr"] == "ec_customers * ec_avg_spend * ec_frequency"
    assert metrics["ec_purchase_rate_numerator"]["config"]["meta"]["hidden"] is True
    spine = yaml.safe_load(files["ec_time_spine.yml"])["models"][0]
    assert spine["name"] == "ec_time_spine" and spine["time_spine"] == {"standard_granularity_column": "date_day"}
    readme = files["README.md"]
    assert "`ec_kpi_facts`" in readme and all(f"`{c}`" in readme for c in dbt.columns(ws, "ec"))
    assert "ターゲット人口" in readme and "last day" in readme


def test_every_measure_is_a_column_of_the_table() -> None:
    for tpl in templates():
        ws = template(tpl.key, tpl.language)
        model = semantic(dbt.to_files(ws))["semantic_models"][0]
        assert [m["name"] for m in model["measures"]] == dbt.columns(ws)[1:]


def test_no_time_spine_and_no_prefix() -> None:
    ws = template("saas_b2b", "en")
    files = dbt.to_files(ws, time_spine=False)
    assert set(files) == {"kpidesign_kpis.yml", "README.md"} and "--no-time-spine" in files["README.md"]
    assert naming(ws).facts == "kpi_facts" and semantic(files)["semantic_models"][0]["model"] == "ref('kpi_facts')"


@pytest.mark.parametrize("prefix", ["Ec", "1ec", "ec__x", "ec-x", "_ec", "ec_", "ｅｃ", "ec x"])
def test_a_prefix_that_is_no_dbt_name_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        dbt.to_files(template("ec_sales", "ja"), prefix)


@settings(max_examples=20, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4}){0,2}", fullmatch=True))
def test_two_prefixes_never_share_a_name(prefix: str) -> None:
    ws = template("ec_sales", "ja")
    one, two = semantic(dbt.to_files(ws, prefix), prefix), semantic(dbt.to_files(ws, prefix + "_b"), prefix + "_b")

    def names(doc: dict[str, Any]) -> set[str]:
        return {m["name"] for m in doc["metrics"]} | {m["name"] for m in doc["semantic_models"][0]["measures"]}

    def labels(doc: dict[str, Any]) -> set[str]:
        return {m["label"] for m in doc["metrics"]}

    assert not names(one) & names(two) and not labels(one) & labels(two)


def test_the_zip_holds_the_folder() -> None:
    ws = template("ec_sales", "en")
    with zipfile.ZipFile(io.BytesIO(dbt.to_zip(ws))) as archive:
        assert sorted(archive.namelist()) == sorted(f"kpidesign/{name}" for name in dbt.to_files(ws))


def test_link_verdicts_travel_in_the_meta() -> None:
    from tests.learning_data import weekly_actuals  # two years of weekly actuals: satisfaction leads frequency

    ws = template("ec_sales", "ja")
    ws = ws.model_copy(update={"actuals": weekly_actuals(ws)})
    metrics = {m["name"]: m for m in semantic(dbt.to_files(ws))["metrics"]}
    verdicts = {name: m["config"]["meta"].get("drivers_in_data") for name, m in metrics.items() if "drivers_in_data" in m["config"]["meta"]}
    assert verdicts["frequency"]["satisfaction"] == "holds"
    assert verdicts and all(v in ("holds", "related", "no_relation", "opposite") for d in verdicts.values() for v in d.values())


def test_no_text_reaches_dbt_as_jinja() -> None:
    """dbt renders Jinja in YAML values and reads docs blocks in Markdown: a workshop's texts must not run there."""
    from kpidesign.io.lightdash import to_lightdash
    from kpidesign.io.metricflow import to_metricflow
    from kpidesign.tree import update_node

    ws = template("ec_sales", "ja").model_copy(update={"title": "{{ run_query('drop table x') }}"})
    ws = update_node(ws, "customers", name="{% docs x %}{{ 1 }}{% enddocs %}", definition={"expression": "{# c #} {{{ x }}}"})
    texts = {**dbt.to_files(ws, "ec"), "metricflow": to_metricflow(ws), "lightdash": to_lightdash(ws)}
    texts.pop("ec_time_spine.sql")  # kpidesign's own Jinja
    readme = texts.pop("README.md").replace("{{ ref('your_daily_kpi_table') }}", "")  # the README's example model
    for name, text in [*texts.items(), ("README.md", readme)]:
        assert not any(mark in text for mark in ("{{", "{%", "{#")), name
    assert "{ { run_query('drop table x') }}" in texts["ec_kpis.yml"]  # kept readable
