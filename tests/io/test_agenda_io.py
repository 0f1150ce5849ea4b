"""The agenda in the YAML format (`agenda:`) and the Excel workbook: round trips, the documented shape, refusals."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import agenda as A
from kpidesign.agenda_edits import use_default
from kpidesign.io.excel import from_xlsx, to_xlsx
from kpidesign.io.yaml_io import from_yaml, to_dict, to_yaml
from kpidesign.language import Language
from kpidesign.model import AgendaSegment
from tests.conftest import build_ec

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=A.MAX_TITLE).filter(
    str.strip
)
segments = st.builds(
    AgendaSegment,
    title=texts,
    step=st.sampled_from(A.STEPS),
    node=st.sampled_from([None, "sales", "customers"]),
    minutes=st.integers(1, 30),
    prompt=st.just("") | texts,
)


@given(st.lists(segments, max_size=12))
def test_generated_agendas_round_trip_through_yaml(agenda: list[AgendaSegment]) -> None:
    ws = build_ec().model_copy(update={"agenda": agenda})
    ws = ws.model_validate(ws.model_dump())  # cleaned as any input is
    back = from_yaml(to_yaml(ws))
    assert back.workshop is not None and back.workshop.agenda == ws.agenda


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_agenda_round_trips_through_excel_in_either_language(lang: Language) -> None:
    ws = use_default(build_ec(), 120, lang)
    back = from_xlsx(to_xlsx(ws, lang))
    assert back.workshop is not None and back.workshop.agenda == ws.agenda


def test_the_export_is_the_documented_shape() -> None:
    ws = use_default(build_ec(), 60, "ja")
    doc = yaml.safe_load(to_yaml(ws))
    first = doc["agenda"][0]
    assert list(first) == ["title", "step", "node", "minutes", "prompt"] and first["step"] == "room" and first["node"] is None
    assert doc["agenda"][1]["step"] == 1 and isinstance(doc["agenda"][1]["step"], int)
    assert "agenda" not in to_dict(build_ec())  # no agenda, no key


@pytest.mark.parametrize(
    ("agenda", "field"),
    [
        ([{"title": "a", "step": 9, "minutes": 5}], "agenda[0].step"),
        ([{"title": "a", "step": 1, "minutes": 0}], "agenda[0].minutes"),
        ([{"title": "", "step": 1, "minutes": 5}], "agenda[0].title"),
        ([{"title": "a", "minutes": 5, "prompt": "x" * (A.MAX_PROMPT + 1)}], "agenda[0].prompt"),
        ([{"title": "a", "minutes": 5, "when": "now"}], "agenda[0].when"),
        ([{"title": f"a{i}", "minutes": 5} for i in range(A.MAX_SEGMENTS + 1)], "agenda"),
        ([{"title": f"a{i}", "minutes": A.MAX_MINUTES} for i in range(A.MAX_TOTAL_MINUTES // A.MAX_MINUTES + 1)], "agenda"),
    ],
)
def test_a_bad_agenda_is_refused_naming_the_field(agenda: list[dict[str, object]], field: str) -> None:
    doc = to_dict(build_ec()) | {"agenda": agenda}
    result = from_yaml(yaml.safe_dump(doc, allow_unicode=True))
    assert result.workshop is None and [f.params["field"] for f in result.findings] == [field]


def test_a_segment_asking_about_an_unknown_node_is_kept_with_a_warning() -> None:
    doc = to_dict(build_ec()) | {"agenda": [{"title": "a", "step": 2, "node": "nope", "minutes": 5}]}
    result = from_yaml(yaml.safe_dump(doc))
    assert result.workshop is not None and result.workshop.agenda[0].node == "nope"
    assert [(f.code, f.params["field"]) for f in result.findings] == [("agenda_unknown_node", "agenda[0].node")]


@pytest.mark.parametrize(("lang", "minutes_format"), [("ja", '0"分"'), ("en", '0" min"')])
def test_the_excel_sheet_is_in_the_workbooks_language_with_number_formats(lang: Language, minutes_format: str) -> None:
    ws = use_default(build_ec(), 60, lang)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(ws, lang)))
    sheet = book["アジェンダ" if lang == "ja" else "Agenda"]
    rows = list(sheet.iter_rows(min_row=2, max_row=len(ws.agenda) + 1))
    assert [r[0].value for r in rows] == [s.title for s in ws.agenda]
    assert rows[1][1].value == ("1 KGI") and rows[0][1].value == ("ルーム" if lang == "ja" else "room")
    assert all(r[3].number_format == minutes_format and isinstance(r[3].value, int) for r in rows)
    starts = []
    for r in rows:  # a time of day in Excel: read back as a duration
        assert isinstance(r[4].value, dt.timedelta), r[4].value
        starts.append(r[4].value.total_seconds() / 60)
    assert starts == [sum(s.minutes for s in ws.agenda[:i]) for i in range(len(ws.agenda))] and rows[0][4].number_format == "[h]:mm"
    total = sheet.cell(row=len(ws.agenda) + 3, column=4)
    assert total.value == 60 and total.number_format == minutes_format


def test_a_workbook_without_an_agenda_has_no_agenda_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(build_ec(), "en")))
    assert "Agenda" not in book.sheetnames
