"""Small hand-built workbooks that attack the reader: a zip written with zipfile, one or more sheets of raw XML.

Each is a few KB and built in milliseconds; what they ask of a naive reader (gigabytes, minutes) is in the tests.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
ROOT = Path(__file__).resolve().parents[2]


def text(ref: str, value: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def number(ref: str, value: float) -> str:
    """A number cell."""
    return f'<c r="{ref}"><v>{value}</v></c>'


def row(index: int, *cells: str) -> str:
    """A row element."""
    return f'<row r="{index}">{"".join(cells)}</row>'


def sheet(rows: str, ref: str = "A1:XFD1048576", prolog: str = "") -> str:
    """A worksheet's XML declaring the dimension `ref` (by default the largest a sheet can have)."""
    return f'{HEAD}{prolog}<worksheet xmlns="{MAIN}"><dimension ref="{ref}"/><sheetData>{rows}</sheetData></worksheet>'


def book(sheets: dict[str, str], part: str = "xl/worksheets/sheet{}.xml") -> bytes:
    """An .xlsx of these sheets (name -> worksheet XML): just the parts a reader needs; `part` names each sheet's part
    (the workbook's relations point at it, so a reader finds a sheet under any name)."""
    names = list(sheets)
    overrides = "".join(f'<Override PartName="/{part.format(i)}" ContentType="{SHEET_TYPE}"/>' for i in range(1, len(names) + 1))
    types = (
        f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    rels = f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    listed = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    workbook = f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>'
    targets = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="/{part.format(i)}"/>' for i in range(1, len(names) + 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", f'{HEAD}<Relationships xmlns="{PKG_REL}">{targets}</Relationships>')
        for i, name in enumerate(names, start=1):
            z.writestr(part.format(i), sheets[name])
    return buffer.getvalue()


def far_cell(sheet_name: str, header: list[str]) -> bytes:
    """A header, then one number at the last row a sheet can have: 11 KB that a padding reader turns into minutes."""
    cells = [text(f"{get_column_letter(i + 1)}1", h) for i, h in enumerate(header)]
    return book({sheet_name: sheet(row(1, *cells) + row(1_048_576, number("A1048576", 1)))})


def many_short_rows(sheet_name: str, header: list[str], count: int = 100_000) -> bytes:
    """A header and `count` one-cell rows in a sheet declared 16,384 columns wide: ~13 GB when every row is padded."""
    cells = [text(f"{get_column_letter(i + 1)}1", h) for i, h in enumerate(header)]
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, count + 2))
    return book({sheet_name: sheet(row(1, *cells) + body)})


def lying_sizes(data: bytes) -> bytes:
    """The same zip with each big sheet's declared size and CRC wrong in the central directory: reading fails in the rows."""
    out = bytearray(data)
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) != -1:
        crc, compressed, size, name_length = struct.unpack_from("<IIIH", out, at + 16)
        if out[at + 46 : at + 46 + name_length].startswith(b"xl/worksheets/") and size > 200_000:  # past the first reads
            struct.pack_into("<II", out, at + 16, crc ^ 0xFFFF, compressed)
            struct.pack_into("<I", out, at + 24, size - size // 10)
        at += 4
    return bytes(out)


UNDEFINED_ENTITY = sheet(row(1, '<c r="A1"><v>&undefined;</v></c>'))
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = sheet(row(1, text("A1", "&l9;")), prolog=f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{LAUGHS}]>')

#: Files that fail while their rows are read (after the workbook opened), by what is wrong: sheet name -> workbook.
BROKEN = {
    "undefined entity": lambda name: book({name: UNDEFINED_ENTITY}),
    "billion laughs": lambda name: book({name: BILLION_LAUGHS}),
    "sizes that lie": lambda name: lying_sizes(many_short_rows(name, ["ID", "Name", "Parent"], 20_000)),
}

READER = """
import json, resource, sys, time
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
data = sys.stdin.buffer.read()
from kpidesign.actuals import read_table
from kpidesign.io.excel import from_xlsx
start = time.perf_counter()
if sys.argv[2] == "actuals":
    rows, problem = read_table("upload.xlsx", data)
    out = {"rows": len(rows), "codes": [problem.code] if problem else []}
else:
    result = from_xlsx(data)
    out = {"imported": result.workshop is not None, "codes": [f.code for f in result.findings],
           "details": [f.params.get("detail") for f in result.findings]}
out["seconds"] = time.perf_counter() - start
print(json.dumps(out))
"""


def read_limited(reader: str, data: bytes, memory_mib: int = 1536, timeout: float = 120) -> dict[str, Any]:
    """Read `data` as a workshop ("workshop") or an actuals upload ("actuals") in a child process limited to memory_mib of
    address space: what it answered, and in how many seconds. The child must end cleanly (a MemoryError that escapes fails)."""
    done = subprocess.run(
        [sys.executable, "-c", READER, str(memory_mib), reader], input=data, capture_output=True, timeout=timeout, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
