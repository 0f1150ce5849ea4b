"""What the version history costs on disk (#21 item 4): a 500-node workshop with a year of edits, before and after `compact`."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.generate import weekly_actuals, workshop
from kpidesign import backup, edits
from kpidesign.store import KEEP_VERSIONS, Store

NODES = 500
EDITS = 2 * 52 * 6  # a year: two workshop sessions a week of ~6 saved edits each (624 saves: past the 500 kept)
KEEP = 100  # what `compact` keeps by default


def measure(nodes: int = NODES, saves: int = EDITS, keep: int = KEEP) -> dict[str, float]:
    """Build the database a year of edits leaves, then compact it; sizes in bytes, times in ms."""
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "kpidesign.db"
        ws = workshop(nodes)
        store = Store(db)
        wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
        store.connection.sqlite().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh = backup._size(db)
        for _ in range(saves):  # one field of one node per save, as the app saves a field the moment it is left
            loaded = store.load(wid)
            node = rng.choice(loaded.workshop.nodes)
            changed = edits.set_field(loaded.workshop, node.id, "owner", f"owner {loaded.version}")
            store.save(wid, changed, expected_version=loaded.version, summary="edit")
        conn = store.connection.sqlite()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept, stored, doc = conn.execute("select count(*), sum(length(doc)), (select length(doc) from workshops) from versions").fetchone()
        store.close()
        before = backup._size(db)
        start = time.perf_counter()
        done = backup.compact(db, keep)
        ms = (time.perf_counter() - start) * 1000
    return {
        "nodes": nodes,
        "saves": saves,
        "kept": kept,
        "version_bytes": stored / kept,
        "versions_bytes": stored,
        "doc_bytes": doc,
        "fresh": fresh,
        "before": before,
        "after": done.bytes_after,
        "removed": done.versions_removed,
        "compact_ms": ms,
        "keep": keep,
    }


def lines(m: dict[str, float] | None = None) -> list[str]:
    """The paragraph for bench/results.md."""
    m = m or measure()
    return [
        "## Version history on disk",
        "",
        f"A {m['nodes']:.0f}-node workshop with a year of weekly actuals, then {m['saves']:.0f} saved edits (a year of two sessions a week;",
        f"each save is one version, and the store keeps the last {KEEP_VERSIONS} per workshop, so {m['kept']:.0f} are kept). Its document is",
        f"{m['doc_bytes'] / 1024:,.0f} KB of JSON; each version is kept zlib-compressed, {m['version_bytes'] / 1024:,.1f} KB on average,",
        f"{m['versions_bytes'] / 1e6:,.1f} MB for the {m['kept']:.0f}.",
        "",
        "| database | bytes |",
        "|---|---:|",
        f"| new: the workshop, one version, a year of weekly actuals | {m['fresh']:,.0f} |",
        f"| after a year of edits ({m['kept']:.0f} versions kept) | {m['before']:,.0f} |",
        f"| after `python -m kpidesign compact --keep {m['keep']:.0f}` ({m['removed']:.0f} versions removed, then VACUUM; {m['compact_ms']:,.0f} ms) | {m['after']:,.0f} |",
        "",
        f"So the history costs at most ~{m['version_bytes'] * KEEP_VERSIONS / 1e6:,.0f} MB per workshop of this size, reached after {KEEP_VERSIONS} saves",
        f"and not growing after that: 50 such workshops take ~{50 * m['before'] / 1e9:,.1f} GB, ~{50 * m['after'] / 1e9:,.2f} GB compacted to {m['keep']:.0f} versions each.",
        "",
    ]


if __name__ == "__main__":
    print("\n".join(lines()))
