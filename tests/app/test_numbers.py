"""Numbers as people read them (#20 item 9): rates as %, counts not as 28.06, goal seek never offers a rate above 100%,
and a value without a prior one is not followed by a dash."""

import datetime as dt
from pathlib import Path

from kpidesign.model import Actual
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, seeded


def test_goal_seek_says_a_rate_above_100_percent_is_not_achievable(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "Goal seek")
    at.selectbox(key="gs_lever").set_value("purchase_rate").run()
    at.text_input(key="gs_target").input("1e12").run()  # sales a thousand times higher: a purchase rate far above 100%
    assert not at.success
    [warning] = [w.value for w in ok(at).warning if "not achievable" in w.value]
    assert "%" in warning
    at.text_input(key="gs_target").input("1.1e9").run()  # a reachable target: said so, with the rate as a percentage
    assert any("%" in s.value for s in ok(at).success)


def test_actuals_are_shown_in_their_unit_and_a_lone_value_has_no_dash(db: Path) -> None:
    at, wid = seeded(db, "en")
    store = Store(db)
    store.actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2027, 1, 31), value=0.11)])
    ok(at.switch_page("views/dashboard.py").run())
    line = next(m.value for m in at.markdown if "Purchase rate" in m.value)
    assert "11%" in line and "—" not in line and "no prior value" in line
    open_tab(at, "Enter data")
    table = at.dataframe[-1].value
    assert list(table["Value"]) == ["11%"]


def test_the_share_view_rounds_a_planned_count_as_people_read_it(db: Path) -> None:
    from kpidesign import edits
    from tests.app.conftest import start

    _, wid = seeded(db, "en")
    store = Store(db)
    loaded = store.load(wid)
    ws = edits.set_field(edits.set_field(loaded.workshop, "new_customers", "unit", "people"), "new_customers", "baseline", "28.06")
    store.save(wid, ws, expected_version=loaded.version, summary="a planned count")
    at = ok(start({"share": store.shares.create(wid)}))
    at.sidebar.radio(key="lang").set_value("en").run()
    open_tab(at, "Definitions")
    table = at.dataframe[0].value
    assert table.loc[table["Name"] == "New customers", "Baseline"].tolist() == ["≈28"]


def test_yen_reads_one_way_on_every_screen_in_japanese(db: Path) -> None:
    """120,000,000 beside 1.2億 on one screen (#26 item 10): step 1's summary, the computed line of step 2, the what-if
    and why-it-moved metrics and the share header read amounts as the graph's labels do."""
    from kpidesign import edits
    from tests.app.conftest import start

    at, wid = seeded(db, "ja")
    store = Store(db)
    ok(at.switch_page("views/1_kgi.py").run())
    summary = next(s.value for s in at.success)
    assert "8億" in summary and "10億" in summary and "800,000,000" not in summary
    ok(at.switch_page("views/review.py").run())
    open_tab(at, "what-if")
    at.multiselect(key="wi_levers").set_value(["purchase_rate"]).run()
    at.slider(key="wi_pct_purchase_rate").set_value(10).run()
    values = [m.value for m in ok(at).metric]
    assert "8億" in values and "8.3億" in values and not any("," in v and "000,000" in v for v in values)
    loaded = store.load(wid)
    store.save(wid, edits.set_field(loaded.workshop, "sales", "baseline", "120000000"), expected_version=loaded.version, summary="x")
    share = ok(start({"share": store.shares.create(wid)}))
    header = next(m.value for m in share.markdown if "年間売上" in m.value)
    assert "1.2億" in header and "120,000,000" not in header
