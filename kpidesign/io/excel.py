"""The definition sheet as an Excel workbook, and back.

Sheets: cover, definitions (every node field, one row per KPI, header frozen, filters on),
thresholds (status with red/yellow/green conditional formatting), monitoring (reviews, alerts),
learning log, actuals, tree (indented outline, and a picture when PNG can be drawn).
Every text is written as a string: a name starting with = + - @ never becomes a formula.
Reading accepts the headers in Japanese or English, so a workbook edited by hand imports back.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpidesign.findings import Finding, Severity
from kpidesign.i18n import S, t
from kpidesign.io.yaml_io import ImportResult, from_dict
from kpidesign.model import Workshop
from kpidesign.progress import steps_done
from kpidesign.render import display_width
from kpidesign.status import current_value, latest_actuals, status_word
from kpidesign.tree import levels, walk
from kpidesign.values import is_percent, parse_date

PICTURE_WIDTH = 1400  # the tree sheet shows the picture at most this wide (px)
PICTURE_SCALE = 1.0  # draw it at about that size: the export's default 1.5× would be shrunk anyway, and costs twice the time
PICTURE_MAX_PIXELS = 12_000_000  # ~150 boxes; a bigger tree's picture costs seconds to encode: the outline and the SVG serve
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ENTRIES = 2000
HEADER_FILL = PatternFill("solid", fgColor="1E3A8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILL = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}

#: Definition sheet columns: (field, i18n key of the header).
COLUMNS = (
    ("id", "col_id"), ("name", "name"), ("parent", "parent"), ("level", "depth"), ("layer", "layer"), ("sensitivity", "sensitivity"),
    ("unit", "unit"), ("baseline", "baseline"), ("target", "target"), ("deadline", "deadline"), ("formula", "col_formula"),
    ("expression", "expression"), ("numerator", "numerator"), ("denominator", "denominator"), ("period", "period"),
    ("source", "source"), ("frequency", "frequency"), ("owner", "owner"), ("why", "purpose"), ("objective", "objective"),
    ("comparisons", "comparisons"), ("direction", "direction"), ("green", "green"), ("yellow", "yellow"),
)
SHEETS = {"cover": "sheet_cover", "definitions": "sheet_definitions", "thresholds": "sheet_thresholds", "monitoring": "sheet_monitoring",
          "learning": "sheet_learning", "actuals": "sheet_actuals", "tree": "sheet_tree"}
REVIEW_COLS = (("name", "review_name"), ("cadence", "cadence"), ("kpis", "kpis"), ("participants", "participants"))
ALERT_COLS = (("kpi", "kpi"), ("when", "when"), ("channel", "channel"), ("to", "to"), ("action", "action"))
LOG_COLS = (("date", "date"), ("kpi", "kpi"), ("observe", "observe"), ("insight", "insight"), ("act", "act"), ("integrate", "integrate"))
ACTUAL_COLS = (("kpi", "kpi"), ("date", "date"), ("value", "value"), ("market", "market"))
GRID_COLS = (("kpi", "col_id"), ("name", "name"), ("kind", "col_series"))
GRID_KIND = {"value": "value", "market": "market"}
MAX_DATE_COLUMNS = 4000


def _text(value: Any) -> Any:
    """Strings as plain text cells: no control characters; formulas are neutralised by the cell type."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_text(value))
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with


HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
WRAP_ALIGN = Alignment(vertical="top", wrap_text=True)
WIDTH_SAMPLE = 400
FORMULA_STARTS = ("=", "+", "-", "@")
INDENT = [Alignment(indent=i, vertical="top") for i in range(16)]


def _table(sheet: Worksheet, headers: list[str], rows: list[list[Any]], start: int = 1) -> None:
    """A header row and data rows; long text wraps; widths fit the header and a sample of the rows."""
    for col, header in enumerate(headers, start=1):
        _put(sheet, start, col, header)
        cell = sheet.cell(row=start, column=col)
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, HEADER_ALIGN
    for r, row in enumerate(rows, start=start + 1):
        sheet.append([_text(v) for v in row])  # in bulk; then the few cells that need it are fixed up
        for col, value in enumerate(row, start=1):
            if isinstance(value, str) and (value[:1] in FORMULA_STARTS or len(value) > 30):
                cell = sheet.cell(row=r, column=col)
                cell.data_type = "s"  # never a formula
                if len(value) > 30:
                    cell.alignment = WRAP_ALIGN
    sample = rows[:WIDTH_SAMPLE]
    for col, header in enumerate(headers, start=1):
        values = [header] + [str(row[col - 1]) for row in sample if col - 1 < len(row) and row[col - 1] is not None]
        sheet.column_dimensions[get_column_letter(col)].width = min(60, max(8, max(display_width(v) for v in values) + 2))


def _value(node: Any, field: str, depth: dict[str, int], lang: str) -> Any:
    d, th = node.definition, node.thresholds
    if field == "level":
        return depth.get(node.id, 0)
    if field in ("layer", "sensitivity"):
        value = getattr(node, field)
        return value.value if value else None
    if field in ("frequency",):
        return d.frequency.value if d.frequency else None
    if field == "comparisons":
        return ", ".join(c.value for c in d.comparisons)
    if field == "direction":
        return th.direction.value
    if field in ("green", "yellow"):
        return getattr(th, field)
    if field in ("expression", "numerator", "denominator", "period", "source", "owner", "why"):
        return getattr(d, field)
    if field == "deadline":
        return node.deadline
    value = getattr(node, field)
    return value if value != "" else None


def to_xlsx(ws: Workshop, lang: str = "ja", picture: bytes | None = None) -> bytes:
    """The workshop as an .xlsx workbook (bytes)."""
    wb = Workbook()
    depth = levels(ws)
    order = [n for n, _ in walk(ws)]
    cover = wb.active
    cover.title = t(SHEETS["cover"], lang)
    kgi = ws.kgi
    facts = [
        (t("workshop_title", lang), ws.title), (t("description", lang), ws.description), (t("kgi_name", lang), kgi.name),
        (t("unit", lang), kgi.unit), (t("baseline", lang), kgi.baseline), (t("target", lang), kgi.target),
        (t("deadline", lang), kgi.deadline), (t("why", lang), kgi.definition.why), (t("objective", lang), kgi.objective),
        (t("col_language", lang), ws.language), (t("progress", lang), f"{steps_done(ws)}/5"), (t("exported", lang), dt.date.today()),
    ]
    _put(cover, 1, 1, ws.title)
    cover.cell(row=1, column=1).font = Font(bold=True, size=16)
    for r, (label, value) in enumerate(facts, start=3):
        _put(cover, r, 1, label)
        cover.cell(row=r, column=1).font = Font(bold=True)
        _put(cover, r, 2, value)
        cover.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 26, 70

    sheet = wb.create_sheet(t(SHEETS["definitions"], lang))
    rows = [[_value(n, field, depth, lang) for field, _ in COLUMNS] for n in order]
    _table(sheet, [t(key, lang) for _, key in COLUMNS], rows)
    for r, n in enumerate(order, start=2):
        if is_percent(n.unit):
            for field in ("baseline", "target", "green", "yellow"):
                sheet.cell(row=r, column=[f for f, _ in COLUMNS].index(field) + 1).number_format = "0.0##%"
        if depth.get(n.id, 0):
            sheet.cell(row=r, column=2).alignment = INDENT[min(depth[n.id], 15)]
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions

    th_sheet = wb.create_sheet(t(SHEETS["thresholds"], lang))
    th_rows = []
    latest = latest_actuals(ws)
    for n in order:
        value, basis = current_value(n, latest)
        th_rows.append([n.id, n.name, n.thresholds.direction.value, n.thresholds.green, n.thresholds.yellow, value, t(basis, lang), status_word(value, n.thresholds)])
    _table(th_sheet, [t(k, lang) for k in ("col_id", "name", "direction", "green", "yellow", "value", "col_basis", "col_status")], th_rows)
    last = len(th_rows) + 1
    for name, color in STATUS_FILL.items():
        th_sheet.conditional_formatting.add(f"H2:H{last}", CellIsRule(operator="equal", formula=[f'"{name}"'], fill=PatternFill("solid", fgColor=color, bgColor=color)))
    th_sheet.freeze_panes = "C2"
    th_sheet.auto_filter.ref = th_sheet.dimensions

    mon = wb.create_sheet(t(SHEETS["monitoring"], lang))
    names = {n.id: n.name for n in ws.nodes}
    reviews = [[r.name, r.cadence.value, ", ".join(r.kpis), ", ".join(r.participants)] for r in ws.monitoring.reviews]
    _table(mon, [t(k, lang) for _, k in REVIEW_COLS], reviews)
    alerts = [[a.kpi, a.when.value, a.channel.value, a.to, a.action] for a in ws.monitoring.alerts]
    alert_start = len(reviews) + 4  # a blank row, then the title of the second table
    _table(mon, [t(k, lang) for _, k in ALERT_COLS], alerts, start=alert_start)
    _put(mon, alert_start - 1, 1, t("alerts", lang))
    mon.cell(row=alert_start - 1, column=1).font = Font(bold=True)

    log = wb.create_sheet(t(SHEETS["learning"], lang))
    _table(log, [t(k, lang) for _, k in LOG_COLS], [[e.date, e.kpi, e.observe, e.insight, e.act, e.integrate] for e in ws.monitoring.learning_log])
    _actuals_sheet(wb.create_sheet(t(SHEETS["actuals"], lang)), ws, order, lang)

    outline = wb.create_sheet(t(SHEETS["tree"], lang))
    _put(outline, 1, 1, t("sheet_tree", lang))
    outline.cell(row=1, column=1).font = Font(bold=True, size=14)
    for r, n in enumerate(order, start=3):
        _put(outline, r, 1, n.name)
        outline.cell(row=r, column=1).alignment = INDENT[min(2 * depth.get(n.id, 0), 15)]
        _put(outline, r, 2, n.formula and f"= {n.formula}")
        _put(outline, r, 3, names.get(n.parent or "", ""))
    outline.column_dimensions["A"].width, outline.column_dimensions["B"].width = 60, 50
    if picture:
        from openpyxl.drawing.image import Image as XLImage

        image = XLImage(io.BytesIO(picture))
        scale = min(1.0, PICTURE_WIDTH / max(image.width, 1))
        image.width, image.height = image.width * scale, image.height * scale
        outline.add_image(image, "E3")
    else:
        _put(outline, 3, 5, t("excel_no_picture", lang))
    for sheet in wb.worksheets:
        sheet.sheet_view.zoomScale = 110
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _actuals_sheet(sheet: Worksheet, ws: Workshop, order: list[Any], lang: str) -> None:
    """Actuals as a KPI × date grid (a row per KPI and series, a column per date), as people keep them and read them.

    A grid has a fifth of the cells of one row per observation, which keeps big workbooks quick to write. Should the
    dates be too many for columns, the sheet falls back to one row per observation (kpi, date, value, market).
    """
    dates = sorted({a.date for a in ws.actuals})
    if len(dates) > MAX_DATE_COLUMNS:
        _table(sheet, [t(k, lang) for _, k in ACTUAL_COLS], [[a.kpi, a.date, a.value, a.market] for a in ws.actuals])
        return
    cells: dict[tuple[str, str], dict[dt.date, float]] = {}
    for a in ws.actuals:  # the last entered wins for a date, as everywhere else
        cells.setdefault((a.kpi, "value"), {})[a.date] = a.value
        if a.market is not None:
            cells.setdefault((a.kpi, "market"), {})[a.date] = a.market
    names = {n.id: n.name for n in order}
    kpis = [*names, *sorted({kpi for kpi, _ in cells} - names.keys())]  # values of a KPI no longer in the tree are kept too
    rows = [
        [kpi, names.get(kpi, ""), t(GRID_KIND[kind], lang), *(series.get(d) for d in dates)]
        for kpi in kpis for kind in GRID_KIND if (series := cells.get((kpi, kind)))
    ]
    _table(sheet, [t(k, lang) for _, k in GRID_COLS] + [d.isoformat() for d in dates], rows)
    for col in range(len(GRID_COLS) + 1, len(GRID_COLS) + len(dates) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 12
    sheet.freeze_panes = sheet.cell(row=2, column=len(GRID_COLS) + 1).coordinate


def _actuals(sheet: Any) -> list[dict[str, Any]]:
    """Actuals from the grid (KPI rows, date columns) or from a table of one row per observation."""
    if sheet is None:
        return []
    long = _rows(sheet, ACTUAL_COLS)
    if long:
        return [{k: _plain(v) for k, v in r.items()} for r in long]
    table = list(sheet.iter_rows(values_only=True))
    start = next((i for i, row in enumerate(table) if _fields(list(row[: len(GRID_COLS)]), GRID_COLS).get(0) == "kpi"), None)
    if start is None:
        return []
    header = table[start]
    dates = {i: d.value for i, h in enumerate(header) if i >= len(GRID_COLS) and h is not None and (d := parse_date(_plain(h))).ok}
    kinds = {label: kind for kind, key in GRID_KIND.items() for label in S[key]}
    found: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for row in table[start + 1 :]:
        if not row or all(v is None or v == "" for v in row):
            break
        kpi = next((str(v).strip() for v in row[:2] if v is not None and str(v).strip()), None)  # the id, or the name
        if kpi is None:
            continue
        kind = kinds.get(str(row[2]).strip() if len(row) > 2 and row[2] is not None else "", "value")
        for i, date in dates.items():
            if i < len(row) and row[i] is not None and row[i] != "":
                found.setdefault((kpi, date), {"kpi": kpi, "date": date})[kind] = row[i]
    return list(found.values())


def _by_id(actuals: list[dict[str, Any]], nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actuals whose KPI is written by its name (a hand-edited sheet) point at that node's id."""
    ids = {str(n.get("id")) for n in nodes}
    names: dict[str, str | None] = {}
    for n in nodes:
        name = str(n.get("name", "")).strip()
        names[name] = None if name in names else str(n.get("id"))  # a name used twice points nowhere
    for a in actuals:
        kpi = str(a.get("kpi", "")).strip()
        if kpi not in ids and names.get(kpi):
            a["kpi"] = names[kpi]
    return actuals


def _fields(header: list[Any], columns: tuple[tuple[str, str], ...]) -> dict[int, str]:
    """Column index -> field, recognising headers written in Japanese or English."""
    labels = {}
    for field, key in columns:
        ja, en = S[key]
        labels[ja.strip().lower()] = labels[en.strip().lower()] = field
    return {i: labels[str(h).strip().lower()] for i, h in enumerate(header) if h is not None and str(h).strip().lower() in labels}


def _sheet_by_key(wb: Any, key: str) -> Any:
    ja, en = S[SHEETS[key]]
    for name in (ja, en):
        if name in wb.sheetnames:
            return wb[name]
    return None


def _rows(sheet: Any, columns: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """The rows of the table whose header row carries these columns' labels (in either language)."""
    rows = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
    start = next((i for i, row in enumerate(rows) if len(_fields(list(row), columns)) >= min(2, len(columns)) and columns[0][0] in _fields(list(row), columns).values()), None)
    if start is None:
        return []
    fields = _fields(list(rows[start]), columns)
    out = []
    for row in rows[start + 1 :]:
        if all(v is None or v == "" for v in row):
            break
        out.append({field: row[i] for i, field in fields.items() if i < len(row)})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _split(value: Any) -> list[str]:
    return [x.strip() for x in str(value or "").replace("、", ",").split(",") if x.strip()]


def check_zip(data: bytes) -> str | None:
    """Why a file must not be opened as a workbook (not a zip, too large, too many parts, a zip bomb), or None."""
    if len(data) > MAX_BYTES:
        return "file_too_large"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                return "xlsx_too_many_parts"
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                return "xlsx_zip_bomb"
            if "[Content_Types].xml" not in z.namelist():
                return "xlsx_not_workbook"
    except zipfile.BadZipFile:
        return "xlsx_not_workbook"
    return None


def from_xlsx(data: bytes) -> ImportResult:
    """Read a workbook written by kpidesign (possibly edited by hand) into a workshop, or findings."""
    problem = check_zip(data)
    if problem:
        return ImportResult(None, [Finding(Severity.ERROR, problem, None, {"field": "", "size": len(data), "max": MAX_BYTES})])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        return ImportResult(None, [Finding(Severity.ERROR, "xlsx_not_workbook", None, {"field": "", "detail": type(e).__name__})])
    sheet = _sheet_by_key(wb, "definitions")
    if sheet is None:
        return ImportResult(None, [Finding(Severity.ERROR, "yaml_missing", None, {"field": f"{S['sheet_definitions'][0]} / {S['sheet_definitions'][1]}"})])
    rows = _rows(sheet, COLUMNS)
    if not rows:
        return ImportResult(None, [Finding(Severity.ERROR, "yaml_missing", None, {"field": "kgi"})])
    nodes = []
    for row in rows:
        node = {k: _plain(row.get(k)) for k in ("id", "parent", "name", "unit", "layer", "sensitivity", "baseline", "target", "formula")}
        node = {k: v for k, v in node.items() if v is not None}
        definition = {k: _plain(row.get(k)) for k in ("expression", "numerator", "denominator", "period", "source", "frequency", "owner", "why")}
        definition = {k: str(v) if k != "frequency" else v for k, v in definition.items() if v is not None}
        if row.get("comparisons"):
            definition["comparisons"] = _split(row["comparisons"])
        node["definition"] = definition
        node["thresholds"] = {k: _plain(row.get(k)) for k in ("direction", "green", "yellow") if _plain(row.get(k)) is not None}
        for key in ("unit", "formula", "name", "id", "parent"):
            if key in node and not isinstance(node[key], str):
                node[key] = str(node[key])
        if row.get("deadline") is not None:
            node["deadline"] = _plain(row.get("deadline"))
        if row.get("objective"):
            node["objective"] = str(row["objective"])
        nodes.append(node)
    kgi = next((n for n in nodes if not n.get("parent")), None)
    if kgi is None:
        return ImportResult(None, [Finding(Severity.ERROR, "yaml_missing", None, {"field": "kgi"})])
    kgi = dict(kgi)
    kgi.pop("parent", None)
    cover = _cover(wb)
    mon = _sheet_by_key(wb, "monitoring")
    review_rows = _rows(mon, REVIEW_COLS)
    doc = {
        "kpidesign": 1,
        "workshop": {"title": cover.get("title") or kgi.get("name", "Workshop"), "description": cover.get("description", ""), "language": cover.get("language", "ja")},
        "kgi": kgi,
        "nodes": [n for n in nodes if n.get("parent")],
        "monitoring": {
            "reviews": [{"name": r.get("name"), "cadence": r.get("cadence"), "kpis": _split(r.get("kpis")), "participants": _split(r.get("participants"))} for r in review_rows],
            "alerts": [{k: (str(v) if v is not None else "") for k, v in r.items()} for r in _rows(mon, ALERT_COLS)],
            "learning_log": [{k: _plain(v) if k == "date" else str(v or "") for k, v in r.items()} for r in _rows(_sheet_by_key(wb, "learning"), LOG_COLS)],
        },
        "actuals": _by_id(_actuals(_sheet_by_key(wb, "actuals")), nodes),
    }
    wb.close()
    return from_dict(doc)


def _cover(wb: Any) -> dict[str, Any]:
    """Title, description and language from the cover sheet (labels in either language)."""
    sheet = _sheet_by_key(wb, "cover")
    labels = {label: field for field, key in (("title", "workshop_title"), ("description", "description"), ("language", "col_language")) for label in S[key]}
    found: dict[str, Any] = {}
    for row in sheet.iter_rows(min_row=1, max_row=30, max_col=2, values_only=True) if sheet is not None else []:
        if row and row[0] in labels and row[1] is not None:
            found[labels[row[0]]] = str(row[1])
    return found
