"""Observed values from people and files: a row (kpi by id or name, date, value, optional market) -> an Actual or a reason.

Files come as a table of one row per observation (kpi, date, value[, market]) or as a grid of one row per KPI
and one column per date (as people keep monthly KPI sheets, and as kpidesign's Excel export writes them).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from kpidesign.io.excel import MAX_BYTES, MAX_CELLS, ZIP_LIMITS, TableTooLong, check_zip, sheet_rows
from kpidesign.model import Actual, Workshop
from kpidesign.values import Problem, normalize, parse_date, parse_number

MAX_ROWS = 200_000
ACTUALS_SHEETS = ("実績値", "Actuals")  # the sheet kpidesign's Excel export writes them to
HEADERS = {
    "kpi": {"kpi", "id", "name", "指標", "kpi名", "名前"},
    "date": {"date", "日付", "day"},
    "value": {"value", "値", "実績", "actual"},
    "market": {"market", "市場", "市場値"},
    "series": {"series", "系列", "kind"},
}
SERIES = {"market": {"market", "市場", "市場値"}}


@dataclass(frozen=True)
class RowProblem:
    """A refused row: its line in the file (1 = the header line, as an editor or a spreadsheet numbers them; a query's
    rows from 1) and why."""

    row: int
    problem: Problem
    column: str = ""  # in a grid: the date column of the refused cell


def parse_rows(ws: Workshop, rows: list[dict[str, Any]]) -> tuple[list[Actual], list[RowProblem]]:
    """Keep the good rows, explain the bad ones; a KPI may be named by id or by name."""
    ids = {n.id for n in ws.nodes}
    by_name = {normalize(n.name).lower(): n.id for n in ws.nodes}
    good, bad = [], []
    for i, row in enumerate(rows, start=1):
        number, column = row.get("_row", i), row.get("_column", "")
        raw_kpi = str(row.get("kpi") or "").strip()
        kpi = raw_kpi if raw_kpi in ids else by_name.get(normalize(raw_kpi).lower())
        if kpi is None:
            bad.append(RowProblem(number, Problem("kpi_unknown", {"text": raw_kpi[:40]}), column))
            continue
        date = parse_date(row.get("date"), allow_empty=False)
        value = parse_number(row.get("value"), allow_empty=False)
        market = parse_number(row.get("market"))
        problem = date.problem or value.problem or market.problem
        if problem:
            bad.append(RowProblem(number, problem, column))
            continue
        good.append(Actual(kpi=kpi, date=date.value, value=value.value, market=market.value))
    return good, bad


def _columns(header: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, h in enumerate(header):
        key = normalize(str(h or "")).lower()
        for field, names in HEADERS.items():
            if key in names and field not in out.values():
                out[i] = field
    return out


def read_table(filename: str, data: bytes) -> tuple[list[dict[str, Any]], Problem | None]:
    """Rows from a CSV (UTF-8, also with BOM, or Shift_JIS) or an .xlsx file: columns kpi, date, value[, market], or a KPI × date grid."""
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        reason = check_zip(data)
        if reason:
            return [], Problem(reason, {"size": len(data), "max": ZIP_LIMITS.get(reason)})
        try:  # the whole read: a broken or hostile file can fail anywhere in it (bad CRC in a row, an undefined entity, …)
            table, lines = _xlsx_table(data)
        except TableTooLong as e:
            return [], Problem("too_many_rows", {"field": e.sheet, "max": e.max_rows})
        except Exception:  # noqa: BLE001 -- openpyxl, zipfile and the XML parser raise many kinds for a broken file
            return [], Problem("xlsx_not_workbook")
    else:
        if len(data) > MAX_BYTES:
            return [], Problem("file_too_large", {"size": len(data), "max": MAX_BYTES})
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return [], Problem("not_utf8", {"field": filename})
        reader = csv.reader(io.StringIO(text))
        table, lines, last = [], [], 0
        for record in reader:  # a record's first line: a quoted line break makes one record span several lines
            table.append(record)
            lines.append(last + 1)
            last = reader.line_num
    if not table:
        return [], Problem("actuals_no_header")
    columns = _columns(table[0])
    if {"kpi", "date", "value"} <= set(columns.values()):
        rows = [
            {field: (r[i] if i < len(r) else None) for i, field in columns.items()} | {"_row": line}
            for r, line in zip(table[1:], lines[1:])
            if any(c not in (None, "") for c in r)
        ]
    else:
        dates = {i: d.value for i, h in enumerate(table[0]) if i not in columns and (d := parse_date(h)).ok and d.value is not None}
        if "kpi" not in columns.values() or not dates:
            return [], Problem("actuals_no_header")
        rows = _grid_rows(table, lines, columns, dates)
    if len(rows) > MAX_ROWS:  # refused, not cut short: what is kept must be all of it
        return [], Problem("too_many_rows", {"field": filename, "max": MAX_ROWS})
    return rows, None


def _xlsx_table(data: bytes) -> tuple[list[list[Any]], list[int]]:
    """The actuals sheet's header and rows, with each one's row number in the sheet: only as wide as its header, and no
    longer than MAX_ROWS (TableTooLong past it)."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = next((book[n] for n in ACTUALS_SHEETS if n in book.sheetnames), book.worksheets[0])
        header = list(next(sheet_rows(sheet, 1, 1), ()))
        width = max((i + 1 for i, h in enumerate(header) if h not in (None, "")), default=0)
        budget = min(MAX_ROWS, MAX_CELLS // max(width, 1))
        rows: list[list[Any]] = []
        lines = [1]
        # blank rows are skipped (a long table may hold some), but never read without end: past twice the budget of rows
        # read, or past the budget of filled ones, the table is longer than the reader takes, and says so (never cut short)
        for read, row in enumerate(sheet_rows(sheet, 2, 2 * budget + 1, width) if width else (), start=1):
            if any(c not in (None, "") for c in row):
                rows.append(list(row))
                lines.append(read + 1)
            if len(rows) > budget or read > 2 * budget:
                raise TableTooLong(sheet.title, budget)
        return [header[:width], *rows], lines
    finally:
        book.close()


def _grid_rows(table: list[list[Any]], lines: list[int], columns: dict[int, str], dates: dict[int, Any]) -> list[dict[str, Any]]:
    """One row per filled cell of a KPI × date grid (named by its line in the file); a row whose series says market gives
    market values."""
    kpi_col = next(i for i, f in columns.items() if f == "kpi")
    series_col = next((i for i, f in columns.items() if f == "series"), None)
    found: dict[tuple[str, Any], dict[str, Any]] = {}
    for number, r in zip(lines[1:], table[1:]):
        if not any(c not in (None, "") for c in r):
            continue
        series = normalize(str(r[series_col] or "")).lower() if series_col is not None and series_col < len(r) else ""
        field = "market" if series in SERIES["market"] else "value"
        kpi = r[kpi_col] if kpi_col < len(r) else None
        for i, date in dates.items():
            if i < len(r) and r[i] not in (None, ""):
                cell = found.setdefault((str(kpi), date), {"kpi": kpi, "date": date, "_row": number, "_column": str(date)})
                cell[field] = r[i]
        if len(found) > MAX_ROWS:  # enough to refuse the file: more is not read
            break
    return list(found.values())
