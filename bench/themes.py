"""Themes (#30 item 2): grouping a room's revealed ideas, Japanese and English, 100 / 300 / 1,000 ideas answering one
node (a full room's ideas all on one question: the worst case). Target: 300 ideas grouped under 1 s.

`python -m bench.themes` prints the lines; `make bench` appends them to bench/results.md.
"""

from __future__ import annotations

import random
import time

from kpidesign import themes
from kpidesign.room import Idea, IdeaStatus

TARGET_MS = 1000.0
AT = 300
SIZES = (100, AT, 1000)
JA = ["指名検索", "SNS広告", "メルマガ", "リピート購入", "クーポン", "レビュー", "カート放棄", "配送", "会員登録", "ポイント"]
JA_TAIL = ["の伸び", "の増加", "数", "率", "の改善", "の見直し", "経由の売上", "からの流入", "の効果", "の件数"]
EN = ["branded search", "social ads", "newsletter", "repeat purchase", "coupon", "reviews", "cart abandonment", "shipping"]
EN_TAIL = [" volume", " rate", " growth", " revenue", " share", " per week", " clicks", " improvement", " count", " time"]


def ideas(n: int, lang: str, seed: int = 7) -> list[Idea]:
    """n revealed ideas answering one node, made of a topic and a phrasing (ten or so themes, near-duplicates among them)."""
    rng = random.Random(seed)
    heads, tails = (JA, JA_TAIL) if lang == "ja" else (EN, EN_TAIL)
    made = []
    for i in range(1, n + 1):
        text = rng.choice(heads) + rng.choice(tails) + (f" {rng.randint(1, 99)}" if rng.random() < 0.3 else "")
        made.append(Idea(i, "p", text, "node", IdeaStatus.REVEALED))
    return made


def timed_ms(found: list[Idea], repeat: int = 3) -> float:
    """The median time of grouping the ideas from scratch (the caches of kpidesign.themes emptied each time)."""
    times = []
    for _ in range(repeat):
        for cache in (themes._update, themes._normal, themes._grams):
            cache.cache_clear()
        start = time.perf_counter()
        themes.group(found)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def lines() -> list[str]:
    """The results as markdown."""
    themes.warm()  # scikit-learn imported once per process, before the first reveal (ui.room.themes.warm)
    out = [
        "## Themes (#30: a room's revealed ideas grouped)",
        "",
        "Revealed ideas answering one node, grouped from scratch (TF-IDF of character n-grams, average-linkage clustering,",
        "labels, near-identical pairs); median of 3. Target: 300 ideas under 1 s.",
        "",
        "| ideas | language | themes | ms | target |",
        "|---:|---|---:|---:|---|",
    ]
    for lang in ("ja", "en"):
        for n in SIZES:
            found = ideas(n, lang)
            ms = timed_ms(found)
            verdict = ("✓ under 1 s" if ms <= TARGET_MS else "✗ over 1 s") if n == AT else ""
            out.append(f"| {n} | {lang} | {len(themes.group(found))} | {ms:.0f} | {verdict} |")
    return [*out, ""]


if __name__ == "__main__":
    print("\n".join(lines()))
