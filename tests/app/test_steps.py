"""Each of the five steps can be completed through the screens, and bad input never loses data."""

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpidesign import edits, tree
from kpidesign.library import template
from kpidesign.model import Workshop
from kpidesign.progress import step_status
from kpidesign.render import SELECTED_COLOUR, escape
from kpidesign.store import Store
from tests.app.conftest import by_key, ok, open_expander, open_tab, seeded, start
from ui.keys import field_key


def new(db: Path, title: str = "Workshop") -> tuple[AppTest, str]:
    at = ok(start())
    at.text_input(key="ws_new_title").input(title).run()
    ok(at.button(key="ws_create").click().run())
    return at, at.session_state["ws_id"]


def text(at: AppTest, node: str, field: str, value: str) -> AppTest:
    by_key(at.text_input, field_key(node, field) + "_").input(value).run()
    return ok(at)


def stored(db: Path, wid: str) -> Workshop:
    return Store(db).load(wid).workshop


def add_children(at: AppTest, parent_label: str, names: list[str]) -> AppTest:
    at.selectbox(key="tree_selected").set_value(parent_label).run()
    at.text_area(key="tree_add_names").input("\n".join(names))  # a form: values travel with the submit
    at.button(key="FormSubmitter:tree_add-追加").click().run()
    return ok(at)


def test_step1_kgi(db: Path) -> None:
    at, wid = new(db)
    at.switch_page("views/1_kgi.py").run()
    text(at, "kgi", "name", "年間売上高")
    text(at, "kgi", "unit", "円")
    text(at, "kgi", "baseline", "8億")
    text(at, "kgi", "target", "1,000,000,000")
    by_key(at.date_input, "f_kgi_deadline_").set_value(dt.date.today() + dt.timedelta(days=120)).run()
    by_key(at.text_area, "f_kgi_why_").input("投資原資のため").run()
    text(at, "kgi", "objective", "一番選ばれるEC")
    kgi = stored(db, wid).kgi
    assert (kgi.name, kgi.unit, kgi.baseline, kgi.target, kgi.definition.why) == ("年間売上高", "円", 8e8, 1e9, "投資原資のため")
    assert step_status(stored(db, wid))[0].done
    assert at.success and "+25.0%" in at.success[0].value


def test_step1_bad_input_is_explained_and_the_previous_value_kept(db: Path) -> None:
    at, wid = new(db)
    at.switch_page("views/1_kgi.py").run()
    text(at, "kgi", "baseline", "800")
    for bad, words in [("abc", "数値として読めません"), ("9" * 30, "大きすぎます"), ("{}<>\"'", "数値として読めません")]:
        text(at, "kgi", "baseline", bad)
        assert any(words in e.value for e in at.error), [e.value for e in at.error]
        assert stored(db, wid).kgi.baseline == 800
    by_key(at.date_input, "f_kgi_deadline_").set_value(dt.date.today() - dt.timedelta(days=1)).run()
    assert any("過去" in e.value for e in at.error) and stored(db, wid).kgi.deadline is None
    text(at, "kgi", "name", "x" * 2000)
    assert any("2000" in e.value for e in at.error) and stored(db, wid).kgi.name == "KGI"
    text(at, "kgi", "baseline", "900")
    assert stored(db, wid).kgi.baseline == 900 and not any("数値" in e.value for e in at.error)


def test_steps_2_to_5_build_a_whole_workshop(db: Path) -> None:
    at, wid = new(db)
    at.switch_page("views/2_tree.py").run()
    ok(at)
    add_children(at, "kgi", ["顧客数", "客単価", "購入頻度"])
    ws = stored(db, wid)
    assert [n.name for n in ws.children("kgi")] == ["顧客数", "客単価", "購入頻度"]
    at.selectbox(key="tree_selected").set_value("kgi").run()
    by_key(at.button, "tree_prod_kgi_").click().run()
    assert stored(db, wid).kgi.formula == "顧客数 * 客単価 * 購入頻度"
    add_children(at, "顧客数", ["新規顧客数", "既存顧客数"])
    by_key(at.button, "tree_sum_顧客数_").click().run()
    assert stored(db, wid).node("顧客数").formula == "新規顧客数 + 既存顧客数"
    assert step_status(stored(db, wid))[1].done

    at.switch_page("views/3_decompose.py").run()
    add_children(at, "新規顧客数", ["見込み購入者数", "購入率"])
    text(at, "新規顧客数", "formula", "見込み購入者数 × 購入率")
    assert stored(db, wid).node("新規顧客数").formula == "見込み購入者数 * 購入率"
    layers = {
        "顧客数": "lagging",
        "客単価": "lagging",
        "購入頻度": "lagging",
        "新規顧客数": "intermediate",
        "既存顧客数": "lagging",
        "見込み購入者数": "leading",
        "購入率": "intermediate",
    }
    for node, layer in layers.items():
        at.selectbox(key="tree_selected").set_value(node).run()
        by_key(at.radio, field_key(node, "layer") + "_").set_value(layer).run()
        by_key(at.radio, field_key(node, "sensitivity") + "_").set_value("high" if node == "購入率" else "low").run()
        ok(at)
    ws = stored(db, wid)
    rate = ws.node("購入率")
    assert rate.layer is not None and rate.layer.value == "intermediate"
    assert rate.sensitivity is not None and rate.sensitivity.value == "high"
    assert step_status(ws)[2].done
    assert not at.warning  # all three layers present, fast and slow paired

    at.switch_page("views/4_definitions.py").run()
    for node in layers:
        at.selectbox(key="def_selected").set_value(node).run()
        text(at, node, "owner", "EC部長")
        text(at, node, "source", "Shopify")
        by_key(at.selectbox, field_key(node, "frequency") + "_").set_value("weekly").run()
    text(at, "購入率", "green", "2%")
    text(at, "購入率", "yellow", "1.5%")
    by_key(at.multiselect, field_key("購入率", "comparisons") + "_").set_value(["prior_period", "target"]).run()
    ws = stored(db, wid)
    assert ws.node("購入率").thresholds.green == 0.02 and ws.node("購入率").definition.comparisons[1].value == "target"
    assert step_status(ws)[3].done

    at.switch_page("views/5_monitoring.py").run()
    assert not [w for w in at.text_input if w.key == "add_review_name"]  # closed: the form is not drawn
    open_expander(at, "add_review_open")  # the add forms are drawn only when opened
    at.text_input(key="add_review_name").input("週次グロース会議")
    at.multiselect(key="add_review_kpis").set_value(["購入率", "新規顧客数"])
    at.text_input(key="add_review_participants").input("EC運用, マーケ")
    ok(at.button(key="FormSubmitter:add_review_form-会議を追加").click().run())
    assert at.text_input(key="add_review_name").value == "" and at.multiselect(key="add_review_kpis").value == []  # empty for the next
    open_tab(at, "アラート")  # the three parts of step 5 are tabs; only the open one is drawn
    open_expander(at, "add_alert_open")
    at.selectbox(key="add_alert_kpi").set_value("購入率")
    at.text_input(key="add_alert_to").input("#ec-kpi")
    at.text_input(key="add_alert_action").input("2日以内に原因を確認")
    ok(at.button(key="FormSubmitter:add_alert_form-アラートを追加").click().run())
    open_tab(at, "学習ログ（観察 → 洞察 → 行動 → 統合）")
    order = [w.key for w in at.text_area if (w.key or "").startswith("log_")]
    assert order == ["log_observe", "log_insight", "log_act", "log_integrate"]  # Tab follows the loop: O -> I -> A -> I
    at.text_area(key="log_observe").input("CVRが下がった")
    at.text_area(key="log_insight").input("決済画面の不具合")
    ok(at.button(key="FormSubmitter:log_form-記録する").click().run())
    ws = stored(db, wid)
    assert ws.monitoring.reviews[0].kpis == ["購入率", "新規顧客数"] and ws.monitoring.reviews[0].participants == ["EC運用", "マーケ"]
    assert ws.monitoring.alerts[0].to == "#ec-kpi" and ws.monitoring.learning_log[0].insight == "決済画面の不具合"
    assert [s.done for s in step_status(ws)] == [False, True, True, True, True]


def test_tree_bad_input(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/2_tree.py").run()
    before = stored(db, wid)
    add_children(at, "customers", ["ok", "x" * 2000])
    assert any("2000" in e.value for e in at.error)
    assert stored(db, wid) == before
    kept = at.text_area(key="tree_add_names").value
    assert kept is not None and kept.startswith("ok\n")  # what was typed is kept
    at.selectbox(key="tree_selected").set_value("customers").run()
    text(at, "customers", "formula", "new_customers + __import__('os')")
    assert any("使えない" in e.value for e in at.error)
    text(at, "customers", "formula", "new_customers + item_price")
    assert any("子でないID" in e.value for e in at.error)
    assert stored(db, wid).node("customers").formula == before.node("customers").formula
    assert "new_customers" not in by_key(at.selectbox, "tree_parent_customers_").options


def test_tree_quotes_braces_and_markup_are_kept_literally(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/2_tree.py").run()
    name = 'He said "hi" {x} \\ <script>alert(1)</script> ]; digraph'
    add_children(at, "sales", [name])
    ws = stored(db, wid)
    assert ws.children("sales")[-1].name == name
    dot = at.get("graphviz_chart")[0].proto.spec
    assert f'tooltip="{escape(name)}"' in dot
    ok(at)


def test_move_reorder_delete_with_confirmation(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/2_tree.py").run()
    at.selectbox(key="tree_selected").set_value("frequency").run()
    by_key(at.button, "tree_up_frequency_").click().run()
    assert [n.id for n in stored(db, wid).children("sales")] == ["customers", "frequency", "avg_spend"]
    by_key(at.selectbox, "tree_parent_frequency_").set_value("customers").run()
    assert stored(db, wid).node("frequency").parent == "customers"
    at.selectbox(key="tree_selected").set_value("customers").run()
    by_key(at.button, "tree_del_customers_").click().run()
    assert at.warning and stored(db, wid).node("customers")  # asks first
    at.button(key="tree_confirm_yes").click().run()
    ok(at)
    assert "customers" not in {n.id for n in stored(db, wid).nodes}
    assert at.session_state["tree_selected"] == "sales"


def test_two_sessions_never_overwrite_each_other(db: Path) -> None:
    first, wid = seeded(db)
    second = start({"ws": wid})
    first.switch_page("views/1_kgi.py").run()
    second.switch_page("views/1_kgi.py").run()
    text(first, "sales", "unit", "JPY")
    by_key(second.text_input, "f_sales_unit_").input("USD").run()
    assert any("他の人" in e.value for e in second.error)
    assert stored(db, wid).kgi.unit == "JPY"
    second.run()  # after the message the latest state is shown and editing works again
    text(second, "sales", "unit", "EUR")
    assert stored(db, wid).kgi.unit == "EUR"


def test_history_restore(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/1_kgi.py").run()
    text(at, "sales", "unit", "JPY")
    at.switch_page("views/history.py").run()
    at.selectbox(key="hist_version").set_value(1).run()
    ok(at.button[0].click().run())
    assert stored(db, wid).kgi.unit == "円" and Store(db).load(wid).version == 3


def test_a_bad_alert_is_refused_in_its_tab_and_nothing_stored(db: Path) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/5_monitoring.py").run()
    before = stored(db, wid).monitoring.alerts
    open_tab(at, "Alerts")
    open_expander(at, "add_alert_open")
    at.radio(key="add_alert_channel").set_value("email")
    at.text_input(key="add_alert_to").input("not an address")
    ok(at.button(key="FormSubmitter:add_alert_form-Add alert").click().run())
    assert at.error and stored(db, wid).monitoring.alerts == before
    assert at.text_input(key="add_alert_to").value == "not an address"  # what was typed stays, to be corrected
    assert any("Nothing was added" in e.value for e in at.error) and not any("previous value" in e.value for e in at.error)


def test_undo_in_the_sidebar_steps_back_and_the_fields_follow(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/1_kgi.py").run()
    assert at.sidebar.button(key="undo").disabled  # a fresh workshop has nothing to undo
    text(at, "sales", "unit", "JPY")
    text(at, "sales", "name", "売上")
    ok(at.sidebar.button(key="undo").click().run())
    assert (stored(db, wid).kgi.name, stored(db, wid).kgi.unit) == ("年間売上高", "JPY")
    assert by_key(at.text_input, "f_sales_name_").value == "年間売上高"  # the screen shows the state undone to
    ok(at.sidebar.button(key="undo").click().run())  # a second undo goes one step further back
    assert stored(db, wid).kgi.unit == "円" and by_key(at.text_input, "f_sales_unit_").value == "円"
    assert at.sidebar.button(key="undo").disabled and Store(db).load(wid).version == 5


def test_undo_after_someone_else_saved_is_refused(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/1_kgi.py").run()
    text(at, "sales", "unit", "JPY")
    other = Store(db)
    other.save(wid, other.load(wid).workshop.model_copy(update={"title": "他の人"}), expected_version=2, summary="title")
    ok(at.sidebar.button(key="undo").click().run())
    assert stored(db, wid).title == "他の人" and stored(db, wid).kgi.unit == "JPY" and at.error


def test_fields_show_changes_made_elsewhere(db: Path) -> None:
    first, wid = seeded(db)
    second = start({"ws": wid})
    first.switch_page("views/1_kgi.py").run()
    second.switch_page("views/1_kgi.py").run()
    text(first, "sales", "unit", "JPY")
    second.run()  # another session saved: this session's fields show what is stored now
    assert by_key(second.text_input, "f_sales_unit").value == "JPY"


def test_a_button_refreshes_the_field_it_changes(db: Path) -> None:
    at, wid = seeded(db)
    at.switch_page("views/2_tree.py").run()
    at.selectbox(key="tree_selected").set_value("customers").run()
    by_key(at.button, "tree_sum_customers_").click().run()
    by_key(at.button, "tree_prod_customers_").click().run()
    assert by_key(at.text_input, "f_customers_formula").value == "new_customers * existing_customers"
    assert stored(db, wid).node("customers").formula == "new_customers * existing_customers"


def test_add_a_node_from_the_kpi_library(db: Path) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/3_decompose.py").run()
    at.selectbox(key="tree_selected").set_value("customers").run()
    assert not [w for w in at.text_input if w.key == "lib_query"]  # closed: the library is not drawn
    open_expander(at, "lib_open")
    at.text_input(key="lib_query").input("churn").run()
    at.selectbox(key="lib_domain").set_value("saas_b2b").run()
    at.selectbox(key="lib_pick").set_value("logo_churn").run()
    ok(at.button(key="lib_add").click().run())
    added = stored(db, wid).children("customers")[-1]
    assert added.name == "Logo churn rate" and added.thresholds.direction.value == "lower_is_better"


def test_a_big_tree_is_folded_until_all_levels_are_asked_for(db: Path) -> None:
    ws = template("ec_sales", "en")
    for i in range(160):  # a wide level under one node: 179 boxes in all
        ws, _ = tree.add_node(ws, "awareness_rate", f"Campaign {i}")
    wid = Store(db).create(ws)
    at = ok(start({"ws": wid}).sidebar.radio(key="lang").set_value("en").run())
    at.switch_page("views/2_tree.py").run()
    folded = [i.value for i in at.info if "+N below" in i.value]
    assert folded and "of 179 boxes" in folded[0]
    assert "Campaign 0" not in at.get("graphviz_chart")[0].proto.spec and "+160 below" in at.get("graphviz_chart")[0].proto.spec
    at.segmented_control(key="tree_levels").set_value("all").run()
    assert not [i for i in at.info if "+N below" in i.value] and "Campaign 159" in at.get("graphviz_chart")[0].proto.spec
    at.segmented_control(key="tree_levels").set_value("auto").run()
    at.sidebar.radio(key="lang").set_value("ja").run()  # the labels change language, the choice stays
    at.segmented_control(key="tree_levels").set_value("all").run()
    assert "Campaign 159" in at.get("graphviz_chart")[0].proto.spec
    linked = ok(start({"ws": wid, "levels": "all"}))  # a link can open the whole tree
    linked.switch_page("views/2_tree.py").run()
    assert linked.segmented_control(key="tree_levels").value == "all" and "Campaign 159" in linked.get("graphviz_chart")[0].proto.spec
    at.selectbox(key="tree_selected").set_value("awareness_rate").run()
    at.segmented_control(key="tree_scope").set_value("branch").run()
    assert "Campaign 159" in at.get("graphviz_chart")[0].proto.spec


def test_the_definition_sheet_is_a_tab_of_step_four(db: Path) -> None:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/4_definitions.py").run())
    assert at.selectbox(key="def_selected") and not at.dataframe  # the one-KPI form first; the table is not drawn
    open_tab(at, "The whole sheet (cells are editable)")
    assert not [w for w in at.selectbox if w.key == "def_selected"]
    sheet = at.dataframe[0].value
    assert len(sheet) == len(stored(db, wid).nodes) and "Annual sales" in set(sheet["name"])


def test_the_tagging_table_is_a_tab_of_step_three(db: Path) -> None:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/3_decompose.py").run())
    assert at.selectbox(key="tree_selected") and not at.dataframe  # one node's radios first; the table is not drawn
    balance = ["leading", "intermediate", "lagging", "untagged", "fast (moves in days/weeks)", "slow (builds over quarters)"]
    assert [m.label for m in at.metric] == balance  # the balance is under both tabs
    open_tab(at, "Tag layers and sensitivity at once")
    assert not [w for w in at.selectbox if w.key == "tree_selected"] and [m.label for m in at.metric] == balance
    table = at.dataframe[0].value
    assert len(table) == len(stored(db, wid).nodes) - 1 and "Purchase rate" in " ".join(table["name"])  # every node but the KGI


def test_the_node_being_edited_survives_a_look_at_the_table_tab(db: Path) -> None:
    at, _wid = seeded(db, "en")
    ok(at.switch_page("views/3_decompose.py").run())
    at.selectbox(key="tree_selected").set_value("purchase_rate").run()
    open_tab(at, "Tag layers and sensitivity at once")
    ok(at.run())  # a rerun with the picker not drawn (an edit in the table, a refresh)
    assert re.search(rf'id="kpi-purchase_rate"[^\]]*color="{SELECTED_COLOUR}"', at.get("graphviz_chart")[0].proto.spec)
    open_tab(at, "Edit one node")
    assert at.selectbox(key="tree_selected").value == "purchase_rate"
    at.switch_page("views/4_definitions.py").run()
    at.selectbox(key="def_selected").set_value("awareness_rate").run()
    open_tab(at, "The whole sheet (cells are editable)")
    ok(at.run())
    open_tab(at, "Edit one KPI in detail")
    assert at.selectbox(key="def_selected").value == "awareness_rate"


def test_the_node_editor_shows_the_stored_fields_on_both_steps_it_appears_on(db: Path) -> None:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/2_tree.py").run())
    at.selectbox(key="tree_selected").set_value("customers").run()

    def fields() -> dict[str, str | None]:
        return {(w.key or "").split("_")[-1]: w.value for w in at.text_input if (w.key or "").startswith("f_customers_")}

    on_step_two = fields()
    assert on_step_two["name"] == "Customers" and on_step_two["formula"] == "new_customers + existing_customers"
    ok(at.switch_page("views/3_decompose.py").run())  # the same editor on the next step: the same stored values, not blanks
    assert fields() == on_step_two
    ok(at.switch_page("views/2_tree.py").run())
    assert fields() == on_step_two
    text(at, "customers", "baseline", "lots")  # a refused input stays in the field to be corrected, on either step
    ok(at.switch_page("views/3_decompose.py").run())
    assert fields()["baseline"] == "lots" and stored(db, wid).node("customers").baseline == 40000


def test_a_library_kpi_already_in_the_tree_is_said_before_adding_and_named_in_japanese(db: Path) -> None:
    at, wid = seeded(db, "ja")
    at.switch_page("views/3_decompose.py").run()
    at.selectbox(key="tree_selected").set_value("frequency").run()
    open_expander(at, "lib_open")
    at.text_input(key="lib_query").input("開封").run()
    at.selectbox(key="lib_pick").set_value("email_open_rate").run()
    assert any("メール開封率" in w.value and "すでに" in w.value for w in ok(at).warning)  # said before the click
    ok(at.button(key="lib_add").click().run())
    history = Store(db).history(wid)[0]
    assert "メール開封率" in history.summary and "email_open_rate" not in history.summary  # the history names it in Japanese
    assert not any("email_open_rate" in str(getattr(e, "value", "")) for e in [*at.toast, *at.info, *at.success])


def test_step_four_shows_the_inferred_aggregation_to_confirm_or_change(db: Path) -> None:
    at, wid = seeded(db, "en")
    ok(at.switch_page("views/4_definitions.py").run())
    at.selectbox(key="def_selected").set_value("customers").run()
    field = by_key(at.selectbox, "f_customers_aggregation_")
    assert field.value is None and field.format_func(None) == "guessed (please confirm): last value (a stock: a count or balance at a date)"
    field.set_value("sum").run()
    ok(at)
    aggregation = stored(db, wid).node("customers").definition.aggregation
    assert aggregation is not None and aggregation.value == "sum"
    at.selectbox(key="def_selected").set_value("avg_spend").run()
    assert by_key(at.selectbox, "f_avg_spend_aggregation_").format_func(None).startswith("inferred: average")
    at.selectbox(key="def_selected").set_value("purchase_rate").run()
    assert any(w.value == "sum of numerators ÷ sum of denominators" and w.disabled for w in at.text_input)


def test_the_tagging_table_pins_names_and_draws_an_untagged_cell_blank(db: Path) -> None:
    """#26 item 4: the names pinned, layer and speed narrow enough to sit beside them, an empty cell blank (the grid
    draws a missing value as "None"); choosing the blank clears the tag."""
    import json

    from kpidesign.edits import apply_sheet_edits
    from kpidesign.i18n import t
    from tests.app.conftest import open_tab

    at, wid = seeded(db, "ja")
    store = Store(db)
    loaded = store.load(wid)
    store.save(wid, tree.update_node(loaded.workshop, "brand_association", layer=None), expected_version=loaded.version, summary="untag")
    at.switch_page("views/3_decompose.py").run()
    open_tab(at, t("tagging_table", "ja"))
    editor = at.data_editor[0]
    columns = json.loads(editor.proto.columns)
    assert columns["name"]["pinned"] and columns["layer"]["width"] + columns["sensitivity"]["width"] <= 400
    options = {o["value"]: o["label"] for o in columns["layer"]["type_config"]["options"]}
    frame = editor.value
    untagged = frame.loc[frame["name"].str.endswith("ブランド連想"), "layer"].iloc[0]
    assert options[untagged].strip() == "" and "None" not in options.values()
    ids = [n.id for n, _ in tree.walk(store.load(wid).workshop) if n.parent is not None]
    cleared, problems = apply_sheet_edits(store.load(wid).workshop, ids, {ids.index("awareness_rate"): {"layer": untagged}}, ("layer",))
    assert not problems and cleared.node("awareness_rate").layer is None  # the blank choice clears the tag


def test_step4_says_what_is_missing_reads_back_the_bands_and_warns_beside_the_fields(db: Path) -> None:
    at, wid = seeded(db, "ja")
    store = Store(db)
    loaded = store.load(wid)
    ws = edits.set_field(loaded.workshop, "customers", "owner", "")
    ws = edits.set_field(ws, "customers", "unit", "")
    ws = edits.set_field(ws, "item_price", "yellow", "3000")  # higher is better with yellow above green: the wrong order
    store.save(wid, ws, expected_version=loaded.version, summary="gaps")
    ok(at.switch_page("views/4_definitions.py").run())
    title = at.expander[0].label
    assert "責任者 未記入 1/" in title and "単位" not in title  # missing, said as missing; not a field step 4 cannot edit
    at.selectbox(key="def_selected").set_value("purchase_rate").run()
    bands = next(c.value for c in ok(at).caption if "≥" in c.value).replace("\\", "")  # as drawn (md escapes <)
    assert "緑" in bands and "≥6%" in bands and "5%〜<6%" in bands and "<5%" in bands
    assert not any("2,500" in w.value for w in at.warning)  # the wrong order of another KPI is not shown here
    at.selectbox(key="def_selected").set_value("item_price").run()
    assert any("3,000" in w.value for w in ok(at).warning)  # beside its own fields
