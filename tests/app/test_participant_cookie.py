"""The participant cookie (ui/participant/joining.py): over HTTPS only the __Host- one names someone, so a cookie a
sibling subdomain plants (cookie tossing) is never read; over plain HTTP (local use) the plain name, __Host- first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ui.participant import joining

secrets = st.text(alphabet="ABCxyz019_-", min_size=1, max_size=43)


@given(secrets, secrets)
def test_over_https_a_plain_cookie_names_no_one(host: str, planted: str) -> None:
    assert joining.held_cookie({joining.COOKIE: planted}, https=True) is None
    assert joining.held_cookie({joining.COOKIE: planted, joining.HOST_COOKIE: host}, https=True) == host


@given(secrets, secrets)
def test_over_http_the_host_cookie_first_then_the_plain_one(host: str, plain: str) -> None:
    assert joining.held_cookie({joining.COOKIE: plain}, https=False) == plain
    assert joining.held_cookie({joining.COOKIE: plain, joining.HOST_COOKIE: host}, https=False) == host
    assert joining.held_cookie({joining.COOKIE: "", joining.HOST_COOKIE: ""}, https=False) is None
    assert joining.held_cookie({}, https=False) is None


def test_the_scheme_is_the_browsers_page_else_its_websocket_origin() -> None:
    assert joining.is_https("https://kpi.example.com/", None)
    assert joining.is_https("HTTPS://kpi.example.com/", "http://x")
    assert not joining.is_https("http://127.0.0.1:8501/", "https://kpi.example.com")  # the page's own address wins
    assert joining.is_https(None, "https://kpi.example.com")
    assert not joining.is_https(None, "http://localhost:8501")
    assert not joining.is_https(None, None)
    assert joining.HOST_COOKIE == "__Host-" + joining.COOKIE
