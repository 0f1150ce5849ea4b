"""A whole workshop walked in a real browser, as a facilitator would, then a reload finds everything still there."""

from __future__ import annotations

import datetime as dt
import re

from kpidesign.model import Workshop
from kpidesign.render import SELECTED_COLOUR
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, NewPage, choose, fill, idle, login, nav


def stored(server: dict[str, str]) -> Workshop:
    store = Store(server["db"])
    [summary] = [s for s in store.workshops() if s.title == "FY2027 EC sales"]
    return store.load(summary.id).workshop


def test_whole_workshop(server: dict[str, str], new_page: NewPage) -> None:
    page = new_page("en-US")
    login(page, server["base"])
    assert page.get_by_role("heading", name="Workshops").is_visible()

    # create
    fill(page, "Title", "FY2027 EC sales")
    page.get_by_role("button", name="Create and open").click()
    idle(page)
    assert page.get_by_text("Open workshop").is_visible()

    # step 1: the KGI
    nav(page, "1 Set the KGI")
    fill(page, "KGI name", "Annual sales")
    fill(page, "Unit", "JPY")
    fill(page, "Baseline", "800,000,000")
    fill(page, "Target", "1e9")
    deadline = dt.date.today() + dt.timedelta(days=200)
    page.get_by_role("spinbutton", name="year, Deadline").click()
    page.keyboard.type(deadline.strftime("%Y%m%d"))  # the segments advance by themselves
    page.keyboard.press("Tab")
    idle(page)
    fill(page, "Purpose (why it matters)", "To fund next year's growth")
    fill(page, "OKR objective (optional)", "The shop people come back to")
    assert page.get_by_text("+25.0%").is_visible()

    # bad input: explained next to the field, the previous value kept
    fill(page, "Baseline", "abc")
    assert page.get_by_text("“abc” is not a number").is_visible()
    assert stored(server).kgi.baseline == 8e8

    # step 2: the tree
    nav(page, "2 KPI tree")
    fill(page, "Names (one per line, several at once)", "Customers\nAverage spend\nPurchase frequency")
    page.get_by_role("button", name="Add").click()
    idle(page)
    page.get_by_role("button", name="Product of children (×)").click()
    idle(page)
    for parent, kids, kind in [
        ("Customers", "New customers\nExisting customers", "Sum of children (+)"),
        ("Average spend", "Item price\nItems per purchase", "Product of children (×)"),
    ]:
        choose(page, "Node to edit", parent)
        fill(page, "Names (one per line, several at once)", kids)
        page.get_by_role("button", name="Add").click()
        idle(page)
        page.get_by_role("button", name=kind).click()
        idle(page)
    ws = stored(server)
    assert ws.kgi.formula == "customers * average_spend * purchase_frequency"
    assert ws.node("customers").formula == "new_customers + existing_customers"
    graph = page.get_by_test_id("stGraphVizChart")
    for name in ("Annual sales", "Customers", "New customers", "Items per purchase"):
        assert graph.get_by_text(name, exact=True).count() >= 1
    for picked in ("New customers", "Customers"):  # the box being edited is outlined in its own colour, and only that one
        choose(page, "Node to edit", picked)
        page.wait_for_function(
            """([picked, colour]) => JSON.stringify(Array.from(document.querySelectorAll('[data-testid=stGraphVizChart] svg g.node'))
                .filter(g => g.querySelector(`[stroke="${colour}"]`)).map(g => g.querySelector('text').textContent)) === JSON.stringify([picked])""",
            arg=[picked, SELECTED_COLOUR],
            timeout=15000,
        )

    # step 3: layers (the node picked on step 2 is still picked, its fields as stored)
    nav(page, "3 Decompose further")
    assert page.get_by_label("Formula (child ids with + - * / ( ))", exact=True).input_value() == "new_customers + existing_customers"
    for node, layer in [("New customers", "leading"), ("Customers", "intermediate"), ("Average spend", "lagging")]:
        choose(page, "Node to edit", node)
        page.get_by_test_id("stRadio").filter(has_text="Layer").get_by_text(layer, exact=True).click()
        idle(page)
    ws = stored(server)
    assert (ws.node("new_customers").layer, ws.node("average_spend").layer) == ("leading", "lagging")  # StrEnum members equal their values

    # step 4: definitions
    nav(page, "4 Definitions & thresholds")
    for node, owner, green, yellow in [("Customers", "EC lead", "50,000", "45,000"), ("New customers", "Marketing", "20000", "17000")]:
        choose(page, "KPI", node)
        fill(page, "Owner", owner)
        fill(page, "Data source", "Shopify orders")
        choose(page, "Update frequency", "weekly")
        fill(page, "Green at", green)
        fill(page, "Yellow at", yellow)
    ws = stored(server)
    assert ws.node("customers").definition.owner == "EC lead" and ws.node("new_customers").thresholds.yellow == 17000

    # step 5: a review meeting, an alert, a learning-log entry
    nav(page, "5 Monitoring")
    page.get_by_text("Add meeting", exact=True).first.click()
    form = page.get_by_test_id("stForm").filter(has_text="Participants")
    form.get_by_label("Meeting", exact=True).wait_for(state="visible")
    page.wait_for_timeout(400)  # the expander finishes opening
    form.get_by_label("Meeting", exact=True).fill("Weekly growth meeting")  # in a form, Enter would submit
    form.get_by_test_id("stMultiSelect").get_by_role("button", name="Open").click()
    page.get_by_role("option", name="New customers").first.click(timeout=10000)
    page.keyboard.press("Escape")
    assert form.get_by_test_id("stMultiSelect").get_by_text("New customers").count() >= 1
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Add meeting").click()
    idle(page)
    page.get_by_role("tab", name="Alerts").click()  # step 5's three parts are tabs
    idle(page)
    page.get_by_text("Add alert", exact=True).first.click()
    page.get_by_test_id("stForm").filter(has_text="Fires at").get_by_label("To", exact=True).fill("#ec-kpi")
    page.get_by_test_id("stForm").filter(has_text="Fires at").get_by_label("Action", exact=True).fill("Look within 2 days")
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Add alert").click()
    idle(page)
    page.get_by_role("tab", name="Learning log").click()
    idle(page)
    page.get_by_label("Observe (what happened)").fill("CVR fell after the redesign")
    page.get_by_role("button", name="Record").click()
    idle(page)
    ws = stored(server)
    assert ws.monitoring.reviews[0].name == "Weekly growth meeting" and ws.monitoring.reviews[0].kpis == ["new_customers"]
    assert ws.monitoring.alerts[0].to == "#ec-kpi" and ws.monitoring.learning_log[0].observe == "CVR fell after the redesign"

    # reload: a new browser session, so the editor logs in again; the address reopens the workshop
    page.reload()
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    idle(page)
    assert "ws=" in page.url and page.get_by_test_id("stSidebar").get_by_text("FY2027 EC sales").is_visible()
    nav(page, "5 Monitoring")
    page.get_by_role("tab", name="Learning log").click()
    idle(page)
    assert page.get_by_text("CVR fell after the redesign").count() >= 1
    nav(page, "1 Set the KGI")
    assert page.get_by_label("KGI name", exact=True).input_value() == "Annual sales"
    assert page.get_by_label("Baseline", exact=True).input_value() == "800,000,000"
    nav(page, "2 KPI tree")
    assert page.get_by_test_id("stGraphVizChart").get_by_text("Existing customers", exact=True).count() >= 1
    nav(page, "4 Definitions & thresholds")
    choose(page, "KPI", "Customers")
    assert page.get_by_label("Owner", exact=True).input_value() == "EC lead"
    progress = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"Progress \d/5"))
    assert progress.is_visible()


def test_hostile_labels_are_shown_literally(server: dict[str, str], new_page: NewPage) -> None:
    page = new_page("en-US")
    login(page, server["base"])
    fill(page, "Title", "Hostile labels")
    page.get_by_role("button", name="Create and open").click()
    idle(page)
    nav(page, "2 KPI tree")
    name = 'He said "hi" {x} \\ <script>alert(1)</script>'
    fill(page, "Names (one per line, several at once)", name)
    page.get_by_role("button", name="Add").click()
    idle(page)
    svg_text = " ".join(page.get_by_test_id("stGraphVizChart").locator("svg text").all_text_contents())
    assert 'He said "hi" {x} \\ <scrip' in svg_text  # wrapped, but literal
    assert page.locator("script:text('alert(1)')").count() == 0
