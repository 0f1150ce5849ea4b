import json
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesign.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
EC = str(ROOT / "data/templates/ec_sales.en.yaml")


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_clean_file(capsys):
    code, out, _ = run(capsys, "check", EC)
    assert code == 0 and "repeatable" in out


def test_check_exits_1_on_errors_with_json(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A}]\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and any(f["code"] == "kgi_no_deadline" and f["severity"] == "error" for f in doc["findings"])
    assert set(doc["scores"]) == {"specific", "measurable", "achievable", "relevant", "time_bound", "observable", "repeatable"}


def test_unreadable_files_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: zz, name: A}]\n")
    code, _, err = run(capsys, "check", str(broken))
    assert code == 2 and "zz" in err


def test_whatif_prints_the_same_numbers_as_the_model(capsys):
    code, out, _ = run(capsys, "whatif", EC, "--set", "purchase_rate=+10%", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["change"] == pytest.approx(0.0375)
    code, out, _ = run(capsys, "whatif", EC, "--set", "item_price=+10%")
    assert "+10.00%" in out
    code, _, err = run(capsys, "whatif", EC, "--set", "nothing=+10%")
    assert code == 2


def test_sensitivity(capsys):
    code, out, _ = run(capsys, "sensitivity", EC, "--json")
    levers = json.loads(out)
    by = {lv["node"]: lv for lv in levers}
    assert by["purchase_rate"]["kgi_change_1"] == pytest.approx(0.01 * 15000 / 40000)
    code, out, _ = run(capsys, "sensitivity", EC)
    assert "KFS candidate" in out


def test_goalseek(capsys):
    code, out, _ = run(capsys, "goalseek", EC, "items_per_purchase", "--json")
    assert code == 0 and json.loads(out)["needed"] == pytest.approx(2.5)
    code, out, _ = run(capsys, "goalseek", EC, "satisfaction")
    assert code == 1 and "impossible" in out


def test_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "kpidesign", "check", EC, "--lang", "ja"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "「" in done.stdout and not done.stderr


def test_import_export_list(capsys, tmp_path):
    db = str(tmp_path / "cli.db")
    code, out, _ = run(capsys, "import", EC, "--db", db)
    wid = out.strip()
    assert code == 0 and len(wid) == 12
    code, out, _ = run(capsys, "list", "--db", db, "--json")
    assert json.loads(out)[0]["id"] == wid
    for fmt in ("xlsx", "yaml", "metricflow", "lightdash", "svg"):
        target = tmp_path / f"out.{fmt}"
        code, _, _ = run(capsys, "export", "E-commerce sales +20% (example)", "-f", fmt, "-o", str(target), "--db", db)
        assert code == 0 and target.stat().st_size > 1000
    code, out, _ = run(capsys, "import", str(tmp_path / "out.xlsx"), "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "list", "--db", db)
    assert len(out.strip().splitlines()) == 2


def test_import_says_what_it_kept_but_could_not_use(capsys, tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nactuals: [{kpi: typo, date: 2026-10-01, value: 2}]\n")
    code, out, err = run(capsys, "import", str(path), "--db", str(tmp_path / "cli.db"))
    assert code == 0 and len(out.strip()) == 12 and "typo" in err and "not in the tree" in err


def test_refused_import_leaves_the_database_unchanged(capsys, tmp_path):
    db = str(tmp_path / "cli.db")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: a, name: A}]\n")
    code, _, err = run(capsys, "import", str(bad), "--db", db)
    assert code == 2 and "loop" in err.lower()
    code, out, _ = run(capsys, "list", "--db", db)
    assert out == ""
    code, _, err = run(capsys, "export", "nothing", "-f", "yaml", "-o", str(tmp_path / "x"), "--db", db)
    assert code == 2 and "no workshop" in err


def test_status_from_the_files_actuals(capsys, tmp_path):
    import yaml

    doc = yaml.safe_load(Path(EC).read_text(encoding="utf-8"))
    doc["actuals"] = [{"kpi": "purchase_rate", "date": "2026-10-01", "value": 0.03}, {"kpi": "purchase_rate", "date": "2026-10-08", "value": 0.065}]
    path = tmp_path / "with_actuals.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "status", str(path), "--json")
    rows = {r["kpi"]: r for r in json.loads(out)}
    assert code == 0 and rows["purchase_rate"]["status"] == "green" and rows["purchase_rate"]["value"] == 0.065
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["other"] == 0.03
    assert rows["sales"]["status"] == "no_data"  # thresholds set, no actual yet
    assert rows["target_population"]["status"] == "none"  # no threshold at all
    code, out, _ = run(capsys, "status", str(path))
    assert "green" in out and "purchase_rate" in out


def test_alerts_command_lists_and_sends(capsys, tmp_path, monkeypatch):
    import datetime as dt

    from kpidesign.model import Actual
    from kpidesign.store import Store
    from tests.servers import webhook

    db = str(tmp_path / "a.db")
    code, out, _ = run(capsys, "import", EC, "--db", db)
    Store(db).add_actuals(out.strip(), [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.01)])
    code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db)
    assert code == 0 and out.startswith("listed") and "purchase_rate" in out
    with webhook() as (url, bodies):
        monkeypatch.setenv("KPIDESIGN_SLACK_WEBHOOK", url)
        code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db, "--send")
        assert code == 0 and out.startswith("sent") and len(bodies) == 1
        code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db, "--send")
        assert out.startswith("already_sent") and len(bodies) == 1


def test_export_speaks_the_workshops_language_unless_told(capsys, tmp_path):
    from openpyxl import load_workbook

    db = str(tmp_path / "cli.db")
    run(capsys, "import", EC, "--db", db)  # an English template
    own, asked = tmp_path / "own.xlsx", tmp_path / "ja.xlsx"
    assert run(capsys, "export", "E-commerce sales +20% (example)", "-f", "xlsx", "-o", str(own), "--db", db)[0] == 0
    assert run(capsys, "export", "E-commerce sales +20% (example)", "-f", "xlsx", "-o", str(asked), "--db", db, "--lang", "ja")[0] == 0
    english, japanese = load_workbook(own, read_only=True).sheetnames, load_workbook(asked, read_only=True).sheetnames
    assert english != japanese and all(name.isascii() for name in english) and not all(name.isascii() for name in japanese)


CONTRADICTORY = """kpidesign: 1
workshop: {title: x}
kgi: {id: k, name: K, unit: JPY, baseline: 100, target: 120, deadline: 2027-03-31, formula: a * b}
nodes:
  - {id: a, parent: k, name: A, baseline: 3, target: 3}
  - {id: b, parent: k, name: B, baseline: 4, target: 4}
"""


def test_check_is_a_ci_gate_on_contradictions(capsys, tmp_path):
    """A KGI that says 100 while its children give 12 fails `check`; --fail-on warning is stricter, as linters are."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONTRADICTORY, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(bad), "--json")
    assert code == 1 and {f["code"] for f in json.loads(out)["findings"] if f["severity"] == "error"} == {"does_not_add_up"}
    backwards = tmp_path / "backwards.yaml"
    backwards.write_text(CONTRADICTORY.replace("target: 120, deadline", "target: 12, deadline").replace(
        "baseline: 100", "baseline: 12, thresholds: {direction: higher_is_better, green: 10, yellow: 11}"), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(backwards), "--json")
    assert code == 1 and {f["code"] for f in json.loads(out)["findings"] if f["severity"] == "error"} == {"threshold_order"}
    assert run(capsys, "check", EC)[0] == 0 and run(capsys, "check", EC, "--fail-on", "error")[0] == 0
    warned = tmp_path / "warned.yaml"
    warned.write_text(CONTRADICTORY.replace("baseline: 100, target: 120", "baseline: 12, target: 12"), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(warned), "--json")
    severities = {f["severity"] for f in json.loads(out)["findings"]}
    assert code == 0 and "warning" in severities and "error" not in severities
    assert run(capsys, "check", str(warned), "--fail-on", "warning")[0] == 1
    assert run(capsys, "check", str(tmp_path / "missing.yaml"))[0] == 2
