"""Shared fixtures: small workshops built through the public edit functions."""

from __future__ import annotations

import os

os.environ.setdefault("KPIDESIGN_STRICT_TEXT", "1")  # a text key with no entry fails a test (people would see the key)

import pytest
from hypothesis import HealthCheck, settings

from kpidesign import library, tree
from kpidesign.model import Workshop, new_workshop
from kpidesign.progress import steps_done
from kpidesign.store import Store

# Generating inputs is timed by Hypothesis's health check; on a loaded machine (CI runs the browser tests' servers
# beside it) a strategy such as emails() is "too slow" without being wrong: how fast inputs come is no test of ours.
settings.register_profile("kpidesign", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kpidesign")


def build_ec(ws: Workshop | None = None) -> Workshop:
    """The three-level e-commerce example of method.md, with numbers that add up."""
    ws = ws or new_workshop("EC", language="en", kgi_name="Sales")
    ws = ws.model_copy(update={"nodes": [ws.kgi.model_copy(update={"id": "sales", "baseline": 8e8, "target": 1e9, "unit": "JPY"})]})
    for parent, name, node_id, base, target in [
        ("sales", "Customers", "customers", 40000, 50000),
        ("sales", "Average spend", "avg_spend", 5000, 5000),
        ("sales", "Purchase frequency", "frequency", 4, 4),
        ("customers", "New customers", "new_customers", 15000, 20000),
        ("customers", "Existing customers", "existing_customers", 25000, 30000),
        ("avg_spend", "Item price", "item_price", 2500, 2500),
        ("avg_spend", "Items per purchase", "items", 2, 2),
    ]:
        ws, _ = tree.add_node(ws, parent, name, node_id=node_id, baseline=base, target=target)
    ws = tree.update_node(ws, "sales", formula="customers * avg_spend * frequency")
    ws = tree.update_node(ws, "customers", formula="new_customers + existing_customers")
    return tree.update_node(ws, "avg_spend", formula="item_price * items")


@pytest.fixture
def ec() -> Workshop:
    """The e-commerce example tree."""
    return build_ec()


@pytest.fixture
def store() -> Store:
    """An empty in-memory store."""
    s = Store(memory=True, steps_done=steps_done)
    yield s
    s.close()


@pytest.fixture
def template() -> Workshop:
    """The full Japanese e-commerce template."""
    return library.template("ec_sales", "ja")
