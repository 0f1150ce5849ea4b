from pathlib import Path

import pytest

from bench.generate import workshop
from kpidesign.io import files, image
from kpidesign.store import Store
from tests.app.conftest import ok, seeded, start


def test_export_page_offers_every_format_built_on_click(db, monkeypatch):
    built = []
    export = files.export
    monkeypatch.setattr(files, "export", lambda ws, fmt, lang="ja": built.append(fmt) or export(ws, fmt, lang))
    at, _ = seeded(db, "en")
    ok(at.switch_page("views/export.py").run())
    assert at.title[0].value == "Export the definition sheet"
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "Excel (.xlsx)",
        "YAML (canonical)",
        "dbt MetricFlow",
        "dbt folder (zip)",
        "Lightdash",
        "Tree SVG",
        "Tree PNG",
    ]
    assert all(b.proto.deferred_file_id and not b.proto.url for b in buttons)
    assert built == ["svg"]  # only the preview: the files are built when their button is clicked
    ok(at.run())
    assert built == ["svg"]  # and the preview once per version


def test_export_page_previews_the_tree_picture_as_svg(db):
    at, _ = seeded(db, "ja")
    ok(at.switch_page("views/export.py").run())
    [picture] = at.get("image")
    assert picture.proto.imgs[0].url.startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(("cause", "message"), [("font", "no Japanese font"), ("size", "too large for one PNG")])
def test_a_png_that_cannot_be_drawn_says_why_instead_of_a_button(db, monkeypatch, cause, message):
    if cause == "font":
        monkeypatch.setattr(image, "find_cjk_font", lambda: None)
        _, wid = seeded(db, "en")
    else:
        monkeypatch.setattr(image, "find_cjk_font", lambda: Path(__file__))  # a font present or not, the size decides
        wid = Store(db).create(workshop(500))
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/export.py").run())
    assert "Tree PNG" not in [b.proto.label for b in at.get("download_button")]
    assert any(message in c.value for c in at.caption)
