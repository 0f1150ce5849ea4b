import yaml

from kpidesign import tree
from kpidesign.io.metricflow import metric_names, to_metricflow
from kpidesign.library import load_template, templates


def metrics_of(ws):
    return {m["name"]: m for m in yaml.safe_load(to_metricflow(ws))["metrics"]}


def test_every_reference_exists_in_every_template():
    for tpl in templates():
        metrics = metrics_of(load_template(tpl.path))
        for m in metrics.values():
            params = m["type_params"]
            refs = [x["name"] for x in params.get("metrics", [])] + [params[k] for k in ("numerator", "denominator") if k in params]
            assert all(r in metrics for r in refs), (tpl.path, m["name"], refs)
            assert m["type"] in ("simple", "ratio", "derived")
            assert m["name"].isascii() and m["name"][0].isalpha()


def test_types_and_meta(template):
    metrics = metrics_of(template)
    sales = metrics["sales"]
    assert sales["type"] == "derived" and sales["type_params"]["expr"] == "customers * avg_spend * frequency"
    assert sales["config"]["meta"]["owner"] == "EC部長" and sales["config"]["meta"]["target"] == 1000000000
    assert sales["config"]["meta"]["thresholds"]["green"] == 1000000000
    cvr = metrics["purchase_rate"]
    assert cvr["type"] == "ratio" and metrics[cvr["type_params"]["numerator"]]["type"] == "simple"
    assert metrics["target_population"]["type"] == "simple"


def test_japanese_ids_get_ascii_names(ec):
    ws, jp = tree.add_node(ec, "frequency", "購入回数")
    ws, jp2 = tree.add_node(ws, "frequency", "購入者")
    ws = tree.update_node(ws, "frequency", formula=f"{jp} / {jp2}")
    names = metric_names(ws)
    assert names[jp] != names[jp2] and names[jp].isascii()
    metrics = metrics_of(ws)
    assert metrics["frequency"]["type_params"]["expr"] == f"{names[jp]} / {names[jp2]}"
