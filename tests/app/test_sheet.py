"""Step 4's whole sheet: a save applies every cell typed since the grid was drawn, refuses bad ones by row and column,
keeps the grid (its key and data) across its own saves, and rebuilds it after a change made elsewhere (#20 item 2)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpidesign import edits
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, seeded

TAB = "The whole sheet (cells are editable)"


def sheet(db: Path) -> tuple[AppTest, str]:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/4_definitions.py").run())
    open_tab(at, TAB)
    return at, wid


def edit_and_save(at: AppTest, cells: dict[int, dict[str, str]]) -> tuple[AppTest, str]:
    """Put edits into the grid's state as the browser does (every edit since it was drawn), then press Save."""
    key = at.data_editor[0].key
    assert key is not None
    at.session_state[key] = {"edited_rows": cells, "added_rows": [], "deleted_rows": []}
    [save] = [b for b in at.button if b.label == "Save the sheet"]
    return ok(save.click().run()), key


def test_several_cells_in_one_save_are_all_stored(db: Path) -> None:
    at, wid = sheet(db)
    ids = [n.id for n in Store(db).load(wid).workshop.nodes]
    at, key = edit_and_save(at, {1: {"owner": "Aiko", "source": "GA4"}, 2: {"owner": "Ben", "green": "1,200"}, 3: {"period": "week"}})
    ws = Store(db).load(wid).workshop
    assert (ws.node(ids[1]).definition.owner, ws.node(ids[1]).definition.source) == ("Aiko", "GA4")
    assert (ws.node(ids[2]).definition.owner, ws.node(ids[2]).thresholds.green) == ("Ben", 1200)
    assert ws.node(ids[3]).definition.period == "week"
    assert not at.error
    assert at.data_editor[0].key == key  # the grid is not rebuilt by its own save: focus and widths stay in the browser


def test_a_bad_cell_is_refused_by_row_and_column_while_the_others_are_saved(db: Path) -> None:
    at, wid = sheet(db)
    before = Store(db).load(wid).workshop
    at, _key = edit_and_save(at, {0: {"green": "abc", "owner": "Chika"}, 1: {"yellow": "12%"}})
    ws = Store(db).load(wid).workshop
    assert ws.nodes[0].definition.owner == "Chika" and ws.nodes[1].thresholds.yellow == 0.12
    assert ws.nodes[0].thresholds.green == before.nodes[0].thresholds.green
    assert Store(db).history(wid, 1)[0].summary == "definitions: 2 cells"  # three typed, one refused: two saved
    [error] = at.error
    assert f"{before.nodes[0].name}, “Green at”: “abc” is not a number" in error.value
    # the next save (more typing) keeps the refusal listed until the cell is corrected, and does not apply twice
    at, _ = edit_and_save(at, {0: {"green": "abc", "owner": "Chika"}, 1: {"yellow": "12%"}, 2: {"owner": "Dai"}})
    assert "“abc” is not a number" in at.error[0].value
    versions = Store(db).history(wid, 50)
    assert versions[0].summary == "definitions: 1 cells"  # only the new cell
    at, _ = edit_and_save(at, {0: {"green": "30", "owner": "Chika"}, 1: {"yellow": "12%"}, 2: {"owner": "Dai"}})
    assert Store(db).load(wid).workshop.nodes[0].thresholds.green == 30 and not at.error


def test_a_change_made_elsewhere_rebuilds_the_grid_with_what_is_stored(db: Path) -> None:
    at, wid = sheet(db)
    at, key = edit_and_save(at, {1: {"owner": "Aiko"}})
    store = Store(db)
    loaded = store.load(wid)
    ws = loaded.workshop
    other = ws.model_copy(update={"nodes": [n if i != 2 else n.model_copy(update={"name": "Renamed"}) for i, n in enumerate(ws.nodes)]})
    store.save(wid, other, expected_version=loaded.version, summary="someone else")
    ok(at.run())
    assert at.data_editor[0].key != key and "Renamed" in set(at.data_editor[0].value["name"])


def test_step_four_says_how_many_kpis_lack_each_field(db: Path) -> None:
    at, wid = seeded(db, "en")
    store = Store(db)
    loaded = store.load(wid)
    ws = loaded.workshop
    for n in ws.nodes[1:4]:
        ws = edits.set_field(ws, n.id, "owner", "")
    store.save(wid, ws, expected_version=loaded.version, summary="owners cleared")
    ok(at.switch_page("views/4_definitions.py").run())
    kpis = [n for n in ws.nodes if n.parent is not None]
    lacking = [n for n in kpis if not n.definition.owner]
    shown = " ".join(m.value for m in at.markdown)
    assert f"{len(lacking)} of {len(kpis)} KPIs lack an owner" in shown and lacking[0].name[:10] in shown.replace("\\", "")
    assert any(f"Owner: {len(lacking)} of {len(kpis)} missing" in e.label for e in at.expander)  # the counts in one closed line
    # an owner typed on the sheet takes one off the count
    at, _ = edit_and_save(open_tab(at, TAB), {ws.nodes.index(lacking[0]): {"owner": "Team"}})
    shown = " ".join(m.value for m in at.markdown)
    left = len(lacking) - 1
    assert (f"{left} of {len(kpis)} KPIs lack an owner" in shown) if left else ("lack an owner" not in shown)
    at.sidebar.radio(key="lang").set_value("ja").run()
    if left:
        assert f"{len(kpis)}個中{left}個のKPIに責任者がいません" in " ".join(m.value for m in ok(at).markdown)
