from kpidesign import edits
from kpidesign.review import balance, threshold_findings, threshold_order


def test_threshold_order_depends_on_direction(ec):
    ws = edits.set_field(ec, "customers", "green", "40000")
    ws = edits.set_field(ws, "customers", "yellow", "45000")
    assert threshold_order(ws.node("customers")).code == "threshold_order"
    ws = edits.set_field(ws, "customers", "direction", "lower_is_better")
    assert threshold_order(ws.node("customers")) is None
    assert threshold_findings(ws) == []


def test_balance_counts_layers_and_speeds(template, ec):
    b = balance(template)
    assert b.missing_layers == [] and not b.one_speed_only and b.layers["untagged"] == 0
    e = balance(ec)
    assert e.missing_layers == ["leading", "intermediate", "lagging"] and e.layers["untagged"] == 7
    ws = edits.set_field(ec, "customers", "sensitivity", "high")
    assert balance(ws).one_speed_only
