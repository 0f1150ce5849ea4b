"""The KPI tree as graphviz DOT (built with the `graphviz` package, whose quoting keeps every label literal): KGI at the
top in its own dark double frame, layers by fill colour, speed by a glyph, the selected box in a colour used for nothing
else, typed links."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import graphviz
from graphviz import quoting

from kpidesign import formula as formulas
from kpidesign.i18n import t
from kpidesign.index import index
from kpidesign.language import Language
from kpidesign.model import Layer, Node, Workshop
from kpidesign.tree import children_map, descendants, walk
from kpidesign.values import compact_value, is_percent, one_line

LAYER_STYLE: dict[Layer | None, dict[str, str]] = {
    Layer.LEADING: {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#1d4ed8"},
    Layer.INTERMEDIATE: {"shape": "box", "style": "rounded,filled", "fillcolor": "#fef3c7", "color": "#b45309"},
    Layer.LAGGING: {"shape": "box", "style": "filled", "fillcolor": "#fde2e1", "color": "#b91c1c"},
    None: {"shape": "box", "style": "rounded,filled,dashed", "fillcolor": "#f3f4f6", "color": "#6b7280"},
}
# the KGI: a dark charcoal box in a double frame, no layer's colour (it was navy, which read as "leading")
KGI_COLOUR = "#1f2937"
KGI_STYLE = {
    "shape": "box",
    "style": "filled,bold",
    "fillcolor": KGI_COLOUR,
    "fontcolor": "white",
    "color": KGI_COLOUR,
    "penwidth": "3",
    "peripheries": "2",
}
# the box being edited: a thick outline in a colour no layer, status, what-if or verdict uses (it was red = lagging)
SELECTED_COLOUR = "#d946ef"
SELECTED_STYLE = {"color": SELECTED_COLOUR, "penwidth": "7"}
# speed as a glyph before the name, readable from the back of a room (a double border was not); no emoji font needed
SPEED_MARK = {"high": "⚡", "low": "◷"}
LINK_LABEL = {"×": "×", "÷": "÷", "+": "+", "−": "−"}
FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, Arial, sans-serif"


def display_width(text: str) -> int:
    """Columns a text takes: East Asian wide characters count two."""
    if text.isascii():  # most cells of an export: no character can be wide
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TOKENS = re.compile(r"\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|.")


def _w(text: str) -> int:
    return display_width(text)


def wrap(text: str, width: int = 18, max_lines: int = 3) -> list[str]:
    """Wrap a label by display width: between words in Latin text, between any two characters in CJK text; cut with … after max_lines."""
    return list(_wrapped(text, width, max_lines))


@lru_cache(maxsize=16384)  # names rarely change between versions: each new version of a tree wraps only what changed
def _wrapped(text: str, width: int, max_lines: int) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text.replace("\n", " ")):
        if token.isspace():
            current += " " if current else ""
            continue
        while _w(current + token) > width:
            if current.strip():  # the word goes to the next line
                lines.append(current.rstrip())
                current = ""
                continue
            cut = _fit(token, width)  # a word longer than a line is cut
            lines.append(cut)
            token = token[len(cut) :]
        current += token
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _w(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return tuple(lines)


def _fit(token: str, width: int) -> str:
    """The longest head of token that fits in width (at least one character)."""
    out = ""
    for ch in token:
        if _w(out + ch) > width and out:
            break
        out += ch
    return out


def escape(text: str) -> str:
    """text as it stands between the quotes of a DOT value (see `quoted`)."""
    value = quoted(text)
    return value[1:-1] if value.startswith('"') else value


def node_label(node: Node, lang: Language = "ja", whatif: float | None = None) -> str:
    """The lines shown in a node: the speed's glyph and the name, then baseline → target (or baseline ⇒ what-if value) with unit."""
    lines = wrap(one_line(node.name))
    if node.sensitivity is not None and node.parent is not None and lines:  # beside the name, not wrapped with it
        lines[0] = f"{SPEED_MARK[node.sensitivity.value]} {lines[0]}"
    unit = one_line(node.unit)
    if whatif is not None:
        span = f"{compact_value(node.baseline, node.unit, lang) or '?'} ⇒ {compact_value(whatif, node.unit, lang)}"
        lines.append(span if is_percent(node.unit) else f"{span} {_clip(unit, 16)}".strip())
    elif node.baseline is not None or node.target is not None:
        span = f"{compact_value(node.baseline, node.unit, lang) or '?'} → {compact_value(node.target, node.unit, lang) or '?'}"
        lines.append(span if is_percent(node.unit) else f"{span} {_clip(unit, 16)}".strip())
    elif unit.strip():
        lines.append(f"[{_clip(unit, 20)}]")
    return "\n".join(lines)


def actual_label(node: Node, lang: Language, value: float | None) -> str:
    """The lines of a box on the dashboard's tree: the speed's glyph and the name, then the latest actual (— without one)
    and the target beside it, with unit: what the status colour was judged on, not the plan."""
    lines = wrap(one_line(node.name))
    if node.sensitivity is not None and node.parent is not None and lines:
        lines[0] = f"{SPEED_MARK[node.sensitivity.value]} {lines[0]}"
    span = compact_value(value, node.unit, lang) or "—"
    if node.target is not None:
        span += f" / {t('dot_target', lang)} {compact_value(node.target, node.unit, lang)}"
    lines.append(span if is_percent(node.unit) else f"{span} {_clip(one_line(node.unit), 16)}".strip())
    return "\n".join(lines)


def observed_label(node: Node, lang: Language, before: float | None, after: float | None) -> str:
    """The lines of a box on a "why did it move?" tree: name, then its observed value at the two dates (from → to) with unit."""
    unit = one_line(node.unit)
    span = f"{compact_value(before, node.unit, lang) or '?'} → {compact_value(after, node.unit, lang) or '?'}"
    return "\n".join([*wrap(one_line(node.name)), span if is_percent(node.unit) else f"{span} {_clip(unit, 16)}".strip()])


def _clip(text: str, limit: int) -> str:
    """text, or its head and … when longer than limit characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


FONT_SIZE = 18  # pt in DOT; the page's CSS must draw graph text at the same size (see ui/theme.py)


def box_size(label: str) -> dict[str, str]:
    """Width and height (inches) that fit a label, from its display width: renderers misjudge CJK text."""
    width, height = _box(label)
    return {"fixedsize": "true", "width": width, "height": height}


@lru_cache(maxsize=16384)  # labels rarely change between versions
def _box(label: str) -> tuple[str, str]:
    lines = label.split("\n")
    size = FONT_SIZE
    width = max(display_width(line) for line in lines) * size * 0.56 / 72 + 0.35
    height = len(lines) * size * 1.3 / 72 + 0.25
    return f"{width:.2f}", f"{height:.2f}"


MAX_LEAVES_TOP_DOWN = 14
# the widest drawing shown at its own size (1 pt of the layout is drawn as 1 px): steps 2 and 3's graph column on a
# 1920x1080 projector, (1920 - 330 sidebar - 2 x 44 padding - 44 gap) x 2/3 (ui.theme, ui.steps.tree_editor.columns)
FULL_SIZE_WIDTH = 972
NODESEP, RANKSEP = 0.2 * 72, 0.5 * 72  # pt, as in the graph's DOT (_head)
LABEL_GAP = 40  # pt a link's label (×, +) adds between two levels laid out left to right


def auto_direction(ws: Workshop, root: str | None = None) -> str:
    """'TB' (KGI at the top) while that drawing fits the graph's column at its own size; 'LR' when top-down would be
    wider and left-to-right is narrower (a drawing shrunk to fit shrinks its text: 12 nodes top-down read at ~14 px),
    and always past MAX_LEAVES_TOP_DOWN leaves."""
    return index(ws).kept(("direction", root), lambda: _direction(_subtree(ws, root)))  # once per workshop object


def _direction(shown: list[Node]) -> str:
    parents = {n.parent for n in shown}
    if sum(1 for n in shown if n.id not in parents) > MAX_LEAVES_TOP_DOWN:
        return "LR"  # far too wide top-down whatever its boxes (and no estimate worked out for a big tree)
    if not shown:
        return "TB"
    top = drawn_width(shown, "TB")
    return "LR" if top > FULL_SIZE_WIDTH and drawn_width(shown, "LR") < top else "TB"


def drawn_width(shown: list[Node], direction: str) -> float:
    """The estimated width (pt) of the tree's drawing (nodes in display order, the top first) in one direction, from
    its boxes' sizes: left to right, each level as wide as its widest box; top-down, subtrees packed side by side level
    by level, each parent centred over its children (as graphviz lays out a tree)."""
    sizes = {n.id: _box(node_label(n)) for n in shown}
    kids: dict[str, list[str]] = {}
    for n in shown[1:]:
        kids.setdefault(n.parent or "", []).append(n.id)
    if direction == "LR":
        widest: dict[int, float] = {}
        for node, level in _levels(shown[0].id, kids):
            widest[level] = max(widest.get(level, 0.0), float(sizes[node][0]) * 72)
        return sum(widest.values()) + (len(widest) - 1) * (RANKSEP + LABEL_GAP)
    outline = _outlines(shown, kids, {k: float(w) * 72 for k, (w, _) in sizes.items()})
    return max(r for _, r in outline) - min(left for left, _ in outline)


def _levels(top: str, kids: dict[str, list[str]]) -> list[tuple[str, int]]:
    out, todo = [], [(top, 0)]
    while todo:
        node, level = todo.pop()
        out.append((node, level))
        todo += [(k, level + 1) for k in kids.get(node, [])]
    return out


DEEPEST = 40  # levels of a subtree's outline kept: a deeper chain adds nothing to a top-down drawing's width


def _outlines(shown: list[Node], kids: dict[str, list[str]], width: dict[str, float]) -> list[tuple[float, float]]:
    """The top box's subtree's left and right edge at each level (relative to its centre), worked out from the deepest
    boxes up (display order reversed: every box after its children), without recursion."""
    outline: dict[str, list[tuple[float, float]]] = {}
    for node in reversed(shown):
        block: list[tuple[float, float]] = []
        centres: list[float] = []
        for child in kids.get(node.id, []):
            part = outline.pop(child)
            shift = max((block[d][1] + NODESEP - part[d][0] for d in range(min(len(block), len(part)))), default=0.0)
            centres.append(shift)
            moved = [(a + shift, b + shift) for a, b in part]
            block = [(min(x[0], y[0]), max(x[1], y[1])) for x, y in zip(block, moved)] + (block[len(moved) :] or moved[len(block) :])
        middle = (centres[0] + centres[-1]) / 2 if centres else 0.0
        half = width[node.id] / 2
        outline[node.id] = [(-half, half)] + [(a - middle, b - middle) for a, b in block[: DEEPEST - 1]]
    return outline[shown[0].id]


def _subtree(ws: Workshop, root: str | None) -> list[Node]:
    return [n for n, _ in _leveled(ws, root)]


def _leveled(ws: Workshop, root: str | None) -> list[tuple[Node, int]]:
    """The nodes of the tree (or of the branch under root) in display order, each with its level below the top."""
    if root is None or root == ws.kgi.id:
        return list(walk(ws))
    keep = {root} | descendants(ws, root)
    pairs = [(n, d) for n, d in walk(ws) if n.id in keep]
    base = pairs[0][1] if pairs else 0
    return [(n, d - base) for n, d in pairs]


MAX_SHOWN = 150  # boxes drawn before deep levels are folded: more is unreadable on a projector and slow to lay out


def folded_label(count: int, lang: Language, statuses: list[str] | None = None) -> str:
    """The line a box with folded children adds: how many nodes lie below it and, on a status view, how many of
    them are red or yellow (a red KPI must not hide behind a fold)."""
    text = t("dot_folded", lang, n=count)
    if statuses:
        counts = Counter(statuses)
        parts = [t(f"dot_folded_{w}", lang, n=counts[w]) for w in ("red", "yellow") if counts[w]]
        text += t("dot_folded_open", lang) + t("dot_folded_sep", lang).join(parts) + t("dot_folded_close", lang) if parts else ""
    return text


def fold_depth(ws: Workshop, root: str | None = None, limit: int = MAX_SHOWN) -> int | None:
    """The deepest level (below the KGI or root) to draw so that at most `limit` boxes show; None if all fit."""
    leveled = _leveled(ws, root)
    if len(leveled) <= limit:
        return None
    counts = Counter(d for _, d in leveled)
    total = 0
    for level in sorted(counts):
        total += counts[level]
        if total > limit:
            return max(level - 1, 1)  # the KGI (or root) and its factors at least
    return None


def fold(ws: Workshop, depth: int, root: str | None = None, keep: Collection[str] = ()) -> tuple[list[Node], dict[str, list[str]]]:
    """The nodes of the tree (or branch) down to `depth` levels below its top, and the path to each node in keep (the
    one selected, the levers a what-if moved); and for each drawn node the ids folded away below it (only those with any)."""
    leveled = _leveled(ws, root)
    ids = {n.id for n, _ in leveled}
    drawn = {n.id for n, d in leveled if d <= depth}
    for kept in keep:
        node: Node | None = ws.node(kept) if kept in ids else None
        while node is not None and node.id not in drawn:  # up to a drawn ancestor (the top always is)
            drawn.add(node.id)
            node = ws.node(node.parent) if node.parent in ids else None
    kids = children_map(ws)
    below: dict[str, list[str]] = {}
    for i in drawn:  # the ancestors of a drawn node are drawn, so each folded node lies under exactly one drawn node
        stack = [k for k in kids.get(i, []) if k in ids and k not in drawn]
        while stack:
            k = stack.pop()
            below.setdefault(i, []).append(k)
            stack.extend(c for c in kids.get(k, []) if c in ids)
    return [n for n, _ in leveled if n.id in drawn], below


WHATIF_STYLE = {"color": "#7c3aed", "penwidth": "3"}
STATUS_FILL = {"green": "#bbf7d0", "yellow": "#fef08a", "red": "#fecaca", "none": "#f3f4f6"}
STATUS_BORDER = {"green": "#15803d", "yellow": "#a16207", "red": "#b91c1c", "none": "#9ca3af"}  # a box's frame follows its status
# contribution colouring: (share of the largest |contribution| at or above which, positive fill, negative fill), strongest first
CONTRIBUTION_FILL = ((0.5, "#4ade80", "#f87171"), (0.15, "#86efac", "#fca5a5"), (0.0, "#dcfce7", "#fee2e2"))
CONTRIBUTION_NONE = "#f3f4f6"
LARGEST_STYLE = {"positive": {"color": "#166534", "penwidth": "4"}, "negative": {"color": "#991b1b", "penwidth": "4"}}
# link colouring by what the data say (kpidesign.links verdicts): tested links drawn bold, untested faint and dotted
VERDICT_STYLE = {
    "holds": {"color": "#16a34a", "penwidth": "3.5"},
    "opposite": {"color": "#dc2626", "penwidth": "3.5"},
    "related": {"color": "#2563eb", "penwidth": "3"},
    "no_relation": {"color": "#6b7280", "penwidth": "2.5"},
    "insufficient_data": {"color": "#d1d5db", "penwidth": "1.4", "style": "dotted"},
    "not_comparable": {"color": "#d1d5db", "penwidth": "1.4", "style": "dotted"},
}


@dataclass(frozen=True)
class Swatch:
    """One entry of a graph's legend: what to call it (a text key) and how its box looks."""

    key: str
    fill: str
    frame: str
    text: str = "#111827"
    glyph: str = ""
    border: str = "solid"  # the frame's line, as CSS names it: solid, dashed or double
    width: int = 2  # the frame's thickness in pixels


def legend(status: bool = False) -> list[Swatch]:
    """The legend beside a tree drawn by tree_dot: the KGI, the layers' colours (or, on a status view, the statuses'),
    the speeds' glyphs and, on an editing view, the box being edited."""
    kgi = Swatch("legend_kgi", STATUS_FILL["none"] if status else KGI_COLOUR, KGI_COLOUR, border="double", width=5)
    speeds = [Swatch(f"legend_{speed}", "#ffffff", "#9ca3af", glyph=glyph) for speed, glyph in SPEED_MARK.items()]
    if status:
        words = [Swatch(f"status_{word}", STATUS_FILL[word], STATUS_BORDER[word]) for word in ("red", "yellow", "green")]
        return [kgi, *words, Swatch("legend_no_status", STATUS_FILL["none"], STATUS_BORDER["none"]), *speeds]
    layers = [
        Swatch(
            layer.value if layer else "untagged",
            style["fillcolor"],
            style["color"],
            border="dashed" if "dashed" in style["style"] else "solid",
        )
        for layer, style in LAYER_STYLE.items()
    ]
    return [kgi, *layers, *speeds, Swatch("legend_selected", "#ffffff", SELECTED_COLOUR, width=5)]


def contribution_fill(value: float | None, largest: float) -> str:
    """The fill of a box for its contribution: green positive, red negative, stronger for a larger share; grey for none."""
    if value is None or value == 0 or largest <= 0:
        return CONTRIBUTION_NONE
    share = abs(value) / largest
    return next(pos if value > 0 else neg for bound, pos, neg in CONTRIBUTION_FILL if share >= bound)


def extremes(contribution: dict[str, float]) -> dict[str, str]:
    """The node with the largest positive and the one with the largest negative contribution: {node id: 'positive'|'negative'}."""
    out: dict[str, str] = {}
    positive = max((item for item in contribution.items() if item[1] > 0), key=lambda item: item[1], default=None)
    negative = min((item for item in contribution.items() if item[1] < 0), key=lambda item: item[1], default=None)
    if positive:
        out[positive[0]] = "positive"
    if negative:
        out[negative[0]] = "negative"
    return out


def tree_dot(
    ws: Workshop,
    *,
    lang: Language = "ja",
    direction: str = "TB",
    highlight: str | None = None,
    root: str | None = None,
    whatif: dict[str, float] | None = None,
    status: dict[str, str] | None = None,
    depth: int | None = None,
    contribution: dict[str, float] | None = None,
    contribution_unit: str = "",
    link_verdicts: dict[tuple[str, str], str] | None = None,
    observed: dict[str, tuple[float | None, float | None]] | None = None,
    latest: dict[str, float | None] | None = None,
    folded: tuple[list[Node], dict[str, list[str]]] | None = None,
) -> str:
    """DOT source of the tree (or the branch under root); whatif: the nodes a what-if moved, with their new values
    (`WhatIf.moved`), each shown as baseline ⇒ new.

    contribution (node id -> its share of a change, `kpidesign.explain`, in contribution_unit) colours the boxes green or
    red by sign and size, adds the contribution as a line, and marks the largest positive and negative; observed (node id ->
    its values at two dates) shows those instead of baseline → target, and latest (node id -> its value now) the value now
    beside the target; link_verdicts ((parent, child) -> a
    `kpidesign.links` verdict) colours each link by what the data say.

    With depth, only that many levels below the top are drawn (and the paths to highlight, to every node the what-if
    moved and to the largest contributions); a box whose children are folded away says how many nodes lie below it (with statuses, also how many of them
    are red or yellow). folded: `fold` of this same workshop at depth with the same nodes kept, when the caller has
    worked it out already (the screen's "N of M shown" line needs it too).
    """
    changed = whatif or {}
    head = _head("LR" if direction == "LR" else "TB")
    largest = max((abs(v) for v in contribution.values()), default=0.0) if contribution else 0.0
    marked = extremes(contribution) if contribution else {}
    kept = kept_drawn(highlight, changed) + tuple(marked)  # the largest push and pull stay drawn in a folded tree
    shown, hidden = folded or (fold(ws, depth, root, kept) if depth is not None else (_subtree(ws, root), {}))
    boxes = []
    for node in shown:
        kgi = node.parent is None
        attrs = {"id": f"kpi-{node.id}", **(KGI_STYLE if kgi else LAYER_STYLE[node.layer])}  # id: what a click on the box names
        if status is not None:  # the status's fill and frame; the KGI keeps its double frame, in its own dark colour
            word = status.get(node.id, "none")
            attrs.update({"fillcolor": STATUS_FILL[word], "fontcolor": "#111827", "style": "filled,bold" if kgi else "rounded,filled"})
            attrs.update({"color": KGI_COLOUR} if kgi else {"color": STATUS_BORDER[word], "penwidth": "2"})
        if node.id == highlight:
            attrs.update(SELECTED_STYLE)
        if node.id in changed:
            attrs.update(WHATIF_STYLE)
        if observed is not None and node.id in observed:
            attrs["label"] = observed_label(node, lang, *observed[node.id])
        elif latest is not None:
            attrs["label"] = actual_label(node, lang, latest.get(node.id))
        else:
            attrs["label"] = node_label(node, lang, changed.get(node.id))
        if contribution is not None and node.id in contribution:
            value = contribution[node.id]
            attrs.update({"fillcolor": contribution_fill(value, largest), "fontcolor": "#111827", "style": "rounded,filled"})
            attrs["label"] += "\n" + ("+" if value > 0 else "") + (compact_value(value, contribution_unit, lang) or "0")
            if node.id in marked:
                attrs.update(LARGEST_STYLE[marked[node.id]])
                attrs["label"] += "\n" + t(f"dot_largest_{marked[node.id]}", lang)
        if node.id in hidden:
            below = [status.get(k, "none") for k in hidden[node.id]] if status is not None else None
            attrs["label"] += "\n" + folded_label(len(hidden[node.id]), lang, below)
        attrs.update(box_size(attrs["label"]))
        attrs["tooltip"] = one_line(node.name)[:500]
        boxes.append(_attrs(attrs))
    index = {node.id: i for i, node in enumerate(shown)}
    kids = children_map(ws)
    links = []
    for node in shown:
        types = _links(ws, node)
        for child_id in kids.get(node.id, []):
            if child_id not in index:
                continue
            kind = types.get(child_id)
            attrs = {"label": f" {LINK_LABEL[kind]} "} if kind else {"style": "dashed", "label": ""}
            if link_verdicts is not None and (node.id, child_id) in link_verdicts:
                attrs.update(VERDICT_STYLE.get(link_verdicts[node.id, child_id], {}))
            links.append((index[node.id], index[child_id], _attrs(attrs)))
    key = drawing_key(head, boxes, links)
    graph = graphviz.Digraph(f"g{key}")
    graph.body += head
    graph.body += [f"\tn{i}_{key} [{attrs}]\n" for i, attrs in enumerate(boxes)]
    graph.body += [f"\tn{a}_{key} -> n{b}_{key} [{attrs}]\n" for a, b, attrs in links]
    source: str = graph.source
    return source


def kept_drawn(highlight: str | None, whatif: dict[str, float] | None) -> tuple[str, ...]:
    """The nodes a folded drawing keeps drawn, with their paths: the one selected and every node a what-if moved."""
    return ((highlight,) if highlight else ()) + tuple(whatif or ())


def drawing_key(head: list[str], boxes: list[str], links: list[tuple[int, int, str]]) -> str:
    """A short digest of one drawing, part of every graph, box and link name in its DOT.

    The browser's graphviz (d3-graphviz in st.graphviz_chart) matches the elements of a new drawing to the previous
    one by these names and, for every matched outline and line, samples both paths point by point to prepare a
    morph that Streamlit never plays: 4-5 s for a tree of 100 boxes on the bench's machine, on every click that
    changes the graph. Names that differ whenever the drawing differs leave nothing to match: the new drawing simply
    replaces the old one. The same drawing keeps the same names (the DOT is cached and compared as text).
    """
    digest = hashlib.blake2b(digest_size=5)
    for part in (*head, *boxes, *(f"{a}>{b}:{attrs}" for a, b, attrs in links)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _links(ws: Workshop, node: Node) -> dict[str, str]:
    if not node.formula:
        return {}
    try:
        return formulas.parse(node.formula).link_types()
    except formulas.FormulaError:
        return {}


@lru_cache(maxsize=8)
def _head(rankdir: str) -> list[str]:
    """The graph's, boxes' and links' defaults, as lines of a graphviz.Digraph's body."""
    return [
        f"\tgraph [{_attrs({'rankdir': rankdir, 'nodesep': '0.2', 'ranksep': '0.5', 'fontname': FONT, 'bgcolor': 'transparent'})}]\n",
        f"\tnode [{_attrs({'fontname': FONT, 'fontsize': str(FONT_SIZE)})}]\n",
        "\tedge ["
        + _attrs(
            {
                "fontname": FONT,
                "fontsize": str(FONT_SIZE),
                "fontcolor": "#111827",
                "color": "#6b7280",
                "arrowhead": "none",
                "penwidth": "1.4",
            }
        )
        + "]\n",
    ]


def _attrs(attrs: dict[str, str]) -> str:
    """A DOT attribute list (without brackets): each value quoted by graphviz, as literal text."""
    return " ".join(f"{k}={quoted(v)}" for k, v in attrs.items())


@lru_cache(maxsize=65536)  # colours, shapes, sizes and most labels repeat from one drawing to the next
def quoted(text: str) -> str:
    """text as a DOT value that shows it literally, as graphviz's `quote(escape(text))` makes it (see `_quote`); lines
    joined by \\n, nothing else unprintable."""
    if not text.replace("\n", "").isprintable():
        text = "\n".join(one_line(line) for line in text.split("\n"))
    return _quote(str(graphviz.escape(text)).replace("\n", "\\n"))


def _quote(escaped: str) -> str:
    """graphviz.quoting.quote for a value whose backslashes are escaped and which is never an HTML label (graphviz.nohtml):
    bare when a plain id or number, else quoted with its quotes escaped. Its own patterns, without its general path
    (a decorator, a search for a final odd backslash that cannot occur here, a quote substitution tried at every
    character even when there is no quote), which made the DOT of 500 new labels twice as slow to build."""
    if quoting.ID.match(escaped) and escaped.lower() not in quoting.KEYWORDS:
        return escaped
    return '"' + (quoting.ESCAPE_UNESCAPED_QUOTES(escaped) if '"' in escaped else escaped) + '"'
