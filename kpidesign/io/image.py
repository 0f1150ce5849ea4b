"""The tree as a picture for slides: a tidy top-down layout drawn as SVG (always) or PNG (Pillow + a CJK font).

No graphviz binary is needed: the layout places leaves left to right and centres each parent over
its children, with node sizes from the same CJK-aware measure as the on-screen graph.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from kpidesign import formula as formulas
from kpidesign.index import index
from kpidesign.language import Language
from kpidesign.model import Layer, Workshop
from kpidesign.render import FONT, KGI_COLOUR, auto_direction, box_size, node_label
from kpidesign.tree import children_map, walk
from kpidesign.values import one_line

PX = 72  # box_size works in inches
MAX_PNG_PIXELS = 40_000_000  # a bigger tree is unreadable as one picture and costs seconds to encode: the SVG scales
GAP_X, GAP_Y, MARGIN = 18, 46, 20
FILL = {
    Layer.LEADING: ("#dbeafe", "#1d4ed8"),
    Layer.INTERMEDIATE: ("#fef3c7", "#b45309"),
    Layer.LAGGING: ("#fde2e1", "#b91c1c"),
    None: ("#f3f4f6", "#6b7280"),
}
KGI_FILL = (KGI_COLOUR, KGI_COLOUR)  # as on screen (kpidesign.render)
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


@dataclass(frozen=True)
class Box:
    """A node placed on the canvas (top-left corner and size in pixels)."""

    id: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    fill: str
    stroke: str
    text: str


@dataclass(frozen=True)
class Layout:
    """Placed boxes, edges (parent, child, link label or '' for an influence), canvas size and direction."""

    boxes: dict[str, Box]
    edges: list[tuple[str, str, str]]
    width: float
    height: float
    direction: str = "TB"

    def edge_points(self, parent: str, child: str) -> tuple[float, float, float, float]:
        """Where a link leaves its parent and reaches its child (bottom→top, or right→left when turned)."""
        a, b = self.boxes[parent], self.boxes[child]
        if self.direction == "LR":
            return a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2
        return a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y


def layout(ws: Workshop, lang: Language = "ja", direction: str | None = None) -> Layout:
    """Place every node: leaves side by side, each parent centred on its children, one band per level.

    Top-down ('TB') while the tree is narrow, else left to right ('LR': levels become columns and leaves
    stack downwards), by the same rule as on screen unless a direction is given. Worked out once per workshop
    object, language and direction (the export page asks whether a PNG fits, then draws the SVG): never mutate it.
    """
    return index(ws).kept(("layout", lang, direction), lambda: _layout(ws, lang, direction))


def _layout(ws: Workshop, lang: Language, direction: str | None) -> Layout:
    turned = (direction or auto_direction(ws)) == "LR"
    kids = children_map(ws)
    order = list(walk(ws))
    size = {}
    for node, _ in order:
        label = node_label(node, lang)
        dims = box_size(label)
        size[node.id] = (float(dims["width"]) * PX, float(dims["height"]) * PX, tuple(label.split("\n")))
    breadth = {k: (v[1] if turned else v[0]) for k, v in size.items()}  # along which leaves line up
    extent = {k: (v[0] if turned else v[1]) for k, v in size.items()}  # across the level bands
    gap_b, gap_d = (GAP_X * 0.5, GAP_Y * 2) if turned else (GAP_X, GAP_Y)
    depth = {n.id: d for n, d in order}
    band: dict[int, float] = {}
    for node_id, d in depth.items():
        band[d] = max(band.get(d, 0), extent[node_id])
    band_at: dict[int, float] = {}
    pos: float = MARGIN
    for d in sorted(band):
        band_at[d], pos = pos, pos + band[d] + gap_d
    centre: dict[str, float] = {}
    _place_iterative(ws.kgi.id, kids, breadth, centre, [float(MARGIN)], gap_b)
    boxes = {}
    by_id = {n.id: n for n, _ in order}
    for node_id, d in depth.items():
        w, h, lines = size[node_id]
        node = by_id[node_id]
        fill, stroke = KGI_FILL if node.parent is None else FILL[node.layer]
        text = "#ffffff" if node.parent is None else "#111827"
        along = centre[node_id] - breadth[node_id] / 2
        across = band_at[d] + (band[d] - extent[node_id]) / 2
        x, y = (across, along) if turned else (along, across)
        boxes[node_id] = Box(node_id, x, y, w, h, lines, fill, stroke, text)
    edges = []
    for node, _ in order:
        links = _links(node.formula)
        for child in kids.get(node.id, []):
            edges.append((node.id, child, links.get(child, "")))
    width = max(b.x + b.w for b in boxes.values()) + MARGIN
    height = max(b.y + b.h for b in boxes.values()) + MARGIN
    return Layout(boxes, edges, width, height, "LR" if turned else "TB")


def _place_iterative(
    root: str, kids: Mapping[str | None, list[str]], size: dict[str, float], centre: dict[str, float], cursor: list[float], gap: float
) -> None:
    """Post-order placement along the breadth axis, without recursion (deep trees must not hit the recursion limit)."""
    stack: list[tuple[str, bool]] = [(root, False)]
    while stack:
        node_id, done = stack.pop()
        children = kids.get(node_id, [])
        w = size[node_id]
        if not children:
            centre[node_id] = cursor[0] + w / 2
            cursor[0] += w + gap
            continue
        if not done:
            stack.append((node_id, True))
            stack.extend((c, False) for c in reversed(children))
            continue
        middle = max((centre[children[0]] + centre[children[-1]]) / 2, MARGIN + w / 2)
        centre[node_id] = middle
        cursor[0] = max(cursor[0], middle + w / 2 + gap)


def _links(text: str) -> dict[str, str]:
    if not text:
        return {}
    try:
        return formulas.parse(text).link_types()
    except formulas.FormulaError:
        return {}


def to_svg(ws: Workshop, lang: Language = "ja", direction: str | None = None) -> str:
    """The tree as a standalone SVG document (text escaped, CJK fonts named); direction 'TB' or 'LR' as layout's."""
    lay = layout(ws, lang, direction)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
        f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" font-family="{escape(FONT)}" font-size="18">',
        f"<title>{escape(one_line(ws.title))}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for parent, child, link in lay.edges:
        x1, y1, x2, y2 = lay.edge_points(parent, child)
        dash = "" if link else ' stroke-dasharray="6 4"'
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#6b7280" stroke-width="1.4"{dash}/>')
        if link:
            out.append(f'<text x="{(x1 + x2) / 2 + 6:.1f}" y="{(y1 + y2) / 2 + 6:.1f}" fill="#111827">{escape(link)}</text>')
    for box in lay.boxes.values():
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="6" fill="{box.fill}" stroke="{box.stroke}" stroke-width="1.5"/>'
        )
        top = box.y + box.h / 2 - (len(box.lines) - 1) * 11.7 + 6
        for i, line in enumerate(box.lines):
            out.append(
                f'<text x="{box.x + box.w / 2:.1f}" y="{top + i * 23.4:.1f}" text-anchor="middle" fill="{box.text}">{escape(line)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def find_cjk_font() -> Path | None:
    """A font file that can draw Japanese, if the machine has one (fonts-noto-cjk)."""
    return next((Path(p) for p in CJK_FONTS if Path(p).exists()), None)


def _png_plan(ws: Workshop, lang: Language, scale: float, max_pixels: int) -> tuple[str | None, Path | None, Layout | None]:
    """What stops a PNG of this tree here ('no_pillow', 'no_font', 'too_large' or None), with the font and layout found."""
    if importlib.util.find_spec("PIL") is None:
        return "no_pillow", None, None
    font_path = find_cjk_font()
    if font_path is None:
        return "no_font", None, None
    lay = layout(ws, lang)
    return ("too_large" if int(lay.width * scale) * int(lay.height * scale) > max_pixels else None), font_path, lay


def png_problem(ws: Workshop, lang: Language = "ja", scale: float = 1.5, max_pixels: int = MAX_PNG_PIXELS) -> str | None:
    """Why to_png cannot draw this tree here: 'no_pillow', 'no_font' or 'too_large'; None when it can."""
    return _png_plan(ws, lang, scale, max_pixels)[0]


def to_png(ws: Workshop, lang: Language = "ja", scale: float = 1.5, max_pixels: int = MAX_PNG_PIXELS) -> bytes | None:
    """The tree as PNG, or None when it cannot be drawn here or exceeds max_pixels (see png_problem; the SVG always works)."""
    problem, font_path, lay = _png_plan(ws, lang, scale, max_pixels)
    if problem or font_path is None or lay is None:
        return None
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(lay.width * scale), int(lay.height * scale)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_path), int(16 * scale))
    for parent, child, link in lay.edges:
        x1, y1, x2, y2 = (v * scale for v in lay.edge_points(parent, child))
        draw.line([(x1, y1), (x2, y2)], fill="#6b7280" if link else "#c4c8cf", width=max(1, int(1.4 * scale)))
        if link:
            draw.text(((x1 + x2) / 2 + 8 * scale, (y1 + y2) / 2), link, fill="#111827", font=font, anchor="mm")
    for box in lay.boxes.values():
        draw.rounded_rectangle(
            [box.x * scale, box.y * scale, (box.x + box.w) * scale, (box.y + box.h) * scale],
            radius=int(6 * scale),
            fill=box.fill,
            outline=box.stroke,
            width=max(1, int(1.5 * scale)),
        )
        for i, line in enumerate(box.lines):
            y = (box.y + box.h / 2 + (i - (len(box.lines) - 1) / 2) * 23.4) * scale
            draw.text(((box.x + box.w / 2) * scale, y), line, fill=box.text, font=font, anchor="mm")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
