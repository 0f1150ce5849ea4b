"""The summary to send in a real browser: Chromium draws it without a single request and prints it to an A4 PDF whose
pages hold the KGI, the thresholds, the tree whole, and the table headers again on every page a table runs over."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from bench.generate import workshop
from kpidesign import library, tree
from kpidesign.io.summary import to_html
from kpidesign.model import RoomRecord, RoomVote, Workshop
from kpidesign.room import VoteKind

DAY = dt.date(2026, 12, 7)
A4 = (595.3, 841.9)  # points (Chromium rounds A4 to 8.27 x 11.7 in: within a point)
HOSTILE = "<script>document.title='pwned'</script>{{x}}"


def _plain(text: str) -> str:
    """PDF text as compared: NFKC (a CJK font's ToUnicode may give 月 as the Kangxi radical ⽉), spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def _printed(browser: Browser, page_html: str) -> tuple[list[str], list[str], Page]:
    """The page's text per PDF page (A4, as a reader prints it), the requests the page made, and the page."""
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_content(page_html, wait_until="load")
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert all(abs(float(p.mediabox.width) - A4[0]) < 1.5 and abs(float(p.mediabox.height) - A4[1]) < 1.5 for p in reader.pages)
    return [_plain(p.extract_text()) for p in reader.pages], requests, page


def test_the_ec_template_prints_on_a_few_a4_pages_loading_nothing(browser: Browser) -> None:
    ws = library.template("ec_sales", "ja")
    room = RoomRecord(votes=[RoomVote(question="KFS", kind=VoteKind.NODES, results={"repeat_rate": 9, "purchase_rate": 4})])
    pages, requests, page = _printed(browser, to_html(ws.model_copy(update={"room": room}), today=DAY))
    assert requests == []  # self-contained: no font, style, image or script fetched
    assert 2 <= len(pages) <= 4, len(pages)  # the EC template: 19 KPIs, three meetings, two alerts
    text = " ".join(pages)
    assert _plain("2027年3月31日までに、「年間売上高」を 8億 円 から 10億 円 へ(+25.0%)。") in text  # the KGI sentence
    assert "≥ 4.5万" in text and "≥ 6% ≥ 5%" in text  # thresholds as the app writes them
    assert _plain("次回のレビュー: 2026年12月14日") in text and _plain("ルームの選択: リピート率(9 票)") in text
    boxes = [_plain(f"{a} → {b}") for a, b in (("8億", "10億 円"), ("4万", "5万 人"), ("22%", "25%"), ("150万", "165万 人"))]
    on = {i for i, p in enumerate(pages) for box in boxes if box in p}
    assert len(on) == 1, on  # every box of the tree on one page: the picture is never cut
    # printed, the page fits A4's width: no table wider than the paper (print media, the printable width in CSS px)
    page.set_viewport_size({"width": round(182 / 25.4 * 96), "height": 1000})
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= round(182 / 25.4 * 96)
    page.context.close()


def test_a_long_sheet_repeats_its_headers_and_names_print_as_typed(browser: Browser) -> None:
    ws: Workshop = workshop(80).model_copy(update={"language": "ja", "title": HOSTILE})
    ws = tree.update_node(ws, "k1", name=HOSTILE)
    pages, requests, page = _printed(browser, to_html(ws, today=DAY))
    assert requests == [] and page.title().startswith(HOSTILE) and page.title() != "pwned"
    sheet = [p for p in pages if " team " in f" {p} "]  # the definition sheet's rows (their owner)
    assert len(sheet) >= 2 and all("緑の基準" in p and "責任者" in p for p in sheet)  # the header again on every page
    assert HOSTILE in " ".join(pages)  # a name prints as typed, never run
    page.context.close()
