"""The Lightdash export compiled by Lightdash itself: `convertExplores` from @lightdash/common (what `lightdash compile`
runs) on the manifest `dbt parse` writes for a project holding the exports of every template and of a generated
workshop, with the lightdash.config.yml kpidesign writes beside them. No explore may fail, and every metric keeps its
drivers (the tree). Slow: dbt parse and Node, with the tools of tests/io/toolchains.py."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpidesign.io.lightdash import CONFIG, to_config, to_lightdash
from kpidesign.library import load_template, templates
from kpidesign.model import Workshop
from tests.io import toolchains

pytestmark = pytest.mark.timeout(1800)

COMPILE = """
const fs = require('fs');
const common = require('@lightdash/common');
const { warehouseClientMock } = require('@lightdash/common/dist/cjs/compiler/exploreCompiler.mock');
(async () => {
  const [manifestPath, configPath] = process.argv.slice(2);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model');
  const config = await common.loadLightdashProjectConfig(configPath ? fs.readFileSync(configPath, 'utf8') : '');
  const explores = await common.convertExplores(models, false, 'duckdb', warehouseClientMock, config);
  const out = explores.map((e) => ({
    name: e.name,
    errors: (e.errors || []).map((x) => x.message),
    metrics: Object.fromEntries(
      Object.values(e.tables || {}).flatMap((t) => Object.values(t.metrics || {}).map((m) => [m.name, m.drivers || []])),
    ),
  }));
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
"""


def _workshops() -> list[Workshop]:
    from bench.generate import workshop

    return [load_template(t.path) for t in templates()] + [workshop(40, seed=11)]


@dataclass(frozen=True)
class Project:
    """The parsed dbt project: its folder, Lightdash's node_modules, the compile script, each model's metrics' drivers."""

    root: Path
    modules: Path
    script: Path
    expected: dict[str, dict[str, list[str]]]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A dbt project with every export (each model renamed kpi_facts_N: one project, many workshops), parsed."""
    bin_dir, modules = toolchains.dbt_bin(), toolchains.lightdash_modules()
    root = tmp_path_factory.mktemp("lightdash_project")
    (root / "models").mkdir()
    (root / "dbt_project.yml").write_text("name: kpis\nversion: '1.0'\nconfig-version: 2\nprofile: kpis\n", encoding="utf-8")
    (root / "profiles.yml").write_text(
        f"kpis:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{root / 'kpis.duckdb'}'\n", encoding="utf-8"
    )
    config = ""
    expected: dict[str, dict[str, list[str]]] = {}
    for i, ws in enumerate(_workshops()):
        doc = yaml.safe_load(to_lightdash(ws))
        model = doc["models"][0]
        model["name"] = f"kpi_facts_{i}"
        (root / "models" / f"kpi_facts_{i}.sql").write_text("select cast('2026-01-01' as date) as date_day\n", encoding="utf-8")
        (root / "models" / f"kpi_facts_{i}.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        expected[model["name"]] = {name: m.get("drivers", []) for name, m in model["config"]["meta"]["metrics"].items()}
        config = to_config(ws, config)  # one project config declaring what every workshop uses
    (root / CONFIG).write_text(config, encoding="utf-8")
    env = {**os.environ, "DBT_PROFILES_DIR": str(root), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(bin_dir / "dbt"), "parse"], cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    script = root / "compile.js"
    script.write_text(COMPILE, encoding="utf-8")
    return Project(root=root, modules=modules, script=script, expected=expected)


def _compile(project: Project, config: Path | None) -> list[dict[str, Any]]:
    root = project.root
    args = ["node", str(project.script), str(root / "target" / "manifest.json"), str(config) if config else ""]
    env = {**os.environ, "NODE_PATH": str(project.modules)}
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    explores: list[dict[str, Any]] = json.loads(done.stdout)
    return explores


def test_lightdash_compiles_every_export_with_its_drivers(project: Project) -> None:
    explores = {e["name"]: e for e in _compile(project, project.root / CONFIG)}
    assert set(explores) == set(project.expected)
    assert {name: e["errors"] for name, e in explores.items() if e["errors"]} == {}
    for name, metrics in project.expected.items():
        assert explores[name]["metrics"] == metrics, name
        assert any(metrics.values()), "the tree travels as drivers"


def test_without_the_project_config_lightdash_refuses_the_categories(project: Project) -> None:
    """The check is real: the compiler refuses the Spotlight categories no project config declares."""
    explores = _compile(project, None)
    assert all(any("Invalid spotlight categories" in m for m in e["errors"]) for e in explores)
