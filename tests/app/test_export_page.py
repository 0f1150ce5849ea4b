from pathlib import Path

import pytest
import streamlit as st

from bench.generate import workshop
from kpidesign.io import files, image
from kpidesign.io.files import Export
from kpidesign.language import Language
from kpidesign.model import Workshop
from kpidesign.room import VoteKind
from kpidesign.store import Store
from tests.app.conftest import ok, seeded, start
from ui.cache import Snapshot
from ui.sharing import exports


def test_export_page_offers_every_format_built_on_click(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    export = files.export

    def spy(ws: Workshop, fmt: str, lang: Language = "ja") -> Export | None:
        built.append(fmt)
        return export(ws, fmt, lang)

    monkeypatch.setattr(files, "export", spy)
    at, _ = seeded(db, "en")
    ok(at.switch_page("views/export.py").run())
    assert at.title[0].value == "Export the definition sheet"
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "Summary (HTML, prints to A4)",  # the thing a facilitator sends after the session, first
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


def test_export_page_previews_the_tree_picture_as_svg(db: Path) -> None:
    at, _ = seeded(db, "ja")
    ok(at.switch_page("views/export.py").run())
    [picture] = at.get("image")
    assert picture.proto.imgs[0].url.startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(("cause", "message"), [("font", "no Japanese font"), ("size", "too large for one PNG")])
def test_a_png_that_cannot_be_drawn_says_why_instead_of_a_button(
    db: Path, monkeypatch: pytest.MonkeyPatch, cause: str, message: str
) -> None:
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


def test_the_summary_button_builds_the_page_in_the_workshops_language_with_the_room(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#30 item 4: a Japanese workshop's summary is Japanese on an English screen, and carries the room's vote."""
    built: list[tuple[str, Language]] = []
    export = files.export

    def spy(ws: Workshop, fmt: str, lang: Language = "ja") -> Export | None:
        built.append((fmt, lang))
        return export(ws, fmt, lang)

    monkeypatch.setattr(files, "export", spy)
    _, wid = seeded(db, "ja")
    store = Store(db)
    store.rooms.open(wid)
    ann = store.rooms.join(wid, "Ann")
    vote = store.votes.open(wid, "KFS はどれ?", VoteKind.NODES, ["repeat_rate", "purchase_rate"], 3)
    store.votes.place_dot(wid, vote, ann, "repeat_rate")
    at = start({"ws": wid})
    at.sidebar.radio(key="lang").set_value("en").run()
    ok(at.switch_page("views/export.py").run())
    assert at.subheader[0].value == "The summary to send"
    [button] = [b for b in at.get("download_button") if b.proto.label == "Summary (HTML, prints to A4)"]
    assert button.proto.deferred_file_id and not built[1:]  # nothing but the preview's SVG built until the click
    snap = Snapshot(store.where, wid, store.load(wid).version, store.actuals.rev(wid), "en")
    st.session_state["store"] = store
    page = exports.built_on_click(snap, "html", store.rooms.rev(wid), lambda: True)().decode("utf-8")
    assert built[-1] == ("html", "ja") and '<html lang="ja">' in page
    assert "投票: KFS はどれ?（1人 3 票）" in page and "ルームの選択: リピート率（1 票）" in page
