"""The summary to send (kpidesign.io.summary): its sections, numbers as the app shows them, escaping, ja and en."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign import library, tree
from kpidesign.io import files
from kpidesign.io.summary import kgi_sentence, long_date, next_review, to_html
from kpidesign.model import Alert, Cadence, Monitoring, ReviewMeeting, RoomIdea, RoomRecord, RoomVote, Workshop, new_workshop
from kpidesign.redact import for_share
from kpidesign.room import IdeaStatus, VoteKind

DAY = dt.date(2026, 12, 7)


class Text(HTMLParser):
    """What a reader sees: the text of the page outside <style> (entities decoded), and every tag opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def read(page: str) -> tuple[str, list[str]]:
    parser = Text()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.parts)), parser.tags


def with_room(ws: Workshop) -> Workshop:
    """The template with what a room leaves: ideas (one private), a vote on nodes and one on ideas, two themes."""
    ideas = [
        RoomIdea(id="i1", text="指名検索の伸び", parent="new_customers", status=IdeaStatus.REVEALED),
        RoomIdea(id="i2", text="口コミ", parent="new_customers", status=IdeaStatus.ACCEPTED, node="customers"),
        RoomIdea(id="i3", text="まだ秘密の案", status=IdeaStatus.PRIVATE),
    ]
    votes = [
        RoomVote(question="KFS はどれか", kind=VoteKind.NODES, dots=3, results={"purchase_rate": 7, "repeat_rate": 12, "aware": 0}),
        RoomVote(question="どの案を試す?", kind=VoteKind.IDEAS, dots=2, results={"i1": 4, "i2": 4}),
    ]
    room = RoomRecord(ideas=ideas, votes=votes)
    themes = [{"label": "検索と口コミ", "ideas": ["i1", "i2", "i3", "gone"], "node": "customers"}, {"label": "価格", "ideas": []}]
    # room.themes (../shared/kpidesign-yaml.md) may not be a field of the model yet: the summary reads it defensively
    return ws.model_copy(update={"room": room.model_copy(update={"themes": themes})})


@pytest.fixture
def ja() -> Workshop:
    return library.template("ec_sales", "ja")


@pytest.fixture
def en() -> Workshop:
    return library.template("ec_sales", "en")


def test_every_section_in_japanese(ja: Workshop) -> None:
    page = to_html(with_room(ja), today=DAY)
    text, tags = read(page)
    assert page.startswith('<!DOCTYPE html>\n<html lang="ja">')
    assert "2027年3月31日までに、「年間売上高」を 8億 円 から 10億 円 へ（+25.0%）。" in text  # the KGI sentence
    assert "svg" in tags and text.count("年間売上高") >= 3  # the tree inline (its boxes' text), the sentence, the sheet
    assert "ツリーの計算によるKFS候補: 購入頻度 — +1% で KGI +1.00%、+10% で +10.0%" in text
    assert "投票: KFS はどれか（1人 3 票） ルームの選択: リピート率（12 票）" in text  # node ids named
    assert "ルームの選択: 指名検索の伸び、口コミ（4 票）" in text  # idea ids named by their text; a tie names both
    for heading in (
        "KGI（最終目標）",
        "KPIツリー",
        "KFS（重要成功要因）と投票",
        "定義表: 責任者と閾値",
        "モニタリング計画",
        "ルームのテーマ",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "次回のレビュー: 2026年12月14日（週次グロース会議）" in text  # the soonest meeting, a week after the summary
    assert "2027年1月7日" in text and "2027年3月7日" in text  # the monthly and the quarterly meetings
    assert "マーケティング責任者" in text  # an owner


def test_numbers_as_the_app_shows_them(ja: Workshop, en: Workshop) -> None:
    row = re.compile(r"<tr><td class=\"name\"[^>]*>顧客数</td>.*?</tr>", re.S)
    found = row.search(to_html(ja, today=DAY))
    assert found is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found[0], re.S)
    assert cells[0] == "顧客数" and cells[2:] == ["EC部長", "月次", "人", "4万", "5万", "≥ 5万", "≥ 4.5万"]
    text, _ = read(to_html(ja, today=DAY))
    assert "≥ 6% ≥ 5%" in text  # a rate as a percentage (0.06 -> 6%)
    text, _ = read(to_html(en, today=DAY))
    assert "Annual sales from 800M JPY to 1B JPY (+25.0%) by 31 March 2027." in text
    assert "800M 1B ≥ 1B ≥ 900M" in text and "50,000 ≥ 50,000 ≥ 45,000" in text and "≥ 60.4% ≥ 55%" in text


def test_lower_is_better_turns_the_thresholds_around(ja: Workshop) -> None:
    ws = tree.update_node(ja, "aware", thresholds={"direction": "lower_is_better", "green": 1000, "yellow": 2000})
    assert '<td class="num">≤ 1,000</td><td class="num">≤ 2,000</td>' in to_html(ws, today=DAY)


def test_english_workshop_in_english_and_told_otherwise(en: Workshop) -> None:
    text, _ = read(to_html(en, today=DAY))
    assert "Definition sheet: owners and thresholds" in text and "Next review: 14 December 2026 (Weekly growth meeting)" in text
    assert "定義表" not in text
    told, _ = read(to_html(en, "ja", today=DAY))
    assert "定義表: 責任者と閾値" in told and "2027年3月31日までに" in told


HOSTILE = "<script>alert(1)</script>"


def test_every_text_people_typed_prints_as_written() -> None:
    ws = new_workshop("{{x}} <b>bold</b>", "en", HOSTILE)
    ws = tree.update_node(ws, "kgi", baseline=1, target=2, unit="<i>u</i>", definition={"why": "{% if 1 %}x{% endif %}"}, objective="&amp;")
    ws, _ = tree.add_node(ws, "kgi", "{{ 7 * 191 }}", node_id="kid")
    ws = tree.update_node(ws, "kid", definition={"owner": '"><img src=x onerror=alert(2)>'}, thresholds={"green": 3})
    ws = ws.model_copy(
        update={
            "description": "</style><script>x()</script>",
            "monitoring": Monitoring(
                reviews=[ReviewMeeting(name="<svg onload=alert(3)>", kpis=["kid"], participants=["{{y}}"])],
                alerts=[Alert(kpi="kid", to="<a href=//evil>", action="${x}")],
            ),
            "room": RoomRecord(
                ideas=[RoomIdea(id="i1", text="<iframe src=//evil>", status=IdeaStatus.REVEALED)],
                votes=[RoomVote(question="<marquee>", kind=VoteKind.IDEAS, results={"i1": 2})],
            ).model_copy(update={"themes": [{"label": "{{ config }}", "ideas": ["i1"]}]}),
        }
    )
    page = to_html(ws, today=DAY)
    text, tags = read(page)
    assert set(tags) <= {*ALLOWED_TAGS, *SVG_TAGS}, set(tags) - {*ALLOWED_TAGS, *SVG_TAGS}  # nothing typed became a tag
    for typed in (
        "{{x}} <b>bold</b>",
        HOSTILE,
        "<i>u</i>",
        "{% if 1 %}x{% endif %}",
        "&amp;",
        "{{ 7 * 191 }}",
        '"><img src=x onerror=alert(2)>',
        "</style><script>x()</script>",
        "<svg onload=alert(3)>",
        "{{y}}",
        "<a href=//evil>",
        "${x}",
        "<iframe src=//evil>",
        "<marquee>",
        "{{ config }}",
    ):
        assert typed in text, typed  # printed literally, neither markup nor a template
    assert "1337" not in text  # {{ 7 * 191 }} was not evaluated


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "p", "h1", "h2", "h3", "section", "dl", "dt", "dd",
    "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "ul", "li", "footer",
}  # fmt: skip
SVG_TAGS = {"svg", "rect", "line", "text"}


def test_a_workshop_without_room_actuals_or_plan() -> None:
    page = to_html(new_workshop("Blank", "en"), today=DAY)
    text, _ = read(page)
    assert "KGI (no deadline yet)." in text
    assert "once the KGI has a baseline" in text and "No review meeting is planned yet." in text
    assert "The room's themes" not in text and "Vote:" not in text  # no room: no section for it


def test_a_room_without_themes_says_so_and_never_shows_a_private_idea(ja: Workshop) -> None:
    text, _ = read(to_html(with_room(ja), today=DAY))
    assert "検索と口コミ" in text and "アイデア 2 件 · ノード「顧客数」になりました" in text  # i3 is private, "gone" is gone
    assert "指名検索の伸び" in text and "まだ秘密の案" not in text
    assert "ルームから 3 件のアイデアが届き、1 件がノードになりました。" in text
    room = RoomRecord(ideas=[RoomIdea(id="i1", text="a", status=IdeaStatus.REVEALED)])
    bare, _ = read(to_html(ja.model_copy(update={"room": room}), today=DAY))
    assert "テーマはまだありません。" in bare and "投票:" not in bare


def test_self_contained_loads_nothing(ja: Workshop) -> None:
    page = to_html(with_room(ja), today=DAY)
    assert "default-src 'none'" in page  # the browser itself refuses any request, should one slip in
    head = page.split("<body>")[0]
    for request in ("src=", "href=", "url(", "@import", "<link", "<script", "@font-face"):
        assert request not in page.lower() if request != "src=" else "src=" not in head, request


def test_print_css_keeps_rows_and_the_tree_whole(ja: Workshop) -> None:
    page = to_html(ja, today=DAY)
    assert "@page { size: A4;" in page
    assert re.search(r"tr \{ break-inside: avoid;", page) and re.search(r"figure\.tree \{[^}]*break-inside: avoid", page)
    assert "thead { display: table-header-group; }" in page  # headers repeated on every page a table runs over
    assert '"Hiragino Kaku Gothic ProN"' in page and '"Noto Sans CJK JP"' in page and "YuGothic" in page


def test_a_wide_tree_turns_to_fit_the_page(ja: Workshop) -> None:
    svg = re.search(r"<svg[^>]*>", to_html(ja, today=DAY))
    assert svg is not None
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg[0])
    assert size is not None
    width, height = (float(v) for v in size.groups())
    assert width / height < 3  # the template's top-down layout is 2029 x 659: turned left to right


def test_a_share_links_summary_is_the_redacted_copy(ja: Workshop) -> None:
    page = to_html(for_share(with_room(ja)), today=DAY)
    assert "ec-lead@example.com" not in page and "#ec-kpi" not in page and "指名検索の伸び" not in page
    assert "ec-lead@example.com" in to_html(ja, today=DAY)  # the facilitator's own summary names whom an alert reaches


def test_files_offers_the_summary(ja: Workshop) -> None:
    out = files.export(ja, "html", "ja")
    assert out is not None and out.mime == "text/html" and out.filename == "EC売上を10億円へ_例.summary.html"
    assert out.data.decode("utf-8").startswith("<!DOCTYPE html>")


def test_kgi_sentence_variants(ja: Workshop) -> None:
    rate = tree.update_node(ja, "sales", unit="%", baseline=0.2, target=0.25, deadline=None)
    assert kgi_sentence(rate, "ja") == "「年間売上高」を 20% から 25% へ（+5 pt）（期限は未定）。"
    only_target = tree.update_node(ja, "sales", baseline=None)
    assert kgi_sentence(only_target, "en") == "年間売上高 to 1B 円 by 31 March 2027."  # the numbers in the language asked for
    from_zero = tree.update_node(ja, "sales", baseline=0, target=5)
    assert "0 円 から 5 円 へ（5 円）" in kgi_sentence(from_zero, "ja")


@pytest.mark.parametrize(
    ("cadence", "after", "expected"),
    [
        (Cadence.DAILY, dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        (Cadence.WEEKLY, dt.date(2026, 12, 28), dt.date(2027, 1, 4)),
        (Cadence.MONTHLY, dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        (Cadence.MONTHLY, dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        (Cadence.QUARTERLY, dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        (Cadence.QUARTERLY, dt.date(2026, 12, 7), dt.date(2027, 3, 7)),
    ],
)
def test_next_review(cadence: Cadence, after: dt.date, expected: dt.date) -> None:
    assert next_review(cadence, after) == expected


@given(st.sampled_from(list(Cadence)), st.dates(dt.date(1, 1, 1), dt.date(9998, 9, 30)))
def test_next_review_is_after_and_within_a_quarter(cadence: Cadence, after: dt.date) -> None:
    later = next_review(cadence, after)
    assert after < later <= after + dt.timedelta(days=92)


def test_long_date() -> None:
    assert long_date(dt.date(2027, 3, 31), "ja") == "2027年3月31日" and long_date(dt.date(2027, 3, 31), "en") == "31 March 2027"


def test_themes_as_the_model_holds_them(en: Workshop) -> None:
    """room.themes through the model's own validation once it has the field (../shared/kpidesign-yaml.md), else as a
    record given it: the summary prints the same either way."""
    ideas = [
        RoomIdea(id="i1", text="Branded search", status=IdeaStatus.REVEALED),
        RoomIdea(id="i2", text="Reviews", status=IdeaStatus.REVEALED),
    ]
    themes = [{"label": "Search", "ideas": ["i1", "i2"], "node": "customers"}]
    if "themes" in RoomRecord.model_fields:
        room = RoomRecord.model_validate({"ideas": [i.model_dump() for i in ideas], "themes": themes})
    else:
        room = RoomRecord(ideas=ideas).model_copy(update={"themes": themes})
    text, _ = read(to_html(en.model_copy(update={"room": room}), today=DAY))
    assert "Search 2 ideas · became the node Customers Branded search Reviews" in text


def test_a_held_or_private_idea_is_in_no_vote_and_no_theme(ja: Workshop) -> None:
    """Review: the summary the room takes home never prints an idea held for approval (nor a private one) as a vote's
    option or among a theme's ideas, whatever the record says."""
    ideas = [
        RoomIdea(id="i1", text="承認待ちの案", parent="new_customers", status=IdeaStatus.REVEALED, held=True),
        RoomIdea(id="i2", text="口コミ", parent="new_customers", status=IdeaStatus.REVEALED),
        RoomIdea(id="i3", text="まだ秘密の案", status=IdeaStatus.PRIVATE),
    ]
    votes = [RoomVote(question="どの案?", kind=VoteKind.IDEAS, dots=2, results={"i1": 5, "i2": 1, "i3": 2})]
    themes = [{"label": "口コミ", "ideas": ["i1", "i2"]}]
    room = RoomRecord(ideas=ideas, votes=votes).model_copy(update={"themes": themes})
    text, _ = read(to_html(ja.model_copy(update={"room": room}), today=DAY))
    assert "口コミ" in text and "承認待ちの案" not in text and "まだ秘密の案" not in text
