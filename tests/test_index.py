import gc

from kpidesign import index as idx
from kpidesign.model import Node, Workshop


def test_the_index_is_built_once_per_node_list() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="売上"), Node(id="a", parent="kgi", name="客数")])
    builds = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert idx.index(ws).kept("probe", build) == 1 and idx.index(ws).kept("probe", build) == 1  # built once
    assert ws.model_copy(update={"title": "u"}).node("a") is ws.node("a")  # same nodes: the same index's answer
    assert idx.index(ws).kept(("probe", "en"), build) == 2  # another key: built apart
    renamed = ws.model_copy(update={"nodes": [ws.kgi, ws.node("a").model_copy(update={"name": "顧客"})]})
    assert idx.index(renamed).kept("probe", build) == 3 and renamed.node("a").name == "顧客" and ws.node("a").name == "客数"
    ws.nodes.append(Node(id="b", parent="kgi", name="b"))  # appended in place (tests do it): indexed again
    assert ws.node("b").name == "b" and idx.index(ws).kept("probe", build) == 4
    assert ws == Workshop(title="t", nodes=list(ws.nodes)) and "probe" not in ws.model_dump_json()  # nothing inside the model


def test_an_index_goes_with_its_workshop() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="k")])
    key = id(ws)
    ws.node("kgi")
    assert key in idx._KEPT
    del ws
    gc.collect()
    assert key not in idx._KEPT


def test_a_repeated_id_finds_the_first_node() -> None:
    ws = Workshop.model_construct(title="t", nodes=[Node(id="kgi", name="first"), Node(id="kgi", name="second")])
    assert ws.node("kgi").name == "first"
