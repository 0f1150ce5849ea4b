import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from bench.generate import workshop
from kpidesign import edits, tree
from kpidesign.i18n import S
from kpidesign.io import excel, files
from kpidesign.io.excel import COLUMNS, from_xlsx, to_xlsx
from kpidesign.io.image import to_png
from kpidesign.language import Language
from kpidesign.library import load_template, templates
from kpidesign.model import Actual, Alert, AlertLevel, Channel, Workshop
from tests.conftest import build_ec
from tests.io import hostile_xlsx


def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def worksheet(sheet: object) -> Worksheet:
    """The sheet, checked to be a worksheet (a workbook's sheet or its active one may be a chartsheet, or none)."""
    assert isinstance(sheet, Worksheet), sheet
    return sheet


def pictures(sheet: object) -> list[object]:
    """The pictures openpyxl read into a worksheet: its `_images`, which types-openpyxl does not declare."""
    images: list[object] = vars(worksheet(sheet))["_images"]
    return images


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_template_round_trips_through_excel(lang: Language) -> None:
    for tpl in templates():
        ws = load_template(tpl.path)
        assert from_xlsx(to_xlsx(ws, lang)).workshop == ws, tpl.path


def test_workbook_content_read_by_an_independent_reader(template: Workshop) -> None:
    wb = book(to_xlsx(template, "ja", to_png(template, "ja")))
    assert wb.sheetnames == ["表紙", "定義表", "閾値", "モニタリング", "学習ログ", "実績値", "KPIツリー"]
    cover = wb["表紙"]
    assert cover["A1"].value == template.title and cover["B5"].value == "年間売上高"
    sheet = wb["定義表"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["ID", "名前", "親"] and len(header) == len(COLUMNS)
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref.startswith("A1:")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["sales"][1] == "年間売上高" and rows["sales"][7] == 800000000 and rows["customers"][2] == "sales"
    assert rows["purchase_rate"][header.index("オーナー") if "オーナー" in header else header.index("責任者")] == "EC運用チーム"
    assert sheet.column_dimensions["B"].width >= 10
    th = wb["閾値"]
    rules = [r for rng in th.conditional_formatting for r in rng.rules]
    assert {r.formula[0] for r in rules} == {'"緑"', '"黄"', '"赤"'}  # the status words of the workbook's language
    statuses = [r[7] for r in th.iter_rows(min_row=2, values_only=True)]
    assert set(statuses) == {"データなし", "閾値なし"}  # no actuals in the template: nothing is green on its baseline
    assert wb["モニタリング"]["A1"].value == "会議名"
    assert pictures(wb["KPIツリー"])  # the picture, when PNG can be drawn
    english = book(to_xlsx(template, "en"))
    assert english.sheetnames[1] == "Definitions" and english["Definitions"]["B1"].value == "Name"
    assert "use the SVG" in english["KPI tree"]["E3"].value  # no picture given: the sheet says where to find one


def test_the_workbook_of_a_big_tree_has_the_outline_without_a_picture() -> None:
    ws = workshop(300)  # its picture would be ~24 million pixels: seconds to encode, unreadable shrunk to the sheet
    export = files.export(ws, "xlsx", "en")
    assert export is not None
    sheet = book(export.data)["KPI tree"]
    assert not pictures(sheet) and "use the SVG" in sheet["E3"].value
    assert sheet.max_row >= 300 + 2  # every node in the outline


def test_text_never_becomes_a_formula(ec: Workshop) -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
    ws = ec
    for i, text in enumerate(hostile):
        ws, new = tree.add_node(ws, "customers", f"n{i}")
        ws = edits.set_field(ws, new, "owner", text)
    ws = edits.set_field(ws, "customers", "why", "=1+1")
    ws = tree.update_node(ws, "items", name="=2*3")
    data = to_xlsx(ws, "en")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere in any sheet
    wb = book(data)
    owners = [c.value for c in wb["Definitions"]["R"][1:]]
    assert set(hostile) <= set(owners)
    assert from_xlsx(data).workshop == ws


def test_text_that_looks_like_an_error_value_stays_text(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "owner", "#N/A")
    ws = edits.set_field(ws, "items", "owner", "#DIV/0!")
    owners = {c.value: c.data_type for c in book(to_xlsx(ws, "en"))["Definitions"]["R"][1:] if c.value}
    assert owners == {"#N/A": "s", "#DIV/0!": "s"}  # openpyxl alone would write them as error cells


CELL_VALUES = [
    None,
    "",
    "a",
    "  spaces  ",
    "x\r\ny\tz",
    "&<>\"'",
    "=1+1",
    "+1",
    "-",
    "@x",
    "#REF!",
    "😀 日本語",
    "x" * 40000,
    0,
    1,
    1.5,
    -0.0001,
    1e15,
    12345678901234567,
    1 / 3,
    True,
    False,
    dt.date(2026, 1, 5),
    dt.date(1900, 2, 1),
    dt.datetime(2026, 1, 5, 13, 30),
]


def _cell_facts(cell: Cell | MergedCell) -> tuple[object, ...]:
    f, a, fill = cell.font, cell.alignment, cell.fill
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        f.b,
        f.sz,
        f.color.rgb if f.color else None,
        fill.fill_type,
        fill.fgColor.rgb,
        a.indent,
        a.wrap_text,
        a.vertical,
    )


def test_cells_written_straight_to_xml_read_back_as_openpyxl_written_ones() -> None:
    """kpidesign writes big sheets' XML itself (openpyxl's object per cell was most of the export's time): same values and styles."""
    styles = [None, "header", "wrap", "percent", ("indent", 3), "bold", "title"]
    direct, plain = openpyxl.Workbook(), openpyxl.Workbook()
    cells = excel.Cells(worksheet(direct.active), {})
    reference = worksheet(plain.active)
    for r, value in enumerate(CELL_VALUES, start=1):
        chosen = [None if isinstance(value, dt.date) and style is not None else style for style in styles]  # a date keeps its date format
        if r % 2:
            cells.put_row(r, [value] * len(styles), chosen)  # a table's row
        for c, style in enumerate(chosen, start=1):
            if not r % 2:
                cells.put(r, c, value, style)  # one cell
            cell = reference.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula nor an error value
            for attribute, setting in excel.STYLES.get(style, {}).items():
                setattr(cell, attribute, setting)
    buffer = io.BytesIO()
    plain.save(buffer)
    ours, theirs = worksheet(book(excel._save(direct, [cells])).active), worksheet(book(buffer.getvalue()).active)
    assert ours.dimensions == theirs.dimensions == f"A1:G{len(CELL_VALUES)}"
    for mine, written in zip(ours.iter_rows(), theirs.iter_rows(), strict=True):
        assert [_cell_facts(c) for c in mine] == [_cell_facts(c) for c in written]


def test_edited_workbook_imports_the_edits(template: Workshop) -> None:
    wb = book(to_xlsx(template, "ja"))
    sheet = wb["定義表"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("責任者") + 1, value="新しい責任者")
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = from_xlsx(buffer.getvalue()).workshop
    assert ws is not None and ws.node("customers").definition.owner == "新しい責任者"


def test_broken_edits_are_refused_with_the_field(template: Workshop) -> None:
    wb = book(to_xlsx(template, "en"))
    sheet = wb["Definitions"]
    sheet.cell(row=3, column=8, value="lots")  # baseline of customers
    buffer = io.BytesIO()
    wb.save(buffer)
    result = from_xlsx(buffer.getvalue())
    assert result.workshop is None and "baseline" in result.findings[0].params["field"]


D1, D2, D3 = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
ACTUALS = [
    Actual(kpi="customers", date=D1, value=40000),
    Actual(kpi="customers", date=D2, value=41000, market=39000.5),
    Actual(kpi="sales", date=D3, value=8.1e8),
    Actual(kpi="gone", date=D2, value=1),  # a KPI no longer in the tree
]


def _by_key(actuals: list[Actual]) -> list[Actual]:
    return sorted(actuals, key=lambda a: (a.kpi, a.date))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_actuals_travel_with_market_values(ec: Workshop, lang: Language) -> None:
    ws = ec.model_copy(update={"actuals": ACTUALS})
    back = from_xlsx(to_xlsx(ws, lang)).workshop
    assert back is not None and _by_key(back.actuals) == _by_key(ACTUALS)


def test_actuals_sheet_is_a_kpi_by_date_grid(ec: Workshop) -> None:
    sheet = book(to_xlsx(ec.model_copy(update={"actuals": ACTUALS}), "en"))["Actuals"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Id", "Name", "Series", "2026-09-01", "2026-10-01", "2026-11-01"]
    assert rows[1:] == [
        ["sales", "Sales", "Value", None, None, 8.1e8],  # tree order first
        ["customers", "Customers", "Value", 40000, 41000, None],
        ["customers", "Customers", "Market", None, 39000.5, None],
        ["gone", None, "Value", None, 1, None],
    ]
    assert sheet.freeze_panes == "D2"


def test_a_sheet_of_one_row_per_observation_still_imports(ec: Workshop) -> None:
    wb = book(to_xlsx(ec, "ja"))
    sheet = wb["実績値"]
    sheet.delete_rows(1, sheet.max_row)
    for row in (["KPI", "日付", "値", "市場値"], ["customers", D2, 41000, 39000.5], ["sales", "2026-11-01", 8.1e8, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    got = from_xlsx(buffer.getvalue()).workshop
    assert got is not None and _by_key(got.actuals) == _by_key([ACTUALS[1], ACTUALS[2]])


def test_a_hand_edited_grid_names_kpis_by_name_and_skips_blank_rows(ec: Workshop) -> None:
    wb = book(to_xlsx(ec.model_copy(update={"actuals": ACTUALS[:1]}), "en"))
    sheet = wb["Actuals"]
    sheet.append([None, "Sales", "Value", 7e8, None])  # the id left out: the name finds the node
    sheet.append([None, None, "Value", 1, None])  # neither id nor name: not a KPI, not "None"
    buffer = io.BytesIO()
    wb.save(buffer)
    result = from_xlsx(buffer.getvalue())
    assert result.findings == [] and result.workshop is not None
    assert {(a.kpi, a.date, a.value) for a in result.workshop.actuals} == {
        ("customers", ACTUALS[0].date, ACTUALS[0].value),
        ("sales", ACTUALS[0].date, 7e8),
    }


def test_actuals_of_a_kpi_not_in_the_tree_are_kept_and_said(ec: Workshop) -> None:
    result = from_xlsx(to_xlsx(ec.model_copy(update={"actuals": ACTUALS}), "en"))
    assert [(f.severity.value, f.code, f.params["text"]) for f in result.findings] == [("warning", "actual_unknown_kpi", "gone")]
    assert result.workshop is not None and any(a.kpi == "gone" for a in result.workshop.actuals)


def test_too_many_dates_for_columns_fall_back_to_one_row_per_observation(ec: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel, "MAX_DATE_COLUMNS", 2)
    data = to_xlsx(ec.model_copy(update={"actuals": ACTUALS}), "en")
    assert [c.value for c in book(data)["Actuals"][1]] == ["KPI", "Date", "Value", "Market"]
    back = from_xlsx(data).workshop
    assert back is not None and _by_key(back.actuals) == _by_key(ACTUALS)


def test_a_market_value_without_a_value_is_named(ec: Workshop) -> None:
    wb = book(to_xlsx(ec.model_copy(update={"actuals": ACTUALS[:2]}), "en"))
    wb["Actuals"]["D2"], wb["Actuals"]["D3"] = None, 123  # a market value on a date with no value
    buffer = io.BytesIO()
    wb.save(buffer)
    result = from_xlsx(buffer.getvalue())
    assert result.workshop is None and "actuals" in str(result.findings[0].params.get("field"))


@pytest.mark.parametrize(
    "data, code",
    [
        (b"not a zip at all", "xlsx_not_workbook"),
        (b"PK\x03\x04garbage", "xlsx_not_workbook"),
        (b"x" * (21 * 1024 * 1024), "file_too_large"),
    ],
)
def test_bad_files_are_refused(data: bytes, code: str) -> None:
    result = from_xlsx(data)
    assert result.workshop is None and result.findings[0].code == code


def test_zip_bomb_is_refused_before_opening() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (250 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 2 * 1024 * 1024
    assert from_xlsx(data).findings[0].code == "xlsx_zip_bomb"


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    assert from_xlsx(buffer.getvalue()).findings[0].code == "xlsx_not_workbook"


DEFINITIONS_HEADER = [S[key][1] for _, key in COLUMNS]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("header", [[], DEFINITIONS_HEADER[:3]])
def test_a_sheet_declaring_a_million_rows_and_16384_columns_is_read_in_seconds(header: list[str]) -> None:
    data = hostile_xlsx.far_cell("Definitions", header)  # one value at row 1,048,576: minutes when every row is padded and searched
    assert len(data) < 12_000
    start = time.perf_counter()
    result = from_xlsx(data)
    assert time.perf_counter() - start < 5
    assert result.workshop is None and [f.code for f in result.findings] == ["yaml_missing"]  # no header, or a header and no KPI row


@pytest.mark.timeout(120)
def test_many_short_rows_in_a_sheet_declared_16384_columns_wide_read_in_bounded_memory() -> None:
    data = hostile_xlsx.many_short_rows("Definitions", DEFINITIONS_HEADER[:3], 100_000)  # ~13 GB when every row is padded
    out = hostile_xlsx.read_limited("workshop", data, memory_mib=1536)
    assert out["seconds"] < 30 and "MemoryError" not in out["details"] and "xlsx_not_workbook" not in out["codes"]


@pytest.mark.timeout(120)
def test_a_table_longer_than_the_reader_reads_is_refused_not_cut_short() -> None:
    data = hostile_xlsx.many_short_rows("Definitions", DEFINITIONS_HEADER, excel.MAX_CELLS // len(COLUMNS) + 1)
    out = hostile_xlsx.read_limited("workshop", data, memory_mib=1536)
    assert out["codes"] == ["too_many_rows"] and out["seconds"] < 30


@pytest.mark.timeout(120)
def test_millions_of_empty_cells_in_one_row_are_refused_before_any_parser_sees_them() -> None:
    data = hostile_xlsx.book({"Definitions": hostile_xlsx.sheet('<row r="1">' + "<c/>" * 10_000_000 + "</row>")})
    assert len(data) < 50_000  # 40 MB of XML: openpyxl builds the whole row first (a minute, gigabytes)
    for reader in ("workshop", "actuals"):
        out = hostile_xlsx.read_limited(reader, data, memory_mib=1536)
        assert out["codes"] == ["xlsx_too_many_cells"] and out["seconds"] < 5, reader


@pytest.mark.parametrize("part", ["xl/worksheets/sheet{}.bin", "other/s{}.xml", "xl/media/image{}.png"])
def test_cells_are_counted_in_every_part_whatever_its_name(part: str) -> None:
    """The relations may name any part a sheet: the count cannot go by the part's name (found by review)."""
    data = hostile_xlsx.book({"Definitions": hostile_xlsx.sheet('<row r="1">' + "<c/>" * (excel.MAX_ROW_CELLS + 1) + "</row>")}, part=part)
    assert excel.check_zip(data) == "xlsx_too_many_cells"
    readable = hostile_xlsx.book({"Definitions": hostile_xlsx.sheet(hostile_xlsx.row(1, hostile_xlsx.text("A1", "ID")))}, part=part)
    assert excel.check_zip(readable) is None


def test_cells_are_counted_per_row_and_per_sheet() -> None:
    def rows(count: int, width: int) -> bytes:
        return hostile_xlsx.book(
            {"Definitions": hostile_xlsx.sheet("".join(f'<row r="{i}">' + "<c/>" * width + "</row>" for i in range(1, count + 1)))}
        )

    assert excel.check_zip(rows(2, excel.MAX_ROW_CELLS)) is None
    assert excel.check_zip(rows(1, excel.MAX_ROW_CELLS + 1)) == "xlsx_too_many_cells"
    assert excel.check_zip(rows(excel.MAX_XML_CELLS // 1000, 1000)) is None
    assert excel.check_zip(rows(excel.MAX_XML_CELLS // 1000 + 1, 1000)) == "xlsx_too_many_cells"
    prefixed = hostile_xlsx.book(
        {"Definitions": hostile_xlsx.sheet("".join(f'<x:row r="{i}">' + "<x:c/>" * 9000 + "</x:row>" for i in range(1, 3)))}
    )
    assert excel.check_zip(prefixed) is None  # rows told apart with a namespace prefix too


def test_alerts_after_many_reviews_are_still_found(ec: Workshop) -> None:
    from kpidesign.model import Alert, ReviewMeeting

    reviews = [ReviewMeeting(name=f"weekly {i}", cadence="weekly", kpis=["sales"]) for i in range(excel.HEADER_ROWS + 10)]
    ws = ec.model_copy(
        update={
            "monitoring": ec.monitoring.model_copy(
                update={"reviews": reviews, "alerts": [Alert(kpi="sales", when="red", channel="slack", to="#kpi", action="look")]}
            )
        }
    )
    assert from_xlsx(to_xlsx(ws, "en")).workshop == ws  # the alerts' header is looked for after the reviews, not in the sheet's first rows


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", list(hostile_xlsx.BROKEN))
def test_a_broken_or_hostile_sheet_is_refused_without_a_traceback(kind: str) -> None:
    result = from_xlsx(hostile_xlsx.BROKEN[kind]("Definitions"))  # fails while the rows are read, after the workbook opened
    assert result.workshop is None and [f.code for f in result.findings] == ["xlsx_not_workbook"]


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML  # requirements.txt installs defusedxml: no entity expansion at all, as openpyxl's documentation asks


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=25).filter(lambda s: s.strip())


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(names, st.integers(0, 50), st.none() | st.integers(-(10**9), 10**9)), max_size=10))
def test_generated_workshops_round_trip(rows: list[tuple[str, int, int | None]]) -> None:
    ws = build_ec()
    for name, parent, base in rows:
        ids = [n.id for n in ws.nodes]
        ws, new = tree.add_node(ws, ids[parent % len(ids)], name, baseline=base)
        ws = edits.set_field(ws, new, "owner", name)
    assert from_xlsx(to_xlsx(ws, "en")).workshop == ws


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_query_and_connection_round_trip_through_excel(template: Workshop, lang: Language) -> None:
    """A KPI's SQL (line breaks kept) and its connection's name survive the workbook, in either language's headers."""
    sql = "select day as date,\n       amount as value\nfrom kpi_daily where metric = 'cvr'"
    ws = tree.update_node(
        template,
        "purchase_rate",
        definition=template.node("purchase_rate").definition.model_copy(update={"query": sql, "connection": "warehouse"}),
    )
    again = from_xlsx(to_xlsx(ws, lang)).workshop
    assert again is not None and again == ws and again.node("purchase_rate").definition.query == sql


def test_every_header_and_sheet_name_written_is_frozen_for_reading() -> None:
    from kpidesign.io.excel_labels import WRITTEN

    keys = [
        k for cols in (COLUMNS, excel.REVIEW_COLS, excel.ALERT_COLS, excel.LOG_COLS, excel.ACTUAL_COLS, excel.GRID_COLS) for _, k in cols
    ]
    keys += [*excel.GRID_KIND.values(), *excel.SHEETS.values()]
    assert set(keys) <= set(WRITTEN), "a header key without its frozen labels: add it to kpidesign/io/excel_labels.py"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_workbook_written_before_a_label_was_reworded_still_imports(
    template: Workshop, lang: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = to_xlsx(template, lang)  # written with today's wording
    for key in ("owner", "sheet_definitions", "green", "review_name"):
        monkeypatch.setitem(S, key, (f"新しい{S[key][0]}", f"New {S[key][1]}"))  # the screens reworded
    ws = from_xlsx(old).workshop
    assert ws is not None and ws.node("customers").definition.owner == template.node("customers").definition.owner
    assert [r.name for r in ws.monitoring.reviews] == [r.name for r in template.monitoring.reviews]
    again = from_xlsx(to_xlsx(template, lang)).workshop
    assert again is not None and again.node("customers").definition.owner  # and the new wording reads too


def test_a_workbook_made_by_a_script_may_name_columns_by_their_ids(template: Workshop) -> None:
    wb = book(to_xlsx(template, "en"))
    sheet = wb["Definitions"]
    for cell, (field, _) in zip(sheet[1], COLUMNS):
        cell.value = field  # "owner", "green", … instead of the labels
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = from_xlsx(buffer.getvalue()).workshop
    assert ws is not None and ws.node("customers").definition.owner == template.node("customers").definition.owner


def test_actuals_of_a_rate_are_shown_as_percentages(ec: Workshop) -> None:
    ws = tree.update_node(ec, "frequency", unit="%")
    ws = ws.model_copy(
        update={
            "actuals": [
                Actual(kpi="frequency", date=dt.date(2027, 1, 31), value=0.11),
                Actual(kpi="items", date=dt.date(2027, 1, 31), value=2.0),
            ]
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(ws, "en")))
    sheet = book["Actuals"]
    cells = {row[0].value: row[3] for row in sheet.iter_rows(min_row=2)}
    assert cells["frequency"].value == 0.11 and "%" in cells["frequency"].number_format
    assert "%" not in cells["items"].number_format


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_choices_are_written_as_words_of_the_workbooks_language_and_read_back(template: Workshop, lang: Language) -> None:
    """#26 item 15: the Japanese workbook showed higher_is_better, no_data, intermediate, high, weekly, email, red."""
    ws = template.model_copy(
        update={
            "monitoring": template.monitoring.model_copy(
                update={"alerts": [Alert(kpi="purchase_rate", when=AlertLevel.RED, channel=Channel.EMAIL, to="a@example.com")]}
            )
        }
    )
    wb = book(to_xlsx(ws, lang))
    codes = {"higher_is_better", "lower_is_better", "no_data", "intermediate", "leading", "lagging", "high", "low", "weekly"}
    codes |= {"monthly", "email", "red", "prior_period", "none"}
    found = {str(c.value) for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    if lang == "ja":
        assert not codes & found, codes & found
        assert {"高いほど良い", "中間指標", "週次", "メール", "赤", "データなし"} <= found and any("前期比" in v for v in found)
    else:
        assert {"higher is better", "intermediate", "weekly", "e-mail", "red", "no data"} <= found and any(
            "vs prior period" in v for v in found
        )
    assert from_xlsx(to_xlsx(ws, lang)).workshop == ws  # the words read back as the stable ids
    for sheet in wb.worksheets:  # and it prints: landscape, one page wide (as many long), the title in the page header
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        fit, odd = sheet.sheet_properties.pageSetUpPr, sheet.oddHeader
        assert fit is not None and fit.fitToPage and odd is not None
        page_header = odd.center
        assert page_header is not None and page_header.text is not None and ws.title in page_header.text
    definitions = wb.worksheets[1]
    assert definitions.print_title_rows == "$1:$1"  # the header row repeated on every printed page
    header = [c.value for c in definitions[1]]
    sales = next(r for r in definitions.iter_rows(min_row=2) if r[0].value == "sales")
    rate = next(r for r in definitions.iter_rows(min_row=2) if r[0].value == "purchase_rate")
    baseline = header.index("現状値" if lang == "ja" else "Baseline")
    assert sales[baseline].number_format == "#,##0.###" and "%" in rate[baseline].number_format  # 800,000,000 and 5%


def _formatted(sheet: Worksheet, units: dict[str, str], first_amount: int, kpi_col: int = 0) -> list[tuple[str, str, str]]:
    """(kpi, cell, what is wrong) for every number of a sheet's amount columns not formatted by its KPI's unit."""
    wrong = []
    for row in sheet.iter_rows(min_row=2):
        kpi = row[kpi_col].value
        if not isinstance(kpi, str) or kpi not in units:
            continue
        for cell in row[first_amount:]:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                wanted = "0.0##%" if units[kpi] in ("%", "率") else "#,##0.###"
                if cell.number_format != wanted:
                    wrong.append((kpi, cell.coordinate, cell.number_format))
    return wrong


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("grid", [True, False])
def test_the_thresholds_and_actuals_sheets_format_amounts_by_the_kpis_unit(
    template: Workshop, lang: Language, grid: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#26 item 15: the thresholds and actuals sheets had bare numbers (800000000, 0.2); every amount there now has the
    definitions sheet's format for its KPI's unit: thousands separators, a rate as a percentage."""
    if not grid:
        monkeypatch.setattr(excel, "MAX_DATE_COLUMNS", 1)  # too many dates for columns: one row per observation
    days = [dt.date(2026, 10, 31), dt.date(2026, 11, 30)]
    ws = template.model_copy(
        update={
            "actuals": [
                *(Actual(kpi="sales", date=d, value=812_345_678.0 + i) for i, d in enumerate(days)),
                *(Actual(kpi="purchase_rate", date=d, value=0.052, market=0.06) for d in days),
                Actual(kpi="customers", date=days[1], value=41_234.0),
            ]
        }
    )
    units = {n.id: n.unit for n in ws.nodes}
    assert units["purchase_rate"] in ("%", "率") and units["sales"] not in ("%", "率")
    wb = book(to_xlsx(ws, lang))
    thresholds, actuals = wb.worksheets[2], wb.worksheets[5]
    assert not _formatted(thresholds, units, 3)  # id, name, direction, then the amounts (and words between them)
    assert not _formatted(actuals, units, 2 if not grid else 3)
    rows = {(r[0].value, r[2].value if grid else None): r for r in actuals.iter_rows(min_row=2)}
    numbers = [c for r in actuals.iter_rows(min_row=2) for c in r if isinstance(c.value, (int, float))]
    assert len(numbers) >= 7 and rows  # the amounts were there to check
    sales = [c for c in numbers if isinstance(c.value, (int, float)) and c.value >= 812_345_678.0]
    rate = [c for c in numbers if c.value in (0.052, 0.06)]
    assert sales and rate and all(c.number_format == "#,##0.###" for c in sales) and all("%" in c.number_format for c in rate)
    th = {r[0].value: r for r in thresholds.iter_rows(min_row=2)}
    assert th["sales"][5].value == 812_345_679.0 and th["sales"][5].number_format == "#,##0.###"
    assert th["purchase_rate"][3].value is not None and "%" in th["purchase_rate"][3].number_format
