"""kpidesign router: page config, session state, navigation, sidebar, messages."""

import streamlit as st

from kpidesign.pages import EXPORT, HISTORY, REVIEW, STEPS, WORKSHOPS, PageSpec
from ui import session, sidebar, theme

st.set_page_config(page_title="kpidesign", page_icon=":material/account_tree:", layout="wide")
session.init()
theme.inject()


def page(spec: PageSpec) -> st.Page:
    """A registry record as a Streamlit page, titled in the current language."""
    return st.Page(spec.file, title=session.tr(spec.title), icon=spec.icon, url_path=spec.url, default=spec is WORKSHOPS)


navigation = st.navigation(
    {
        session.tr("section_workshop"): [page(WORKSHOPS), page(HISTORY)],
        session.tr("section_steps"): [page(spec) for spec in STEPS],
        session.tr("section_results"): [page(REVIEW), page(EXPORT)],
    }
)
sidebar.render()
session.sync_url()
session.show_flash()
navigation.run()
