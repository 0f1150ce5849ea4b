"""Login: editing is protected (an editor password, or Streamlit's st.login when configured, with its allow-list)."""

import streamlit as st

from ui.access import check_password, login_configured
from ui.keys import LOGIN_PASSWORD
from ui.text import say, tr

if login_configured() and st.user.get("is_logged_in"):  # signed in, yet here: not on the allow-list (KPIDESIGN_EDITORS)
    st.title(tr("login_denied_title"))
    st.markdown(say("login_denied", email=str(st.user.get("email") or "—")))
    st.button(tr("login_logout"), on_click=st.logout, icon=":material/logout:", key="login_logout")
    st.stop()
st.title(tr("login_title"))
st.write(tr("login_intro"))
if login_configured():
    st.button(tr("login_sso"), on_click=st.login, type="primary", icon=":material/login:")
else:
    with st.form("login_form"):
        st.text_input(tr("login_password"), type="password", key=LOGIN_PASSWORD)
        st.form_submit_button(tr("login_button"), type="primary", on_click=check_password)
