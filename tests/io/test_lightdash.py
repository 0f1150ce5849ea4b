"""The Lightdash export: valid against Lightdash's own published JSON schema, with the tree's edges as drivers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.io.lightdash import formula_sql, to_lightdash
from kpidesign.io.metricflow import metric_names
from kpidesign.library import load_template, templates
from kpidesign.model import Workshop

# Lightdash publishes its schemas in its npm package @lightdash/common; fetched once (npm pack), never committed
SCHEMA_PACKAGE = "@lightdash/common@1.167.4"
SCHEMA_MEMBER = "package/dist/cjs/schemas/json/lightdash-dbt-2.0.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """Lightdash's JSON schema for dbt YAML (lightdash-dbt-2.0), from its published package."""
    cache = Path(tempfile.gettempdir()) / f"kpidesign-{SCHEMA_PACKAGE.replace('/', '_')}-lightdash-dbt-2.0.json"
    if not cache.exists():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI") == "true":
                pytest.fail("npm is needed to fetch Lightdash's published schema")
            pytest.skip("npm not installed: Lightdash's schema cannot be fetched")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([npm, "pack", SCHEMA_PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True, timeout=300)
            [tgz] = Path(tmp).glob("*.tgz")
            with tarfile.open(tgz) as archive:
                member = archive.extractfile(SCHEMA_MEMBER)
                assert member is not None
                cache.write_bytes(member.read())
    loaded: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
    return loaded


def _errors(schema: dict[str, Any], text: str) -> list[str]:
    """What Lightdash's schema refuses, and what it cannot see: metric names outside its pattern (the schema's
    patternProperties would simply ignore them) and drivers that name no metric."""
    from jsonschema import Draft7Validator

    doc = yaml.safe_load(text)
    found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft7Validator(schema).iter_errors(doc)]
    metrics = doc["models"][0]["config"]["meta"]["metrics"]
    pattern = next(iter(schema["$defs"]["modelMeta"]["properties"]["metrics"]["patternProperties"]))
    found += [f"metric name {name!r} outside {pattern}" for name in metrics if not re.match(pattern, name)]
    found += [f"{name}: driver {d!r} is no metric" for name, m in metrics.items() for d in m.get("drivers", []) if d not in metrics]
    return found


def _metrics(ws: Workshop) -> dict[str, Any]:
    metrics: dict[str, Any] = yaml.safe_load(to_lightdash(ws))["models"][0]["config"]["meta"]["metrics"]
    return metrics


def test_every_template_is_valid_lightdash(schema: dict[str, Any]) -> None:
    for tpl in templates():
        assert _errors(schema, to_lightdash(load_template(tpl.path))) == [], tpl.path


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=2, max_value=80), st.integers(min_value=0, max_value=1000))
def test_generated_workshops_are_valid_lightdash(schema: dict[str, Any], size: int, seed: int) -> None:
    from bench.generate import workshop

    assert _errors(schema, to_lightdash(workshop(size, seed=seed))) == []


def test_the_schema_refuses_what_lightdash_refuses(schema: dict[str, Any]) -> None:
    """The check is real: a metric without its type, or a name Lightdash cannot hold, is reported."""
    doc = yaml.safe_load(to_lightdash(load_template(templates()[0].path)))
    metrics = doc["models"][0]["config"]["meta"]["metrics"]
    first = next(iter(metrics))
    second = list(metrics)[1]
    del metrics[first]["type"]
    metrics[second]["type"] = "median_of_medians"
    metrics["Bad Name"] = {"type": "sum", "sql": "1", "drivers": ["nowhere"]}
    found = _errors(schema, yaml.safe_dump(doc, allow_unicode=True))
    assert any(first in e and "type" in e for e in found) and any(second in e for e in found)
    assert any("Bad Name" in e for e in found) and any("nowhere" in e for e in found)


def test_the_tree_is_drivers_and_what_lightdash_lacks_is_said(ec: Workshop) -> None:
    ws = tree.update_node(
        ec,
        "customers",
        definition={"owner": "growth@example.com", "why": "more buyers"},
        thresholds={"direction": "higher_is_better", "green": 50000, "yellow": 45000},
    )
    ws = tree.update_node(ws, "sales", definition={"owner": "Head of EC"}, deadline="2027-03-31")
    ws, _ = tree.add_node(ws, "frequency", "Satisfaction", node_id="satisfaction")  # an influence link: a driver all the same
    metrics = _metrics(ws)
    assert metrics["sales"]["drivers"] == ["customers", "avg_spend", "frequency"]
    assert metrics["frequency"]["drivers"] == ["satisfaction"] and "drivers" not in metrics["new_customers"]
    assert metrics["customers"]["spotlight"]["owner"] == "growth@example.com"
    assert "owner" not in metrics["sales"]["spotlight"] and "Head of EC" in metrics["sales"]["description"]
    assert "50,000" in metrics["customers"]["description"] and "45,000" in metrics["customers"]["description"]
    assert "2027-03-31" in metrics["sales"]["description"]
    assert metrics["sales"]["type"] == "sum" and metrics["new_customers"]["type"] == "sum"  # measured at the source
    assert metrics["sales_from_drivers"]["type"] == "number" and metrics["sales_from_drivers"]["spotlight"]["visibility"] == "hide"
    assert metrics["sales_from_drivers"]["sql"] == "((${customers} * ${avg_spend}) * ${frequency})"


def test_targets_and_thresholds_in_the_shape_of_lightdash_proposal_20205(template: Workshop) -> None:
    """lightdash/lightdash#20205: meta.targets (date, value) and meta.thresholds (comparison, colour, fraction of target)."""
    meta = _metrics(template)["sales"]["meta"]
    assert meta["targets"] == [{"date": "2027-03-31", "value": 1000000000}]
    assert meta["thresholds"] == [
        {"comparison": "below_target", "color": "red", "threshold": 0.9},
        {"comparison": "at_target", "color": "yellow", "threshold": 1},
        {"comparison": "above_target", "color": "green"},
    ]
    assert meta["kpidesign"]["thresholds"] == {"direction": "higher_is_better", "green": 1000000000, "yellow": 900000000}
    ws = tree.update_node(template, "sales", thresholds={"direction": "lower_is_better", "green": 800000000, "yellow": 950000000})
    low = _metrics(ws)["sales"]["meta"]["thresholds"]
    assert [(x["comparison"], x["color"]) for x in low] == [("above_target", "red"), ("at_target", "yellow"), ("below_target", "green")]
    assert "targets" not in _metrics(tree.update_node(template, "sales", target=None))["sales"]["meta"]


def test_units_are_kept_and_japanese_thresholds_read_naturally(template: Workshop) -> None:
    ws = tree.update_node(template, "customers", thresholds={"direction": "higher_is_better", "green": 0.25, "yellow": 0.2})
    metrics = _metrics(ws)
    assert metrics["customers"]["label"] == "顧客数 (人)" and "format" not in metrics["customers"]
    assert "黄: 0.2 以上" in metrics["customers"]["description"]
    assert metrics["sales"]["label"] == "年間売上高" and metrics["sales"]["format"] == "jpy"
    assert metrics["target_population"]["type"] == "number" and "MAX_BY" in metrics["target_population"]["sql"]
    ws = tree.update_node(ws, "item_price", unit="ratio")
    assert _metrics(ws)["item_price"]["format"] == "percent"
    english = template.model_copy(update={"language": "en"})
    ws = tree.update_node(english, "customers", thresholds={"green": 0.25, "yellow": 0.2})
    assert "yellow: at or above 0.2" in _metrics(ws)["customers"]["description"]


def test_the_project_config_declares_every_category_and_keeps_the_projects_own(template: Workshop) -> None:
    from kpidesign.io.lightdash import categories, to_config

    config = yaml.safe_load(to_config(template))
    used = {c for m in _metrics(template).values() for c in m.get("spotlight", {}).get("categories", [])}
    assert set(config["spotlight"]["categories"]) == used == set(categories(template))
    mine = "spotlight:\n  default_visibility: hide\n  categories:\n    sales: {label: Sales}\nparameters: {}\n"
    merged = yaml.safe_load(to_config(template, mine))
    assert merged["spotlight"]["default_visibility"] == "hide" and {"sales", "kpidesign"} <= set(merged["spotlight"]["categories"])
    assert merged["parameters"] == {}
    for hostile in ("- a list", "a: &x 1\nb: *x", "spotlight: [1]", "spotlight: {categories: [a]}", "{{{"):
        with pytest.raises(ValueError):
            to_config(template, hostile)


def test_formulas_become_metric_sql_that_never_divides_by_zero(ec: Workshop) -> None:
    names = metric_names(ec)
    assert formula_sql("customers * avg_spend * frequency", names) == "((${customers} * ${avg_spend}) * ${frequency})"
    assert formula_sql("(new_customers - existing_customers) / items", names) == (
        "(1.0 * (${new_customers} - ${existing_customers}) / NULLIF(${items}, 0))"
    )
    assert formula_sql("-customers + 2", names) == "(-(${customers}) + 2)"
    assert formula_sql("+customers + 2", names) == "(${customers} + 2)"  # a unary plus, as kpidesign's formulas accept (found by review)


def test_ratio_kpis_divide_their_hidden_parts(template: Workshop) -> None:
    metrics = _metrics(template)
    rate = metrics["purchase_rate"]
    assert rate["type"] == "number" and rate["format"] == "percent"
    parts = [m for name, m in metrics.items() if name.startswith("purchase_rate_")]
    assert len(parts) == 2 and all(p["hidden"] and p["type"] == "sum" for p in parts)
