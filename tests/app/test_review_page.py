from kpidesign import edits
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, seeded


def test_review_page_shows_scores_whatif_levers_and_goal_seek(db):
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    assert len(at.metric) >= 7 and at.metric[0].label == "Specific"
    open_tab(at, "What-if")
    at.multiselect(key="wi_levers").set_value(["purchase_rate"]).run()
    at.slider(key="wi_pct_purchase_rate").set_value(10).run()  # 15k of 40k customers: +10 % CVR -> +3.75 % sales
    ok(at)
    whatif = next(m for m in at.metric if "what-if" in m.label)
    assert whatif.value == "830,000,000" and whatif.delta == "+3.75%"
    at.text_input(key="wi_val_purchase_rate").input("7%").run()  # to a value instead of by a percentage
    whatif = next(m for m in at.metric if "what-if" in m.label)
    assert whatif.value == "920,000,000"  # 7 % instead of 5 %: new customers 15k -> 21k, customers 46k: x1.15
    at.text_input(key="wi_val_purchase_rate").input("lots").run()
    assert any("not a number" in e.value for e in at.error)
    open_tab(at, "Levers and KFS")
    assert any("KFS candidate" in s.value for s in at.success)
    # frequency, item price and items per purchase each move sales +1 % for +1 %: the headline says they tie
    assert any("move the KGI just as much at +1%" in c.value and "comes first" in c.value for c in at.caption)
    open_tab(at, "Goal seek")
    at.selectbox(key="gs_lever").set_value("items_per_purchase").run()
    assert any("2.5" in s.value for s in at.success)
    at.text_input(key="gs_target").input("abc").run()
    assert any("not a number" in e.value for e in at.error)
    at.selectbox(key="gs_lever").set_value("satisfaction").run()
    at.text_input(key="gs_target").input("1e9").run()
    assert any("impossible" in w.value for w in at.warning)


def test_review_lists_findings_of_a_broken_design(db):
    at, wid = seeded(db, "en")
    store = Store(db)
    loaded = store.load(wid)
    ws = edits.set_field(loaded.workshop, "customers", "owner", "")
    ws = edits.set_field(ws, "customers", "green", "1")
    store.save(wid, ws, expected_version=loaded.version, summary="break")
    ok(at.switch_page("views/review.py").run())
    text = " ".join(m.value for m in at.markdown)
    assert "has no owner" in text and "wrong order" in text


def test_the_levers_chosen_for_a_what_if_survive_a_look_at_another_tab(db):
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "What-if")
    at.multiselect(key="wi_levers").set_value(["purchase_rate", "item_price"]).run()
    open_tab(at, "Levers and KFS")
    open_tab(at, "What-if")
    assert at.multiselect(key="wi_levers").value == ["purchase_rate", "item_price"] and not at.warning
