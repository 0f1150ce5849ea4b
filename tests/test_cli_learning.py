"""The learning loop on the command line: explain, links and forecast, their JSON contracts and their errors."""

import datetime as dt
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesign import analysis
from kpidesign.__main__ import main
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Actual

ROOT = Path(__file__).resolve().parent.parent
EC = ROOT / "data/templates/ec_sales.en.yaml"
MONTHS = [dt.date(2025 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(24)]  # 2025-04-01 … 2027-03-01


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def ec_with_actuals(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The e-commerce template with two years of monthly actuals for every node, the parents computed from the leaves."""
    ws = from_yaml(EC.read_bytes()).workshop
    assert ws is not None
    model = analysis.TreeModel(ws)
    rng = random.Random(5)
    level: dict[str, float] = {}
    for lv in model.levers():
        start = model.values[lv]
        assert start is not None  # every lever of the template has a number
        level[lv] = start
    actuals = []
    for month in MONTHS:
        level = {lv: v * (1 + rng.uniform(-0.02, 0.04)) for lv, v in level.items()}
        values = analysis.what_if(ws, level).values
        actuals += [Actual(kpi=k, date=month, value=round(v, 6)) for k, v in values.items() if v is not None]
    path = tmp_path_factory.mktemp("cli") / "ec_actuals.yaml"
    path.write_text(to_yaml(ws.model_copy(update={"actuals": actuals})), encoding="utf-8")
    return str(path)


def test_explain_json_contract(capsys: pytest.CaptureFixture[str], ec_with_actuals: str) -> None:
    code, out, _ = run(capsys, "explain", ec_with_actuals, "--from", "2026-03-01", "--to", "2027-03-01", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["node"] == "sales"
    assert doc["change"] == pytest.approx(doc["to"] - doc["from"]) and doc["change"] != 0
    entries = doc["contributions"]
    assert all(set(e) >= {"node", "parent", "contribution"} for e in entries)
    nodes = [e["node"] for e in entries]
    assert len(nodes) == len(set(nodes)) and "sales" not in nodes
    own = {e["node"]: e["contribution"] for e in entries}
    by_parent: dict[str, float] = {}
    for e in entries:
        by_parent[e["parent"]] = by_parent.get(e["parent"], 0.0) + e["contribution"]
    assert by_parent.pop("sales") == pytest.approx(doc["change"])
    for parent, total in by_parent.items():
        assert total == pytest.approx(own[parent], rel=1e-9, abs=1e-6)
    assert {"customers", "avg_spend", "frequency", "awareness_rate"} <= set(nodes)


def test_explain_a_node_and_the_readable_table(capsys: pytest.CaptureFixture[str], ec_with_actuals: str) -> None:
    code, out, _ = run(capsys, "explain", ec_with_actuals, "--from", "2026-03-01", "--to", "2027-03-01", "--node", "avg_spend", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["node"] == "avg_spend" and {e["node"] for e in doc["contributions"]} == {"item_price", "items_per_purchase"}
    code, out, _ = run(capsys, "explain", ec_with_actuals, "--from", "2026-03-01", "--to", "2027-03-01")
    assert code == 0 and "sales:" in out and "contribution" in out and "  new_customers" in out


def test_explain_errors(capsys: pytest.CaptureFixture[str], ec_with_actuals: str) -> None:
    code, _, err = run(capsys, "explain", ec_with_actuals, "--from", "yesterday", "--to", "2027-03-01")
    assert code == 2 and "--from" in err
    code, _, err = run(capsys, "explain", ec_with_actuals, "--from", "2026-03-01", "--to", "2027-03-01", "--node", "nope")
    assert code == 2 and "nope" in err
    code, out, _ = run(capsys, "explain", ec_with_actuals, "--from", "2020-01-01", "--to", "2027-03-01", "--json", "--lang", "ja")
    doc = json.loads(out)  # no actual before 2025-04: no value, no change, said why (exit 1)
    assert code == 1 and doc["from"] is None and doc["change"] is None and doc["contributions"] == []
    assert any(r["code"] == "explain_no_value" and r["node"] == "sales" and "2020-01-01" in r["message"] for r in doc["reasons"])


def test_explain_template_without_actuals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", str(EC), "--from", "2026-03-01", "--to", "2027-03-01", "--json")
    assert code == 1 and json.loads(out)["change"] is None


def test_links_json_contract(capsys: pytest.CaptureFixture[str], ec_with_actuals: str) -> None:
    code, out, _ = run(capsys, "links", ec_with_actuals, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["links"]
    keys = {"parent", "child", "kind", "correlation", "lag", "verdict", "n"}
    for link in doc["links"]:
        assert set(link) >= keys and link["kind"] in ("formula", "influence") and link["n"] == 24
        assert link["verdict"] in ("holds", "no_relation", "opposite", "related", "insufficient_data", "not_comparable")
        assert link["lag"] is None or 0 <= link["lag"] <= 6
    by = {(x["parent"], x["child"]): x for x in doc["links"]}
    assert by[("sales", "customers")]["kind"] == "formula"
    code, out, _ = run(capsys, "links", ec_with_actuals)
    assert code == 0 and "verdict" in out and "customers" in out


def test_forecast_json_contract(capsys: pytest.CaptureFixture[str], ec_with_actuals: str) -> None:
    code, out, _ = run(capsys, "forecast", ec_with_actuals, "--json")
    doc = json.loads(out)
    assert code == 0
    keys = {"kpi", "at", "projected", "low", "high", "target", "verdict", "needed_per_period"}
    rows = {f["kpi"]: f for f in doc["forecasts"]}
    for f in rows.values():
        assert set(f) >= keys and f["verdict"] in (None, "on_track", "at_risk", "off_track")
        for k in ("projected", "low", "high", "target", "needed_per_period"):
            assert f[k] is None or math.isfinite(f[k])
    sales = rows["sales"]
    assert sales["at"] == "2027-03-31" and sales["verdict"] is not None and sales["low"] <= sales["projected"] <= sales["high"]
    periods = sales["periods_left"]
    assert sales["needed_per_period"] == pytest.approx((sales["target"] - sales["latest"]) / periods)
    code, out, _ = run(capsys, "forecast", ec_with_actuals)
    assert code == 0 and "sales" in out and "80% interval" in out


def test_forecast_without_deadline_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path, ec_with_actuals: str) -> None:
    text = Path(ec_with_actuals).read_text(encoding="utf-8").replace("deadline: 2027-03-31", "deadline: null")
    path = tmp_path / "no_deadline.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "forecast", str(path), "--json")
    rows = {f["kpi"]: f for f in json.loads(out)["forecasts"]}
    assert code == 0 and rows["sales"]["verdict"] is None and rows["sales"]["at"] is None
    assert [r["code"] for r in rows["sales"]["reasons"]] == ["forecast_no_deadline"]


def test_strict_json_with_huge_values(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = from_yaml(EC.read_bytes()).workshop
    assert ws is not None
    actuals = [Actual(kpi="sales", date=MONTHS[i], value=(1.7e308 if i % 2 else -1.7e308)) for i in range(12)]
    path = tmp_path / "huge.yaml"
    path.write_text(to_yaml(ws.model_copy(update={"actuals": actuals})), encoding="utf-8")
    for command in ("forecast", "links"):
        code, out, _ = run(capsys, command, str(path), "--json")
        assert code == 0 and json.loads(out)
    code, out, _ = run(capsys, "explain", str(path), "--from", MONTHS[0].isoformat(), "--to", MONTHS[1].isoformat(), "--json")
    doc = json.loads(out)
    assert doc["change"] is None and any(r["code"] == "explain_not_finite" for r in doc["reasons"])


def test_runs_as_a_module(ec_with_actuals: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpidesign", "forecast", ec_with_actuals, "--json"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0 and json.loads(done.stdout)["forecasts"]
