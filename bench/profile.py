"""Profile one rerun of a page with pyinstrument: `python -m bench.profile PAGE [--nodes 500] [--html OUT]`.

The workshop is generated as for the benchmark (definitions, thresholds, a year of weekly actuals). The
profiler wraps the script run itself (in Streamlit's script thread), so the report shows the page's own
calls and Streamlit's work for its elements, not the test harness.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from bench.generate import weekly_actuals, workshop
from bench.pages import APP
from kpidesign.pages import ALL


def profile_page(url: str, nodes: int, runs: int = 5) -> Profiler:
    """A profile of `runs` reruns of one page on a generated workshop of `nodes` nodes (after two warm-up runs)."""
    spec = next((p for p in ALL if p.url == url), None)
    if spec is None:
        raise SystemExit(f"unknown page {url!r}; pages: {', '.join(p.url for p in ALL)}")
    profiler = Profiler(interval=0.0002)
    original = script_runner.exec_func_with_error_handling
    active = {"on": False}

    def profiled(func: Any, ctx: Any) -> Any:
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
        script_runner.exec_func_with_error_handling = profiled
        try:
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params["ws"] = wid
            at.run()
            at.switch_page(spec.file).run()
            at.run()
            active["on"] = True
            for _ in range(runs):
                at.run()
        finally:
            script_runner.exec_func_with_error_handling = original
            store.close()
    return profiler


def main() -> None:
    """Print (or write as HTML) the profile of one page's reruns."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the page's url name, e.g. dashboard")
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--html", type=Path, help="write an interactive HTML report here")
    args = parser.parse_args()
    profiler = profile_page(args.page, args.nodes, args.runs)
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"wrote {args.html}")
    else:
        print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
