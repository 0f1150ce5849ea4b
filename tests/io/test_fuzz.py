"""Fuzzing the readers: valid YAML, Excel and CSV files, mutated, are imported or refused with a message, never a crash,
within a time and a memory bound. Each file is read in a child process capped at MEMORY_MIB of address space
(tests/io/fuzz_worker.py): a reader that would need gigabytes dies there and fails the test, one that hangs past
DEADLINE_S fails it too."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import select
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpidesign import library
from kpidesign.io import excel, yaml_io
from kpidesign.model import Actual, Workshop

MEMORY_MIB = 1024
DEADLINE_S = 10.0
ROOT = Path(__file__).resolve().parents[2]


class Sandbox:
    """The fuzz worker, restarted whenever a file killed it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """A fresh worker, ready to read."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.io.fuzz_worker", str(MEMORY_MIB)],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self._answer(60) == {"ready": True}

    def read(self, kind: str, name: str, data: bytes) -> dict[str, Any]:
        """What the worker made of one file; a death or a hang is an assertion error."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(json.dumps({"kind": kind, "name": name, "data": base64.b64encode(data).decode()}) + "\n")
        self.proc.stdin.flush()
        return self._answer(DEADLINE_S)

    def _answer(self, timeout: float) -> dict[str, Any]:
        assert self.proc and self.proc.stdout
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.stop()
            raise AssertionError(f"no answer within {timeout} s")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.proc = None
            raise AssertionError(f"the reader died (exit {code}; out of memory under {MEMORY_MIB} MiB?)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        """End the worker."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One worker for the module's examples."""
    box = Sandbox()
    yield box
    box.stop()


def _base_workshop() -> Workshop:
    ws = library.template("ec_sales", "ja")
    start = dt.date(2026, 1, 5)
    rows = [Actual(kpi=n.id, date=start + dt.timedelta(days=7 * w), value=float(w + 1)) for n in ws.nodes[:4] for w in range(3)]
    return ws.model_copy(update={"actuals": rows})


BASE = _base_workshop()
YAML = yaml_io.to_yaml(BASE).encode("utf-8")
XLSX = excel.to_xlsx(BASE, "ja")
CSV = ("kpi,date,value,market\n" + "".join(f"{a.kpi},{a.date},{a.value},\n" for a in BASE.actuals)).encode("utf-8")

HOSTILE_VALUES = [
    "&a [x, x]",
    "*a",
    "[*a, *a]",
    ".nan",
    ".inf",
    "-.inf",
    "1e400",
    "-1e400",
    "9" * 5000,
    "0x" + "f" * 3000,
    "!!python/object/apply:os.system [echo]",
    "!!binary AAAA",
    "!!set {a}",
    "{",
    "[",
    "'",
    '"\\',
    "? [a]: b",
    "<<: *a",
    "\u2028x",
    "x\r\ny",
    "\x00",
    "\x1b[31m",
    "=1+1",
    "[click](https://evil.example)",
    "<!channel>",
    "~",
    "null",
    "[]",
    "{}",
    "2026-02-30",
    "1e-400",
    "-0",
    "true",
    "x" * 10_000,
    "ａｂｃ",
    "１２３",
    "&a",
    "*zz",
    "!!bool maybe",
    '!!int ""',
    '!!float ""',
    "!!timestamp 2026-13",
    "!!str 1",
    "!!null x",
    "!<tag:yaml.org,2002:int> z",
]
HOSTILE_XML = [
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "&undefined;",
    '<dimension ref="A1:XFD1048576"/>',
    '<row r="1048576">',
    '<c r="XFD1048576" t="s"><v>0</v></c>',
    '<c r="A2" t="s"><v>99999999</v></c>',
    '<c r="A2"><v>1e400</v></c>',
    "<v>NaN</v>",
    "<v>" + "9" * 5000 + "</v>",
    "</sheetData>",
    "<",
    "\x00",
    '<?xml version="1.0" encoding="utf-16"?>',
]


@st.composite
def text_mutations(draw: st.DrawFn, base: bytes, hostile: list[str]) -> bytes:
    """A few edits of a text file: a value replaced by a hostile one, a line doubled or dropped, bytes flipped."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        lines = bytes(data).split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "insert", "double", "drop", "flip", "cut"]))
        if op == "value" and b":" in lines[i]:
            key = lines[i].split(b":", 1)[0]
            lines[i] = key + b": " + draw(st.sampled_from(hostile)).encode("utf-8")
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(hostile)).encode("utf-8"))
        elif op == "double":
            lines[i:i] = lines[i : i + draw(st.integers(1, 8))] * draw(st.integers(1, 50))
        elif op == "drop":
            del lines[i : i + draw(st.integers(1, 5))]
        data = bytearray(b"\n".join(lines))
        if op == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        elif op == "cut" and data:
            data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@st.composite
def workbook_mutations(draw: st.DrawFn) -> bytes:
    """kpidesign's own workbook with one part's XML edited (hostile declarations, dimensions, rows, values), or its bytes flipped."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(XLSX)) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    if draw(st.booleans()):
        raw = bytearray(XLSX)
        for _ in range(draw(st.integers(1, 6))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    name = draw(st.sampled_from(sorted(n for n in parts if n.endswith(".xml"))))
    text = parts[name].decode("utf-8", "replace")
    for _ in range(draw(st.integers(1, 3))):
        snippet = draw(st.sampled_from(HOSTILE_XML))
        if snippet.startswith("<!DOCTYPE") and "?>" in text:
            at = text.index("?>") + 2
        else:
            tags = [i for i, c in enumerate(text) if c == "<"] or [0]
            at = draw(st.sampled_from(tags))
        text = text[:at] + snippet + text[at:]
    parts[name] = text.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for part, content in parts.items():
            z.writestr(part, content)
    return out.getvalue()


ALIAS_BOMB = YAML.replace(b"layer: lagging", b"layer: &a [x, x, x, x, x, x, x, x, x]", 1) + b"".join(
    b"\nl%d: &a%d [%s]" % (i, i, b", ".join([b"*a" if i == 0 else b"*a%d" % (i - 1)] * 9)) for i in range(9)
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], derandomize=True)


def _assert_kept(answer: dict[str, Any], limit_s: float = DEADLINE_S) -> None:
    assert answer["outcome"] in ("imported", "refused"), answer.get("error")
    assert answer["ms"] < limit_s * 1000


@FUZZ
@given(data=text_mutations(YAML, HOSTILE_VALUES))
@example(data=ALIAS_BOMB)
@example(data=YAML.replace(b"baseline: 800000000", b"baseline: " + b"9" * 6000, 1))
@example(data=YAML.replace(b"target: 1000000000", b"target: .nan", 1))
def test_mutated_yaml_is_imported_or_refused(sandbox: Sandbox, data: bytes) -> None:
    _assert_kept(sandbox.read("workshop", "fuzz.kpidesign.yaml", data))


@FUZZ
@given(data=workbook_mutations())
def test_mutated_workbook_is_imported_or_refused(sandbox: Sandbox, data: bytes) -> None:
    _assert_kept(sandbox.read("workshop", "fuzz.xlsx", data))


@FUZZ
@given(data=workbook_mutations())
def test_mutated_workbook_of_actuals_is_read_or_refused(sandbox: Sandbox, data: bytes) -> None:
    _assert_kept(sandbox.read("actuals", "fuzz.xlsx", data))


@FUZZ
@given(data=text_mutations(CSV, HOSTILE_VALUES))
def test_mutated_csv_of_actuals_is_read_or_refused(sandbox: Sandbox, data: bytes) -> None:
    _assert_kept(sandbox.read("actuals", "fuzz.csv", data))


def test_the_sandbox_bound_is_real() -> None:
    """The cap holds: under it, a reader that asks for more memory than MEMORY_MIB fails instead of taking the machine's."""
    grab = f"from tests.io.fuzz_worker import limit; limit({MEMORY_MIB}); bytearray({MEMORY_MIB * 2} * 1024 * 1024)"
    done = subprocess.run([sys.executable, "-c", grab], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "MemoryError" in done.stderr
