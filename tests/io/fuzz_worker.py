"""A child process that reads files the way the app does, under a memory and CPU limit: the fuzz tests' sandbox.

Run as ``python -m tests.io.fuzz_worker MEMORY_MIB``. It reads one JSON request per line on stdin
(``{"kind": "workshop"|"actuals", "name": ..., "data": base64}``) and answers one JSON line per request:
``{"outcome": "imported"|"refused", "codes": [...], "ms": ...}``, or ``{"outcome": "broken", "error": ...}`` when a
reader broke its promise (raised, or returned something that does not hold). A reader that runs out of memory
makes this process die; one that hangs leaves the parent waiting past its deadline: both are failures there.
"""

from __future__ import annotations

import base64
import json
import resource
import sys
import time
import traceback
from typing import Any


def limit(memory_mib: int) -> None:
    """Cap this process's address space, so an import that would need gigabytes fails here, not on the machine."""
    size = memory_mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def read_workshop(name: str, data: bytes) -> dict[str, Any]:
    """Import as the workshops page and `kpidesign import` do; what is imported must export and import again."""
    from kpidesign import i18n
    from kpidesign.findings import Severity
    from kpidesign.io import files, yaml_io
    from kpidesign.language import LANGUAGES

    result = files.read(name, data)
    for finding in result.findings:  # every finding can be said, in both languages
        for lang in LANGUAGES:
            assert i18n.finding_text(finding, lang), finding
    if result.workshop is None:
        assert any(f.severity is Severity.ERROR for f in result.findings), "refused without an error"
        return {"outcome": "refused", "codes": sorted({f.code for f in result.findings})}
    again = yaml_io.from_yaml(yaml_io.to_yaml(result.workshop))  # what was taken in can be given out and read back
    assert again.workshop is not None, [f.code for f in again.findings]
    return {"outcome": "imported", "codes": sorted({f.code for f in result.findings})}


def read_actuals(name: str, data: bytes) -> dict[str, Any]:
    """Read an actuals file as the dashboard's upload and `kpidesign actuals` do, against a template's tree."""
    from kpidesign import actuals, i18n, library
    from kpidesign.language import LANGUAGES

    rows, problem = actuals.read_table(name, data)
    if problem is not None:
        assert not rows
        for lang in LANGUAGES:
            assert i18n.problem_text(problem, lang)
        return {"outcome": "refused", "codes": [problem.code]}
    good, bad = actuals.parse_rows(library.template("ec_sales", "en"), rows)
    for refused in bad:
        assert i18n.problem_text(refused.problem, "ja")
    return {"outcome": "imported", "codes": sorted({b.problem.code for b in bad}), "good": len(good)}


READERS = {"workshop": read_workshop, "actuals": read_actuals}


def main() -> None:
    """Answer requests until stdin closes."""
    limit(int(sys.argv[1]))
    import kpidesign.actuals
    import kpidesign.io.files  # noqa: F401  (imports paid once, before the first request's clock starts)

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        start = time.perf_counter()
        try:
            answer = READERS[request["kind"]](request["name"], base64.b64decode(request["data"]))
        except MemoryError:
            answer = {"outcome": "broken", "error": "MemoryError"}
        except BaseException as e:  # noqa: BLE001 (any escape is what the fuzz test looks for)
            answer = {"outcome": "broken", "error": "".join(traceback.format_exception(e))[-3000:]}
        answer["ms"] = (time.perf_counter() - start) * 1000
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
