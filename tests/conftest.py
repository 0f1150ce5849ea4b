"""Shared fixtures: small workshops built through the public edit functions."""

from __future__ import annotations

import os

os.environ.setdefault("KPIDESIGN_STRICT_TEXT", "1")  # a text key with no entry fails a test (people would see the key)

import itertools
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from kpidesign import library, tree
from kpidesign.model import Workshop, new_workshop
from kpidesign.progress import steps_done
from kpidesign.store import Store, postgres
from tests import postgres as pg_server

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


ENGINES = ("sqlite", "postgresql")
_databases = itertools.count()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL server started for this test session (tests/postgres.py) and the URL of a database migrated to the
    current schema, which each test's database copies. Skipped without PostgreSQL's server, except in CI."""
    if pg_server.binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server installed (.ci/run installs Debian's postgresql)")
        pytest.skip("PostgreSQL's server is not installed")
    with pg_server.server() as url:
        base = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("create database kpidesign_template")
        template = base.rsplit("/", 1)[0] + "/kpidesign_template"
        Store(template).close()  # migrated once: every test's database is a copy
        postgres.dispose(template)  # a template is copied only while nobody is connected to it
        yield template


def fresh_pg_database(template: str) -> str:
    """A new, empty, migrated PostgreSQL database (a copy of the template); its URL."""
    name = f"t{os.getpid()}_{next(_databases)}"
    server = template.rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f"create database {name} template kpidesign_template strategy file_copy")  # no checkpoint: ~0.1 s
    return f"{server}/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a test's database (its pooled connections closed first)."""
    postgres.dispose(url)
    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's store lives, on each engine: a new SQLite file, or a new PostgreSQL database (its URL)."""
    if request.param == "sqlite":
        yield str(request.getfixturevalue("tmp_path") / "kpidesign.db")
        return
    url = fresh_pg_database(request.getfixturevalue("pg_template"))
    yield url
    drop_pg_database(url)


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store on each engine: SQLite in memory, and a new PostgreSQL database (the same suite runs on both)."""
    if request.param == "sqlite":
        s = Store(memory=True, steps_done=steps_done)
        yield s
        s.close()
        return
    url = fresh_pg_database(request.getfixturevalue("pg_template"))
    s = Store(url, steps_done=steps_done)
    yield s
    s.close()
    drop_pg_database(url)


@pytest.fixture
def template() -> Workshop:
    """The full Japanese e-commerce template."""
    return library.template("ec_sales", "ja")
