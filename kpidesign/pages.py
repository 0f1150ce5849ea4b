"""The page registry: one record per screen, used by the router and by the page tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """A page: its file, i18n title key, icon, URL path and whether it needs an open workshop."""

    file: str
    title: str
    icon: str
    url: str
    needs_workshop: bool = True


WORKSHOPS = PageSpec("views/workshops.py", "nav_workshops", ":material/folder_open:", "workshops", needs_workshop=False)
STEPS = (
    PageSpec("views/1_kgi.py", "nav_kgi", ":material/flag:", "kgi"),
    PageSpec("views/2_tree.py", "nav_tree", ":material/account_tree:", "tree"),
    PageSpec("views/3_decompose.py", "nav_decompose", ":material/device_hub:", "decompose"),
    PageSpec("views/4_definitions.py", "nav_definitions", ":material/table_chart:", "definitions"),
    PageSpec("views/5_monitoring.py", "nav_monitoring", ":material/monitoring:", "monitoring"),
)
REVIEW = PageSpec("views/review.py", "nav_review", ":material/fact_check:", "review")
DASHBOARD = PageSpec("views/dashboard.py", "nav_dashboard", ":material/dashboard:", "dashboard")
EXPORT = PageSpec("views/export.py", "nav_export", ":material/download:", "export")
HISTORY = PageSpec("views/history.py", "nav_history", ":material/history:", "history")
ROOM = PageSpec("views/room.py", "nav_room", ":material/groups:", "room")
ALL = (WORKSHOPS, *STEPS, REVIEW, DASHBOARD, EXPORT, HISTORY, ROOM)
SHARED = PageSpec("views/shared_view.py", "nav_shared", ":material/visibility:", "view", needs_workshop=False)
LOGIN = PageSpec("views/login.py", "nav_login", ":material/lock:", "login", needs_workshop=False)
PARTICIPANT = PageSpec("views/participant.py", "nav_participant", ":material/front_hand:", "join", needs_workshop=False)
