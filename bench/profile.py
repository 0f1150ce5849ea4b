"""Profile one rerun of a page with pyinstrument: `python -m bench.profile PAGE [--nodes 500] [--html OUT]`
(PAGE: a page's url name; `view` is the read-only view a share link opens).

The workshop is generated as for the benchmark (definitions, thresholds, a year of weekly actuals). The
profiler wraps the script run itself (in Streamlit's script thread), so the report shows the page's own
calls and Streamlit's work for its elements, not the test harness.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from pyinstrument import Profiler
from streamlit.runtime.scriptrunner import exec_code, script_runner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
from streamlit.testing.v1 import AppTest

from bench.generate import weekly_actuals, workshop
from bench.pages import APP, _edit
from ui.pages import ALL, SHARED


def profile_page(url: str, nodes: int, runs: int = 5, after_edit: bool = False) -> Profiler:
    """A profile of `runs` reruns of one page on a generated workshop of `nodes` nodes (after two warm-up runs); with
    after_edit, each profiled rerun is the first after an edit was saved (a new version), as the bench's rows of that name."""
    spec = next((p for p in (*ALL, SHARED) if p.url == url), None)
    if spec is None:
        raise SystemExit(f"unknown page {url!r}; pages: {', '.join(p.url for p in (*ALL, SHARED))}")
    profiler = Profiler(interval=0.0002)
    original = exec_code.exec_func_with_error_handling  # what script_runner imported from there and calls
    active = {"on": False}

    def profiled(func: Callable[[], Any], ctx: ScriptRunContext) -> tuple[Any | None, bool, RerunData | None, bool, Exception | None]:
        if not active["on"]:
            return original(func, ctx)
        profiler.start()
        try:
            return original(func, ctx)
        finally:
            profiler.stop()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPIDESIGN_DB"] = str(Path(tmp) / "profile.db")
        from kpidesign.store import Store

        ws = workshop(nodes)
        store = Store()
        wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
        try:
            with mock.patch.object(script_runner, "exec_func_with_error_handling", profiled):
                at = AppTest.from_file(APP, default_timeout=120)
                if spec is SHARED:  # the read-only view a share link opens (it needs no session of its own)
                    at.query_params["share"] = store.shares.create(wid)
                    at.run()
                else:
                    at.query_params["ws"] = wid
                    at.run()
                    at.switch_page(spec.file).run()
                at.run()
                active["on"] = True
                for _ in range(runs):
                    if after_edit:
                        active["on"] = False  # the save is not the page's rerun
                        _edit(store, wid)
                        active["on"] = True
                    at.run()
        finally:
            store.close()
    return profiler


def main() -> None:
    """Print (or write as HTML) the profile of one page's reruns."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the page's url name, e.g. dashboard")
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--html", type=Path, help="write an interactive HTML report here")
    parser.add_argument("--after-edit", action="store_true", help="profile the first rerun after each of `runs` saved edits")
    args = parser.parse_args()
    profiler = profile_page(args.page, args.nodes, args.runs, args.after_edit)
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"wrote {args.html}")
    else:
        print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
