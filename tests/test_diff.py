from kpidesign import edits, tree
from kpidesign.diff import changes
from kpidesign.model import Workshop


def test_changes_name_what_moved(ec: Workshop) -> None:
    ws = edits.set_field(ec, "customers", "owner", "Lead")
    ws = edits.set_field(ws, "customers", "green", "1")
    ws, _ = tree.add_node(ws, "sales", "Margin")
    ws = tree.delete(ws, "items")
    ws = edits.set_title(ws, "New title")
    ws, _ = edits.set_reviews(ws, {"added_rows": [{"name": "Weekly"}]})
    found = {(c.code, c.params.get("name"), tuple(c.params.get("fields", ()))) for c in changes(ec, ws)}
    assert ("diff_edited", "Customers", ("owner", "green")) in found
    assert ("diff_added", "Margin", ()) in found and ("diff_removed", "Items per purchase", ()) in found
    assert {c.code for c in changes(ec, ws, limit=20)} >= {"diff_title", "diff_monitoring"}
    assert changes(ec, ec) == []
