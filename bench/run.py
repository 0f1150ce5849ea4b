"""Benchmarks: python -m bench.run [--quick]. Writes bench/results.md.

Every figure is reported in milliseconds and as a ratio to a floor measured in the same run
(one walk over the same tree), so results from different machines can be compared.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path
from typing import Callable

from bench.generate import workshop
from kpidesign import analysis, tree
from kpidesign.review import review

SIZES = (10, 100, 500, 1000)
RESULTS = Path(__file__).resolve().parent / "results.md"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """The median wall time of fn in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def analysis_rows(sizes: tuple[int, ...]) -> list[tuple[int, str, float, float]]:
    """(size, operation, ms, ratio to the walk floor) for evaluation, sensitivity and the design review."""
    rows = []
    for size in sizes:
        ws = workshop(size)
        floor = timed(lambda: list(tree.walk(ws)), repeat=9)
        for name, fn in [
            ("evaluate (baseline + target)", lambda: (analysis.TreeModel(ws), analysis.TreeModel(ws, "target"))),
            ("sensitivity (every lever ±)", lambda: analysis.sensitivity(ws)),
            ("design review", lambda: review(ws)),
        ]:
            ms = timed(fn)
            rows.append((size, name, ms, ms / floor if floor else float("inf")))
        rows.append((size, "floor: walk the tree", floor, 1.0))
    return rows


def report(rows: list[tuple[int, str, float, float]]) -> str:
    """The results as markdown, with growth from the smallest-but-one size to the largest."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores. Median of 5 runs.",
        "",
        "| nodes | operation | ms | × floor |",
        "|---:|---|---:|---:|",
    ]
    lines += [f"| {size} | {name} | {ms:.2f} | {ratio:.1f} |" for size, name, ms, ratio in rows]
    sizes = sorted({r[0] for r in rows})
    if len(sizes) >= 3:
        small, big = sizes[1], sizes[-1]
        lines += ["", f"Growth from {small} to {big} nodes ({big / small:.0f}× the nodes; linear growth would be {big / small:.0f}×):", ""]
        for name in dict.fromkeys(r[1] for r in rows):
            a = next(r[2] for r in rows if r[0] == small and r[1] == name)
            b = next(r[2] for r in rows if r[0] == big and r[1] == name)
            lines.append(f"- {name}: {b / a:.1f}×")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run and write bench/results.md."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="only 100 and 1000 nodes")
    args = p.parse_args()
    text = report(analysis_rows((10, 100, 1000) if args.quick else SIZES))
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
