"""Step 4's whole sheet typed into quickly, as a facilitator does in front of the room (#20 item 2): click a cell, type,
Tab, type, Enter, the next row, never waiting for a save. Every typed cell ends saved, or listed as refused."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import FloatRect, Page, expect

from kpidesign import tree
from kpidesign.library import load_template
from kpidesign.store import Store
from tests.e2e.conftest import PASSWORD, NewPage, idle
from ui.tables import SHEET_WIDTHS

ROWS = 13
HEADER = ROW = 35  # the grid's header and row heights (px)


def _workshop(server: dict[str, str]) -> str:
    ws = load_template(Path("data/templates/recruiting.en.yaml")).model_copy(update={"title": "Fast typing"})
    ws, _ = tree.add_node(ws, ws.kgi.id, "Referral hires")  # 13 rows
    return Store(server["db"]).create(ws)


def _open_sheet(page: Page, base: str, wid: str) -> FloatRect:
    page.goto(f"{base}/definitions?ws={wid}")
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    idle(page)
    page.get_by_role("tab", name="The whole sheet (cells are editable)").click()
    idle(page)
    return _grid_box(page)


def _grid_box(page: Page) -> FloatRect:
    """Where the grid is, scrolled so every row is on the screen (clicks go where the eye sees)."""
    grid = page.get_by_test_id("stDataFrame")
    grid.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    assert box is not None  # the grid is drawn
    return box


def _selected(page: Page, column: str, row: int) -> None:
    """Wait until the grid shows this cell selected, as a person looks before typing (glide marks it for screen readers)."""
    cell = page.get_by_test_id(f"glide-cell-{list(SHEET_WIDTHS).index(column)}-{row}")
    expect(cell).to_have_attribute("aria-selected", "true", timeout=5000)


def _click(page: Page, x: float, y: float, column: str, row: int) -> None:
    """Click a cell and see it selected before typing (after a save, the first click may only give the grid the keyboard)."""
    for _ in range(3):
        page.mouse.click(x, y)
        try:
            _selected(page, column, row)
            return
        except AssertionError:
            continue
    _selected(page, column, row)


def _type_cell(page: Page, text: str, then: str) -> None:
    """Type into the selected cell as a person does: the first key opens the cell's editor, the rest go into it once it
    is seen open, then Tab or Enter ends the cell and moves on (nothing waits for the server)."""
    page.keyboard.type(text[0])
    editor = page.locator("textarea.gdg-input")
    editor.wait_for(state="visible", timeout=5000)
    page.wait_for_function("() => document.activeElement?.matches('textarea.gdg-input')", timeout=5000)  # keys go into it
    page.keyboard.type(text[1:], delay=60)
    page.keyboard.press(then)
    editor.wait_for(state="detached", timeout=5000)


def _grid_cells(page: Page, box: FloatRect, first: str, last: str) -> list[list[str]]:
    """The cells of columns first..last of every row as the grid shows them (selected, copied, read from the clipboard)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _click(page, _column_x(box, first), box["y"] + HEADER + ROW / 2, first, 0)
    for _ in range(list(SHEET_WIDTHS).index(last) - list(SHEET_WIDTHS).index(first)):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(ROWS - 1):
        page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Control+c")
    page.wait_for_timeout(300)
    text = page.evaluate("() => navigator.clipboard.readText()")
    return [line.split("\t") for line in text.replace("\r", "").split("\n") if line][:ROWS]


def _select(page: Page, x: float, y: float, row: int, column: str) -> None:
    """Click a row's name (pinned: always in the same place), then walk right to a column with the arrow keys."""
    _click(page, x, y, "name", row)
    for name in list(SHEET_WIDTHS)[1 : list(SHEET_WIDTHS).index(column) + 1]:
        page.keyboard.press("ArrowRight")
        _selected(page, name, row)


def _save(page: Page) -> None:
    """Press Save as a person does: the hand reaches the button a moment after the last Enter."""
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Save the sheet").click()


def _column_x(box: FloatRect, column: str) -> float:
    """The middle of a column: the widths are fixed, so where a column is does not change with what it holds."""
    left = 0
    for name, width in SHEET_WIDTHS.items():
        if name == column:
            return box["x"] + left + width / 2
        left += width
    raise KeyError(column)


def test_fast_typing_across_the_sheet_loses_nothing(server: dict[str, str], new_page: NewPage) -> None:
    wid = _workshop(server)
    page = new_page("en-US", 1920, 1080)
    box = _open_sheet(page, server["base"], wid)
    x = _column_x(box, "numerator")
    for i in range(ROWS):  # 26 entries in about ten seconds; saves run behind the typing
        _click(page, x, box["y"] + HEADER + ROW * i + ROW / 2, "numerator", i)
        _type_cell(page, f"N{i:02d}", "Tab")
        _type_cell(page, f"D{i:02d}", "Enter")
    _save(page)
    idle(page)
    shown = _grid_cells(page, box, "numerator", "denominator")  # what the grid holds, read back with copy
    ws = Store(server["db"]).load(wid).workshop
    stored = [[n.definition.numerator, n.definition.denominator] for n in ws.nodes]
    typed = [[f"N{i:02d}", f"D{i:02d}"] for i in range(ROWS)]
    refused = " ".join(page.get_by_test_id("stAlertContentError").all_inner_texts())
    assert not refused
    assert stored == shown, "a cell the grid shows was not saved"  # the server side loses nothing
    dropped = [(r, c, shown[r][c]) for r in range(ROWS) for c in range(2) if shown[r][c] != typed[r][c]]
    assert not dropped, f"the grid kept {26 - len(dropped)} of 26 typed cells: {dropped}"


def test_a_refused_cell_is_listed_kept_as_typed_and_corrected(server: dict[str, str], new_page: NewPage) -> None:
    wid = _workshop(server)
    before = Store(server["db"]).load(wid).workshop
    page = new_page("en-US", 1920, 1080)
    box = _open_sheet(page, server["base"], wid)
    y = box["y"] + HEADER + ROW / 2
    _select(page, _column_x(box, "name"), y, 0, "green")
    _type_cell(page, "abc", "Enter")
    _type_cell(page, "12", "Enter")  # the selection moved down a row
    _save(page)
    idle(page)
    assert page.get_by_text("Hires per year, “Green at”: “abc” is not a number").is_visible()
    ws = Store(server["db"]).load(wid).workshop
    assert ws.nodes[1].thresholds.green == 12  # the good cell saved
    assert ws.nodes[0].thresholds.green == before.nodes[0].thresholds.green  # the bad one not, and listed
    box = _grid_box(page)  # the list of refused cells under the grid may have scrolled the page
    _select(page, _column_x(box, "name"), box["y"] + HEADER + ROW / 2, 0, "green")
    _type_cell(page, "20", "Enter")  # corrected
    _save(page)
    idle(page)
    assert Store(server["db"]).load(wid).workshop.nodes[0].thresholds.green == 20
    assert not page.get_by_text("is not a number").count()
