"""Results leave the room: export downloaded and opened, the share link in a fresh context, actuals uploaded,
two facilitators at once, and screenshots of every page."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from kpidesign.i18n import t
from kpidesign.language import Language
from kpidesign.library import TEMPLATES as ROOT_TEMPLATES
from kpidesign.library import template
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, NewPage, fill, idle, login, nav
from ui.pages import ALL


@pytest.fixture
def template_workshop(server: dict[str, str]) -> str:
    """A workshop from the English e-commerce template, straight in the server's database."""
    return Store(server["db"]).create(template("ec_sales", "en"))


def test_export_is_downloaded_and_opens(server: dict[str, str], new_page: NewPage, template_workshop: str) -> None:
    page = new_page("en-US")
    login(page, server["base"], f"export?ws={template_workshop}")
    with page.expect_download() as info:  # the file is built when the button is clicked
        page.get_by_role("button", name="Excel (.xlsx)").click()
    data = Path(info.value.path()).read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["Cover", "Definitions", "Thresholds"]
    names = [row[1] for row in wb["Definitions"].iter_rows(min_row=2, values_only=True)]
    assert "Annual sales" in names and "Purchase rate (CVR)" in names
    with page.expect_download() as info:
        page.get_by_role("button", name="YAML (canonical)").click()
    assert "kpidesign: 1" in Path(info.value.path()).read_text(encoding="utf-8")


def test_share_link_in_a_fresh_context(server: dict[str, str], new_page: NewPage, template_workshop: str) -> None:
    editor = new_page("en-US")
    login(editor, server["base"], f"export?ws={template_workshop}")
    editor.get_by_label("Note (who it is for)").fill("board")
    editor.get_by_role("button", name="Create link").click()
    idle(editor)
    link = editor.get_by_test_id("stCode").inner_text().strip()
    assert re.match(r"^http://127\.0\.0\.1:\d+/\?share=[\w-]{43,}$", link), link
    token = link.split("share=")[1]

    viewer = new_page("ja-JP")  # another person, another browser context
    viewer.goto(link)
    idle(viewer)
    assert viewer.get_by_role("heading", name="E-commerce sales +20% (example)").is_visible()
    assert viewer.get_by_role("tab", selected=True).inner_text().startswith("状況")  # what is red, first
    viewer.get_by_role("tab", name="ツリー").click()
    idle(viewer)
    assert viewer.get_by_test_id("stGraphVizChart").get_by_text("Annual sales", exact=True).count() == 1
    assert viewer.locator("input[type=text], input[type=password], textarea, [contenteditable=true]").count() == 0
    assert viewer.get_by_test_id("stSidebarNav").count() == 0
    with viewer.expect_download() as info:  # built when clicked (nothing is built while the view refreshes)
        viewer.get_by_role("button", name="Excel (.xlsx)").click()
    assert info.value.suggested_filename == "E-commerce_sales_20_example.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book.sheetnames[:3] == ["表紙", "定義表", "閾値"]  # in the viewer's language
    assert "Annual sales" in [row[1] for row in book["定義表"].iter_rows(min_row=2, values_only=True)]
    viewer.get_by_role("tab", name="状況（赤から）").click()
    idle(viewer)
    expect(viewer.get_by_test_id("stDataFrame")).to_have_count(1)
    assert viewer.get_by_test_id("stGraphVizChart").count() == 0  # the status tab: a table, no graph
    for path in ["kgi", "tree", "definitions", "monitoring", "export", "history", f"kgi?ws={template_workshop}"]:
        joiner = "&" if "?" in path else "?"
        viewer.goto(f"{server['base']}/{path}{joiner}share={token}")
        idle(viewer)
        assert viewer.get_by_role("heading", name="E-commerce sales +20% (example)").is_visible(), path
        assert viewer.locator("input[type=text], textarea").count() == 0, path
    for forged in [token[:-2] + "xx", "nope", "%3Cscript%3E"]:
        viewer.goto(f"{server['base']}/?share={forged}")
        idle(viewer)
        assert viewer.get_by_role("heading", name="このリンクは無効です").is_visible()
        assert viewer.get_by_text("Annual sales").count() == 0
    viewer.goto(f"{server['base']}/kgi?ws={template_workshop}")  # no token: editing is behind the password
    idle(viewer)
    assert viewer.get_by_role("heading", name="編集にはログインが必要です").is_visible()
    assert viewer.get_by_text("Annual sales").count() == 0

    # the open view follows the facilitator, and a revoke ends it
    viewer.goto(link)
    idle(viewer)
    store = Store(server["db"])
    share_id = store.shares.all(template_workshop)[0].id
    store.shares.revoke(template_workshop, share_id)
    viewer.get_by_role("heading", name="このリンクは無効です").wait_for(timeout=15000)


def test_uploaded_actuals_turn_the_dashboard_red(server: dict[str, str], new_page: NewPage, template_workshop: str) -> None:
    page = new_page("en-US")
    login(page, server["base"], f"dashboard?ws={template_workshop}&tab=Enter+data")
    csv = "kpi,date,value\npurchase_rate,2026-10-01,5.5%\nPurchase rate (CVR),2026-10-08,3.0%\nnobody,2026-10-08,1\n"
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write(csv)
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(f.name)
    page.get_by_text("1 rows were not imported").wait_for(timeout=15000)  # read as soon as it arrives
    assert page.get_by_text("There is no KPI “nobody”").is_visible()
    page.get_by_role("tab", name="Overview").click()
    idle(page)
    red = page.get_by_test_id("stMetric").filter(has_text="red")
    expect(red.get_by_test_id("stMetricValue")).to_have_text("1", timeout=15000)
    page.get_by_role("tab", name="Alerts").click()
    idle(page)
    expect(page.get_by_text("Find the cause within 2 working days").first).to_be_attached(
        timeout=15000
    )  # a grid cell (accessibility table)
    os.unlink(f.name)


def test_two_facilitators_never_overwrite_each_other(server: dict[str, str], new_page: NewPage, template_workshop: str) -> None:
    first, second = new_page("en-US"), new_page("en-US")
    login(first, server["base"], f"kgi?ws={template_workshop}")
    login(second, server["base"], f"kgi?ws={template_workshop}")
    fill(first, "Unit", "JPY (tax incl.)")
    fill(second, "OKR objective (optional)", "Mine")
    assert second.get_by_text("Someone else changed this workshop").is_visible()
    assert second.get_by_text("Unit").count() >= 1
    ws = Store(server["db"]).load(template_workshop).workshop
    assert ws.kgi.unit == "JPY (tax incl.)" and ws.kgi.objective != "Mine"
    assert second.get_by_label("Unit", exact=True).input_value() == "JPY (tax incl.)"  # the latest state is shown
    fill(second, "OKR objective (optional)", "Mine")
    assert Store(server["db"]).load(template_workshop).workshop.kgi.objective == "Mine"


@pytest.mark.parametrize("lang, locale", [("ja", "ja-JP"), ("en", "en-US")])
def test_screenshots(server: dict[str, str], new_page: NewPage, lang: Language, locale: str) -> None:
    wid = Store(server["db"]).create(template("ec_sales", lang))
    out = Path(os.environ.get("KPIDESIGN_SCREENSHOTS") or tempfile.mkdtemp(prefix="kpidesign-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    page = new_page(locale, width=1600, height=2400)
    page.goto(f"{server['base']}/?ws={wid}")
    page.get_by_label(t("login_password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("login_button", lang)).click()
    idle(page)
    for spec in ALL:
        nav(page, t(spec.title, lang))
        page.get_by_role("heading").first.wait_for()
        if spec.url in ("tree", "decompose", "dashboard", "history"):
            page.get_by_test_id("stGraphVizChart").first.locator("svg").wait_for(timeout=30000)
        page.screenshot(path=str(out / f"{lang}-{spec.url}.png"), full_page=True)
    shots = sorted(out.glob(f"{lang}-*.png"))
    assert len(shots) == len(ALL) and all(p.stat().st_size > 20000 for p in shots)


def test_import_a_file_on_the_workshops_page(server: dict[str, str], new_page: NewPage, tmp_path: Path) -> None:
    page = new_page("en-US")
    login(page, server["base"])
    page.get_by_test_id("stExpander").filter(has_text="Import a file").locator("summary").click()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kpidesign: 1\nworkshop: {title: Broken}\nkgi: {id: k, name: K}\nnodes: [{id: a, parent: nowhere, name: A}]\n", encoding="utf-8"
    )
    before = len(Store(server["db"]).workshops())
    for path, expected in [(bad, "was not imported"), (ROOT_TEMPLATES / "recruiting.ja.yaml", "Imported “エンジニア年40名採用（例）”")]:
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
        page.get_by_text(expected).first.wait_for(timeout=15000)  # imported as soon as it arrives
    assert len(Store(server["db"]).workshops()) == before + 1  # the refused file changed nothing
    assert page.get_by_test_id("stSidebar").get_by_text("エンジニア年40名採用（例）").is_visible()


def test_a_big_tree_is_folded_and_all_levels_open_after_a_language_switch(server: dict[str, str], new_page: NewPage) -> None:
    from kpidesign import tree

    ws = template("ec_sales", "en")
    for i in range(160):  # 179 boxes: more than the 150 drawn before deep levels fold
        ws, _ = tree.add_node(ws, "awareness_rate", f"Campaign {i}")
    wid = Store(server["db"]).create(ws)
    page = new_page("en-US")
    login(page, server["base"], f"tree?ws={wid}")
    chart = page.get_by_test_id("stGraphVizChart")
    chart.get_by_text("+160 below").wait_for(timeout=30000)
    page.get_by_test_id("stSidebar").get_by_text("日本語").click()
    chart.get_by_text("配下 +160").wait_for(timeout=30000)  # the labels follow the language, the switch still works
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    chart.get_by_text("+160 below").wait_for(timeout=30000)
    page.get_by_role("button", name=re.compile(r"^View: ")).click()  # the graph's switches, behind one button (#26)
    page.get_by_text("All", exact=True).click()
    page.wait_for_function("document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node').length >= 179", timeout=60000)
    assert page.get_by_text("+N below").count() == 0 and chart.get_by_text("Campaign 159", exact=True).count() == 1

    viewer = new_page("en-US")  # a stakeholder's share link: folded too, and "All" survives the view's live refresh
    viewer.goto(f"{server['base']}/?share={Store(server['db']).shares.create(wid)}&tab=Tree")
    viewer.get_by_test_id("stGraphVizChart").get_by_text("+160 below").wait_for(timeout=30000)
    viewer.get_by_text("All", exact=True).click()
    viewer.wait_for_function("document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node').length >= 179", timeout=60000)
    viewer.wait_for_timeout(6000)  # past one refresh of the live view (every 5 s)
    assert viewer.locator("[data-testid=stGraphVizChart] svg g.node").count() == 179 and viewer.get_by_text("+N below").count() == 0
