"""Links that take the facilitator to the field that fixes a finding, and the landing: the node picked and the field
focused once (?node=, ?tab= and ?field= in the address; kpidesign.fixes says which page, tab and field)."""

from __future__ import annotations

import json

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from kpidesign.fixes import FIELDS, Fix
from kpidesign.i18n import t
from kpidesign.index import index
from kpidesign.language import Language
from kpidesign.store import WorkshopNotFoundError
from ui.cache import reused
from ui.keys import DEF_SELECTED, TAB, TREE_SELECTED, WS_ID, browser_class, field_key, parent_key
from ui.pages import STEPS, spec_at
from ui.state import store

NODE_KEYS = (TREE_SELECTED, DEF_SELECTED)  # the node picker of steps 2-3 and the KPI picker of step 4
FIELD_LABEL = {"why": "purpose", "parent": "move_to", "formula": "review_formula"}  # a field's label where the key differs


def where(fix: Fix, language: Language) -> str:
    """Where a finding is fixed, in words: "4 Definitions & thresholds · Owner"."""
    page = t(spec_at(fix.page).title, language)
    if fix.field is None:
        return page if fix.tab is None else f"{page} · {t(fix.tab, language)}"
    return f"{page} · {t(FIELD_LABEL.get(fix.field, fix.field), language)}"


def page(file: str) -> StreamlitPage:
    """The step's page as an object for st.page_link (a path is looked up among every page on each call: 2x slower)."""
    pages: dict[str, StreamlitPage] = reused(("jump_pages",), lambda: {spec.file: st.Page(spec.file, url_path=spec.url) for spec in STEPS})
    return pages[file]


def address(fix: Fix, node: str | None, language: Language) -> dict[str, str]:
    """The query parameters of a link to where a finding is fixed (go=1 marks the arrival, for `land`)."""
    params = {"go": "1"}
    if node is not None and (fix.pick_node or fix.field):
        params["node"] = node
    if fix.pick_node and node is not None:
        params["pick"] = "1"
    if fix.tab is not None:
        params["open"] = t(fix.tab, language)  # the tab (named by its id) by its title, as ?tab= holds it; `land` opens it
    if fix.field is not None:
        params["field"] = fix.field
    return params


def land() -> None:
    """On arrival from a review link: open the tab, make the node the one picked on steps 2-4 and focus the field (or
    bring the tabs into view), once: the parameters are taken out of the address, so a later rerun neither re-picks
    nor steals the focus."""
    params = st.query_params
    if params.get("go") != "1":
        return
    node, field, pick, tab = params.get("node"), params.get("field"), params.get("pick") == "1", params.get("open")
    for key in ("go", "node", "field", "pick", "open"):
        if key in params:
            del params[key]
    # an address is anyone's to write: only a node of the open workshop and a field a review link names are followed
    node = node if node is not None and _in_open_workshop(node) else None
    field = field if field in FIELDS else None
    if tab:  # not through the tabs' own ?tab=: arriving from a page with tabs, Streamlit drops it for that page's tab
        st.session_state[TAB] = tab
    if node and pick:
        for key in NODE_KEYS:
            st.session_state[key] = node
    if field or tab:
        _focus(node, field)


def _in_open_workshop(node: str) -> bool:
    """Whether node names a node of the open workshop (the router runs this before any page has loaded it)."""
    wid = WS_ID.get()
    try:
        return bool(wid) and node in index(store().load(wid or "").workshop).by_id
    except WorkshopNotFoundError:
        return False


def script_json(value: object) -> str:
    """A value as JSON that can sit inside a <script> element: <, > and & escaped (json.dumps leaves them, and a
    "</script>" in a string would end the element there)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _focus(node: str | None, field: str | None) -> None:
    """Scroll to the field's widget, outline it for a moment and put the cursor in it (its container carries the
    widget's key as a class: ui.keys.field_key, or parent_key for where the node hangs); without a field, scroll
    to the page's tabs."""
    want = "input, textarea, [role=combobox], button"
    if field is None:
        exact, want = ["stTabs"], '[role=tab][aria-selected="true"]'
    elif field == "parent":
        exact = [browser_class(parent_key(node))] if node else []
    else:
        exact = [browser_class(field_key(node, field))] if node else []
    script = f"""
<script>
(() => {{
  const exact = {script_json(exact)}, suffix = {script_json(f"_{field}")}, want = {script_json(want)}, block = {script_json("start" if field is None else "center")};
  let tries = 0;
  const find = () => {{
    for (const name of exact) {{ const el = document.getElementsByClassName(name)[0]; if (el) return el; }}
    if (exact.length) return null;
    return [...document.querySelectorAll('[class*="st-key-f_"]')]
      .find(el => [...el.classList].some(c => c.startsWith("st-key-f_") && c.endsWith(suffix))) || null;
  }};
  let done = false;
  const go = () => {{
    const el = find();
    const input = el && el.querySelector(want);
    if (!input) {{ if (++tries < 80) setTimeout(go, 100); return; }}
    if (!done) {{
      done = true;
      for (const ms of [0, 400, 1000, 2000]) setTimeout(() => el.scrollIntoView({{block}}), ms);  // graphs above still growing
      el.style.outline = "4px solid #f59e0b"; el.style.outlineOffset = "6px"; el.style.borderRadius = "6px";
      setTimeout(() => {{ el.style.outline = ""; }}, 5000);
    }}
    input.focus({{preventScroll: true}});
    if (document.activeElement !== input && ++tries < 80) setTimeout(go, 100);  // the page may still be settling
  }};
  setTimeout(go, 150);
}})();
</script>
"""
    st.html(script, unsafe_allow_javascript=True, width=1)
