"""Who may edit: the allow-list after a sign-in, and who is asking (the limit on wrong passwords: tests/test_store_limits.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign.access import AllowList, client_key, parse_editors

local = st.from_regex(r"[a-z0-9._+-]{1,12}", fullmatch=True)
domain = st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True)
address = st.builds(lambda a, d: f"{a}@{d}", local, domain)
separator = st.sampled_from([",", " ", ", ", ";", "\n", "\t", " ,  "])


def test_addresses_and_domains_are_matched_without_regard_to_case() -> None:
    editors = parse_editors(" Ann@Example.com,@Corp.Example.org  bob@x.jp;\n@b.jp ")
    assert editors.configured and editors.ignored == ()
    assert editors.addresses == {"ann@example.com", "bob@x.jp"} and editors.domains == {"corp.example.org", "b.jp"}
    for ok in ("ann@example.com", "ANN@EXAMPLE.COM", " ann@example.com ", "zoe@corp.example.org", "Zoe@CORP.example.ORG", "c@b.jp"):
        assert editors.allows(ok, True), ok  # a domain admits verified addresses
    for no in (
        "eve@example.com",
        "ann@example.co",
        "ann@example.com.evil.io",
        "zoe@evil-corp.example.org",
        "zoe@sub.corp.example.org",
        "corp.example.org",
        "@corp.example.org",
        "x@corp.example.org@evil.io",
        "bob@x.jp x",
        "",
        None,
    ):
        assert not editors.allows(no), no


def test_an_unverified_address_never_matches() -> None:
    editors = parse_editors("ann@example.com @corp.jp")
    assert editors.allows("ann@example.com", verified=True) and editors.allows("ann@example.com", verified=None)
    assert not editors.allows("ann@example.com", verified=False) and not editors.allows("x@corp.jp", verified=False)
    assert not editors.allows("ann@example.com", verified="False") and editors.allows("ann@example.com", verified="true")
    assert not editors.allows(["ann@example.com"]) and not editors.allows(42)  # a claim of the wrong type matches nothing


@pytest.mark.parametrize("raw", [None, "", "  ", " , ;\n", []])
def test_unset_or_blank_lets_every_signed_in_person_edit(raw: str | list[str] | None) -> None:
    editors = parse_editors(raw)
    assert editors == AllowList() and not editors.configured
    assert editors.allows("anyone@anywhere.example") and editors.allows(None)


def test_a_list_of_only_typos_allows_nobody() -> None:
    editors = parse_editors("example.com, ann(at)example.com, @, a@b@c")
    assert editors.configured and editors.addresses == set() and editors.domains == set()
    assert editors.ignored == ("example.com", "ann(at)example.com", "@", "a@b@c")
    assert not editors.allows("ann@example.com") and not editors.allows("x@example.com")


def test_a_toml_array_from_secrets_works_as_the_text() -> None:
    assert parse_editors(["Ann@Example.com", "@corp.jp"]) == parse_editors("ann@example.com @corp.jp")


@given(st.lists(address, min_size=1, max_size=6), st.lists(domain, max_size=4), separator, st.data())
def test_every_listed_address_and_every_address_of_a_listed_domain_is_allowed(
    addresses: list[str], domains: list[str], sep: str, data: st.DataObject
) -> None:
    raw = sep.join([a.upper() if i % 2 else a for i, a in enumerate(addresses)] + ["@" + d for d in domains])
    editors = parse_editors(raw)
    for a in addresses:
        assert editors.allows(a) and editors.allows(a.upper())
    for d in domains:
        assert editors.allows(data.draw(local) + "@" + d, True)


@given(st.lists(address, min_size=1, max_size=6), address)
def test_an_address_neither_listed_nor_in_a_listed_domain_is_refused(addresses: list[str], other: str) -> None:
    editors = parse_editors(",".join(addresses))
    assert editors.allows(other) == (other in addresses)


@given(st.text(max_size=80), st.text(max_size=40))
def test_parsing_and_matching_never_raise(raw: str, email: str) -> None:
    editors = parse_editors(raw)
    assert editors.allows(email) in (True, False)


def test_a_domain_entry_admits_only_addresses_the_provider_says_are_verified() -> None:
    """Without email_verified (Entra ID, many OIDC providers) anyone may claim an address in the domain: only exact
    addresses match then (found by review: the "nOAuth" pattern)."""
    editors = parse_editors("@corp.example, ann@example.com")
    assert not editors.allows("eve@corp.example", None) and editors.allows("eve@corp.example", True)
    assert editors.allows("eve@corp.example", "true") and not editors.allows("eve@corp.example", "false")
    assert editors.allows("ann@example.com", None)


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        (None, {"X-Real-IP": "203.0.113.5"}, "203.0.113.5"),  # behind the shipped nginx (Streamlit gives None for loopback)
        ("127.0.0.1", {"x-real-ip": "203.0.113.5"}, "203.0.113.5"),
        ("::1", {"X-Real-IP": "2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"),  # an IPv6 client is its /64 network
        ("198.51.100.7", {"X-Real-IP": "203.0.113.5"}, "198.51.100.7"),  # a direct peer cannot choose its address
        ("198.51.100.7", {}, "198.51.100.7"),
        ("::ffff:198.51.100.7", {}, "198.51.100.7"),
        (None, {}, "local"),
        (None, {"X-Real-IP": "not an address"}, "local"),
        ("127.0.0.1", {"X-Real-IP": "127.0.0.1"}, "127.0.0.1"),
        ("garbage", {}, "unknown"),
    ],
)
def test_the_client_is_the_proxys_x_real_ip_only_behind_a_local_proxy(peer: str | None, headers: dict[str, str], client: str) -> None:
    assert client_key(peer, headers) == client


@given(st.one_of(st.none(), st.text(max_size=60)), st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=4))
def test_the_client_key_never_raises_and_is_short(peer: str | None, headers: dict[str, str]) -> None:
    key = client_key(peer, headers)
    assert isinstance(key, str) and 0 < len(key) <= 64
