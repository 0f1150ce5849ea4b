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
import itertools
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kpidesign.agenda import planned_start
from kpidesign.findings import Finding, Severity
from kpidesign.i18n import S, t
from kpidesign.io.excel_labels import WRITTEN, choice_code, choice_word
from kpidesign.io.yaml_io import ImportResult, from_dict
from kpidesign.language import Language
from kpidesign.model import Workshop
from kpidesign.monitor import readings, status_words
from kpidesign.progress import steps_done
from kpidesign.render import display_width
from kpidesign.status import status_word
from kpidesign.tree import levels, walk
from kpidesign.values import is_percent, parse_date

PICTURE_WIDTH = 1400  # the tree sheet shows the picture at most this wide (px)
PICTURE_SCALE = 1.0  # draw it at about that size: the export's default 1.5× would be shrunk anyway, and costs twice the time
PICTURE_MAX_PIXELS = 12_000_000  # ~150 boxes; a bigger tree's picture costs seconds to encode: the outline and the SVG serve
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_XML_CELLS = 1_000_000  # cells in one part of a workbook: openpyxl reads ~70,000 a second, so a bigger sheet costs too long
MAX_ROW_CELLS = 16_384  # cells in one row: as many as a sheet has columns
HEADER_FILL = PatternFill("solid", fgColor="1E3A8A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILL = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}

#: Definition sheet columns: (field, i18n key of the header).
COLUMNS = (
    ("id", "col_id"),
    ("name", "name"),
    ("parent", "parent"),
    ("level", "depth"),
    ("layer", "layer"),
    ("sensitivity", "sensitivity"),
    ("unit", "unit"),
    ("baseline", "baseline"),
    ("target", "target"),
    ("deadline", "deadline"),
    ("formula", "col_formula"),
    ("expression", "expression"),
    ("numerator", "numerator"),
    ("denominator", "denominator"),
    ("period", "period"),
    ("source", "source"),
    ("frequency", "frequency"),
    ("owner", "owner"),
    ("why", "purpose"),
    ("objective", "objective"),
    ("comparisons", "comparisons"),
    ("direction", "direction"),
    ("green", "green"),
    ("yellow", "yellow"),
    ("query", "query"),
    ("connection", "connection"),
    ("aggregation", "aggregation"),
)
_DEFINITION_CHOICES = ("frequency", "aggregation")  # a definition's fields that hold a choice (written as its value)
_DEFINITION_FIELDS = (
    "expression",
    "numerator",
    "denominator",
    "period",
    "source",
    "owner",
    "why",
    "query",
    "connection",
    *_DEFINITION_CHOICES,
)
SHEETS = {
    "cover": "sheet_cover",
    "definitions": "sheet_definitions",
    "thresholds": "sheet_thresholds",
    "monitoring": "sheet_monitoring",
    "learning": "sheet_learning",
    "actuals": "sheet_actuals",
    "tree": "sheet_tree",
    "agenda": "sheet_agenda",
}
REVIEW_COLS = (("name", "review_name"), ("cadence", "cadence"), ("kpis", "kpis"), ("participants", "participants"))
ALERT_COLS = (("kpi", "kpi"), ("when", "when"), ("channel", "channel"), ("to", "to"), ("action", "action"))
LOG_COLS = (("date", "date"), ("kpi", "kpi"), ("observe", "observe"), ("insight", "insight"), ("act", "act"), ("integrate", "integrate"))
ACTUAL_COLS = (("kpi", "kpi"), ("date", "date"), ("value", "value"), ("market", "market"))
AGENDA_COLS = (
    ("title", "agenda_col_title"),
    ("step", "agenda_col_step"),
    ("node", "agenda_col_node"),
    ("minutes", "agenda_col_minutes"),
    ("start", "agenda_col_start"),
    ("prompt", "agenda_col_prompt"),
)
GRID_COLS = (("kpi", "col_id"), ("name", "name"), ("kind", "col_series"))
GRID_KIND = {"value": "value", "market": "market"}
MAX_DATE_COLUMNS = 4000
HEADER_ROWS = 50  # a table's header is looked for in the first rows of its sheet, no further
MAX_COLUMNS = len(GRID_COLS) + MAX_DATE_COLUMNS  # values read from a row, whatever width the sheet declares
MAX_CELLS = 2_000_000  # values read from one table (its rows × its header's width): a longer table is refused


_NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ud800-\udfff\ufffe\uffff]")  # + what XML 1.0 also refuses


def _text(value: Any) -> Any:
    """Strings as plain text cells: no control characters nor anything XML refuses; formulas are neutralised by the cell type."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_text(value))
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with


HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
WRAP_ALIGN = Alignment(vertical="top", wrap_text=True)
WIDTH_SAMPLE = 400
INDENT = [Alignment(indent=i, vertical="top") for i in range(16)]
#: The styles of the cells kpidesign writes itself, by key: what openpyxl would be told for each cell.
STYLES: dict[Any, dict[str, Any]] = {
    "header": {"fill": HEADER_FILL, "font": HEADER_FONT, "alignment": HEADER_ALIGN},
    "wrap": {"alignment": WRAP_ALIGN},
    "bold": {"font": Font(bold=True)},
    "title": {"font": Font(bold=True, size=14)},
    "percent": {"number_format": "0.0##%"},
    "number": {"number_format": "#,##0.###"},  # 800,000,000, not a bare 800000000
    "date": {"number_format": "yyyy-mm-dd"},
    "datetime": {"number_format": "yyyy-mm-dd h:mm:ss"},
    ("minutes", "ja"): {"number_format": '0"分"'},  # an agenda's time box: 15分 / 15 min, still a number
    ("minutes", "en"): {"number_format": '0" min"'},
    "clock": {"number_format": "[h]:mm"},  # a planned start: hours and minutes from the session's start
    **{("indent", i): {"alignment": align} for i, align in enumerate(INDENT)},
}


def unit_style(unit: str) -> str:
    """The number format of an amount in a unit, the one rule of every sheet: a rate as a percentage (11%, not 0.11),
    anything else with thousands separators (800,000,000, not 800000000)."""
    return "percent" if is_percent(unit) else "number"


class Cells:
    """A sheet's cells, written by kpidesign straight into the sheet's XML when the workbook is saved (see `_fill`).

    openpyxl makes an object per cell and writes each through lxml: ~30 µs a cell, most of a big workbook's time (a
    1,000-KPI workshop with a year of weekly actuals has 90,000 cells). The XML here is what openpyxl writes for the same
    values and styles: text as inline strings (never a formula), numbers, dates as serial numbers with a date format.
    """

    def __init__(self, sheet: Worksheet, style_ids: dict[Any, int]) -> None:
        self.sheet, self.style_ids = sheet, style_ids
        self.rows: dict[int, dict[int, str]] = {}
        self.first, self.last = (1 << 30, 1 << 30), (0, 0)  # (row, column) bounds of every cell put, empty ones too

    def put(self, row: int, col: int, value: Any, style: Any = None) -> None:
        """One cell; a date gets its date format unless a style is given."""
        value = _text(value)
        if style is None and isinstance(value, dt.date):
            style = "datetime" if isinstance(value, dt.datetime) else "date"
        self.first = (min(self.first[0], row), min(self.first[1], col))
        self.last = (max(self.last[0], row), max(self.last[1], col))
        xml = _cell_xml(f"{get_column_letter(col)}{row}", value, self._style_id(style) if style is not None else 0)
        if xml:
            self.rows.setdefault(row, {})[col] = xml

    def put_row(self, row: int, values: list[Any], styles: list[Any] | None = None) -> None:
        """A table's row from column 1: as put for each value, in the loop a big sheet spends its time in."""
        if not values:
            return
        self.first = (min(self.first[0], row), 1)
        self.last = (max(self.last[0], row), max(self.last[1], len(values)))
        out = self.rows.setdefault(row, {})
        for col, value in enumerate(values, start=1):
            style = styles[col - 1] if styles else None
            if style is not None and type(value) is float and math.isfinite(value):  # a styled number (a rate's actuals: %)
                out[col] = f'<c r="{get_column_letter(col)}{row}" s="{self._style_id(style)}" t="n"><v>{value:.16g}</v></c>'
                continue
            if style is None:
                if value is None:
                    continue
                if type(value) is float and math.isfinite(value):  # most cells of a big workbook: the actuals
                    out[col] = f'<c r="{get_column_letter(col)}{row}" t="n"><v>{value:.16g}</v></c>'
                    continue
                if isinstance(value, dt.date):
                    style = "datetime" if isinstance(value, dt.datetime) else "date"
            xml = _cell_xml(f"{get_column_letter(col)}{row}", _text(value), self._style_id(style) if style is not None else 0)
            if xml:
                out[col] = xml

    def _style_id(self, key: Any) -> int:
        if key not in self.style_ids:  # registered with the workbook through a cell that is never placed in a sheet
            cell = Cell(self.sheet)  # type: ignore[call-arg]  # types-openpyxl makes row and column required; openpyxl defaults them to None
            for attribute, value in STYLES[key].items():
                setattr(cell, attribute, value)
            self.style_ids[key] = cell.style_id
        return self.style_ids[key]

    @property
    def dimension(self) -> str:
        """The cells' range, as openpyxl computes a sheet's dimension."""
        if not self.last[0]:
            return "A1:A1"
        return f"{get_column_letter(self.first[1])}{self.first[0]}:{get_column_letter(self.last[1])}{self.last[0]}"

    def xml(self) -> str:
        """The sheetData rows."""
        return "".join(f'<row r="{r}">{"".join(cells[c] for c in sorted(cells))}</row>' for r, cells in sorted(self.rows.items()))


def _cell_xml(ref: str, value: Any, style: int) -> str:
    """A cell as openpyxl's writer (lxml) writes it; "" for an empty cell without a style (not written)."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s} t="n"></c>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{safe_string(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s} t="n"><v>{safe_string(to_excel(value))}</v></c>'
    text = str(value)[:32767]  # Excel's limit, as openpyxl cuts it
    if not text:
        return f'<c r="{ref}"{s} t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _fill(part: bytes, cells: Cells) -> bytes:
    """A sheet's XML as openpyxl saved it (no cells) with kpidesign's cells and their dimension put in."""
    empty, dimension = b"<sheetData></sheetData>", b'<dimension ref="A1:A1"/>'
    if part.count(empty) != 1 or part.count(dimension) != 1:
        raise RuntimeError(f"unexpected sheet XML from openpyxl in {cells.sheet.title!r}")
    part = part.replace(dimension, f'<dimension ref="{cells.dimension}"/>'.encode())
    return part.replace(empty, f"<sheetData>{cells.xml()}</sheetData>".encode())


def _save(wb: Workbook, sheets: list[Cells]) -> bytes:
    """The workbook's bytes: openpyxl writes every part, then each sheet's cells are put into its XML."""
    buffer = io.BytesIO()
    wb.save(buffer)
    by_part = {c.sheet.path.lstrip("/"): c for c in sheets}
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as saved, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in saved.infolist():
            part = saved.read(info)
            z.writestr(info, _fill(part, by_part[info.filename]) if info.filename in by_part else part)
    return out.getvalue()


def _table(cells: Cells, headers: list[str], rows: list[list[Any]], start: int = 1, style: Any = None) -> None:
    """A header row and data rows; long text wraps; widths fit the header and a sample of the rows.

    style(i, col) may give a cell's style (data row i, from 0; column from 1) instead of the default (wrap for long text).
    """
    for col, header in enumerate(headers, start=1):
        cells.put(start, col, header, "header")
    for i, row in enumerate(rows):
        styles = [
            (style(i, col) if style else None) or ("wrap" if isinstance(v, str) and len(v) > 30 else None)
            for col, v in enumerate(row, start=1)
        ]
        cells.put_row(start + 1 + i, row, styles if any(styles) else None)
    sample = rows[:WIDTH_SAMPLE]
    for col, header in enumerate(headers, start=1):
        values = [header] + [str(row[col - 1]) for row in sample if col - 1 < len(row) and row[col - 1] is not None]
        cells.sheet.column_dimensions[get_column_letter(col)].width = min(60, max(8, max(display_width(v) for v in values) + 2))


def _value(node: Any, field: str, depth: dict[str, int], lang: Language) -> Any:
    d, th = node.definition, node.thresholds
    if field == "level":
        return depth.get(node.id, 0)
    if field in ("layer", "sensitivity"):
        value = getattr(node, field)
        return choice_word(field, value.value, lang) if value else None
    if field in _DEFINITION_CHOICES:
        value = getattr(d, field)
        return choice_word(field, value.value, lang) if value else None
    if field == "comparisons":
        return ", ".join(choice_word("comparisons", c.value, lang) or c.value for c in d.comparisons)
    if field == "direction":
        return choice_word("direction", th.direction.value, lang)
    if field in ("green", "yellow"):
        return getattr(th, field)
    if field in _DEFINITION_FIELDS:
        return getattr(d, field)
    if field == "deadline":
        return node.deadline
    value = getattr(node, field)
    return value if value != "" else None


def to_xlsx(ws: Workshop, lang: Language = "ja", picture: bytes | None = None) -> bytes:
    """The workshop as an .xlsx workbook (bytes)."""
    wb = Workbook()
    depth = levels(ws)
    order = [n for n, _ in walk(ws)]
    cover = cast(Worksheet, wb.active)  # a new workbook has one sheet, active
    cover.title = t(SHEETS["cover"], lang)
    kgi = ws.kgi
    facts = [
        (t("workshop_title", lang), ws.title),
        (t("description", lang), ws.description),
        (t("kgi_name", lang), kgi.name),
        (t("unit", lang), kgi.unit),
        (t("baseline", lang), kgi.baseline),
        (t("target", lang), kgi.target),
        (t("deadline", lang), kgi.deadline),
        (t("why", lang), kgi.definition.why),
        (t("objective", lang), kgi.objective),
        (t("col_language", lang), ws.language),
        (t("progress", lang), f"{steps_done(ws)}/5"),
        (t("exported", lang), dt.date.today()),
    ]
    _put(cover, 1, 1, ws.title)
    cover.cell(row=1, column=1).font = Font(bold=True, size=16)
    for r, (label, value) in enumerate(facts, start=3):
        _put(cover, r, 1, label)
        cover.cell(row=r, column=1).font = Font(bold=True)
        _put(cover, r, 2, value)
        cover.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 26, 70

    style_ids: dict[Any, int] = {}
    sheet = Cells(wb.create_sheet(t(SHEETS["definitions"], lang)), style_ids)
    rows = [[_value(n, field, depth, lang) for field, _ in COLUMNS] for n in order]
    percent_cols = {[f for f, _ in COLUMNS].index(field) + 1 for field in ("baseline", "target", "green", "yellow")}

    def definition_style(i: int, col: int) -> Any:
        node = order[i]
        if col == 2 and depth.get(node.id, 0):
            return ("indent", min(depth[node.id], 15))
        if col in percent_cols:
            return unit_style(node.unit)
        return None

    _table(sheet, [t(key, lang) for _, key in COLUMNS], rows, style=definition_style)
    sheet.sheet.freeze_panes = "C2"
    sheet.sheet.auto_filter.ref = sheet.dimension

    th_sheet = Cells(wb.create_sheet(t(SHEETS["thresholds"], lang)), style_ids)
    th_rows = []
    now = readings(ws)
    words = status_words(ws, now)  # the dashboard's own rule: actuals alone; the baseline's band is a column apart
    for n in order:
        reading = now[n.id]
        th_rows.append(
            [
                n.id,
                n.name,
                choice_word("direction", n.thresholds.direction.value, lang),
                n.thresholds.green,
                n.thresholds.yellow,
                reading.value,
                t(f"basis_{reading.basis or 'none'}", lang),
                choice_word("status", words[n.id], lang),
                n.baseline,
                choice_word("status", status_word(n.baseline, n.thresholds), lang),
            ]
        )
    headers = ("col_id", "name", "direction", "green", "yellow", "value", "col_basis", "col_status", "baseline", "col_baseline_band")
    amounts = {headers.index(k) + 1 for k in ("green", "yellow", "value", "baseline")}  # in the KPI's unit, as on the definitions sheet
    _table(
        th_sheet,
        [t(k, lang) for k in headers],
        th_rows,
        style=lambda i, col: unit_style(order[i].unit) if col in amounts and th_rows[i][col - 1] is not None else None,
    )
    last = len(th_rows) + 1
    for name, color in STATUS_FILL.items():
        th_sheet.sheet.conditional_formatting.add(
            f"H2:H{last}",
            CellIsRule(
                operator="equal",
                formula=[f'"{choice_word("status", name, lang)}"'],
                fill=PatternFill("solid", fgColor=color, bgColor=color),
            ),
        )
    th_sheet.sheet.freeze_panes = "C2"
    th_sheet.sheet.auto_filter.ref = th_sheet.dimension

    mon = Cells(wb.create_sheet(t(SHEETS["monitoring"], lang)), style_ids)
    names = {n.id: n.name for n in ws.nodes}
    reviews = [
        [r.name, choice_word("cadence", r.cadence.value, lang), ", ".join(r.kpis), ", ".join(r.participants)] for r in ws.monitoring.reviews
    ]
    _table(mon, [t(k, lang) for _, k in REVIEW_COLS], reviews)
    alerts = [
        [a.kpi, choice_word("when", a.when.value, lang), choice_word("channel", a.channel.value, lang), a.to, a.action]
        for a in ws.monitoring.alerts
    ]
    alert_start = len(reviews) + 4  # a blank row, then the title of the second table
    _table(mon, [t(k, lang) for _, k in ALERT_COLS], alerts, start=alert_start)
    mon.put(alert_start - 1, 1, t("alerts", lang), "bold")

    log = Cells(wb.create_sheet(t(SHEETS["learning"], lang)), style_ids)
    _table(
        log,
        [t(k, lang) for _, k in LOG_COLS],
        [[e.date, e.kpi, e.observe, e.insight, e.act, e.integrate] for e in ws.monitoring.learning_log],
    )
    grid = Cells(wb.create_sheet(t(SHEETS["actuals"], lang)), style_ids)
    _actuals_sheet(grid, ws, order, lang)

    outline = Cells(wb.create_sheet(t(SHEETS["tree"], lang)), style_ids)
    outline.put(1, 1, t("sheet_tree", lang), "title")
    for r, n in enumerate(order, start=3):
        outline.put(r, 1, n.name, ("indent", min(2 * depth.get(n.id, 0), 15)))
        outline.put(r, 2, n.formula and f"= {n.formula}")
        outline.put(r, 3, names.get(n.parent or "", ""))
    outline.sheet.column_dimensions["A"].width, outline.sheet.column_dimensions["B"].width = 60, 50
    if picture:
        from openpyxl.drawing.image import Image as XLImage

        image = XLImage(io.BytesIO(picture))
        scale = min(1.0, PICTURE_WIDTH / max(image.width, 1))
        image.width, image.height = image.width * scale, image.height * scale  # type: ignore[assignment]  # types-openpyxl says int; openpyxl takes any number
        outline.sheet.add_image(image, "E3")
    else:
        outline.put(3, 5, t("excel_no_picture", lang))
    ideas = _ideas_sheet(wb, ws, style_ids, lang, names) + _agenda_sheet(wb, ws, style_ids, lang)
    for each in wb.worksheets:  # printed: landscape, one page wide and as many long, the title atop every page
        each.sheet_view.zoomScale = 110
        each.page_setup.orientation = "landscape"
        each.page_setup.fitToWidth = 1
        each.page_setup.fitToHeight = 0
        each.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        header = each.oddHeader
        if header is not None:
            header.center.text = _NOT_XML.sub("", ws.title)[:200].replace("&", "&&")  # & starts a code in a page header
    for table in (sheet, th_sheet, log, grid):  # the header row repeated on every printed page
        table.sheet.print_title_rows = "1:1"
    return _save(wb, [sheet, th_sheet, mon, log, grid, outline, *ideas])


IDEA_COLS = ("col_id", "col_idea", "col_answers", "col_author", "col_status", "col_became", "col_dots")


def _ideas_sheet(wb: Workbook, ws: Workshop, style_ids: dict[Any, int], lang: Language, names: dict[str, str]) -> list[Cells]:
    """The room's ideas (participant mode), one row each, when the workshop had a room; its text is written as text."""
    if ws.room is None:
        return []
    dots: dict[str, int] = {}
    for vote in ws.room.votes:
        if vote.kind == "ideas":
            for option, n in vote.results.items():
                dots[option] = dots.get(option, 0) + n
    cells = Cells(wb.create_sheet(t("sheet_ideas", lang)), style_ids)
    rows = [
        [
            i.id,
            i.text,
            names.get(i.parent or "", i.parent or ""),
            i.author or "",
            t("room_status_held" if i.held else f"room_status_{i.status}", lang),
            names.get(i.node or "", i.node or ""),
            dots.get(i.id, 0),
        ]
        for i in ws.room.ideas
    ]
    _table(cells, [t(k, lang) for k in IDEA_COLS], rows)
    return [cells]


def _agenda_sheet(wb: Workbook, ws: Workshop, style_ids: dict[Any, int], lang: Language) -> list[Cells]:
    """The agenda, one row per segment, when the workshop has one: its time box in minutes and its planned start (from
    the session's start, h:mm) as numbers with formats, the step in the workbook's language, the node by its id."""
    if not ws.agenda:
        return []
    cells = Cells(wb.create_sheet(t(SHEETS["agenda"], lang)), style_ids)
    minutes = [a.minutes for a in ws.agenda]
    rows = [
        [a.title, choice_word("agenda_step", str(a.step), lang), a.node, a.minutes, planned_start(minutes, i) / (24 * 60), a.prompt]
        for i, a in enumerate(ws.agenda)
    ]
    numbers = {4: ("minutes", lang), 5: "clock"}
    _table(cells, [t(k, lang) for _, k in AGENDA_COLS], rows, style=lambda i, col: numbers.get(col))
    total = len(rows) + 3  # a blank row apart: the table ends above it
    cells.put(total, 1, t("agenda_total", lang), "bold")
    cells.put(total, 4, sum(minutes), ("minutes", lang))
    cells.sheet.freeze_panes = "B2"
    return [cells]


def _agenda(sheet: Any) -> list[dict[str, Any]]:
    """The agenda's rows as the YAML format writes them (a step's word in either language read back as its id)."""
    rows, _ = _rows(sheet, AGENDA_COLS)
    out = []
    for r in rows:
        if r.get("title") is None or str(r.get("title")).strip() in _labels("agenda_total"):
            continue
        step = choice_code("agenda_step", r.get("step"))
        out.append(
            {
                "title": str(r["title"]),
                "step": step if step is not None else "room",
                "node": str(r["node"]) if r.get("node") not in (None, "") else None,
                "minutes": r.get("minutes"),
                "prompt": str(r.get("prompt") or ""),
            }
        )
    return out


def _actuals_sheet(sheet: Cells, ws: Workshop, order: list[Any], lang: Language) -> None:
    """Actuals as a KPI × date grid (a row per KPI and series, a column per date), as people keep them and read them.

    A grid has a fifth of the cells of one row per observation, which keeps big workbooks quick to write. Should the
    dates be too many for columns, the sheet falls back to one row per observation (kpi, date, value, market).
    """
    dates = sorted({a.date for a in ws.actuals})
    units = {n.id: n.unit for n in ws.nodes}  # shown as people read them: 11%, not 0.11; 800,000,000, not 800000000
    if len(dates) > MAX_DATE_COLUMNS:
        flat = [[a.kpi, a.date, a.value, a.market] for a in ws.actuals]
        _table(
            sheet,
            [t(k, lang) for _, k in ACTUAL_COLS],
            flat,
            style=lambda i, col: unit_style(units.get(str(flat[i][0]), "")) if col >= 3 and flat[i][col - 1] is not None else None,
        )
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
        for kpi in kpis
        for kind in GRID_KIND
        if (series := cells.get((kpi, kind)))
    ]
    _table(
        sheet,
        [t(k, lang) for _, k in GRID_COLS] + [d.isoformat() for d in dates],
        rows,
        style=lambda i, col: unit_style(units.get(rows[i][0], "")) if col > len(GRID_COLS) and rows[i][col - 1] is not None else None,
    )
    for col in range(len(GRID_COLS) + 1, len(GRID_COLS) + len(dates) + 1):
        sheet.sheet.column_dimensions[get_column_letter(col)].width = 12
    sheet.sheet.freeze_panes = f"{get_column_letter(len(GRID_COLS) + 1)}2"


def _actuals(sheet: Any) -> list[dict[str, Any]]:
    """Actuals from the grid (KPI rows, date columns) or from a table of one row per observation."""
    if sheet is None:
        return []
    long, _ = _rows(sheet, ACTUAL_COLS)
    if long:
        return [{k: _plain(v) for k, v in r.items()} for r in long]
    head = list(sheet_rows(sheet, 1, HEADER_ROWS))
    start = next((i for i, row in enumerate(head) if _fields(list(row[: len(GRID_COLS)]), GRID_COLS).get(0) == "kpi"), None)
    if start is None:
        return []
    header = head[start]
    dates = {i: d.value for i, h in enumerate(header) if i >= len(GRID_COLS) and h is not None and (d := parse_date(_plain(h))).ok}
    kinds = {label: kind for kind, key in GRID_KIND.items() for label in (kind, *_labels(key))}
    found: dict[tuple[str, dt.date | None], dict[str, Any]] = {}  # a header of spaces gives None: parse_rows refuses those rows
    for row in table_body(sheet, start + 2, max([*dates, len(GRID_COLS) - 1]) + 1):
        kpi = next((str(v).strip() for v in row[:2] if v is not None and str(v).strip()), None)  # the id, or the name
        if kpi is None:
            continue
        kind = kinds.get(str(row[2]).strip() if row[2] is not None else "", "value")
        for i, date in dates.items():
            if row[i] is not None and row[i] != "":
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


def _labels(key: str) -> tuple[str, ...]:
    """Every wording a header or sheet name has had (excel_labels.WRITTEN) and has now, in both languages."""
    return (*WRITTEN.get(key, ()), *S[key])


def _fields(header: list[Any], columns: tuple[tuple[str, str], ...]) -> dict[int, str]:
    """Column index -> field, recognising a column by its stable id (the field's name, for workbooks made by scripts)
    or by any label kpidesign has written for it, in Japanese or English."""
    labels = {}
    for field, key in columns:
        for label in (field, *_labels(key)):
            labels[label.strip().lower()] = field
    return {i: labels[str(h).strip().lower()] for i, h in enumerate(header) if h is not None and str(h).strip().lower() in labels}


def _sheet_by_key(wb: Any, key: str) -> Any:
    for name in (key, *_labels(SHEETS[key])):
        if name in wb.sheetnames:
            return wb[name]
    return None


class TableTooLong(Exception):
    """A table longer than the reader reads (MAX_CELLS cells): refused rather than cut short."""

    def __init__(self, sheet: str, max_rows: int) -> None:
        super().__init__(sheet, max_rows)
        self.sheet, self.max_rows = sheet, max_rows


def sheet_rows(sheet: Any, first: int, count: int, width: int = MAX_COLUMNS) -> Iterator[tuple[Any, ...]]:
    """At most `count` rows of `width` values from row `first` of a read-only sheet, whatever size the sheet declares.

    openpyxl pads every row to the sheet's declared dimension (`A1:XFD1048576`: 16,384 cells a row, a million rows),
    which is the file's word, not its content: the declaration is dropped and only what is asked for is read.
    """
    sheet.reset_dimensions()
    return itertools.islice(sheet.iter_rows(min_row=first, max_col=width, values_only=True), count)


def table_body(sheet: Any, first: int, width: int) -> list[tuple[Any, ...]]:
    """The rows from `first` to the first blank one, `width` values each; TableTooLong past MAX_CELLS cells."""
    budget = MAX_CELLS // max(width, 1)
    rows = []
    for row in sheet_rows(sheet, first, budget + 1, width):
        if all(v is None or v == "" for v in row):
            break
        rows.append(row)
    if len(rows) > budget:
        raise TableTooLong(sheet.title, budget)
    return rows


def _rows(sheet: Any, columns: tuple[tuple[str, str], ...], after: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The rows of the table whose header row carries these columns' labels (in either language), and its last row number.

    The header is looked for in the HEADER_ROWS rows after row `after`, no further.
    """
    if sheet is None:
        return [], after
    head = list(sheet_rows(sheet, after + 1, HEADER_ROWS))
    start = next(
        (i for i, row in enumerate(head) if len(f := _fields(list(row), columns)) >= min(2, len(columns)) and columns[0][0] in f.values()),
        None,
    )
    if start is None:
        return [], after
    fields = _fields(list(head[start]), columns)
    header_row = after + 1 + start
    body = table_body(sheet, header_row + 1, max(fields) + 1)
    return [{field: row[i] for i, field in fields.items()} for row in body], header_row + len(body)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _split(value: Any) -> list[str]:
    return [x.strip() for x in str(value or "").replace("、", ",").split(",") if x.strip()]


def check_zip(data: bytes) -> str | None:
    """Why a file must not be opened as a workbook (not a zip, too large, too many parts, a zip bomb, too many cells), or None."""
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
            # every part: the workbook's relations may name any part a sheet (`/other/s.bin`), whatever its name says
            if any(_too_many_cells(z, i) for i in infos):
                return "xlsx_too_many_cells"
    except (zipfile.BadZipFile, zlib.error, EOFError):
        return "xlsx_not_workbook"
    return None


ZIP_LIMITS = {"file_too_large": MAX_BYTES, "xlsx_too_many_cells": MAX_XML_CELLS}  # the "max" a refusal names
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:c|si)[\s/>]")  # a cell, or a shared string
ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")


def _too_many_cells(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part holds more cells (or shared strings) than a reader parses in seconds, or a row more cells than a sheet has columns.

    openpyxl builds a whole row before it hands it over, and a few KB of zip unpack to millions of empty cells in one row:
    the tags are counted in the raw XML (fast, and never fewer than the cells there are) before any parser sees them.
    """
    total = run = 0
    carry = b""
    with z.open(info) as part:
        while True:
            chunk = part.read(1 << 20)
            block = carry + chunk
            cut = block.rfind(b"<") if chunk else -1  # a tag is never split between two blocks; the last block is whole
            block, carry = (block[:cut], block[cut:]) if cut > 0 else (block, b"")
            for i, text in enumerate(ROW_TAG.split(block)):
                cells = len(CELL_TAG.findall(text))
                run, total = (run + cells if i == 0 else cells), total + cells
                if run > MAX_ROW_CELLS or total > MAX_XML_CELLS:
                    return True
            if not chunk:
                return False


def from_xlsx(data: bytes) -> ImportResult:
    """Read a workbook written by kpidesign (possibly edited by hand) into a workshop, or findings."""
    problem = check_zip(data)
    if problem:
        return ImportResult(
            None, [Finding(Severity.ERROR, problem, None, {"field": "", "size": len(data), "max": ZIP_LIMITS.get(problem)})]
        )
    try:  # the whole read: a broken or hostile file can fail anywhere in it (bad CRC in a row, an undefined entity, …)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _from_book(wb)
        finally:
            wb.close()
    except TableTooLong as e:
        return ImportResult(None, [Finding(Severity.ERROR, "too_many_rows", None, {"field": e.sheet, "max": e.max_rows})])
    except Exception as e:  # noqa: BLE001 -- openpyxl, zipfile and the XML parser raise many kinds for a broken file
        return ImportResult(None, [Finding(Severity.ERROR, "xlsx_not_workbook", None, {"field": "", "detail": type(e).__name__})])


def _from_book(wb: Any) -> ImportResult:
    """The workshop in an opened workbook, or findings."""
    sheet = _sheet_by_key(wb, "definitions")
    if sheet is None:
        return ImportResult(
            None, [Finding(Severity.ERROR, "yaml_missing", None, {"field": f"{S['sheet_definitions'][0]} / {S['sheet_definitions'][1]}"})]
        )
    rows, _ = _rows(sheet, COLUMNS)
    if not rows:
        return ImportResult(None, [Finding(Severity.ERROR, "yaml_missing", None, {"field": "kgi"})])
    nodes = []
    for row in rows:
        node = {k: _plain(row.get(k)) for k in ("id", "parent", "name", "unit", "layer", "sensitivity", "baseline", "target", "formula")}
        node = {k: (choice_code(k, v) if k in ("layer", "sensitivity") else v) for k, v in node.items() if v is not None}
        definition = {k: _plain(row.get(k)) for k in _DEFINITION_FIELDS}
        definition = {k: (choice_code(k, v) if k in _DEFINITION_CHOICES else v) for k, v in definition.items()}
        definition = {k: str(v) if k not in _DEFINITION_CHOICES else v for k, v in definition.items() if v is not None}
        if row.get("comparisons"):
            definition["comparisons"] = [choice_code("comparisons", c) for c in _split(row["comparisons"])]
        node["definition"] = definition
        node["thresholds"] = {k: _plain(row.get(k)) for k in ("direction", "green", "yellow") if _plain(row.get(k)) is not None}
        if "direction" in node["thresholds"]:
            node["thresholds"]["direction"] = choice_code("direction", node["thresholds"]["direction"])
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
    review_rows, reviews_end = _rows(mon, REVIEW_COLS)
    doc = {
        "kpidesign": 1,
        "workshop": {
            "title": cover.get("title") or kgi.get("name", "Workshop"),
            "description": cover.get("description", ""),
            "language": cover.get("language", "ja"),
        },
        "kgi": kgi,
        "nodes": [n for n in nodes if n.get("parent")],
        "monitoring": {
            "reviews": [
                {
                    "name": r.get("name"),
                    "cadence": choice_code("cadence", r.get("cadence")),
                    "kpis": _split(r.get("kpis")),
                    "participants": _split(r.get("participants")),
                }
                for r in review_rows
            ],
            "alerts": [
                {k: choice_code(k, str(v)) if k in ("when", "channel") else (str(v) if v is not None else "") for k, v in r.items()}
                for r in _rows(mon, ALERT_COLS, after=reviews_end)[0]
            ],
            "learning_log": [
                {k: _plain(v) if k == "date" else str(v or "") for k, v in r.items()}
                for r in _rows(_sheet_by_key(wb, "learning"), LOG_COLS)[0]
            ],
        },
        "actuals": _by_id(_actuals(_sheet_by_key(wb, "actuals")), nodes),
        "agenda": _agenda(_sheet_by_key(wb, "agenda")),
    }
    return from_dict(doc)


def _cover(wb: Any) -> dict[str, Any]:
    """Title, description and language from the cover sheet (labels in either language)."""
    sheet = _sheet_by_key(wb, "cover")
    labels = {
        label: field
        for field, key in (("title", "workshop_title"), ("description", "description"), ("language", "col_language"))
        for label in _labels(key)
    }
    found: dict[str, Any] = {}
    for row in sheet_rows(sheet, 1, 30, 2) if sheet is not None else []:
        if row and row[0] in labels and row[1] is not None:
            found[labels[row[0]]] = str(row[1])
    return found
