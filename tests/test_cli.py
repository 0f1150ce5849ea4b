import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpidesign.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
EC = str(ROOT / "data/templates/ec_sales.en.yaml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_clean_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", EC)
    assert code == 0 and "repeatable" in out


def test_check_exits_1_on_errors_with_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: k, name: A}]\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and any(f["code"] == "kgi_no_deadline" and f["severity"] == "error" for f in doc["findings"])
    assert set(doc["scores"]) == {"specific", "measurable", "achievable", "relevant", "time_bound", "observable", "repeatable"}


def test_unreadable_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: zz, name: A}]\n")
    code, _, err = run(capsys, "check", str(broken))
    assert code == 2 and "zz" in err


def test_whatif_prints_the_same_numbers_as_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "whatif", EC, "--set", "purchase_rate=+10%", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["change"] == pytest.approx(0.0375)
    code, out, _ = run(capsys, "whatif", EC, "--set", "item_price=+10%")
    assert "+10.00%" in out
    code, _, _err = run(capsys, "whatif", EC, "--set", "nothing=+10%")
    assert code == 2


def test_sensitivity(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _ = run(capsys, "sensitivity", EC, "--json")
    levers = json.loads(out)
    by = {lv["node"]: lv for lv in levers}
    assert by["purchase_rate"]["kgi_change_1"] == pytest.approx(0.01 * 15000 / 40000)
    _code, out, _ = run(capsys, "sensitivity", EC)
    assert "KFS candidate" in out


def test_goalseek(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "goalseek", EC, "items_per_purchase", "--json")
    assert code == 0 and json.loads(out)["needed"] == pytest.approx(2.5)
    code, out, _ = run(capsys, "goalseek", EC, "satisfaction")
    assert code == 1 and "impossible" in out


def test_runs_as_a_module() -> None:
    done = subprocess.run([sys.executable, "-m", "kpidesign", "check", EC, "--lang", "ja"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "「" in done.stdout and not done.stderr


def test_import_export_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
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


def test_import_says_what_it_kept_but_could_not_use(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nactuals: [{kpi: typo, date: 2026-10-01, value: 2}]\n")
    code, out, err = run(capsys, "import", str(path), "--db", str(tmp_path / "cli.db"))
    assert code == 0 and len(out.strip()) == 12 and "typo" in err and "not in the tree" in err


def test_refused_import_leaves_the_database_unchanged(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpidesign: 1\nworkshop: {title: x}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: a, name: A}]\n")
    code, _, err = run(capsys, "import", str(bad), "--db", db)
    assert code == 2 and "loop" in err.lower()
    code, out, _ = run(capsys, "list", "--db", db)
    assert out == ""
    code, _, err = run(capsys, "export", "nothing", "-f", "yaml", "-o", str(tmp_path / "x"), "--db", db)
    assert code == 2 and "no workshop" in err


def test_status_from_the_files_actuals(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load(Path(EC).read_text(encoding="utf-8"))
    doc["actuals"] = [
        {"kpi": "purchase_rate", "date": "2026-10-01", "value": 0.03},
        {"kpi": "purchase_rate", "date": "2026-10-08", "value": 0.065},
    ]
    path = tmp_path / "with_actuals.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "status", str(path), "--json")
    rows = {r["kpi"]: r for r in json.loads(out)}
    assert code == 0 and rows["purchase_rate"]["status"] == "green" and rows["purchase_rate"]["value"] == 0.065
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["other"] == 0.03
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["date"] == "2026-10-01"
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["period"] == "weekly"
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["from_data"] is False
    assert rows["sales"]["status"] == "no_data"  # thresholds set, no actual yet
    assert rows["target_population"]["status"] == "none"  # no threshold at all
    code, out, _ = run(capsys, "status", str(path))
    assert "green" in out and "purchase_rate" in out


def test_status_json_compares_with_the_datas_own_prior_period(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load(Path(EC).read_text(encoding="utf-8"))
    rate = next(n for n in doc["nodes"] if n["id"] == "purchase_rate")
    rate["definition"]["frequency"] = "daily"  # stated daily, observed monthly: no value the day before the latest
    doc["actuals"] = [
        {"kpi": "purchase_rate", "date": d, "value": v} for d, v in (("2026-09-30", 0.2), ("2026-10-31", 0.21), ("2026-11-30", 0.18))
    ]
    path = tmp_path / "daily_stated.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "status", str(path), "--json")
    prior = {r["kpi"]: r for r in json.loads(out)}["purchase_rate"]["comparisons"]["prior_period"]
    assert code == 0 and prior["other"] == 0.21 and prior["date"] == "2026-10-31"
    assert prior["period"] == "monthly" and prior["from_data"] is True and prior["delta"] == pytest.approx(-0.03)


def test_alerts_command_lists_and_sends(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from kpidesign.model import Actual
    from kpidesign.store import Store
    from tests.servers import webhook

    db = str(tmp_path / "a.db")
    code, out, _ = run(capsys, "import", EC, "--db", db)
    Store(db).actuals.add(out.strip(), [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.01)])
    code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db)
    assert code == 0 and out.startswith("listed") and "purchase_rate" in out
    with webhook() as (url, bodies):
        monkeypatch.setenv("KPIDESIGN_SLACK_WEBHOOK", url)
        code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db, "--send")
        assert code == 0 and out.startswith("sent") and len(bodies) == 1
        code, out, _ = run(capsys, "alerts", "E-commerce sales +20% (example)", "--db", db, "--send")
        assert out.startswith("already_sent") and len(bodies) == 1


def test_export_speaks_the_workshops_language_unless_told(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
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


def test_check_is_a_ci_gate_on_contradictions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A KGI that says 100 while its children give 12 fails `check`; --fail-on warning is stricter, as linters are."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONTRADICTORY, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(bad), "--json")
    assert code == 1 and {f["code"] for f in json.loads(out)["findings"] if f["severity"] == "error"} == {"does_not_add_up"}
    backwards = tmp_path / "backwards.yaml"
    backwards.write_text(
        CONTRADICTORY.replace("target: 120, deadline", "target: 12, deadline").replace(
            "baseline: 100", "baseline: 12, thresholds: {direction: higher_is_better, green: 10, yellow: 11}"
        ),
        encoding="utf-8",
    )
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


def _strict(text: str) -> Any:
    """Parse JSON as RFC 8259 does: Infinity, -Infinity and NaN are not JSON."""
    return json.loads(text, parse_constant=lambda word: pytest.fail(f"not JSON: {word}"))


def test_every_json_output_is_strict_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load(Path(EC).read_text(encoding="utf-8"))
    doc["actuals"] = [
        {"kpi": "purchase_rate", "date": "2026-10-01", "value": 1e-300},
        {"kpi": "purchase_rate", "date": "2026-10-08", "value": 1e10},
    ]
    path = tmp_path / "tiny_then_huge.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "status", str(path), "--json")  # the ratio to the prior period overflows
    rows = {r["kpi"]: r for r in _strict(out)}
    assert code == 0 and rows["purchase_rate"]["comparisons"]["prior_period"]["ratio"] is None
    assert rows["purchase_rate"]["comparisons"]["prior_period"]["delta"] == pytest.approx(1e10)
    for command in (
        ["check", str(path)],
        ["whatif", str(path), "--set", "purchase_rate=+10%"],
        ["sensitivity", str(path)],
        ["goalseek", str(path), "purchase_rate"],
        ["list", "--db", str(tmp_path / "empty.db")],
    ):
        code, out, _ = run(capsys, *command, "--json")
        _strict(out)


def test_goalseek_json_never_prints_infinity(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A tree with huge numbers made goal seek answer -inf, printed as -Infinity (not JSON)."""
    import yaml

    path = tmp_path / "huge.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "kpidesign": 1,
                "workshop": {"title": "huge"},
                "kgi": {"id": "k", "name": "K", "baseline": 1e300, "target": 1e15, "formula": "a - b"},
                "nodes": [
                    {"id": "a", "parent": "k", "name": "A", "baseline": 1.7e308},
                    {"id": "b", "parent": "k", "name": "B", "baseline": 0},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "goalseek", str(path), "a", "--target", "2.5", "--json")
    if code == 2:  # the importer may refuse such numbers outright: then nothing is printed as JSON at all
        assert out == "" and err
        return
    answer = _strict(out)
    assert answer["needed"] == pytest.approx(2.5) and answer["possible"] and code == 0


def test_goalseek_refuses_a_target_that_is_not_finite(capsys: pytest.CaptureFixture[str]) -> None:
    for target in ("inf", "-inf", "nan"):
        with pytest.raises(SystemExit) as exited:
            main(["goalseek", EC, "items_per_purchase", f"--target={target}", "--json"])
        assert exited.value.code == 2 and "not a finite number" in capsys.readouterr().err


def test_actuals_command_keeps_good_rows_and_lists_bad_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from kpidesign.store import Store

    db = str(tmp_path / "a.db")
    wid = run(capsys, "import", EC, "--db", db)[1].strip()
    path = tmp_path / "actuals.csv"
    path.write_text(
        "kpi,date,value,market\npurchase_rate,2026-10-01,1.8%,2%\nPurchase rate (CVR),2026/10/08,0.017,\nnobody,2026-10-01,1,\n"
        "purchase_rate,soon,1,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "actuals", "E-commerce sales +20% (example)", str(path), "--db", db)
    assert code == 0 and not err
    lines = out.splitlines()
    assert lines[:2] == ["2 rows were not imported:", "Row 4: There is no KPI “nobody” in this tree."] and lines[-1] == "2 values saved."
    assert lines[2].startswith("Row 5: “soon” is not a date") and len(lines) == 4
    assert [(a.kpi, a.date.isoformat(), a.value, a.market) for a in Store(db).actuals.all(wid)] == [
        ("purchase_rate", "2026-10-01", 0.018, 0.02),
        ("purchase_rate", "2026-10-08", 0.017, None),
    ]


def test_actuals_command_reads_a_grid_workbook_in_the_workshops_language(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import openpyxl

    from kpidesign.store import Store

    db = str(tmp_path / "a.db")
    wid = run(capsys, "import", str(ROOT / "data/templates/ec_sales.ja.yaml"), "--db", db)[1].strip()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "実績値"
    for row in (["指標", "系列", "2026-09-01", "2026-10-01"], ["認知率", "値", 0.3, "たくさん"], ["認知率", "市場", 0.28, None]):
        sheet.append(row)
    book.save(tmp_path / "grid.xlsx")
    code, out, _ = run(capsys, "actuals", wid, str(tmp_path / "grid.xlsx"), "--db", db)
    lines = out.splitlines()
    assert (
        code == 0
        and lines[0] == "1行は読み込みませんでした:"
        and lines[1].startswith("行 2 (2026-10-01): 「たくさん」は数値として読めません")
    )
    assert [(a.kpi, a.value, a.market) for a in Store(db).actuals.all(wid)] == [("awareness_rate", 0.3, 0.28)]


def test_actuals_command_exits_1_when_the_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from kpidesign.store import Store
    from tests.io import hostile_xlsx

    db = str(tmp_path / "a.db")
    wid = run(capsys, "import", EC, "--db", db)[1].strip()
    files = {
        "junk.xlsx": b"PK\x03\x04junk",
        "memo.csv": b"foo,bar\n1,2\n",
        "laughs.xlsx": hostile_xlsx.book({"Actuals": hostile_xlsx.BILLION_LAUGHS}),
        "one_row_of_millions.xlsx": hostile_xlsx.book({"Actuals": hostile_xlsx.sheet('<row r="1">' + "<c/>" * 100_000 + "</row>")}),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        code, out, err = run(capsys, "actuals", wid, str(tmp_path / name), "--db", db)
        assert code == 1 and out == "" and err.startswith(f"{tmp_path / name}: "), name
    assert "The first row must name the columns" in run(capsys, "actuals", wid, str(tmp_path / "memo.csv"), "--db", db)[2]
    assert Store(db).actuals.all(wid) == []
    assert run(capsys, "actuals", wid, str(tmp_path / "missing.csv"), "--db", db)[0] == 2
    assert run(capsys, "actuals", "no such workshop", str(tmp_path / "memo.csv"), "--db", db)[0] == 2


def test_export_dbt_writes_a_folder_with_prefix_and_without_time_spine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    assert run(capsys, "import", EC, "--db", db)[0] == 0
    title = "E-commerce sales +20% (example)"
    code, out, _ = run(capsys, "export", title, "--format", "dbt", "-o", str(tmp_path / "one"), "--db", db)
    assert code == 0 and {p.name for p in (tmp_path / "one").iterdir()} == {
        "kpidesign_kpis.yml",
        "kpidesign_time_spine.sql",
        "kpidesign_time_spine.yml",
        "README.md",
    }
    code, out, _ = run(
        capsys, "export", title, "--format", "dbt", "-o", str(tmp_path / "two"), "--prefix", "ec", "--no-time-spine", "--db", db
    )
    assert code == 0 and {p.name for p in (tmp_path / "two").iterdir()} == {"ec_kpis.yml", "README.md"}
    assert "ec_kpis.yml" in out
    code, _, err = run(capsys, "export", title, "--format", "dbt", "-o", str(tmp_path / "three"), "--prefix", "EC-1", "--db", db)
    assert code == 2 and "--prefix" in err and not (tmp_path / "three").exists()
    code, _, err = run(capsys, "export", title, "--format", "yaml", "-o", str(tmp_path / "x.yaml"), "--prefix", "ec", "--db", db)
    assert code == 2 and "--format dbt" in err
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "export", title, "--format", "dbt", "-o", str(tmp_path / "file"), "--db", db)
    assert code == 2 and "file" in err


def test_export_lightdash_writes_the_project_config_beside_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    assert run(capsys, "import", EC, "--db", db)[0] == 0
    title = "E-commerce sales +20% (example)"
    (tmp_path / "lightdash.config.yml").write_text("spotlight:\n  categories:\n    mine: {label: Mine}\n")
    code, out, _ = run(capsys, "export", title, "-f", "lightdash", "-o", str(tmp_path / "schema.yml"), "--db", db)
    assert code == 0 and "lightdash.config.yml" in out
    categories = yaml.safe_load((tmp_path / "lightdash.config.yml").read_text())["spotlight"]["categories"]
    assert {"mine", "kpidesign"} <= set(categories)
    (tmp_path / "lightdash.config.yml").write_text("- not a mapping\n")
    code, _, err = run(capsys, "export", title, "-f", "lightdash", "-o", str(tmp_path / "schema.yml"), "--db", db)
    assert code == 2 and "not changed" in err and (tmp_path / "lightdash.config.yml").read_text() == "- not a mapping\n"
