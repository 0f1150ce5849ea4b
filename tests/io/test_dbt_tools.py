"""The dbt export tried as a data engineer would: dbt-core 1.11, dbt-duckdb and dbt-metricflow 0.15 (pinned in
tests/io/dbt-requirements.txt, installed into a venv of their own: they do not fit the app's), one project holding three
exported workshops under three prefixes (two templates and a generated workshop; one time spine), a fixture table per
workshop as a seed, then `dbt parse`, `dbt build`, `mf validate-configs` and `mf query` by month, whose numbers must be
what each KPI's aggregation says (a stock's month its last day, a ratio sum over sum, a per-unit figure its average, a
flow its sum) and, for a formula KPI's `…_from_drivers`, its formula over its drivers' months.

Slow (about a minute and a half; the venv once, a few minutes, cached under .cache/ by the requirements' hash: tests/io/toolchains.py), so the
whole module shares one project."""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kpidesign import aggregation as agg
from kpidesign.io import dbt
from kpidesign.io.metricflow import derived, is_ratio, naming
from kpidesign.library import template
from kpidesign.model import Aggregation, Definition, Workshop
from kpidesign.tree import children_map
from tests.io import toolchains

START, DAYS = dt.date(2026, 1, 1), 120  # January to April
pytestmark = pytest.mark.timeout(1200)


def _generated() -> Workshop:
    """A generated workshop whose KPIs take every aggregation and ratios, with ids of every kind."""
    from bench.generate import workshop

    ws = workshop(14, seed=3)
    rng = random.Random(5)
    nodes = []
    for i, node in enumerate(ws.nodes):
        kind = ("sum", "average", "last", "ratio", None)[i % 5]
        definition = node.definition.model_copy(
            update={"aggregation": Aggregation(kind)} if kind in ("sum", "average", "last") else {"aggregation": None}
        )
        if kind == "ratio":
            definition = Definition.model_validate({**definition.model_dump(), "numerator": "buyers", "denominator": "visitors"})
        nodes.append(node.model_copy(update={"definition": definition, "name": f"{node.name} {rng.randint(0, 99)}"}))
    # texts a data team's dbt would run as Jinja if they reached it as they are (dbt renders YAML values and docs blocks)
    nodes[1] = nodes[1].model_copy(update={"name": "{{ exceptions.raise_compiler_error('a name ran as Jinja') }}"})
    nodes[2] = nodes[2].model_copy(
        update={"definition": nodes[2].definition.model_copy(update={"expression": "{% docs x %}{{ 1 / 0 }}{% enddocs %} {# c #}"})}
    )
    return ws.model_copy(update={"nodes": nodes, "title": "{{ exceptions.raise_compiler_error('the title ran') }}"})


WORKSHOPS: dict[str, tuple[Callable[[], Workshop], bool]] = {
    "ec": (lambda: template("ec_sales", "ja"), True),  # the time spine comes with the first workshop
    "saas": (lambda: template("saas_b2b", "en"), False),  # the others are exported with --no-time-spine
    "gen": (_generated, False),
}


def _facts(ws: Workshop, prefix: str, seed: int) -> list[dict[str, object]]:
    """One row per day from January to April, a value per column; a denominator never zero."""
    rng = random.Random(seed)
    rows = []
    for i in range(DAYS):
        row: dict[str, object] = {"date_day": (START + dt.timedelta(days=i)).isoformat()}
        for column in dbt.columns(ws, prefix)[1:]:
            row[column] = rng.randint(1, 1000)
        rows.append(row)
    return rows


@dataclass
class Project:
    """The built dbt project: its folder, environment and tools, each prefix's workshop and fixture rows, what each
    command answered, and (once `dbt build` passed) each metric's months as worked out here and as `mf query` gave them."""

    root: Path
    env: dict[str, str]
    bin: Path
    workshops: dict[str, Workshop]
    facts: dict[str, list[dict[str, object]]]
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    expected: dict[str, dict[str, dict[str, float]]] | None = None
    got: dict[str, dict[str, float]] | None = None


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A dbt project with the three workshops and their fixture tables, built: its folder and environment."""
    bin_dir = toolchains.dbt_bin()
    root = tmp_path_factory.mktemp("dbt_project")
    (root / "models").mkdir()
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: kpis\nversion: '1.0'\nconfig-version: 2\nprofile: kpis\nmodel-paths: [models]\nseed-paths: [seeds]\n", encoding="utf-8"
    )
    (root / "profiles.yml").write_text(
        f"kpis:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{root / 'kpis.duckdb'}'\n      threads: 1\n",
        encoding="utf-8",
    )
    workshops: dict[str, Workshop] = {}
    facts: dict[str, list[dict[str, object]]] = {}
    for seed, (prefix, (make, spine)) in enumerate(WORKSHOPS.items()):
        ws = make()
        dbt.write(ws, root / "models" / prefix, prefix, time_spine=spine)
        rows = _facts(ws, prefix, seed)
        with (root / "seeds" / f"{naming(ws, prefix).facts}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        workshops[prefix], facts[prefix] = ws, rows
    env = {**os.environ, "DBT_PROFILES_DIR": str(root), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "NO_COLOR": "1"}
    out = Project(root=root, env=env, bin=bin_dir, workshops=workshops, facts=facts)
    for step in (["dbt", "parse"], ["dbt", "build"], ["mf", "validate-configs"]):
        out.runs[" ".join(step)] = _run(out, step)
    if out.runs["dbt build"].returncode == 0:  # one query of every metric of the three workshops (each mf call starts slowly)
        out.expected = {prefix: expected(ws, prefix, facts[prefix]) for prefix, ws in workshops.items()}
        out.got = _query(out, sorted(m for want in out.expected.values() for m in want))
    return out


def _run(project: Project, command: list[str]) -> subprocess.CompletedProcess[str]:
    tool = project.bin / command[0]
    return subprocess.run(
        [str(tool), *command[1:]], cwd=project.root, env=project.env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize("step", ["dbt parse", "dbt build", "mf validate-configs"])
def test_the_project_parses_builds_and_validates(project: Project, step: str) -> None:
    """Three workshops under three prefixes in one project: no error from dbt nor from MetricFlow's validation."""
    done = project.runs[step]
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    if step == "mf validate-configs":
        counts = [line for line in done.stdout.splitlines() if "ERRORS:" in line]
        assert counts and all("ERRORS: 0," in line and "FUTURE_ERRORS: 0" in line for line in counts), done.stdout[-4000:]


def _months(rows: list[dict[str, object]], column: str) -> dict[str, list[float]]:
    by_month: dict[str, list[float]] = {}
    for row in rows:  # in date order
        by_month.setdefault(str(row["date_day"])[:7], []).append(float(str(row[column])))
    return by_month


def expected(ws: Workshop, prefix: str, rows: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    """Per metric, per month (YYYY-MM), what each KPI's aggregation makes of the fixture table, worked out here."""
    names = naming(ws, prefix)
    out: dict[str, dict[str, float]] = {}
    for node in ws.nodes:
        if is_ratio(node):
            num, den = (_months(rows, c) for c in names.parts[node.id])
            out[names.metric[node.id]] = {m: math.fsum(num[m]) / math.fsum(den[m]) for m in num}
        else:
            values = _months(rows, names.metric[node.id])
            out[names.metric[node.id]] = {m: agg.combine(v, agg.effective(node)) for m, v in values.items()}
    children = children_map(ws)
    for node in ws.nodes:
        parsed = derived(node, set(children.get(node.id, [])))
        if parsed is not None:
            months = out[names.metric[node.id]]
            estimates = {m: parsed.evaluate({k: out[names.metric[k]][m] for k in parsed.names}) for m in months}
            out[names.from_drivers[node.id]] = {m: v for m, v in estimates.items() if v is not None}
    return out


def _query(project: Project, metrics: list[str]) -> dict[str, dict[str, float]]:
    target = project.root / "query.csv"
    done = _run(project, ["mf", "query", "--metrics", ",".join(metrics), "--group-by", "metric_time__month", "--csv", str(target)])
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    with target.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {m: {r["metric_time__month"][:7]: float(r[m]) for r in rows if r[m] not in ("", None)} for m in metrics}


@pytest.mark.parametrize("prefix", list(WORKSHOPS))
def test_mf_query_by_month_follows_each_kpis_aggregation(project: Project, prefix: str) -> None:
    """Every KPI measured at its source and every estimate from drivers, by month, as worked out from the table."""
    assert project.expected is not None and project.got is not None, "dbt build failed: nothing was queried"
    ws, want, got = project.workshops[prefix], project.expected[prefix], project.got
    kinds = {agg.effective(n) for n in ws.nodes if not is_ratio(n)} | ({"ratio"} if any(is_ratio(n) for n in ws.nodes) else set())
    assert len(kinds) >= 3, "the workshop tries several aggregations"
    for metric, months in want.items():
        assert set(got[metric]) == set(months) == {"2026-01", "2026-02", "2026-03", "2026-04"}, metric
        for month, value in months.items():
            assert math.isclose(got[metric][month], value, rel_tol=1e-9, abs_tol=1e-9), (metric, month, got[metric][month], value)


def test_a_stock_is_its_months_last_day_not_a_sum(project: Project) -> None:
    """The issue's own example: a population is not 31 days of itself."""
    assert project.got is not None, "dbt build failed: nothing was queried"
    ws, rows = project.workshops["ec"], project.facts["ec"]
    population = naming(ws, "ec").metric["target_population"]
    got = project.got[population]
    january = [r for r in rows if str(r["date_day"]).startswith("2026-01")]
    assert got["2026-01"] == float(str(january[-1][population]))
    assert got["2026-01"] < math.fsum(float(str(r[population])) for r in january)
