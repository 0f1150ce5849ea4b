"""The page registry: one record per screen, used by the router, the links between pages and the page tests."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.text import tr


@dataclass(frozen=True)
class PageSpec:
    """A page: its file, i18n title key, icon, URL path and whether it needs an open workshop."""

    file: str
    title: str
    icon: str
    url: str
    needs_workshop: bool = True


WORKSHOPS = PageSpec("views/workshops.py", "nav_workshops", ":material/folder_open:", "workshops", needs_workshop=False)
KGI = PageSpec("views/1_kgi.py", "nav_kgi", ":material/flag:", "kgi")
TREE = PageSpec("views/2_tree.py", "nav_tree", ":material/account_tree:", "tree")
DECOMPOSE = PageSpec("views/3_decompose.py", "nav_decompose", ":material/device_hub:", "decompose")
DEFINITIONS = PageSpec("views/4_definitions.py", "nav_definitions", ":material/table_chart:", "definitions")
MONITORING = PageSpec("views/5_monitoring.py", "nav_monitoring", ":material/monitoring:", "monitoring")
STEPS = (KGI, TREE, DECOMPOSE, DEFINITIONS, MONITORING)
REVIEW = PageSpec("views/review.py", "nav_review", ":material/fact_check:", "review")
DASHBOARD = PageSpec("views/dashboard.py", "nav_dashboard", ":material/dashboard:", "dashboard")
EXPORT = PageSpec("views/export.py", "nav_export", ":material/download:", "export")
HISTORY = PageSpec("views/history.py", "nav_history", ":material/history:", "history")
ROOM = PageSpec("views/room.py", "nav_room", ":material/groups:", "room")
ALL = (WORKSHOPS, *STEPS, REVIEW, DASHBOARD, EXPORT, HISTORY, ROOM)
SHARED = PageSpec("views/shared_view.py", "nav_shared", ":material/visibility:", "view", needs_workshop=False)
LOGIN = PageSpec("views/login.py", "nav_login", ":material/lock:", "login", needs_workshop=False)
PARTICIPANT = PageSpec("views/participant.py", "nav_participant", ":material/front_hand:", "join", needs_workshop=False)
BY_URL = {spec.url: spec for spec in (*ALL, SHARED, LOGIN, PARTICIPANT)}


def spec_at(url_path: str) -> PageSpec:
    """The page at an address (the default page, the workshops, at the bare one)."""
    return BY_URL.get(url_path, WORKSHOPS)


def next_step(spec: PageSpec) -> PageSpec | None:
    """The step after this one (None after the last)."""
    i = STEPS.index(spec)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def link_to_next_step(spec: PageSpec) -> None:
    """A link to the step after this one, titled in the current language."""
    following = next_step(spec)
    if following is not None:
        st.page_link(following.file, label=tr("next_step", step=tr(following.title)), icon=":material/arrow_forward:")
