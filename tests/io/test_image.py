import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from bench.generate import workshop
from kpidesign import tree
from kpidesign.io import image
from kpidesign.io.image import find_cjk_font, layout, to_png, to_svg
from kpidesign.model import Workshop


def test_svg_is_well_formed_and_literal(ec: Workshop) -> None:
    ws, _ = tree.add_node(ec, "customers", 'A "quote" & <script>alert(1)</script>')
    svg = to_svg(ws, "en")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = "".join(t or "" for t in texts)
    assert 'A "quote" &' in joined and "<script>alert(1)</" in joined and "Customers" in texts
    assert "<script>alert" not in svg  # escaped in the markup


def test_layout_places_parents_above_and_between_children(template: Workshop) -> None:
    lay = layout(template, "ja", "TB")  # top-down asked for: 19 boxes are drawn left to right by default
    boxes = lay.boxes
    for parent, child, _ in lay.edges:
        assert boxes[parent].y + boxes[parent].h < boxes[child].y
    kids = [c for p, c, _ in lay.edges if p == "customers"]
    centre = boxes["customers"].x + boxes["customers"].w / 2
    assert boxes[kids[0]].x <= centre <= boxes[kids[-1]].x + boxes[kids[-1]].w
    xs = sorted((b.x, b.x + b.w) for b in boxes.values() if b.y == boxes["target_population"].y)
    assert all(a[1] <= b[0] for a, b in pairwise(xs))  # no overlap in a row


def test_deep_tree_does_not_recurse(ec: Workshop) -> None:
    ws, parent = ec, "items"
    for i in range(1500):
        ws, parent = tree.add_node(ws, parent, f"L{i}")
    assert layout(ws).height > 1500 * 40


def test_png_when_a_font_exists(template: Workshop) -> None:
    png = to_png(template)
    if find_cjk_font() is None:
        assert png is None
    else:
        assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_problem_says_why_to_png_would_give_nothing(template: Workshop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image, "find_cjk_font", lambda: None)
    assert image.png_problem(template) == "no_font" and image.to_png(template) is None
    monkeypatch.undo()
    if find_cjk_font() is None:
        return
    png = to_png(template)
    assert image.png_problem(template) is None and png is not None and png[:4] == b"\x89PNG"
    big = workshop(500)  # about 100 million pixels at the export's scale
    assert image.png_problem(big) == "too_large" and to_png(big) is None


def test_the_layout_is_worked_out_once_per_workshop_language_and_direction(ec: Workshop) -> None:
    assert layout(ec, "en") is layout(ec, "en")  # the export page asks whether a PNG fits, then draws the SVG
    assert layout(ec, "en", "LR") is not layout(ec, "en") and layout(ec, "ja").boxes["sales"].lines != layout(ec, "en").boxes["sales"].lines
    renamed = tree.update_node(ec, "customers", name="Clients")
    assert layout(renamed, "en").boxes["customers"].lines[0] == "Clients" and layout(ec, "en").boxes["customers"].lines[0] == "Customers"


CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029\ufffe"  # every C0 control, DEL, the line separators, a noncharacter


def _parse_xml(text: str) -> ET.Element:
    try:
        from defusedxml.ElementTree import fromstring
    except ImportError:
        return ET.fromstring(text)
    return fromstring(text)


def test_any_text_in_names_units_and_title_gives_a_valid_svg_png_and_workbook(template: Workshop) -> None:
    """A unit like '\\r=1+1' broke the PNG (and so the Excel export), control characters the SVG's XML. Built from model
    objects, not through the import: an older database may hold such text whatever the import cleans today."""
    import io

    from openpyxl import load_workbook

    from kpidesign.io import files

    nodes = [n.model_copy(update={"name": f"{CONTROL}{n.name}{CONTROL}", "unit": f"\r=1+1{CONTROL}"}) for n in template.nodes]
    ws = template.model_copy(update={"nodes": nodes, "title": f"T{CONTROL}itle"})
    root = _parse_xml(to_svg(ws))
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "年間売上高" in texts and "=1+1" in texts and not set(texts) & set(CONTROL)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "T itle"
    if find_cjk_font() is not None:
        png = to_png(ws)
        assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    workbook = files.export(ws, "xlsx")
    assert workbook is not None
    book = load_workbook(io.BytesIO(workbook.data))
    assert any("年間売上高" in str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
