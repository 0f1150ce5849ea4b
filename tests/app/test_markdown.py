"""Names are data: a workshop title, node name, unit, meeting or file name written as Markdown (a link, an image, bold)
shows literally on every element that renders Markdown (titles, messages, captions, toasts, labels), never as a link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

from kpidesign.io.yaml_io import to_yaml
from kpidesign.library import template
from kpidesign.model import Alert, ReviewMeeting, Workshop
from kpidesign.redact import scrub
from kpidesign.store import Store
from tests.app.conftest import by_key, ok, open_expander, start
from ui.pages import ALL, PageSpec
from ui.text import md

EVIL = "[click](https://evil.example) ![x](https://evil.example/x.png) **bold**"
RAW = ("](https://evil", "![x]", "**bold")  # what only unescaped Markdown contains: md() puts a backslash inside each
MARKDOWN = ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error", "toast")
LABELLED = (
    "button",
    "download_button",
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "multiselect",
    "slider",
    "radio",
    "checkbox",
    "toggle",
    "date_input",
    "metric",
    "expander",
    "tab",
    "segmented_control",
    "file_uploader",
)


def rendered(at: AppTest) -> list[str]:
    """Every text the app handed to an element that renders Markdown: bodies, and the labels of widgets, metrics,
    expanders and tabs (a radio's options too); not table cells, option lists of select boxes or the graph's DOT."""
    texts: list[str] = []
    for kind in MARKDOWN:
        try:
            bodies = at.get(kind)
        except KeyError:
            continue
        for e in bodies:
            assert isinstance(e, Element), (kind, e)  # a body that renders Markdown is an element, never a block
            texts.append(e.value)
    for kind in LABELLED:
        try:
            elements = list(at.get(kind))
        except KeyError:
            continue
        for e in elements:
            texts.append(str(getattr(e, "label", "") or getattr(e.proto, "label", "")))
            if kind in ("radio", "segmented_control"):
                texts += [str(o) for o in getattr(e.proto, "options", [])]
    return texts


def leaked(at: AppTest) -> list[str]:
    """The texts that would render EVIL as Markdown (a link, an image, bold), or whose address GFM would still turn into
    a link once the escapes are read (a browser showed `https\\://evil\\.example` as one: autolinks come after escapes)."""
    return [t for t in rendered(at) if any(r in t for r in RAW) or "evil.example" in t.replace("\\", "")]


@given(hst.text(max_size=200))
def test_md_escapes_every_markdown_character_and_hides_nothing(text: str) -> None:
    assume("\u2060" not in text)
    out = md(text)
    assert re.sub(r"\\(.)", r"\1", out.replace("\u2060", ""), flags=re.S) == text  # shown as typed, nothing lost
    i, plain = 0, out.replace("\u2060", "")
    while i < len(plain):  # every punctuation character Markdown acts on is behind a backslash
        if plain[i] == "\\":
            i += 2
            continue
        assert plain[i] not in "\\`*_{}[]()#+-.!<>|~:$&=@^", (text, out)
        i += 1
    assert not re.search(r"(https?:|www\.|\w\.\w)", out.replace("\\", ""))  # no autolink survives the escapes


def hostile(lang: str = "ja") -> Workshop:
    """The e-commerce template with Markdown in every name a person types: title, KGI, nodes, units, meetings, alerts."""
    ws = template("ec_sales", lang)
    nodes = [
        n.model_copy(update={"name": f"{EVIL} {i}", "unit": n.unit if n.parent is None else "[u](https://evil.example/u)"}, deep=True)
        for i, n in enumerate(ws.nodes)
    ]
    for n in nodes:
        n.definition.owner, n.definition.why = EVIL, EVIL
    kpi = nodes[1].id
    monitoring = ws.monitoring.model_copy(
        update={
            "reviews": [ReviewMeeting(name=EVIL, kpis=[kpi]), *ws.monitoring.reviews],
            "alerts": [Alert(kpi=kpi, to="ops@example.com", action=EVIL), *ws.monitoring.alerts],
        }
    )
    return ws.model_copy(update={"title": EVIL, "nodes": nodes, "monitoring": monitoring})


def test_the_share_view_shows_the_title_literally(db: Path) -> None:
    wid = Store(db).create(hostile())
    at = ok(start({"share": Store(db).shares.create(wid)}))
    assert at.subheader[0].value == md(scrub(EVIL))  # as the link's files show it: its links hidden, the rest literal
    assert not leaked(at)
    for tab in [t.label for t in at.tabs]:
        at.query_params["tab"] = tab
        at.session_state["tab"] = tab
        assert not leaked(ok(at.run())), tab


def test_the_history_page_shows_the_title_literally(db: Path) -> None:
    wid = Store(db).create(hostile())
    at = ok(start({"ws": wid}))
    at.switch_page("views/history.py").run()
    assert any(md(EVIL) in m.value for m in at.markdown)
    assert not leaked(ok(at))


def test_an_imported_workshop_is_announced_literally_and_a_refused_file_named_literally(db: Path) -> None:
    at = ok(start())
    text = to_yaml(hostile()).encode("utf-8")
    ok(at.file_uploader[0].set_value(("w.yaml", text, "application/x-yaml")).run())
    assert Store(db).workshops()[0].title == EVIL  # stored as typed
    assert any(md(EVIL) in i.value for i in at.info) and not leaked(at)
    ok(at.file_uploader[0].set_value((f"{EVIL}.yaml", b"kpidesign: 9\n", "application/x-yaml")).run())
    assert at.error and not leaked(at)


def test_opening_renaming_and_editing_names_say_them_literally(db: Path) -> None:
    wid = Store(db).create(hostile())
    at = ok(start())
    at.selectbox(key="ws_choice").set_value(wid)
    at.button(key="ws_open").click().run()  # opens step 1 with "Opened “…”"
    assert any(md(EVIL) in i.value for i in at.info) and not leaked(ok(at))
    at.text_input(key="kgi_ws_title").input(EVIL + "!").run()  # the toast names the change
    assert at.toast and not leaked(ok(at))
    at.switch_page("views/2_tree.py").run()
    at.text_area(key="tree_add_names").input(EVIL + " child")
    at.button(key="FormSubmitter:tree_add-追加").click().run()  # "Added …" and the saved toast
    assert at.info and at.toast and not leaked(ok(at))
    open_expander(at, "lib_open")  # "add under <name>" on a button
    assert not leaked(at)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.url)
def test_no_page_renders_a_name_as_markdown(db: Path, spec: PageSpec) -> None:
    wid = Store(db).create(hostile())
    at = ok(start({"ws": wid}))
    at.switch_page(spec.file).run()
    assert not leaked(ok(at)), spec.url
    for tab in [t.label for t in at.tabs]:  # only the open tab is drawn: open each
        at.query_params["tab"] = tab
        at.session_state["tab"] = tab
        assert not leaked(ok(at.run())), (spec.url, tab)


def test_the_what_if_and_goal_seek_labels_are_literal(db: Path) -> None:
    wid = Store(db).create(hostile())
    at = ok(start({"ws": wid}))
    at.switch_page("views/review.py").run()
    tabs = [t.label for t in at.tabs]  # review, what-if, levers, goal seek
    at.query_params["tab"] = at.session_state["tab"] = tabs[1]
    at.session_state["wi_levers"] = [n.id for n in Store(db).load(wid).workshop.nodes[1:3]]
    ok(at.run())
    assert at.slider and at.metric and not leaked(at)  # a slider per lever, labelled by its name; the KGI's metrics
    at.query_params["tab"] = at.session_state["tab"] = tabs[3]
    assert not leaked(ok(at.run())) and at.text_input(key="gs_target")


def test_a_stale_save_names_the_other_change_literally(db: Path) -> None:
    wid = Store(db).create(hostile())
    first, second = ok(start({"ws": wid})), ok(start({"ws": wid}))
    first.switch_page("views/1_kgi.py").run()
    second.switch_page("views/1_kgi.py").run()
    first.text_input(key="kgi_ws_title").input(EVIL + " v2").run()  # its summary quotes the new title
    by_key(second.text_input, "f_sales_unit_").input("JPY").run()  # refused: stale; the message says what changed
    assert any(md(EVIL) in e.value for e in second.error) and not leaked(ok(second))
