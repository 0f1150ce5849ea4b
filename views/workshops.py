"""Workshops: create (blank or from a template), list with progress, open, rename, duplicate, delete."""

from pathlib import Path

import pandas as pd
import streamlit as st

from kpidesign.library import templates
from ui import workshops as actions
from ui.keys import GO_TO_FIRST_STEP, WS_ID, WS_NEW_FROM, WS_NEW_TITLE, WS_UPLOAD
from ui.messages import Kind, flash, show_refusal, taken
from ui.pages import STEPS
from ui.saving import write
from ui.state import go, open_workshop, store
from ui.text import lang, looked_up, md, say, tr

st.title(tr("workshops_title"))
st.write(tr("workshops_intro"))


with st.container(border=True):
    st.subheader(tr("new_workshop"))
    left, right = st.columns([3, 2])
    left.text_input(tr("title"), key=WS_NEW_TITLE, max_chars=120)
    options: list[Path | None] = [None] + [tpl.path for tpl in templates(lang()) or templates()]
    names = {tpl.path: tpl.title for tpl in templates()}
    right.selectbox(
        tr("start_from"),
        options,
        key=WS_NEW_FROM,
        format_func=looked_up({None: tr("start_blank")} | names),
        placeholder=tr("choose"),
    )
    if message := taken(WS_NEW_TITLE):
        st.error(md(message))
    st.button(tr("create"), type="primary", on_click=actions.create, key="ws_create")
    if st.session_state.pop(GO_TO_FIRST_STEP, False):
        go(STEPS[0].file)


with st.expander(tr("import"), icon=":material/upload_file:"):
    st.caption(tr("import_help"))
    # imported the moment the upload arrives: no button that could act on the previous file
    st.file_uploader(tr("import"), type=["yaml", "yml", "xlsx"], key=WS_UPLOAD, label_visibility="collapsed", on_change=actions.import_file)
    show_refusal("ws_import")

summaries = store().workshops()
if not summaries:
    st.info(tr("no_workshops"))
    st.stop()

table = pd.DataFrame(
    {
        tr("col_title"): [s.title for s in summaries],
        tr("col_progress"): [s.steps_done for s in summaries],
        tr("col_updated"): [s.updated_at.replace("T", " ")[:16] for s in summaries],
        tr("col_version"): [s.version for s in summaries],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={tr("col_progress"): st.column_config.ProgressColumn(min_value=0, max_value=5, format="%d / 5")},
)

by_id = {s.id: s for s in summaries}
ids = list(by_id)
default = ids.index(st.session_state[WS_ID]) if st.session_state.get(WS_ID) in by_id else 0
chosen = st.selectbox(
    tr("choose_workshop"), ids, index=default, format_func=lambda i: by_id[i].title, key="ws_choice", placeholder=tr("choose")
)
title = by_id[chosen].title

open_col, rename_col, copy_col, delete_col = st.columns(4)
if open_col.button(tr("open"), type="primary", key="ws_open", icon=":material/login:"):
    open_workshop(chosen)
    flash(Kind.INFO, say("opened", title=title))
    go(STEPS[0].file)


with rename_col.popover(tr("rename"), icon=":material/edit:"):
    st.text_input(tr("new_title"), value=title, key=f"ws_rename_text_{chosen}", max_chars=120)
    st.button(tr("rename"), key="ws_rename", on_click=actions.rename, args=(chosen, f"ws_rename_text_{chosen}"))

if copy_col.button(tr("duplicate"), key="ws_duplicate", icon=":material/content_copy:"):
    ok, copy = write(lambda: store().duplicate(chosen, tr("copy_of", title=title)[:120]), workshop_id=chosen)
    if ok:
        open_workshop(copy)
        flash(Kind.INFO, say("created", title=tr("copy_of", title=title)))
    st.rerun()

if delete_col.button(tr("delete"), key="ws_delete", icon=":material/delete:"):
    st.session_state["ws_confirm_delete"] = chosen
if st.session_state.get("ws_confirm_delete") == chosen:
    st.warning(say("confirm_delete_workshop", title=title))
    yes, no = st.columns(2)
    if yes.button(tr("confirm"), type="primary", key="ws_delete_yes"):
        if write(lambda: store().delete(chosen), workshop_id=chosen)[0]:  # else the message says why; nothing was deleted
            if st.session_state.get(WS_ID) == chosen:
                open_workshop(None)
            st.session_state["ws_confirm_delete"] = None
            flash(Kind.INFO, tr("deleted"))
        st.rerun()
    if no.button(tr("cancel"), key="ws_delete_no"):
        st.session_state["ws_confirm_delete"] = None
        st.rerun()
