"""The share link: read-only, nothing editable, nothing else reachable, forged tokens reveal nothing."""

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element, Node

from kpidesign.io import files
from kpidesign.model import Alert, Monitoring, ReviewMeeting
from kpidesign.store import Store
from tests.app.conftest import ok, open_tab, seeded, start
from ui.cache import Snapshot
from ui.pages import ALL, PageSpec
from ui.sharing import exports

EDITING = (
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "multiselect",
    "slider",
    "date_input",
    "checkbox",
    "toggle",
    "data_editor",
    "file_uploader",
)


def editable(at: AppTest) -> list[Node]:
    found: list[Node] = []
    for kind in EDITING:
        try:
            found += list(at.get(kind))
        except KeyError:
            pass
    # the language radio and the projector switch are the viewer's own view, kept in their session: they write nothing
    return [w for w in found if w.key != "projector"] + [b for b in at.button]


def shared(db: Path, lang: str = "ja") -> tuple[AppTest, str, str]:
    _, wid = seeded(db, lang)
    token = Store(db).shares.create(wid)
    at = start({"share": token})
    return at, wid, token


def test_share_link_shows_the_result_and_nothing_editable(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    monkeypatch.setattr(files, "export", lambda *args: built.append(args))
    at, _wid, _ = shared(db)
    ok(at)
    assert at.subheader[0].value == "EC売上を10億円へ（例）" and not at.title  # a heading: a phone's first screen is not a title
    assert len(at.dataframe) == 1 and not at.get("graphviz_chart")  # the status tab is open first; the others are drawn when opened
    statuses = {cell[0] for cell in at.dataframe[0].value.iloc[:, 0]}  # each a label on its colour (status_column)
    assert statuses == {"閾値なし", "データなし"}  # nothing measured yet: no data, never green on the plan (one rule with the dashboard)
    assert not editable(at)
    buttons = at.get("download_button")
    assert {b.proto.label for b in buttons} == {"Excel (.xlsx)", "YAML（正本）", "まとめ（HTML・A4で印刷）"}
    assert all(b.proto.deferred_file_id and not b.proto.url for b in buttons)  # built when clicked, not on each refresh
    assert not built
    open_tab(at, "定義表")
    assert at.dataframe[0].value.iloc[0, 0] == "年間売上高" and len(at.dataframe[0].value) > 10
    open_tab(at, "ツリー")
    assert at.get("graphviz_chart")
    open_tab(at, "モニタリング")
    assert len(at.dataframe) >= 2 and not at.get("graphviz_chart")  # reviews, alerts (and the learning log)
    assert not editable(at) and not built


def test_the_share_view_leads_with_what_is_red_and_names_no_recipient(db: Path) -> None:
    """A stakeholder on a phone asks "what is red?" first; alert recipients' addresses are not for a link's readers (#20)."""
    import datetime as dt

    from kpidesign.model import Actual

    _, wid = seeded(db, "en")
    Store(db).actuals.add(wid, [Actual(kpi="purchase_rate", date=dt.date(2026, 10, 1), value=0.01)])  # green at 6 %, yellow at 5 %
    at = start({"share": Store(db).shares.create(wid)})
    at.sidebar.radio(key="lang").set_value("en").run()
    table = at.dataframe[0].value  # the first tab: what is red, first, as tall as its rows (no scroll inside the page)
    assert [str(w) for w in table["Status"].iloc[0]] == ["red"] and table.iloc[0, 1] == "Purchase rate (CVR)"
    config = json.loads(at.dataframe[0].proto.columns)["Status"]  # the label drawn on its colour by the browser
    chips = [(o["value"], o["color"]) for o in config["type_config"]["options"][:3]]
    assert chips == [("red", "#fecaca"), ("yellow", "#fef08a"), ("green", "#bbf7d0")]
    open_tab(at, "Tree")
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "#fecaca" in dot and "#bbf7d0" not in dot  # the tree coloured by status: one red, nothing green on a plan
    open_tab(at, "Monitoring")
    shown = " ".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    assert "ec-lead@example.com" not in shown and "#ec-kpi" not in shown


def test_a_download_from_the_share_link_is_built_on_click_and_refused_once_revoked(db: Path) -> None:
    _, wid = seeded(db)
    store = Store(db)
    st.session_state["store"] = store  # as the page that draws the button has it
    snap = Snapshot(store.where, wid, store.load(wid).version, store.actuals.rev(wid), "en")
    allowed = [True]
    data = exports.built_on_click(snap, "xlsx", None, lambda: allowed[0])
    book = openpyxl.load_workbook(io.BytesIO(data()))
    assert book.sheetnames[:3] == ["Cover", "Definitions", "Thresholds"]
    assert yaml.safe_load(exports.built_on_click(snap, "yaml", None, lambda: True)())["kpidesign"] == 1
    allowed[0] = False
    with pytest.raises(PermissionError):
        data()


def _check_script() -> None:
    import streamlit as st

    from kpidesign.store import Store
    from ui import access

    st.session_state["store"] = Store()
    st.session_state["share_token"] = st.query_params["share"]
    st.session_state["check"] = access.link_check(st.query_params["ws"])


def test_the_check_a_download_asks_at_the_click_follows_the_link(db: Path) -> None:
    _, wid = seeded(db)
    other = Store(db).create(Store(db).load(wid).workshop)
    token = Store(db).shares.create(wid)
    checks = {}
    for workshop_id in (wid, other):
        at = AppTest.from_function(_check_script)
        at.query_params.update({"share": token, "ws": workshop_id})
        checks[workshop_id] = ok(at.run()).session_state["check"]
    assert checks[wid]() and not checks[other]()  # the link opens its own workshop only
    Store(db).shares.revoke(wid, Store(db).shares.all(wid)[0].id)
    assert not checks[wid]()  # revoked after the page was drawn: the click gets no file


@pytest.mark.parametrize("token", ["", "nope", "x" * 500, "<script>alert(1)</script>", "' or 1=1 --"])
def test_forged_tokens_reveal_nothing(db: Path, token: str) -> None:
    seeded(db)
    at = ok(start({"share": token}))
    assert at.title[0].value in ("このリンクは無効です", "This link is not valid")
    assert not at.dataframe and not at.get("graphviz_chart") and not editable(at)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.url)
def test_editing_pages_cannot_be_reached_from_a_share_link(db: Path, spec: PageSpec) -> None:
    at, wid, _ = shared(db)
    at.query_params["ws"] = wid  # changing the address does not help either
    try:
        at.switch_page(spec.file).run()
    except Exception:
        pass  # the page is not part of this session's navigation at all
    assert not editable(at)
    assert at.session_state["ws_id"] is None


def test_revoking_takes_effect_on_the_open_view(db: Path) -> None:
    at, wid, _token = shared(db)
    store = Store(db)
    store.shares.revoke(wid, store.shares.all(wid)[0].id)
    at.run()
    assert at.title[0].value in ("このリンクは無効です", "This link is not valid")


def test_editor_password_gate(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIDESIGN_EDITOR_PASSWORD", "s3cret-パス")
    at = ok(start())
    assert at.title[0].value == "編集にはログインが必要です"
    assert not [w for w in at.text_input if w.key != "login_password"]
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert at.error and at.title[0].value == "編集にはログインが必要です"
    at.text_input(key="login_password").input("s3cret-パス")
    at.button[0].click().run()
    ok(at)
    assert at.title[0].value == "ワークショップ"


def test_share_link_works_without_the_password(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIDESIGN_EDITOR_PASSWORD", "s3cret")
    at, _, _ = shared(db)
    assert at.subheader[0].value == "EC売上を10億円へ（例）"


def test_links_are_created_listed_and_revoked_on_the_export_page(db: Path) -> None:
    at, wid = seeded(db, "en")
    at.switch_page("views/export.py").run()
    at.text_input(key="share_label").input("board")
    at.button(key="FormSubmitter:share_form-Create link").click().run()
    ok(at)
    link = at.code[0].value
    assert link.startswith("http") and "?share=" in link
    token = link.split("?share=")[1]
    assert Store(db).shares.resolve(token) == wid
    share_id = Store(db).shares.all(wid)[0].id
    at.button(key=f"share_revoke_{share_id}").click().run()
    assert Store(db).shares.resolve(token) is None


def test_a_new_link_expires_in_90_days_unless_never_is_chosen(db: Path) -> None:
    import datetime as dt

    at, wid = seeded(db, "en")
    at.switch_page("views/export.py").run()
    assert at.number_input(key="share_days").value == 90
    at.text_input(key="share_label").input("default")
    at.button(key="FormSubmitter:share_form-Create link").click().run()
    at.text_input(key="share_label").input("never")
    at.number_input(key="share_days").set_value(0)
    at.button(key="FormSubmitter:share_form-Create link").click().run()
    ok(at)
    expiry = {s.label: s.expires_at for s in Store(db).shares.all(wid)}
    assert expiry["never"] is None
    default = expiry["default"]
    assert default is not None
    days = (dt.datetime.fromisoformat(default) - dt.datetime.now(dt.UTC)) / dt.timedelta(days=1)
    assert 89.9 < days <= 90
    assert any(default[:10] in c.value for c in at.caption) and any("never" in c.value for c in at.caption)


def test_conflict_message_names_the_other_change(db: Path) -> None:
    from tests.app.conftest import by_key

    first, wid = seeded(db)
    second = start({"ws": wid})
    first.switch_page("views/1_kgi.py").run()
    second.switch_page("views/1_kgi.py").run()
    by_key(first.text_input, "f_sales_unit_").input("JPY").run()
    by_key(second.text_input, "f_sales_objective_").input("mine").run()
    message = " ".join(e.value for e in second.error)
    assert "他の人" in message and "年間売上高" in message and "単位" in message


def test_a_share_links_files_carry_no_room_ideas_the_facilitators_do(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, wid = seeded(db)
    store = Store(db)
    store.rooms.open(wid)
    secret = store.rooms.join(wid, "Aki")
    store.rooms.add_idea(wid, secret, "private thought", None)
    st.session_state["store"] = store
    snap = Snapshot(store.where, wid, store.load(wid).version, store.actuals.rev(wid), "en")
    shared_file = yaml.safe_load(exports.built_on_click(snap, "yaml", None, lambda: True)())
    assert "room" not in shared_file and "private thought" not in yaml.safe_dump(shared_file, allow_unicode=True)
    own = yaml.safe_load(exports.built_on_click(snap, "yaml", store.rooms.rev(wid), lambda: True)())
    assert "private thought" in yaml.safe_dump(own["room"], allow_unicode=True)
    asked: list[int | None] = []
    real = exports.built_on_click

    def spy(snap: Snapshot, fmt: str, room: int | None, allowed: Callable[[], bool], shared: bool = False) -> Callable[[], bytes]:
        asked.append(room)
        return real(snap, fmt, room, allowed, shared)

    monkeypatch.setattr(exports, "built_on_click", spy)
    ok(start({"share": store.shares.create(wid)}))  # the share view's buttons: built without the room
    assert asked and set(asked) == {None}


SECRETS = ("ceo@example.com", "#exec-kpi", "select amount", "warehouse_main", "ann@example.com", "@bob")


def _with_secrets(store: Store, wid: str) -> None:
    """The seeded workshop given what a share link must not carry: alert recipients, a KPI's SQL query and connection,
    review participants written as addresses (beside a team's name, which stays)."""
    loaded = store.load(wid)
    ws = loaded.workshop
    kpi = ws.nodes[1]
    nodes = [
        n.model_copy(
            update={
                "definition": n.definition.model_copy(
                    update={"query": "select amount as value, day as date from t", "connection": "warehouse_main"}
                )
            }
        )
        if n.id == kpi.id
        else n
        for n in ws.nodes
    ]
    monitoring = Monitoring(
        reviews=[ReviewMeeting(name="weekly", kpis=[kpi.id], participants=["EC team", "ann@example.com", "@bob"])],
        alerts=[Alert(kpi=kpi.id, channel="email", to="ceo@example.com"), Alert(kpi=kpi.id, channel="slack", to="#exec-kpi")],
    )
    store.save(wid, ws.model_copy(update={"nodes": nodes, "monitoring": monitoring}), expected_version=loaded.version, summary="secrets")


def _text_of(fmt: str, data: bytes) -> str:
    if fmt in ("yaml", "html"):
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as book:  # every part of the workbook, as Excel or LibreOffice would read it
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def test_a_share_links_downloads_carry_what_its_screen_hides(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#25 item 4: the files a share link offers, opened, hold no recipients, queries, connections or addresses."""
    _, wid = seeded(db)
    store = Store(db)
    _with_secrets(store, wid)
    offered: dict[str, Callable[[], bytes]] = {}
    real = exports.built_on_click

    def spy(snap: Snapshot, fmt: str, room: int | None, allowed: Callable[[], bool], shared: bool = False) -> Callable[[], bytes]:
        offered[fmt] = real(snap, fmt, room, allowed, shared)
        return offered[fmt]

    monkeypatch.setattr(exports, "built_on_click", spy)
    at = ok(start({"share": store.shares.create(wid)}))
    assert set(offered) == {"xlsx", "yaml", "html"}  # the summary too, from the same redacted copy
    st.session_state["store"] = store
    for fmt, data in offered.items():
        text = _text_of(fmt, data())
        assert not [s for s in SECRETS if s in text], fmt
        assert "EC team" in text, fmt  # a team's name is not an address: it stays
    screen = "\n".join([m.value for m in at.markdown] + [str(d.value) for d in at.dataframe])
    assert not [s for s in SECRETS if s in screen]
    own = yaml.safe_load(
        exports.built_on_click(
            Snapshot(store.where, wid, store.load(wid).version, store.actuals.rev(wid), "en"), "yaml", None, lambda: True
        )()
    )
    assert own["monitoring"]["alerts"][0]["to"] == "ceo@example.com"  # the facilitator's own export keeps everything


def _all_text(at: AppTest) -> str:
    """Every text the page shows: headings, Markdown, captions, messages, table cells and the graph's DOT."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "text"):
        try:
            parts += [str(e.value) for e in at.get(kind) if isinstance(e, Element)]
        except KeyError:
            pass
    parts += [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    parts += [str(c) for df in at.dataframe for c in df.value.columns]
    parts += [e.proto.spec for e in at.get("graphviz_chart")]
    return "\n".join(parts)


def test_every_tab_of_the_share_view_shows_the_redacted_texts(db: Path) -> None:
    """The screen never shows more than the files it offers: an address in the title, the KGI's purpose, a KPI's name or
    unit is hidden on every tab (the status table and the tree drew the names from the unredacted workshop)."""
    store, (_, wid) = Store(db), seeded(db, "en")
    loaded = store.load(wid)
    ws = loaded.workshop
    kgi, kpi = ws.nodes[0], ws.nodes[1]
    nodes = [
        kgi.model_copy(update={"definition": kgi.definition.model_copy(update={"why": "ask boss@example.com"})}),
        kpi.model_copy(update={"name": "Leads (sato@example.com)", "unit": "件 <@U012ABCDEF>"}),
        *ws.nodes[2:],
    ]
    store.save(
        wid, ws.model_copy(update={"title": "EC mailto:x@example.com", "nodes": nodes}), expected_version=loaded.version, summary="s"
    )
    at = start({"share": store.shares.create(wid)})
    at.sidebar.radio(key="lang").set_value("en").run()
    for tab in ("Status (red first)", "Tree", "Definitions", "Monitoring"):
        text = _all_text(open_tab(at, tab))
        assert "Leads" in text or tab == "Monitoring", tab  # the tab drew the KPIs
        for secret in ("example.com", "U012ABCDEF"):
            assert secret not in text, (tab, secret)
