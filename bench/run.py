"""Benchmarks: `make bench` (python -m bench.run [--quick] [--no-browser]). Writes bench/results.md.

Every server-side figure is given in milliseconds and as a ratio to a floor measured in the same run:
for pages, one rerun of a trivial one-widget Streamlit page; for the tree mathematics, one walk over
the same tree. Ratios can be compared across machines; milliseconds only on this one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from bench import browser, pages, processes, retention, room_live
from bench import themes as themes_bench
from bench.generate import weekly_actuals, workshop
from bench.pages import median_ms
from kpidesign import analysis, explain, forecast, links, tree
from kpidesign.model import Workshop
from kpidesign.review import review

SIZES = (10, 100, 500, 1000)
RESULTS = Path(__file__).resolve().parent / "results.md"
PAGE_MS = 150.0
TARGETS = {
    "learning:": (None, 1000.0),
    "page participant (phone)": (5.0, PAGE_MS),  # #15: a phone's page in a room of 30, ≤ 5× the floor
    "page": (10.0, PAGE_MS),
    "store: save one edit": (None, 20.0),
    "export": (None, 1000.0),
    "refresh every KPI": (None, 5000.0),
}
BROWSER_MS = 2000.0  # the tree drawn in the browser: after a page switch, a click on the page, "Levels: All"
IN_THE_ROOM = ("page switch from", "a node picked", '"Levels: All"')
AT_1000 = {"import yaml": 2000.0, "export xlsx": 1500.0}  # a big workshop's file in and out (#17): ms at 1,000 nodes

Row = tuple[int, str, float, float]


FIRST_WEEK, LAST_WEEK = dt.date(2025, 11, 6), dt.date(2026, 10, 29)  # of bench.generate.weekly_actuals


def learning_workshop(ws: Workshop) -> Workshop:
    """The workshop with a year of weekly actuals and a deadline for its KGI: what the learning loop reads."""
    kgi = ws.nodes[0].model_copy(update={"deadline": dt.date(2026, 12, 31)})
    return ws.model_copy(update={"actuals": weekly_actuals(ws), "nodes": [kgi, *ws.nodes[1:]]})


def analysis_rows(sizes: tuple[int, ...]) -> list[Row]:
    """(size, operation, ms, ratio to the walk floor) for evaluation, sensitivity and the design review."""
    rows = []
    for size in sizes:
        ws = workshop(size)
        # a copy with its own node list: walk keeps its order per workshop object, and the floor is a real walk
        floor = median_ms(lambda: list(tree.walk(ws.model_copy(update={"nodes": list(ws.nodes)}))), repeat=9)
        observed = learning_workshop(ws)
        for name, fn in [
            ("evaluate (baseline + target)", lambda: (analysis.TreeModel(ws), analysis.TreeModel(ws, "target"))),
            ("sensitivity (every lever ±)", lambda: analysis.rank_levers(ws)),
            ("design review", lambda: review(ws)),
            ("learning: explain (why the KGI moved over the year)", lambda: explain.explain(observed, FIRST_WEEK, LAST_WEEK)),
            ("learning: links (do the links hold)", lambda: links.links(observed)),
            ("learning: forecast (is each target reachable)", lambda: forecast.forecasts(observed)),
        ]:
            ms = median_ms(fn)
            rows.append((size, name, ms, ms / floor if floor else float("inf")))
    return rows


def _verdict(size: int, name: str, ms: float, ratio: float) -> str:
    if size == 1000 and name in AT_1000:
        return f"(at 1,000: ≤ {AT_1000[name]:,.0f} ms) " + ("✓" if ms <= AT_1000[name] else "✗ over target")
    if size != 500:
        return ""
    if name.endswith(pages.AFTER_EDIT):  # rebuilds what is kept per version (DOT, review, readings): held to the time bound
        return "✓ under 150 ms" if ms <= PAGE_MS else "✗ over 150 ms"
    for prefix, (max_ratio, max_ms) in TARGETS.items():
        if name.startswith(prefix):
            ok = (max_ratio is None or ratio <= max_ratio) and ms <= max_ms
            return "✓" if ok else "✗ over target"
    return ""


ROOM_TARGETS = {  # #15: 30 phones, the facilitator and a projector on one server
    "inbox, p95": (2000.0, "under 2 s"),
    "server memory with": (400.0, "under 400 MiB"),
    "server memory, peak": (400.0, "under 400 MiB"),
}


def _browser_verdict(name: str, ms: float) -> str:
    if name.startswith("room: phones joined"):  # each phone a real page; opening stops when the server is saturated
        return f"✓ all {room_live.PARTICIPANTS}" if ms >= room_live.PARTICIPANTS else "✗ the server saturated before all had joined"
    for part, (limit, said) in ROOM_TARGETS.items():
        if name.startswith("room:") and part in name:
            return f"✓ {said}" if ms <= limit else f"✗ not {said}"
    if name.startswith("rooms:") and "facilitator's screen, p95" in name:  # #29: one process and two behind nginx
        return "✓ under 2 s" if ms <= BROWSER_MS else "✗ over 2 s"
    if any(part in name for part in IN_THE_ROOM):
        return "✓ under 2 s" if ms <= BROWSER_MS else "✗ over 2 s"
    return "ratio to its floor" if "navigation to tree drawn" in name else ""


def table(title: str, rows: list[Row], floor_name: str) -> list[str]:
    """A markdown table of rows, then how each figure grows from 100 to 1,000 nodes."""
    lines = [
        f"## {title}",
        "",
        f"Ratio: × {floor_name}.",
        "",
        "| nodes | measurement | ms | × floor | target |",
        "|---:|---|---:|---:|---|",
    ]
    lines += [f"| {s} | {n} | {ms:.1f} | {r:.1f} | {_verdict(s, n, ms, r)} |" for s, n, ms, r in rows]
    sizes = sorted({r[0] for r in rows})
    if 100 in sizes and 1000 in sizes:
        lines += ["", "Growth from 100 to 1,000 nodes (linear would be 10×):", ""]
        for name in dict.fromkeys(r[1] for r in rows):
            a = next((r[2] for r in rows if r[0] == 100 and r[1] == name), None)
            b = next((r[2] for r in rows if r[0] == 1000 and r[1] == name), None)
            if a and b:
                lines.append(f"- {name}: {b / a:.1f}×")
    return lines + [""]


HISTORY = """## What the benchmark found, and what was done (before → after, 500 nodes unless said)

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| evaluation grew 42× from 100 to 1,000 nodes | children looked up by scanning every node (O(n²)) in evaluation, review and DOT | one children map per pass | 1,000 nodes: 67 ms | 10 ms |
| sensitivity grew 29× | every lever copied all values | changes overlaid on the shared values (ChainMap) | 1,000 nodes: 67 ms (29×) | 66 ms (14.7×: n × depth) |
| dashboard rerun 2,256 ms | per-KPI scans of 26,000 actuals; 30 charts; all tabs drawn | actuals indexed once; charts only for picked KPIs (worst first); only the open tab drawn | 2,256 ms | 91 ms |
| export page rerun 235 ms | 26,000 actuals read and validated on every rerun | actuals revision counter, attached actuals cached per revision | 235 ms | 72 ms |
| review page rerun 201 ms | review, sensitivity and four tabs recomputed every rerun | cached per workshop version; only the open tab drawn | 201 ms | 67 ms |
| workshops page 70 ms | template files parsed on every rerun | read once per change of the folder | 70 ms | 16 ms |
| Excel export 3.3 s | a style object per cell; pure-Python writer; latest actual searched per node | shared styles, bulk append, lxml, one index | 3,300 ms | 900 ms |
| YAML export 2.1 s / import 4.5 s | pure-Python emitter and loader | libyaml's safe C dumper and loader | 2,141 / 4,534 ms | 800 / 1,371 ms |
| 1,000-node tree page crashed | a product overflowed to infinity, formatting raised | non-finite results are "no value" | exception | 44 ms |
| tree picture of 100 nodes 0.7 s, 13,591 px wide | top-down layout of a wide tree; PNG optimize pass | left-to-right for wide trees (as on screen); no optimize pass | 702 ms | 377 ms |
| tree, decompose, history pages rebuilt the DOT source on every rerun (24 ms at 500 nodes) | nothing kept between reruns | DOT cached per workshop id, version (and actuals revision) and options | decompose 30.9 ms (12.0×) | 15.0 ms (6.4×) |
| every page parsed the workshop twice per rerun (sidebar and page, 3-4 ms each) | `Store.load` read and validated the JSON each time | the parsed workshop reused while its version is unchanged (one query; the document sent only when it changed) | open 2.7 ms | reload 0.0 ms; a new session's open 3.2 ms |
| definitions page 31.7 ms (12.3×) | a select's labels looked each KPI up by scanning all nodes (quadratic) | `Workshop.node` through a dict kept beside the model | 31.7 ms | 16.9 ms (7.2×) |
| every AppTest rerun recompiled the page with Streamlit's magic AST rewrite (3-5 ms a page) | magic on, unused | magic off (`.streamlit/config.toml`) | monitoring 27.4 ms (10.7×) | 17.6 ms (7.5×) |
| review page 66.9 ms (26×) | one element per finding (hundreds), cached results unpickled on every rerun | one block per principle; review and levers shared (`st.cache_resource`) | 66.9 ms | 13.4 ms (5.7×) |
| dashboard 87.7 ms (34×) | readings and the actuals index rebuilt, comparisons scanning every point, one element per KPI, DOT rebuilt | readings per actuals revision, bisection, one block per column, cached DOT | 87.7 ms | 16.7 ms (7.1×) |
| export page 70.9 ms (28×); 226 ms at 100 nodes | `st.status` pauses 50 ms by design; the PNG preview decoded and resized on every rerun | progress box only while files are built; the preview is the SVG, drawn by the browser | 70.9 ms (100 nodes: 226 ms) | 9.7 ms (100 nodes: 10.0 ms) |
| Excel export 1,061 ms | 26,000 actuals as one row each (78,000 cells) | actuals as a KPI × date grid (a fifth of the cells); long sheets still import | 1,061 ms | 439 ms |

The rows above were measured on 2026-11-24, where every target at 500 nodes was met (pages 3.2–7.5× a 2.3 ms floor).
The rows below were measured on 2026-11-25 on a machine about twice as slow at plain Python (the same code: pages
and exports took twice as long, tree maths kept its ratios to a walk), while the one-widget floor stayed at 2.2 ms:
that floor is mostly Streamlit's fixed overhead, not work that scales with the processor, so on a slower machine every
page's ratio to it grows. Work done on that machine:

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| YAML export 1,575 ms (target 1 s) | PyYAML's representer (pure Python even with libyaml) building 100,000 nodes for 26,000 actuals | the actuals rows written directly, exactly as PyYAML writes them (KPI ids still written by PyYAML; a property test compares with PyYAML's own output) | 1,216 ms | 185 ms |
| dashboard 33 ms | the overview's counts and the three flow columns (every KPI's comparisons) rebuilt on each rerun | kept per version, actuals revision, language and filter | 33 ms | 18 ms |
| review page 20 ms | every finding's sentence formatted and escaped on each rerun | the text per principle kept per version and language | 20 ms | 12 ms |
| definitions page 33 ms | the 500-row sheet (4 formatted numbers per row) rebuilt on each rerun | built once per version (`ui.session.kept`) | 33 ms | 26 ms |
| every page walked the tree several times per rerun (sidebar progress, tables, checks) | `tree.walk` recomputed the order each time | the order kept beside the workshop object, like the node index | — | small: within noise |

Runs on that machine the same day differed by up to 1.5× (definitions page 22.8–30.6 ms, one edit saved 15.2–27.4 ms)
while the plain-Python loop stayed at 38–39 ms. Later the same day (this file's run: the loop took 64 ms) the machine
was slower still, and a floor timed once at the start had drifted from the pages timed minutes later: page ratios moved
by up to 1.5× between runs. Since then each page is timed alternately with the floor (nine pairs), and its ratio is to
the floor timed alongside it. Work done then (ratios paired, 500 nodes):

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| decompose 11.7×, definitions 12.4×, monitoring 9.8× the floor | the KPI library and step 5's add forms (500-option lists) built on every rerun though folded | lazy expanders (`on_change="rerun"`, drawn only while open) | decompose 11.7× | 7.8× |
| every page: sidebar and router ~25 % of a light page's rerun | each `st.Page` resolved its file on every rerun; the step checklist (five elements), progress and undo target recomputed | page objects made once per session and language; the checklist one element, kept per version | history 6.1× | 4.4× |
| node picker, move-to list, balance, threshold checks, the KPI select's labels rebuilt per rerun | lists over 500 nodes built in the page | kept per version (`ui.session.per_version` / `kept`); the DOT string shared (`cache_resource`), not unpickled | definitions 12.4× | 8.3× |
| one edit saved 26 ms in one run (target 20 ms) | every save parsed every formula (`ast.parse`) and id again to check the structure | checked texts kept (`lru_cache`; a rename now rewrites a fresh syntax tree, never the shared one); versions compressed at zlib level 1 | the check 9.1 ms (save 26 ms in that run) | 2.3 ms (save 14.1 ms in this file's run) |
| tree drawn in the browser 2.8–3.8 s at 500 nodes (target 2 s) | a trivial page that draws a one-node graph already takes 1.5–1.8 s here (Streamlit's front end and its graphviz loading on two busy cores); laying out 500 boxes adds 1–2 s | a tree of more than 150 boxes folds its deep levels by default (readable on a projector; "Levels: All" or `?levels=all` draws everything); DOT attributes (edge `xlabel`, `splines`, `nslimit`) tried: no difference beyond noise | 500 nodes: 3.5 / 4.4 s (two runs) | default view (114 boxes): 3.6 / 3.1 s, about what 100 nodes take |

Every page now stays within 10× the floor and far under 150 ms. The browser target is relative to a machine: here the
floor alone is 1.7 s, so the browser rows give the ratio to it; on the first machine the whole 500-node tree took
1.8 s.

2026-11-25, third session: where the browser's time goes. Marks taken in the page (a MutationObserver) and the script's
own time logged in the server, on the 100-node tree in a warm browser: the front end's files loaded at 0.7–0.8 s, the
first element at 1.3–2.0 s (the trivial page: 0.9–1.6 s), the graph's box at 2.0–2.9 s, its boxes laid out 0.2–0.6 s
later. The script itself ran in 20–30 ms of CPU (76–250 ms wall, sharing two cores with Chromium): the server is not
the cost; Streamlit's front end rendering the page (and, cold, loading its files) is. Rendering the sidebar after the
page, or dropping the editor below the graph, moved the figure by less than the run-to-run noise (±0.4 s). What a
facilitator does in the room is not a cold load but a page switch inside the app (the front end already loaded): that
is now measured too, with its own floor (a two-page trivial app), and takes 1.2–1.3 s for the 100-node tree and the
default view of the 500-node tree, under the 2 s target. A cold load (a share link or bookmark in a new browser) stays
at about twice its floor; unfolding the whole 500-node tree on the page costs ~4 s, the graph's layout of 500 boxes in
the browser. The share link, the dashboard and the history preview now fold a big tree too.

The same day's 10:52 run put step 4 at 10.3× the floor at 500 nodes (four paired repeats: 8.5–10.3×): over the target
by noise alone. Its cause: the one-KPI form and the whole sheet (a 500-row data editor, ~9 ms of Streamlit's own
conversion per rerun) were drawn together on every click. They are now two tabs and only the open one is drawn; the
bench times both (`page definitions` is the form, `page definitions (whole sheet tab)` the table).

Step 5's reviews table stays the heaviest part of its page: a multiselect column of 500 KPIs is deep-copied by
Streamlit on each rerun. The Excel export at 100 nodes is slower than at 500 because it embeds the tree picture (a
6.8-million-pixel PNG, ~0.3 s to encode), which bigger trees leave out (see below).

2026-11-25, fourth session: two views the bench did not have. The share link's read-only view was not timed at all,
though it reruns by itself every 5 s in every viewer's browser; and every page was timed at an unchanged version,
though in the room most reruns follow an edit (a new version, so what is kept per version is rebuilt). Both are rows
now (`page share link`, `…, first rerun after an edit`). Before → after, 500 nodes, timed alternately on this machine:

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| share view refresh 112.6 ms (43.7×) | all four tabs drawn on every refresh; each table rebuilt (3,500 translations); both export files' bytes handed to Streamlit (and hashed) every 5 s | only the open tab drawn (bound to `?tab=`); tables kept per version; downloads built on click, the link checked again then | 112.6 ms | 8.9 ms (4.1×) |
| share view, first refresh after an edit 1,094 ms | the Excel and YAML files built for each new version; a year of actuals (26,000 rows) read again for each version | downloads on click; actuals read once per revision of the actuals and attached to each version | 1,094 ms | 28 ms |
| export page, first rerun after an edit 1,578 ms | all five files built for each new version, behind a progress box | each file built when its button is clicked; the PNG's absence explained from the layout's size | 1,578 ms | 70 ms |
| review, first rerun after an edit 82 ms (profiled) | sibling names compared with difflib's full ratio, every pair, on every version | cheap upper bounds first; the likeness of two names remembered (`lru_cache`) | review 82 ms | 45 ms |
| dashboard, first rerun after an edit | actuals indexed by KPI again for each version | indexed once per revision of the actuals; readings take their latest values from the index | index + readings ~50 ms | ~10 ms |
| Excel export of a 150–200-node tree 2.0–2.3 s (100 nodes: 1.2 s; target 1 s) | the tree picture embedded in the workbook drawn at 1.5× and PNG-encoded, up to 40 million pixels, though the sheet shows it at most 1,400 px wide | drawn at the size shown (1×), and only up to 12 million pixels (~150 boxes); a bigger tree's sheet keeps the indented outline and says to use the SVG | 150: 2,005 ms, 200: 2,304 ms | 385 ms, 481 ms |
| "save one edit" 22.9 ms in one run | the bench's loop parsed the version its previous save wrote (17 ms at 500 nodes) before each edit: in the app that is the rerun's work, not the click's | the bench times the click: the shown version (parsed already) changed and saved; parsing is in "first rerun after an edit" | 17–23 ms | 6–11 ms |

The first rerun after an edit stays under 150 ms for every page at 500 nodes but above 10× the floor for several (the
floor is a rerun that rebuilds nothing): at 500 nodes a new version means a new DOT source (~6 ms), the review
(~20 ms), the dashboard's comparisons, the node lists, and parsing the workshop (~17 ms).

A cold load in the browser, traced (Chromium's performance trace of the 100-node tree page against the trivial page):
both reach the server at the same moment (~1.0 s: the front end's 1.4 MB of scripts and its fonts); the app's script
then streams its 45 messages over ~0.3 s, and each kind of element it uses loads its own script from the server on
first sight (about 50 files: the graph's 770 KB among them, requested only when the graph's message arrives, and served
slower while the server runs the page); the graph is laid out ~0.3 s after its script arrives, while the sidebar's and
the editor's widgets are rendered on the same thread. Measured by taking parts away: without the sidebar's widgets the
tree page drew 0.3 s sooner, with nothing after the graph 0.4 s sooner, with both 0.8 s sooner; the trivial page with the
same 100-node DOT instead of one node took 0.2 s longer than the floor (edge labels as `xlabel`, `mclimit`/`nslimit`:
no change). So a cold load costs what the page shows. In the 12:36 run (plain-Python loop 39 ms) a share link drew
its tree (100 nodes, or the 114 boxes of the folded 500-node tree) in 2.5–2.6 s against a floor of 1.8 s, the tree
page in 2.9–3.2 s; in this file's run, on a machine running about 1.7× slower (loop 67 ms), 3.2–3.3 s and 3.4–3.5 s
against 1.9 s. The 2 s holds here for a page switch (1.1–1.4 s in both runs), not for a cold load.

Single runs of the "after an edit" rows move by up to ±50 % with the machine (the review page's: 46 ms in one run, 82 ms
in the next); the review's change was judged on alternate runs of the old and new code: 68–88 ms → 48 ms.

2026-12-01: the click in the room. The bench timed how long the tree takes to appear after a navigation, never how long
the graph takes to follow a click on the page, the thing a facilitator does most. Timed now (a node picked in the tree
page's node picker until its box shows the selection's red outline), it took **4.5–4.9 s**, for the 100-node tree and
for the 500-node tree's default view alike; "Levels: All" on 500 nodes 4.4–5.2 s. Chromium's CPU profile of the click:
4.0 s of 6.2 s in `getPointAtLength`. d3-graphviz (what `st.graphviz_chart` draws with) matches every element of a new
drawing to the previous drawing's by its name (the `<title>` graphviz writes: the DOT's node names, `n0`, `n1`… by
position) and, for every matched outline and link, samples both paths point by point, one sample per pixel of length,
to prepare a morph; it does so whether or not a transition is played, and Streamlit plays none. The layout is not the
cost: the same 500-node tree with every position computed on the server (`neato` with pinned positions) drew no faster
than with `dot` (tried in a scratch app, not kept). Fixes, before → after (alternate runs of old and new code):

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| a node picked on the tree page until the graph shows it: 100 boxes; 500 nodes (114 boxes) | the new drawing's boxes and links matched to the old ones by name, and every matched path sampled for a morph never played (also on every edit, what-if change, Levels switch) | every name in a drawing's DOT carries a digest of that drawing (`render.drawing_key`): nothing matches, the new drawing replaces the old; the same drawing keeps its text | 4,889 ms; 4,489 ms | 528 ms; 593 ms |
| "Levels: All" on 500 nodes | the same | the same | 5.0 s (4.4–5.2) | 1.6 s (1.5–1.6) |
| 20 share-link viewers' refresh after an edit, 500 nodes (new row) | every session has its own Store, and each parsed each new version (~10 ms at 500 nodes) | one parse per version per process, shared by every Store on the database, checked against the row's version and save time | 855 ms | 286 ms |
| dashboard: 4 ms of every rerun at 500 nodes | the overview's cache key hashed the ids of every KPI the filter kept | keyed by the filter's choice (owners, cadences); a page test of both filters (none had one) | — | — |
| dashboard, first rerun after an edit | all four comparisons worked out per KPI for the overview, which shows one | the prior period alone (`monitor.prior_period`, property-tested against `compare`) | 116.9 ms (run of 2026-11-25 12:55) | 80.0 ms (run of 2026-12-01 19:16) |
| export page, first rerun after an edit | the tree laid out twice per version (whether a PNG fits, then the SVG preview) | the layout kept beside the workshop object, per language and direction (`Workshop.beside`) | 110.6 ms (run of 2026-11-25 12:55) | 51.9 ms (run of 2026-12-01 19:16) |
| the DOT of the whole 500-node tree after an edit | every name wrapped and every box sized again | wrapped names and box sizes kept by text (names rarely change between versions) | 24.3 ms | 18.5 ms |
| step 3 at 500 nodes 12.0× the floor in the 19:44 run (8.1–9.3× timed alternately) | one node's radios and the tagging table of every node drawn together: the 500-row table converted on every click | two tabs, only the open one drawn (as step 4); the table tab timed too | 8.1–9.3×; after an edit 72 ms | 7.3–7.6×; 58 ms |
| what-if on a 500-node tree | every slider move drew all 500 boxes | folded like the other views, the moved levers and their paths kept drawn | — | — |

Tried and not kept: the share view without its sidebar (the language and projector switches), an idea of the session cut
off before this one: a share link's cold load took 2.71 / 3.02 s with it and 2.68 / 2.95 s without (100 / 500 nodes,
medians of 7), within the noise. Dropping the graph's tooltips and double outlines saved ~0.1–0.2 s on a 500-box cold
load: not worth losing what they say.

A cold load stays at 1.5–1.9× the cold load of a trivial page drawing a one-node graph, which alone takes 1.8–1.9 s on
this machine (2.1 s in a CPU profile: 1 s of it Streamlit's own scripts; a reload in the same browser, its files cached,
1.5 s). What the browser draws on a cold load beyond that page is Streamlit rendering this page's elements (React,
emotion, markdown: ~0.6 s of CPU on the 100-node tree page) and the graph itself (~0.4 s for 100 boxes). No change to the
app can bring that under 2 s here; where the front end is loaded, as it is all through a workshop, every browser figure
is under 2 s.

The first rerun after an edit is held to the time bound (under 150 ms, met by every page), not to 10× the floor: the floor
is a rerun that rebuilds nothing, while a new version rebuilds what is kept per version, in proportion to the tree (at
500 nodes: parsing the version ~10 ms, its DOT ~8 ms, the design review ~20 ms, the dashboard's readings and flow). The
ratio is still printed, and it is what the next work on incremental results (per node, across versions) would lower.


2026-12-02: hardening (#17) and the data teams' exports (#18) put two 1,000-node targets on files in and out (YAML import
under 2 s, Excel export under 1.5 s) and added rows for what is new: the Lightdash export, `refresh` of every KPI's SQL
query (500 KPIs, SQLite, target 5 s) and the learning loop (explain, links, forecast at 500 nodes, target 1 s each).
Before → after, alternate runs of the old and new code on a machine shared with other work:

| finding | cause | fix | before | after |
|---|---|---|---:|---:|
| YAML import of 1,000 nodes with a year of weekly actuals 4.7 s (target 2 s) | PyYAML composing and constructing 400,000 scalars in Python (its resolver once per scalar) | the document built from libyaml's events, each distinct scalar typed once, kpidesign's own `actuals:` rows read by one expression (property-tested against `yaml.load`); anchors and aliases refused on the way | 4,720 ms | 470 ms |
| Excel export of 1,000 nodes 1.3–1.5 s here (2.8 s in the issue; target 1.5 s) | an openpyxl object per cell for ~90,000 cells, and the garbage collector's work on them | the table sheets' cells written as XML text, exactly as openpyxl writes them (compared cell by cell on 14 workbooks); openpyxl writes every other part | 1,305–1,460 ms | 292–449 ms |
| MetricFlow export of 500 nodes ~600 ms | PyYAML's pure-Python dumper | libyaml's dumper (same text) | ~600 ms | ~100 ms |
| one edit saved with `synchronous=FULL` (durability after a power cut) | an fsync per commit | kept: the guarantee is worth it | 7.1 ms (NORMAL) | 7.6 ms (FULL), 14 ms at p90 |
| DOT of 1,000 nodes after control characters were made safe in labels | a regular expression on every label | a check for printable text first (most labels) | 58 ms (first version) | 27 ms (25 ms before the change) |

Found by the room's bench: Streamlit runs a full garbage collection after every script run (`runner.postScriptGC`), fragment
refreshes included; with 30 phones and the facilitator's inbox refreshing, that pinned the server's core (no idea reached
the inbox within 30 s, 15 phones at most could join). It is off now (`.streamlit/config.toml`): the live room's server
settles at 18 % of a core and ~195 MiB; the memory peak of the 20-session row rose from ~203 MiB (run of 2026-12-01) to
238 MiB, well under what a server has. Then (2026-12-02 afternoon) the room's pages became a few elements however many
ideas (one list per kind of idea, one row of pills for a vote and per node in the inbox) and read the room once per change
(a revision bumped by every write to the room): a phone's rerun 3.5-3.7x the floor in CPU time (was 5.8x private, 8.2x
revealed, 22.6x with a vote open), the facilitator's Room page ~25-30 ms (was 150-180 ms). The live room's rows say where an
idea's time goes (the send's run, then the inbox's refresh) and the machine's load: on a machine shared with other work the
2 s at p95 was not reached (2.55 s at load 8-11 on two cores, 2.7 s at load 7-19, 4.6-10 s at load 10-28). On the quiet machine of this
file's run it is: 1.14 s at p95 (0.72 s at p50), the server at ~190 MiB.

2026-12-02, the house (#19) and the room's screen (#20). Every cached view went through one decorator keyed by a snapshot
(database, workshop, version, actuals revision, language). Built on `st.cache_resource`, the first bench after it (14:43)
had pages slower than the run before (dashboard 5.4x -> 7.4x the floor, 26x -> 39x after an edit; export after an edit
13x -> 21x): Streamlit's cache hashes every argument again and inspects the function's signature on each call (~40 us
more than a plain dict lookup per view in a bare measurement; a page asks for ten or more views). The views are now kept
on a `kpidesign.lru.LRU` (a dictionary under a lock, ~2 us a lookup), and the export page's PNG check and SVG preview share one
layout again. Against the run before today's work (500 nodes, ms and ratio to the floor timed beside it):

| page | before | after |
|---|---:|---:|
| dashboard | 22.7 ms (5.4x) | 11.7 ms (5.2x) |
| dashboard, first rerun after an edit | 125.6 ms (26.4x) | 87.9 ms (28.4x) |
| review | 17.1 ms (5.9x) | 7.8 ms (3.6x) |
| share link, first rerun after an edit | 64.7 ms (15.8x) | 35.9 ms (10.8x) |
| export | 19.3 ms (4.5x) | 15.6 ms (5.7x) |
| export, first rerun after an edit | 60.5 ms (13.4x) | 56.0 ms (21.5x) |
| history, first rerun after an edit | 36.2 ms (7.7x) | 28.9 ms (10.8x) |
| room (facilitator), 150 ideas revealed | 178.6 ms (52.4x) | 26.4 ms (6.7x) |
| phone, a vote open on 50 ideas | 59.2 ms (19.3x) | 12.9 ms (4.6x) |

Three rows have a higher ratio though fewer milliseconds: the export page (it draws the picture's SVG preview and now
asks the room's revision for the downloads, one read) and history after an edit (the preview of an earlier version
is drawn from that version's own snapshot). In this run the floor beside them was 2.7 ms where it was 4.3 ms before
(the machine was quieter), and these pages' time is mostly the same fixed Streamlit work as the floor's, which did not
shrink in proportion: the milliseconds are the fairer comparison there, and each is lower than before. New work on the
pages that gained features: steps 2 and 3 draw the legend and the click component beside the graph, step 4 counts what
the sheet lacks (once per version), the review groups its findings by node (once per version and language); none made
its page slower than before.
"""


def cpu_model() -> str:
    """The processor's name and clock as the kernel reports them (empty where it does not)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    fields = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in info.splitlines() if ":" in line)}
    return f"{fields.get('model name', '')}, {fields.get('cpu MHz', '?')} MHz, cache {fields.get('cache size', '?')}"


def python_reference_ms() -> float:
    """Milliseconds for 10⁶ additions in a Python loop: the machine's speed at plain Python, to compare runs across machines."""

    def loop() -> int:
        total = 0
        for i in range(1_000_000):
            total += i
        return total

    return pages.median_ms(loop, repeat=9)


def report(
    floor: float, page_rows: list[Row], store_rows: list[Row], math_rows: list[Row], browser_rows: list[tuple[str, float, str]]
) -> str:
    """Everything as markdown."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, {os.cpu_count()} cores; "
        f"written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench`. Medians of 5 runs after a warm-up (pages: 9).",
        f"Processor: {cpu_model() or 'unknown'}. Plain Python here: 10⁶ additions in a loop take **{python_reference_ms():.0f} ms**",
        "(the same loop tells how fast another machine's figures would be; the floor below does not: it is mostly fixed overhead).",
        "",
        "Workshops are generated (bench/generate.py): products and sums that add up, full definitions and thresholds, four review",
        "meetings, 19 alert rules, and a year of weekly actuals for every KPI.",
        "",
        f"Floor: one rerun of a one-widget Streamlit page through AppTest = **{floor:.1f} ms** on this machine. Page reruns are",
        "timed alternately with that page (9 pairs each), and each page's ratio is to the floor timed alongside it.",
        "",
        "Targets at 500 nodes: every page's rerun ≤ 10× the floor and under 150 ms (its first rerun after an edit, which rebuilds",
        "what is kept per version, under 150 ms); one edit saved under 20 ms; any export under 1 s; the tree drawn in the browser",
        "under 2 s where the front end is loaded, as in the room (a page switch, a click on the page); a cold load in a new browser",
        "is given as a ratio to the same load of a trivial page. At 1,000 nodes (a year of weekly actuals): the YAML import",
        "under 2 s and the Excel export under 1.5 s. `refresh` of every KPI's query (500 KPIs, SQLite) under 5 s.",
        "A room (#15: 30 participants, 150 ideas): a phone's page rerun ≤ 5× the floor; on a real server with 30 phones, the",
        "facilitator's Room page and a projector in Chromium, an idea sent until it shows in the inbox under 2 s at p95, and the",
        "server's memory under 400 MiB.",
        "",
    ]
    lines += table("Page reruns (server time, AppTest)", page_rows, "the one-widget page")
    lines += table("Store, exports and import", store_rows, "the one-widget page")
    lines += table("Tree mathematics and review", math_rows, "one walk over the same tree")
    lines += [HISTORY]
    if browser_rows:
        lines += ["## In the browser (headless Chromium)", "", "| measurement | value | target |", "|---|---:|---|"]
        lines += [f"| {name} | {value:.0f} {unit} | {_browser_verdict(name, value)} |" for name, value, unit in browser_rows]
        lines += [
            "",
            "The 2 s target is held where the front end is loaded, as in the room (a page switch, a click on the page,",
            '"Levels: All"); a cold load in a new browser is given as a ratio to the same cold load of a trivial page, whose',
            "own time is most of it on this machine.",
            "",
            "The room rows (`bench/room_live.py`): every phone is a real page in the same headless Chromium (its own context,",
            "390×844, touch), joined through the join address and sending ideas through its field and Send button, on the same",
            "two cores as the server; the latency is from the tap to the idea's text in the facilitator's page.",
            "",
            "The rooms rows (`bench/processes.py`, #29): phones that speak Streamlit's own protocol (`bench/phone_client.py`:",
            "the browser's rerun messages, its 2 s refresh, no rendering), hundreds from one process, through the shipped",
            "nginx in front of one app process and then two on one database (the phones spread by nginx's route cookie); the",
            "facilitator's Room page is a real Chromium page on the first process. The room grows until the facilitator's",
            "2 s or a phone's own 1 s (p95) breaks; the server CPU per phone is the figure to size a deployment with",
            "(docs/deploy.md, *Sizing*).",
        ]
        lines.append("")
    return "\n".join(lines)


def guarded(part: str, measure: Callable[[], list[tuple[str, float, str]]]) -> list[tuple[str, float, str]]:
    """One part of the browser's measurements, or a row saying why it was not measured: a part that breaks (a page
    that changed under its selectors) never loses the figures of the whole run."""
    try:
        return measure()
    except Exception as e:  # noqa: BLE001 (reported as a row of the results)
        said = str(e).strip().splitlines()[0][:120] if str(e).strip() else ""
        return [(f"{part}: not measured ({type(e).__name__}: {said})", float("nan"), "")]


MEASURED = (  # the sections make bench writes (a run without a browser writes no "In the browser")
    "## Page reruns",
    "## Store, exports and import",
    "## Tree mathematics and review",
    "## What the benchmark found",
    "## In the browser",
    "## Version history on disk",
    "## Themes (#30",
)


def sections(text: str) -> list[tuple[str, str]]:
    """A Markdown file's "## " sections in order, each (heading, its text up to the next one); what comes before the
    first is under ""."""
    found: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if line.startswith("## "):
            found.append((line, []))
        found[-1][1].append(line)
    return [(heading, "\n".join(lines).strip("\n")) for heading, lines in found]


def with_notes(written: str, previous: str) -> str:
    """The results just measured, followed by the sections of the previous file they do not write, in their order:
    the notes written by hand beside the figures (what a change did and why, measurements run on their own), and a
    section of figures this run did not measure (e.g. the browser's, with --no-browser), marked as an earlier run's."""
    ours = {heading for heading, _ in sections(written)}
    kept = []
    for heading, body in sections(previous):
        if not heading or heading in ours:
            continue
        if heading.startswith(MEASURED):
            title, _, rest = body.partition("\n")
            body = f"{title}\n\n*Not measured by the run above: the figures of an earlier run, kept.*\n{rest}"
        kept.append(body)
    return written.rstrip("\n") + "\n" + "".join("\n" + body + "\n" for body in kept)


def main() -> None:
    """Run and write bench/results.md."""
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="only 100 and 500 nodes")
    p.add_argument("--no-browser", action="store_true")
    args = p.parse_args()
    sizes = (100, 500) if args.quick else SIZES
    floor = pages.floor_ms()
    text = report(
        floor,
        pages.page_rows(sizes),
        pages.store_rows(sizes, floor),
        analysis_rows(sizes),
        [] if args.no_browser else guarded("browser", browser.run) + guarded("room", room_live.run) + guarded("rooms", processes.run),
    )
    text += "\n" + "\n".join(retention.lines())  # what the version history costs on disk, and compact
    text += "\n" + "\n".join(themes_bench.lines())  # grouping a room's ideas into themes (#30): 300 under 1 s
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    text = with_notes(text, old)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
