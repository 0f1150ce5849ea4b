"""The model's lookups: a node by id stays right through copies."""

import pytest

from kpidesign.model import Node, Workshop, new_workshop


def test_node_by_id_and_missing() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="売上"), Node(id="a", parent="kgi", name="客数")])
    assert ws.node("a").name == "客数"
    with pytest.raises(KeyError):
        ws.node("zz")


def test_node_lookup_follows_a_copy_with_new_nodes() -> None:
    ws = new_workshop("t")
    assert ws.node("kgi").name == "KGI"
    renamed = ws.model_copy(update={"nodes": [ws.kgi.model_copy(update={"name": "売上"}), Node(id="b", parent="kgi", name="b")]})
    assert renamed.node("kgi").name == "売上" and renamed.node("b").name == "b"
    assert ws.node("kgi").name == "KGI"  # the original is untouched
    with pytest.raises(KeyError):
        ws.node("b")


def test_node_lookup_sees_a_node_appended_in_place() -> None:
    ws = new_workshop("t")
    ws.node("kgi")
    ws.nodes.append(Node(id="c", parent="kgi", name="c"))
    assert ws.node("c").name == "c"


def test_first_node_wins_when_an_id_repeats() -> None:
    ws = Workshop.model_construct(title="t", nodes=[Node(id="x", name="first"), Node(id="x", name="second")])
    assert ws.node("x").name == "first"


def test_the_lookup_leaves_equality_and_the_dump_alone() -> None:
    a, b = new_workshop("t"), new_workshop("t")
    a.node("kgi")
    assert a == b and a.model_dump() == b.model_dump() and a.model_dump_json() == b.model_dump_json()


def test_what_is_kept_beside_a_workshop_is_built_once_per_node_list_and_key() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="売上"), Node(id="a", parent="kgi", name="客数")])
    builds = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert ws.beside("_probe", "ja", build) == 1 and ws.beside("_probe", "ja", build) == 1  # built once
    assert ws.model_copy(update={"title": "u"}).beside("_probe", "ja", build) == 1  # same nodes: still right
    assert ws.beside("_probe", "en", build) == 2  # another key: built again (and replaces the first)
    renamed = ws.model_copy(update={"nodes": [ws.kgi, ws.node("a").model_copy(update={"name": "顧客"})]})
    assert renamed.beside("_probe", "en", build) == 3 and ws.beside("_probe", "en", build) == 2  # a copy with new nodes
    ws.nodes.append(Node(id="b", parent="kgi", name="b"))  # appended in place (tests do it): built again
    assert ws.beside("_probe", "en", build) == 4
    assert "_probe" not in ws.model_dump() and ws == Workshop(title="t", nodes=list(ws.nodes))  # never dumped or compared
