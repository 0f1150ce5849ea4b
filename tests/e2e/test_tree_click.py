"""Steps 2 and 3 on the room's screen (#20): a click on a box selects its node, graph and editor share one screen."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from kpidesign.library import template
from kpidesign.model import new_workshop
from kpidesign.render import SELECTED_COLOUR
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login

FIRST_FIELD = "Name"  # the node editor's first field


def selected_box(page: Page) -> str:
    """The id of the one box drawn with the selection's outline ('' if none or several)."""
    found: str = page.evaluate(
        """colour => { const boxes = Array.from(document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node'))
            .filter(g => g.querySelector(`[stroke="${colour}"]`)); return boxes.length === 1 ? boxes[0].id : ''; }""",
        SELECTED_COLOUR,
    )
    return found


def in_view(page: Page, locator: Locator) -> bool:
    """Whether the element lies wholly inside the window, as drawn (nothing scrolled)."""
    box = locator.bounding_box()
    size = page.viewport_size
    assert size is not None  # every page here is opened with a window size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def test_a_click_on_a_box_edits_that_node_beside_the_graph(server: dict[str, str], new_page: NewPage) -> None:
    wid = Store(server["db"]).create(template("recruiting", "en"))
    page = new_page("en-US", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1")
    page.wait_for_selector("g.node#kpi-referrals", state="attached")
    assert selected_box(page) == "kpi-hires"  # the KGI until another box is chosen
    page.locator("g.node#kpi-referrals").click()
    idle(page)
    assert page.get_by_label(FIRST_FIELD, exact=True).input_value() == "Referral applications"
    assert selected_box(page) == "kpi-referrals" and "node=referrals" in page.url
    assert page.locator("g.node#kpi-referrals").evaluate("g => getComputedStyle(g).cursor") == "pointer"
    graph = page.get_by_test_id("stGraphVizChart").locator("svg")
    assert in_view(page, graph) and in_view(page, page.get_by_label(FIRST_FIELD, exact=True))  # one screen, no scrolling
    assert page.evaluate("document.querySelector('[data-testid=stMain]')?.scrollTop ?? 0") == 0

    login(page, server["base"], page.url.removeprefix(server["base"] + "/"))  # a new session on the address: it keeps the node
    page.wait_for_selector("g.node#kpi-referrals", state="attached")
    idle(page)
    assert page.get_by_label(FIRST_FIELD, exact=True).input_value() == "Referral applications"

    # step 3, with the table tab open: a click opens the node's editor tab, on the node clicked
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="3 Decompose further").click()
    idle(page)
    page.get_by_role("tab", name="Tag layers and sensitivity at once").click()
    idle(page)
    page.locator("g.node#kpi-time_to_offer").click()
    idle(page)
    assert page.get_by_label(FIRST_FIELD, exact=True).input_value() == "Days to offer"
    assert selected_box(page) == "kpi-time_to_offer"
    assert in_view(page, graph) and in_view(page, page.get_by_label(FIRST_FIELD, exact=True))


def test_a_lone_kgi_box_is_the_size_of_its_text(server: dict[str, str], new_page: NewPage) -> None:
    wid = Store(server["db"]).create(new_workshop("KGI only", "en", "Hire more engineers"))
    page = new_page("en-US", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1")
    box = page.locator("g.node#kpi-" + Store(server["db"]).load(wid).workshop.kgi.id)
    box.wait_for(state="attached")
    size = box.bounding_box()
    assert size is not None and size["width"] < 420 and size["height"] < 160, size  # was ~1,500 x 420 (stretched)
    form = page.get_by_label("Names (one per line, several at once)", exact=True)
    assert in_view(page, box) and in_view(page, form)  # the add form beside it, on screen when it is needed


def test_the_editor_stays_beside_a_tall_graph_scrolled_down(server: dict[str, str], new_page: NewPage) -> None:
    from bench.generate import workshop

    wid = Store(server["db"]).create(workshop(150))
    page = new_page("en-US", width=1920, height=1080)
    login(page, server["base"], f"tree?ws={wid}&projector=1")
    page.wait_for_selector("g.node#kpi-k3", state="attached")
    idle(page)
    boxes = page.locator("[data-testid=stGraphVizChart] g.node")
    low = boxes.nth(boxes.count() - 2)  # a box near the bottom of the drawing, below the first screen
    node = (low.get_attribute("id") or "").removeprefix("kpi-")
    low.scroll_into_view_if_needed()
    low.click()
    idle(page)
    assert selected_box(page) == f"kpi-{node}"
    field = page.get_by_label(FIRST_FIELD, exact=True)
    assert field.input_value() == Store(server["db"]).load(wid).workshop.node(node).name
    assert in_view(page, low) and in_view(page, field)  # the page scrolled down, the editor still beside the box
