import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.findings import errors
from kpidesign.model import Alert, Monitoring, Node, ReviewMeeting, Workshop, new_workshop
from kpidesign.tree import walk
from kpidesign.values import EditError
from tests.conftest import build_ec


def names(ws: Workshop) -> list[str]:
    return [n.name for n, _ in tree.walk(ws)]


def test_walk_and_levels(ec: Workshop) -> None:
    assert names(ec)[:3] == ["Sales", "Customers", "New customers"]
    levels = tree.levels(ec)
    assert levels["sales"] == 0 and levels["customers"] == 1 and levels["new_customers"] == 2
    assert tree.descendants(ec, "customers") == {"new_customers", "existing_customers"}
    assert tree.path_to(ec, "items") == ["sales", "avg_spend", "items"]


def test_add_generates_readable_unique_ids(ec: Workshop) -> None:
    ws, first = tree.add_node(ec, "sales", "Customers")
    assert first == "customers_2"
    ws, jp = tree.add_node(ws, "customers", '既存顧客 "VIP" {x} <script>')
    assert ws.node(jp).name == '既存顧客 "VIP" {x} <script>'
    assert tree.check_structure(ws) == [f for f in tree.check_structure(ws) if f.severity != "error"]


def test_add_is_placed_after_the_parents_subtree(ec: Workshop) -> None:
    ws, new = tree.add_node(ec, "customers", "Reactivated customers")
    order = [n.id for n in ws.nodes]
    assert order.index(new) == order.index("existing_customers") + 1


@pytest.mark.parametrize("name, code", [("", "name_empty"), ("   ", "name_empty"), ("x" * 2000, "too_long")])
def test_bad_names_are_refused(ec: Workshop, name: str, code: str) -> None:
    with pytest.raises(EditError) as info:
        tree.add_node(ec, "sales", name)
    assert info.value.problem.code == code


def test_duplicate_explicit_id_is_refused(ec: Workshop) -> None:
    with pytest.raises(EditError) as info:
        tree.add_node(ec, "sales", "Again", node_id="customers")
    assert info.value.problem.code == "id_taken"


def test_move_refuses_loops_and_the_kgi(ec: Workshop) -> None:
    with pytest.raises(EditError) as info:
        tree.move(ec, "customers", "new_customers")
    assert info.value.problem.code == "move_loop"
    with pytest.raises(EditError):
        tree.move(ec, "customers", "customers")
    with pytest.raises(EditError) as info:
        tree.move(ec, "sales", "customers")
    assert info.value.problem.code == "kgi_cannot_move"


def test_move_takes_the_subtree_along(ec: Workshop) -> None:
    ws = tree.move(ec, "customers", "avg_spend")
    assert ws.node("customers").parent == "avg_spend"
    assert ws.node("new_customers").parent == "customers"
    assert tree.levels(ws)["new_customers"] == 3
    assert not errors(tree.check_structure(ws))
    # the old parent's formula still names the moved node: a warning, not a broken tree
    assert any(f.code == "formula_not_child" and f.node == "sales" for f in tree.check_structure(ws))


def test_reorder_among_siblings(ec: Workshop) -> None:
    ws = tree.reorder(ec, "frequency", -1)
    assert [n.id for n in ws.children("sales")] == ["customers", "frequency", "avg_spend"]
    assert tree.reorder(ws, "customers", -1) == ws
    ws = tree.reorder(ws, "customers", 5)
    assert [n.id for n in ws.children("sales")] == ["frequency", "avg_spend", "customers"]
    assert [n.id for n in ws.nodes][-2:] == ["new_customers", "existing_customers"]


def test_delete_removes_subtree_and_references(ec: Workshop) -> None:
    mon = Monitoring(
        reviews=[ReviewMeeting(name="weekly", kpis=["customers", "new_customers", "avg_spend"])], alerts=[Alert(kpi="new_customers")]
    )
    ws = tree.delete(ec.model_copy(update={"monitoring": mon}), "customers")
    assert {"customers", "new_customers", "existing_customers"}.isdisjoint(n.id for n in ws.nodes)
    assert ws.monitoring.reviews[0].kpis == ["avg_spend"] and ws.monitoring.alerts == []
    with pytest.raises(EditError) as info:
        tree.delete(ws, "sales")
    assert info.value.problem.code == "kgi_cannot_delete"


def test_formula_must_name_children_only(ec: Workshop) -> None:
    assert tree.check_formula(ec, "customers", "new_customers + existing_customers") == "new_customers + existing_customers"
    with pytest.raises(EditError) as info:
        tree.update_node(ec, "customers", formula="new_customers + item_price")
    assert info.value.problem.code == "formula_not_child"
    with pytest.raises(EditError) as info:
        tree.update_node(ec, "customers", formula="__import__('os')")
    assert info.value.problem.code == "formula_forbidden"
    assert tree.update_node(ec, "customers", formula="").node("customers").formula == ""


def test_update_refuses_id_and_parent(ec: Workshop) -> None:
    with pytest.raises(EditError):
        tree.update_node(ec, "customers", parent="avg_spend")


def test_check_structure_finds_broken_trees(ec: Workshop) -> None:
    nodes = list(ec.nodes)
    broken = ec.model_copy(update={"nodes": nodes + [nodes[1].model_copy(update={"parent": "nowhere", "id": "orphan"})]})
    assert [f.code for f in errors(tree.check_structure(broken))] == ["parent_missing"]
    dup = ec.model_copy(update={"nodes": nodes + [nodes[1]]})
    assert "id_taken" in [f.code for f in tree.check_structure(dup)]
    a = nodes[1].model_copy(update={"id": "loop_a", "parent": "loop_b"})
    b = nodes[1].model_copy(update={"id": "loop_b", "parent": "loop_a"})
    looped = ec.model_copy(update={"nodes": nodes + [a, b]})
    assert {f.node for f in tree.check_structure(looped) if f.code == "loop"} == {"loop_a", "loop_b"}
    two_roots = ec.model_copy(update={"nodes": nodes + [nodes[0].model_copy(update={"id": "other"})]})
    assert "kgi_count" in [f.code for f in tree.check_structure(two_roots)]


operations = st.lists(
    st.tuples(st.sampled_from(["add", "move", "reorder", "delete"]), st.integers(0, 40), st.integers(0, 40), st.integers(-2, 2)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_any_sequence_of_edits_keeps_a_valid_tree(ops: list[tuple[str, int, int, int]]) -> None:
    ws = build_ec()
    for op, i, j, step in ops:
        ids = [n.id for n in ws.nodes]
        a, b = ids[i % len(ids)], ids[j % len(ids)]
        try:
            if op == "add":
                ws, _ = tree.add_node(ws, a, f"n{i}-{j}")
            elif op == "move":
                ws = tree.move(ws, a, b)
            elif op == "reorder":
                ws = tree.reorder(ws, a, step)
            else:
                ws = tree.delete(ws, a)
        except EditError:
            pass
        assert not errors(tree.check_structure(ws))
        assert len(list(tree.walk(ws))) == len(ws.nodes)
        assert ws.nodes[0].parent is None


def test_new_workshop_has_one_kgi() -> None:
    ws = new_workshop("t")
    assert ws.kgi.id == "kgi" and len(ws.nodes) == 1


def test_walk_is_kept_per_workshop_and_redone_for_a_copy_with_new_nodes() -> None:
    ws = Workshop(title="t", nodes=[Node(id="kgi", name="K"), Node(id="a", parent="kgi", name="A"), Node(id="b", parent="kgi", name="B")])
    first = [(n.id, d) for n, d in walk(ws)]
    assert first == [("kgi", 0), ("a", 1), ("b", 1)] and [(n.id, d) for n, d in walk(ws)] == first  # a second walk: same order
    moved = tree.move(ws, "b", "a")  # an edit: a copy with new nodes
    assert [(n.id, d) for n, d in walk(moved)] == [("kgi", 0), ("a", 1), ("b", 2)]
    assert [(n.id, d) for n, d in walk(ws)] == first  # the original keeps its own order
    retitled = ws.model_copy(update={"title": "u"})  # same nodes: the kept order is still right
    assert [(n.id, d) for n, d in walk(retitled)] == first
    ws.nodes.append(Node(id="c", parent="a", name="C"))  # appended in place (tests do it): walked again
    assert ("c", 2) in [(n.id, d) for n, d in walk(ws)]
    assert ws.model_dump() == Workshop(title="t", nodes=list(ws.nodes)).model_dump() and ws == Workshop(title="t", nodes=list(ws.nodes))
