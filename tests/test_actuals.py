import io

import openpyxl
import pytest

from kpidesign import actuals
from kpidesign.actuals import parse_rows, read_table
from kpidesign.model import Workshop
from tests.io import hostile_xlsx


def test_csv_with_ids_names_and_bad_rows(template: Workshop) -> None:
    data = "kpi,date,value,market\npurchase_rate,2026-10-01,1.8%,2%\n購入率（CVR）,2026/10/08,0.017,\nnobody,2026-10-01,1,\npurchase_rate,soon,1,\npurchase_rate,2026-10-15,lots,\n".encode(
        "utf-8-sig"
    )
    rows, problem = read_table("a.csv", data)
    assert problem is None and len(rows) == 5
    good, bad = parse_rows(template, rows)
    assert [(a.kpi, a.value, a.market) for a in good] == [("purchase_rate", 0.018, 0.02), ("purchase_rate", 0.017, None)]
    assert [(b.row, b.problem.code) for b in bad] == [(4, "kpi_unknown"), (5, "not_a_date"), (6, "not_a_number")]  # lines of the file


def test_shift_jis_and_japanese_headers(template: Workshop) -> None:
    data = "指標,日付,値\n認知率,2026-10-01,33%\n".encode("cp932")
    rows, problem = read_table("a.csv", data)
    good, bad = parse_rows(template, rows)
    assert problem is None and not bad and good[0].kpi == "awareness_rate" and good[0].value == 0.33


def test_xlsx(template: Workshop) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["kpi", "date", "value"])
    sheet.append(["purchase_rate", "2026-10-01", 0.05])
    buffer = io.BytesIO()
    wb.save(buffer)
    rows, problem = read_table("a.xlsx", buffer.getvalue())
    assert problem is None and parse_rows(template, rows)[0][0].value == 0.05


def refusal(name: str, data: bytes) -> str | None:
    """The code of the problem read_table reports for a file (None: it was read)."""
    problem = read_table(name, data)[1]
    return problem.code if problem else None


def test_files_without_the_columns_are_refused() -> None:
    assert refusal("a.csv", b"foo,bar\n1,2\n") == "actuals_no_header"
    assert refusal("a.csv", b"") == "actuals_no_header"
    assert refusal("a.xlsx", b"PK\x03\x04junk") == "xlsx_not_workbook"


def test_a_kpi_by_date_grid_with_names_market_and_bad_cells(template: Workshop) -> None:
    data = (
        "指標,系列,2026-09-01,2026/10/01,memo\n認知率,値,30%,33%,x\n認知率,市場,,28%,\n購入率（CVR）,値,5%,lots,\nnobody,値,1,,\n"
    ).encode()
    rows, problem = read_table("grid.csv", data)
    assert problem is None
    good, bad = parse_rows(template, rows)
    assert sorted((a.kpi, a.date.isoformat(), a.value, a.market) for a in good) == [
        ("awareness_rate", "2026-09-01", 0.3, None),
        ("awareness_rate", "2026-10-01", 0.33, 0.28),
        ("purchase_rate", "2026-09-01", 0.05, None),
    ]
    assert sorted((b.row, b.column, b.problem.code) for b in bad) == [(4, "2026-10-01", "not_a_number"), (5, "2026-09-01", "kpi_unknown")]


def test_kpidesigns_own_workbook_uploads_its_actuals(template: Workshop) -> None:
    import datetime as dt

    from kpidesign.io.excel import to_xlsx
    from kpidesign.model import Actual

    sent = [
        Actual(kpi="awareness_rate", date=dt.date(2026, 10, 1), value=0.33, market=0.3),
        Actual(kpi="purchase_rate", date=dt.date(2026, 11, 1), value=0.05),
    ]
    rows, problem = read_table("export.xlsx", to_xlsx(template.model_copy(update={"actuals": sent}), "en"))
    good, bad = parse_rows(template, rows)
    assert problem is None and not bad and sorted(good, key=lambda a: a.kpi) == sent


def test_a_grid_without_date_columns_is_refused() -> None:
    assert refusal("a.csv", b"kpi,memo\nx,1\n") == "actuals_no_header"


HEADER = ["kpi", "date", "value"]


@pytest.mark.timeout(120)
def test_a_value_at_the_last_row_a_sheet_can_have_is_read_in_seconds_and_bounded_memory() -> None:
    data = hostile_xlsx.far_cell("Actuals", HEADER)  # 11 KB; padded to its declared 16,384 columns it took GBs and minutes
    out = hostile_xlsx.read_limited("actuals", data, memory_mib=1536)
    assert (
        out == {"rows": 0, "codes": ["too_many_rows"], "seconds": out["seconds"]} and out["seconds"] < 10
    )  # refused: a value lies past the rows read


@pytest.mark.timeout(120)
def test_many_one_cell_rows_in_a_sheet_declared_16384_columns_wide_read_in_bounded_memory() -> None:
    data = hostile_xlsx.many_short_rows("Actuals", HEADER, 100_000)  # ~13 GB when every row is padded to the declared width
    assert len(data) < 600_000
    out = hostile_xlsx.read_limited("actuals", data, memory_mib=1536)
    assert out["codes"] == [] and out["rows"] == 100_000 and out["seconds"] < 30


def test_a_file_longer_than_the_reader_reads_is_refused_not_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actuals, "MAX_ROWS", 10)
    for rows, code in ((10, None), (11, "too_many_rows")):
        csv_data = ("kpi,date,value\n" + "purchase_rate,2026-10-01,1\n" * rows).encode()
        xlsx_data = hostile_xlsx.many_short_rows("Actuals", HEADER, rows)
        for name, data in (("a.csv", csv_data), ("a.xlsx", xlsx_data)):
            found, problem = read_table(name, data)
            assert (problem.code if problem else None) == code, name
            assert len(found) == (rows if code is None else 0)
    grid = ("kpi," + ",".join(f"2026-01-{d:02d}" for d in range(1, 12)) + "\npurchase_rate," + ",".join("1" * 11) + "\n").encode()
    assert refusal("grid.csv", grid) == "too_many_rows"  # 11 cells of a grid are 11 observations


def test_a_blank_row_just_past_the_budget_does_not_hide_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """10 rows allowed: 10 filled, a blank one, 5 more is longer than the reader reads, not 10 rows (found by review)."""
    monkeypatch.setattr(actuals, "MAX_ROWS", 10)
    cells = [hostile_xlsx.text(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER)]

    def filled(r: int) -> str:
        return hostile_xlsx.row(
            r, hostile_xlsx.text(f"A{r}", "purchase_rate"), hostile_xlsx.text(f"B{r}", "2026-10-01"), hostile_xlsx.number(f"C{r}", 1)
        )

    body = "".join(filled(r) for r in range(2, 12)) + "".join(filled(r) for r in range(13, 18))
    data = hostile_xlsx.book({"Actuals": hostile_xlsx.sheet(hostile_xlsx.row(1, *cells) + body)})
    found, problem = read_table("a.xlsx", data)
    assert problem is not None and problem.code == "too_many_rows" and found == []
    fewer = hostile_xlsx.book({"Actuals": hostile_xlsx.sheet(hostile_xlsx.row(1, *cells) + "".join(filled(r) for r in (2, 3, 5)))})
    assert len(read_table("a.xlsx", fewer)[0]) == 3  # a blank row inside a short table is skipped, as before


def test_a_csv_over_the_size_limit_is_refused_unread() -> None:
    assert refusal("a.csv", b"kpi,date,value\n" + b"x" * (21 * 1024 * 1024)) == "file_too_large"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", list(hostile_xlsx.BROKEN))
def test_a_broken_or_hostile_sheet_is_refused_without_a_traceback(kind: str) -> None:
    rows, problem = read_table("a.xlsx", hostile_xlsx.BROKEN[kind]("Actuals"))
    assert rows == [] and problem is not None and problem.code == "xlsx_not_workbook"


def test_a_refused_row_is_named_by_its_line_in_the_file_blank_lines_and_quoted_line_breaks_counted(template: Workshop) -> None:
    data = b'kpi,date,value\n\npurchase_rate,2026-10-01,1%\n"nobody\nreally",2026-10-01,1\npurchase_rate,x,1\n'
    rows, problem = read_table("a.csv", data)
    good, bad = parse_rows(template, rows)
    assert problem is None and len(good) == 1
    assert [(b.row, b.problem.code) for b in bad] == [(4, "kpi_unknown"), (6, "not_a_date")]  # as an editor numbers them
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    for r in (["kpi", "date", "value"], ["purchase_rate", "2026-10-01", 0.05], [], ["purchase_rate", "soon", 0.05]):
        sheet.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    rows, problem = read_table("a.xlsx", buffer.getvalue())
    assert [(b.row, b.problem.code) for b in parse_rows(template, rows)[1]] == [(4, "not_a_date")]  # the sheet's row 4
