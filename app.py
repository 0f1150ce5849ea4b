"""kpidesign router: page config, session state, who may see what, navigation, sidebar, messages."""

import streamlit as st

from ui import access, jump, sidebar, theme
from ui.access import Mode
from ui.cache import reused
from ui.keys import WS_ID
from ui.messages import show_flash
from ui.pages import ALL, DASHBOARD, EXPORT, HISTORY, LOGIN, PARTICIPANT, REVIEW, ROOM, SHARED, STEPS, WORKSHOPS, PageSpec, spec_at
from ui.room import console as room
from ui.state import init, require_workshop, sync_url
from ui.text import lang, speaking, tr

mode = access.mode()
st.set_page_config(
    page_title="kpidesign",
    page_icon=":material/account_tree:",
    layout="centered" if mode is Mode.JOIN else "wide",
    initial_sidebar_state="collapsed" if mode is Mode.JOIN else "auto",
)
init(open_from_address=mode is Mode.EDIT)
theme.inject()


def page(spec: PageSpec, default: bool = False) -> st.Page:
    """A registry record as a Streamlit page, titled in the current language."""
    return st.Page(spec.file, title=tr(spec.title), icon=spec.icon, url_path=spec.url, default=default or spec is WORKSHOPS)


def only(spec: PageSpec) -> list[st.Page]:
    """One page under every address of the app: a share link or the login shows the same screen on any path,
    with no "page not found" in between, and after the login the person is on the page they asked for."""
    return [page(spec, default=True)] + [st.Page(spec.file, title=tr(spec.title), url_path=other.url) for other in ALL]


def pages() -> list[st.Page] | dict[str, list[st.Page]]:
    """The pages this session may reach, titled in its language."""
    if mode is Mode.JOIN:  # a room's join link: the participant page and nothing else, whatever the address says
        return only(PARTICIPANT)
    if mode is Mode.SHARE:  # a share link: the read-only view and nothing else, whatever the address says
        return only(SHARED)
    if mode in (Mode.LOGIN, Mode.DENIED):  # denied: signed in, but not on the allow-list (the login page says so)
        return only(LOGIN)
    return {
        tr("section_workshop"): [page(WORKSHOPS), page(ROOM), page(HISTORY)],
        tr("section_steps"): [page(spec) for spec in STEPS],
        tr("section_results"): [page(REVIEW), page(DASHBOARD), page(EXPORT)],
    }


with speaking(lang()):  # the session's language read once for the run (its switch is set before a run starts)
    navigation = st.navigation(reused(("pages", mode), pages), position="sidebar" if mode is Mode.EDIT else "hidden")
    if mode is not Mode.JOIN:  # a participant's phone has no sidebar at all
        sidebar.render(editing=mode is Mode.EDIT)
    if mode is Mode.EDIT:
        sync_url()
        jump.land()  # from a review finding's link: the node picked, the field focused
    show_flash()
    if mode is Mode.EDIT and spec_at(navigation.url_path).needs_workshop:
        require_workshop()  # a step with no workshop open: a way back to the list, and the page itself never runs
    navigation.run()
    if mode is Mode.EDIT:  # "follow me": an open room's phones follow the step and node the facilitator is on
        room.follow(st.session_state.get(WS_ID), navigation.url_path)
