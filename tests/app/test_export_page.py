
from tests.app.conftest import ok, seeded


def test_export_page_offers_every_format(db):
    at, _ = seeded(db, "en")
    ok(at.switch_page("views/export.py").run())
    assert at.title[0].value == "Export the definition sheet"
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Excel (.xlsx)", "YAML (canonical)", "dbt MetricFlow", "Tree SVG"} <= set(labels)


def test_export_page_previews_the_tree_picture_as_svg(db):
    at, _ = seeded(db, "ja")
    ok(at.switch_page("views/export.py").run())
    [image] = at.get("image")
    assert image.proto.imgs[0].url.startswith("data:image/svg+xml;base64,")
