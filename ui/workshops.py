"""The Workshops page's actions: create one (blank or from a template), import a file, rename one; each through the
one door for writes (ui.saving), a refusal kept beside the field that caused it."""

from __future__ import annotations

import streamlit as st

from kpidesign import edits
from kpidesign.i18n import finding_text, problem_text
from kpidesign.io import files
from kpidesign.library import load_template
from kpidesign.model import new_workshop
from kpidesign.values import parse_name
from ui import connectors as sql_sources
from ui.keys import GO_TO_FIRST_STEP, WS_NEW_FROM, WS_NEW_TITLE, WS_UPLOAD
from ui.messages import Kind, clear, flash, refuse
from ui.saving import commit, write
from ui.state import open_workshop, store
from ui.text import lang, md, say, tr


def create() -> None:
    """Create a workshop from the form and open it."""
    title = parse_name(st.session_state.get(WS_NEW_TITLE), max_len=120)
    if title.problem is not None:
        refuse(WS_NEW_TITLE, problem_text(title.problem, lang()))
        return
    name = title.value or ""  # a name when there is no problem
    choice = st.session_state.get(WS_NEW_FROM)
    ws = new_workshop(name, language=lang()) if not choice else load_template(choice).model_copy(update={"title": name})
    ok, created = write(lambda: store().create(ws))
    if not ok:
        return
    open_workshop(created)
    st.session_state[WS_NEW_TITLE] = ""
    st.session_state[GO_TO_FIRST_STEP] = True  # a new workshop starts at step 1 (a callback cannot switch pages)
    flash(Kind.INFO, say("created", title=title.value))


def import_file() -> None:
    """Create a workshop from the uploaded file, or list why it was refused."""
    upload = st.session_state.get(WS_UPLOAD)
    if upload is None:
        return
    result = files.read(upload.name, upload.getvalue())
    if result.workshop is None:
        found = "\n".join(f"- {md(finding_text(f, lang()))}" for f in result.findings)  # they quote the file
        refuse("ws_import", say("import_refused", name=upload.name) + "\n" + found)
        return
    imported = result.workshop
    ok, created = write(lambda: store().create(imported, summary=f"imported {upload.name}"[:80]))
    if not ok:
        return
    open_workshop(created)
    clear("ws_import")
    flash(Kind.INFO, say("imported", title=result.workshop.title))
    if note := sql_sources.import_note(imported):  # a file's queries run on this server's connections: said before anyone refreshes
        flash(Kind.WARNING, note)
    if result.findings:  # kept, but said: e.g. actuals for a KPI that is not in the tree
        flash(Kind.WARNING, "\n".join(f"- {md(finding_text(f, lang()))}" for f in result.findings))


def rename(workshop_id: str, key: str) -> None:
    """Rename the chosen workshop through the same checked save as every edit."""
    raw = st.session_state.get(key)
    commit(lambda ws: edits.set_title(ws, raw), tr("sum_title", title=str(raw)[:40]), workshop_id=workshop_id)
