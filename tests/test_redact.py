"""What a share link carries (kpidesign.redact): no recipients, queries, connections, addresses or room."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import edits
from kpidesign.model import Alert, Monitoring, ReviewMeeting, RoomIdea, RoomRecord, Workshop
from kpidesign.redact import _IN_TEXT, HIDDEN, for_share, is_address, may_hold_address, scrub, thoroughly_shared
from tests.conftest import build_ec


@given(st.emails())
def test_an_e_mail_address_is_an_address(email: str) -> None:
    assert is_address(email) and is_address(f"Ann <{email}>")


@given(st.text(alphabet=st.characters(blacklist_characters="@＠:/#", blacklist_categories=["Cs"]), max_size=40))
def test_a_team_s_name_is_not(name: str) -> None:
    assert not is_address(name)


def test_for_share_keeps_the_design_and_drops_what_reaches_people(ec: Workshop) -> None:
    kpi = ec.nodes[1]
    nodes = [
        n.model_copy(update={"definition": n.definition.model_copy(update={"query": "select 1", "connection": "dwh"})})
        if n.id == kpi.id
        else n
        for n in ec.nodes
    ]
    ws = ec.model_copy(
        update={
            "nodes": nodes,
            "monitoring": Monitoring(
                reviews=[ReviewMeeting(name="weekly", participants=["営業部", "ann@example.com", "@bob", "https://x.example/u/1"])],
                alerts=[Alert(kpi=kpi.id, to="#exec", action="open a review")],
            ),
            "room": RoomRecord(ideas=[RoomIdea(id="i1", text="private")]),
        }
    )
    shared = for_share(ws)
    assert shared.room is None and shared.monitoring.reviews[0].participants == ["営業部"]
    assert [(a.to, a.action) for a in shared.monitoring.alerts] == [("", "open a review")]
    assert (shared.node(kpi.id).definition.query, shared.node(kpi.id).definition.connection) == ("", "")
    assert [n.id for n in shared.nodes] == [n.id for n in ws.nodes] and shared.node(kpi.id).name == kpi.name
    assert ws.node(kpi.id).definition.query == "select 1"  # the original is untouched


def test_every_text_loses_its_addresses_links_and_slack_ids(ec: Workshop) -> None:
    """The review's cases (#25 item 4): a full-width ＠, a DSN with its password in `source`, an address in an alert's
    action, the learning log, the description; Slack channels and ids in review participants."""
    import datetime as dt

    from kpidesign.model import Definition, LearningEntry

    kpi = ec.nodes[1]
    nodes = [
        n.model_copy(
            update={
                "definition": Definition(
                    owner="tanaka@example.co.jp", source="postgresql://ro:pw@db.internal/sales", why="問い合わせ: sato＠example.co.jp"
                )
            }
        )
        if n.id == kpi.id
        else n
        for n in ec.nodes
    ]
    ws = ec.model_copy(
        update={
            "description": "連絡: boss@example.com <@U012ABCDEF>",
            "nodes": nodes,
            "monitoring": Monitoring(
                reviews=[ReviewMeeting(name="週次", participants=["鈴木＠example.co.jp", "#sales-kpi", "slack:U012ABCDEF", "田中"])],
                alerts=[Alert(kpi=kpi.id, to="ops@example.com", action="ops@example.com に電話")],
                learning_log=[LearningEntry(date=dt.date(2026, 1, 1), observe="yamada@example.com reported, see https://wiki.example/x")],
            ),
        }
    )
    shared = for_share(ws)
    text = shared.model_dump_json()
    for secret in ("example.co.jp", "example.com", "ro:pw", "db.internal", "U012ABCDEF", "#sales-kpi", "wiki.example"):
        assert secret not in text, secret
    assert shared.monitoring.reviews[0].participants == ["田中"] and "に電話" in shared.monitoring.alerts[0].action
    assert [n.id for n in shared.nodes] == [n.id for n in ws.nodes] and shared.node(kpi.id).name == kpi.name


def test_the_actuals_pass_through_unchanged(ec: Workshop) -> None:
    import datetime as dt

    from kpidesign.model import Actual

    kpi = ec.nodes[1].id
    actuals = [Actual(kpi=kpi, date=dt.date(2026, 1, 5) + dt.timedelta(weeks=w), value=float(w), market=None) for w in range(52)]
    shared = for_share(ec.model_copy(update={"actuals": actuals}))
    assert shared.actuals == actuals and shared.room is None  # the numbers a stakeholder reads, nothing else kept


_TEXTS = st.text(alphabet=st.sampled_from("abcXYZUWCG019 @＠:/<>#!.-_\n日本"), max_size=60)


@given(_TEXTS | st.text(max_size=60) | st.emails().map(lambda e: f"連絡先 {e} まで"))
def test_the_shortcut_never_changes_what_is_hidden(text: str) -> None:
    # scrub skips the search when no part of it can match: the result must be the search's own
    assert scrub(text) == _IN_TEXT.sub(HIDDEN, text)
    if not may_hold_address(text):
        assert _IN_TEXT.search(text) is None


_NODE_TEXT = _TEXTS | st.sampled_from(
    [
        "tanaka@example.com",
        "見る: https://wiki.example/x",
        "<@U012ABCDEF>",
        "<#C0123ABCD>",
        "<!here>",
        "MAILTO:x",
        'a"U012ABCDEF',
        "a\nG0123456789",
        "",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["name", "unit", "objective", "owner", "source", "why", "expression", "query", "connection"]), _NODE_TEXT
        ),
        max_size=8,
    ),
    st.data(),
)
def test_the_quick_way_shares_what_the_thorough_way_does(changes: list[tuple[str, str]], data: st.DataObject) -> None:
    """for_share keeps a node with nothing to hide as it is: the result must equal the long way's, text for text."""
    ws = build_ec()
    touched = set()
    for field, text in changes:
        node = data.draw(st.sampled_from([n.id for n in ws.nodes]))
        value = text.replace("\n", " ") if field in ("name", "unit", "connection") else text  # one-line fields
        if field == "unit":
            value = value[:40]  # a unit's limit (kpidesign.edits)
        if field == "connection":
            value = "dwh" if value.strip() else ""  # a connection is a name the server knows
        if field == "name" and not value.strip():
            continue
        ws = edits.set_field(ws, node, field, value) if field != "query" else _with_query(ws, node, value)
        touched.add(node)
    quick, thorough = for_share(ws), thoroughly_shared(ws)
    assert quick == thorough
    assert all(n is ws.node(n.id) for n in quick.nodes if n.id not in touched)  # nothing to hide: the same objects


def _with_query(ws: Workshop, node_id: str, query: str) -> Workshop:
    nodes = [
        n.model_copy(update={"definition": n.definition.model_copy(update={"query": query})}) if n.id == node_id else n for n in ws.nodes
    ]
    return ws.model_copy(update={"nodes": nodes})


def test_the_text_plan_reads_every_text_a_model_can_hold() -> None:
    """The quick way reads a model's texts by a plan of its fields: a field it cannot read sends the model the long way,
    and only a definition's query and connection (emptied anyway) are left out."""
    from pydantic import BaseModel

    from kpidesign.model import Definition
    from kpidesign.redact import _plan

    class Plain(BaseModel):
        query: str = ""
        note: str | None = None
        at: dt.date | None = None

    class Listed(BaseModel):
        tags: list[str] = []

    definition = _plan(Definition)
    assert definition is not None and "owner" in definition[0] and "query" not in definition[0] and "connection" not in definition[0]
    assert _plan(Plain) == (("query", "note"), ())
    assert _plan(Listed) is None
