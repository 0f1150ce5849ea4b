"""The learning loop in a browser: two years of weekly actuals uploaded as CSV, then the "why it moved" waterfall and
the projection on the trend charts drawn, and the links coloured by what the data say, on a 1920×1080 screen as a
projector shows it (screenshots kept: KPIDESIGN_SCREENSHOTS, as `make screenshots` sets it)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from kpidesign.library import template
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login, nav
from tests.learning_data import as_csv, weekly_actuals


def test_upload_two_years_and_see_the_waterfall_and_the_projection(server: dict[str, str], new_page: NewPage, tmp_path: Path) -> None:
    wid = Store(server["db"]).create(template("ec_sales", "en"))
    out = Path(os.environ.get("KPIDESIGN_SCREENSHOTS") or tempfile.mkdtemp(prefix="kpidesign-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    actuals = weekly_actuals(template("ec_sales", "en"))
    upload = tmp_path / "two_years_weekly.csv"
    upload.write_text(as_csv(actuals), encoding="utf-8")

    page = new_page("en-US", width=1920, height=1080)
    login(page, server["base"], f"dashboard?ws={wid}&tab=Enter+data")
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text(f"{len(actuals)} values saved.").wait_for(timeout=30000)
    assert len(Store(server["db"]).actuals.all(wid)) == len(actuals)

    page.get_by_role("tab", name="Why it moved").click()
    idle(page)
    waterfall = page.get_by_test_id("stVegaLiteChart").first
    waterfall.locator("canvas, svg").first.wait_for(timeout=30000)  # vega drew it
    box = waterfall.bounding_box()
    assert box is not None and box["width"] > 1000 and box["height"] > 400
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Value on 2026-11-23")
    page.get_by_test_id("stGraphVizChart").first.locator("svg").wait_for(timeout=30000)
    assert page.get_by_test_id("stGraphVizChart").first.get_by_text("▲ largest +").count() == 1
    waterfall.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "en-dashboard-why.png"))  # what the room sees: one 1920×1080 screen
    tree = page.get_by_test_id("stGraphVizChart").first
    tree.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "en-dashboard-why-tree.png"))

    page.get_by_role("tab", name="Trends").click()
    idle(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    charts.first.locator("canvas, svg").first.wait_for(timeout=30000)
    assert charts.count() >= 1
    expect(page.get_by_text("Dotted: projection to 2027-03-31").first).to_be_visible(timeout=15000)
    charts.first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "en-dashboard-trends.png"))

    nav(page, "Review & what-if")
    page.get_by_role("tab", name="What the data say").click()
    idle(page)
    page.get_by_test_id("stGraphVizChart").first.locator("svg").wait_for(timeout=30000)
    expect(page.get_by_text("does not move before").first).to_be_visible()
    page.get_by_test_id("stGraphVizChart").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "en-review-links.png"))

    nav(page, "Dashboard")
    page.get_by_test_id("stSidebar").get_by_text("日本語").click()  # the facilitator's language
    idle(page)
    page.get_by_role("tab", name="なぜ動いたか").click()
    idle(page)
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for(timeout=30000)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("2026-11-23 の値")
    page.get_by_test_id("stVegaLiteChart").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "ja-dashboard-why.png"))
    shots = ("en-dashboard-why.png", "en-dashboard-why-tree.png", "en-dashboard-trends.png", "en-review-links.png", "ja-dashboard-why.png")
    assert all((out / name).stat().st_size > 20000 for name in shots)
