import re

from hypothesis import given
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.render import box_size, display_width, escape, fold_depth, node_label, tree_dot, wrap

BOX = r"^\s*n\d+_[0-9a-f]+ \["  # a box statement: n<position>_<drawing key> [
HOSTILE = 'A "quoted" \\ back {brace} <script>alert(1)</script> ]; digraph x { a -> b }'


def labels(dot: str, attr: str = "label") -> list[str]:
    """Every value of an attribute in DOT, unescaped: the quoted strings must parse back to the text we put in."""
    out = []
    for m in re.finditer(attr + r'="((?:[^"\\]|\\.)*)"', dot):
        out.append(re.sub(r"\\(.)", lambda g: {"n": "\n"}.get(g[1], g[1]), m[1]))
    return out


def test_escape_round_trips():
    assert escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


def test_hostile_labels_stay_literal(ec):
    ws, _nid = tree.add_node(ec, "customers", HOSTILE[:150])
    dot = tree_dot(ws)
    assert dot.count("{") - dot.count("\\{") >= 1
    assert HOSTILE[:150] in labels(dot, "tooltip")
    assert any(label.startswith('A "quoted" \\ back') for label in labels(dot))
    assert len(re.findall(BOX, dot, re.M)) == len(ws.nodes)


def test_layers_kgi_and_links(ec):
    ws = tree.update_node(ec, "customers", layer="leading")
    ws, _ = tree.add_node(ws, "customers", "Satisfaction")
    dot = tree_dot(ws, direction="LR", highlight="customers")
    assert "rankdir=LR" in dot and 'fillcolor="#1e3a8a"' in dot and 'fillcolor="#dbeafe"' in dot
    assert 'label=" × "' in dot and 'label=" + "' in dot
    assert 'style="dashed"' in dot  # Satisfaction is not in the customers formula: an influence link
    assert 'color="#dc2626"' in dot


def test_long_and_japanese_labels_are_wrapped(template):
    lines = wrap("あ" * 100)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(display_width(x) <= 18 for x in lines)
    assert wrap("short") == ["short"]
    dot = tree_dot(template)
    assert "8億 → 10億 円" in dot and "年間売上高" in dot
    assert "30% → 33%" in dot


@given(st.text(max_size=40))
def test_display_width_counts_wide_characters_twice(text):
    import unicodedata

    assert display_width(text) == sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    assert display_width("ab" + text) == display_width(text) + 2 and display_width("売上") == 4


def test_box_size_grows_with_display_width():
    narrow, wide = box_size("abc"), box_size("顧客数顧客数顧客数")
    assert float(wide["width"]) > float(narrow["width"])
    assert float(box_size("a\nb\nc")["height"]) > float(narrow["height"])


def test_sixty_node_tree(ec):
    ws = ec
    for i in range(60):
        ws, _ = tree.add_node(ws, ["customers", "avg_spend", "frequency", "new_customers"][i % 4], f"指標{i}")
    dot = tree_dot(ws)
    assert len(re.findall(BOX, dot, re.M)) == len(ws.nodes) == 68
    assert len(re.findall(r"->", dot)) == 67


def test_latin_labels_wrap_between_words():
    assert wrap("Customer satisfaction") == ["Customer", "satisfaction"]
    assert wrap("Purchase rate (CVR)") == ["Purchase rate", "(CVR)"]
    assert wrap("見込み購入者数 Prospective buyers") == ["見込み購入者数", "Prospective buyers"]


@given(st.text(alphabet=st.sampled_from(list("ab  xyz顧客数率（）-\n")), max_size=80), st.integers(4, 30), st.integers(1, 4))
def test_wrapped_lines_fit_and_keep_every_character(text, width, max_lines):
    lines = wrap(text, width, max_lines)
    assert len(lines) <= max_lines and all(0 < display_width(line) <= width for line in lines)
    squeezed = "".join(text.split())
    if not any(line.endswith("…") for line in lines):
        assert "".join("".join(lines).split()) == squeezed
    else:
        assert squeezed.startswith("".join("".join(lines)[:-1].split()))


def test_a_long_unit_is_clipped_visibly(ec):
    node = ec.node("customers").model_copy(update={"unit": "points (of 5)", "baseline": 3.8, "target": 4.1})
    assert node_label(node, "en").endswith("points (of 5)")
    longer = node.model_copy(update={"unit": "points on a scale of one to five"})
    assert node_label(longer, "en").endswith("points on a sca…")


def drawn(dot: str) -> list[str]:
    """The first line of every box's label (its name)."""
    return [label.split("\n")[0] for label in re.findall(BOX + r'.*?label="((?:[^"\\]|\\.)*)"', dot, re.M)]


def test_big_trees_fold_their_deep_levels(ec):
    ws = ec
    for i in range(40):  # a wide third level under new_customers: 8 + 40 nodes
        ws, _ = tree.add_node(ws, "new_customers", f"施策{i}")
    assert fold_depth(ws) is None and fold_depth(ws, limit=48) is None  # everything fits
    depth = fold_depth(ws, limit=20)
    assert depth == 2  # the KGI, its factors and theirs; the 40 below new_customers are folded
    dot = tree_dot(ws, depth=depth, lang="en")
    assert "施策0" not in dot and "+40 below" in dot and len(drawn(dot)) == 8
    assert "配下 +40" in tree_dot(ws, depth=depth, lang="ja")
    assert "施策7" in drawn(tree_dot(ws, depth=depth, highlight="施策7"))  # the selected node and its path stay drawn
    assert "+39 below" in tree_dot(ws, depth=depth, highlight="施策7", lang="en")
    assert len(drawn(tree_dot(ws))) == 48  # no depth: the whole tree


def test_a_folded_box_counts_the_red_and_yellow_kpis_below_it(ec):
    ws = ec
    for i in range(40):
        ws, _ = tree.add_node(ws, "new_customers", f"施策{i}")
    hidden = [n.id for n in ws.nodes if n.name.startswith("施策")]
    status = {k: "green" for k in hidden} | {hidden[0]: "red", hidden[1]: "red", hidden[2]: "yellow", "new_customers": "red"}
    dot = tree_dot(ws, depth=2, lang="en", status=status)
    assert "+40 below (2 red, 1 yellow)" in dot  # its own red is its colour, not counted below
    assert "配下 +40（赤 2・黄 1）" in tree_dot(ws, depth=2, lang="ja", status=status)
    quiet = tree_dot(ws, depth=2, lang="en", status={k: "green" for k in hidden})
    assert "+40 below\n" in quiet or '+40 below"' in quiet  # nothing red or yellow below: just the count
    assert "(" not in re.search(r"\+40 below[^\"]*", quiet).group(0)
    assert "red" not in re.search(r"\+40 below[^\"]*", tree_dot(ws, depth=2, lang="en")).group(0)  # no statuses, no words


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=5))
def test_a_fold_never_draws_more_than_the_limit_below_the_first_levels(extra, limit):
    from kpidesign.model import Node, Workshop

    nodes = [Node(id="k", name="KGI")] + [Node(id=f"a{i}", parent="k", name=f"A{i}") for i in range(3)]
    nodes += [Node(id=f"b{i}", parent=f"a{i % 3}", name=f"B{i}") for i in range(extra)]
    ws = Workshop(title="t", nodes=nodes)
    depth = fold_depth(ws, limit=limit + 3)
    shown = drawn(tree_dot(ws, depth=depth))
    if depth is None:
        assert len(shown) == len(nodes) <= limit + 3
    else:
        assert depth == 1 and len(shown) == 4  # KGI and factors always; the folded ones counted on their parents
        assert sum(int(n) for n in re.findall(r"\+(\d+) below", tree_dot(ws, depth=depth, lang="en"))) == extra


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=3), st.data())
def test_every_node_is_drawn_or_folded_under_exactly_one_drawn_node(extra, depth, data):
    from kpidesign.model import Node, Workshop
    from kpidesign.render import fold

    nodes = [Node(id="k", name="KGI")]
    for i in range(extra):  # a random tree: each node under one made before it
        nodes.append(Node(id=f"x{i}", parent=data.draw(st.sampled_from([n.id for n in nodes])), name=f"X{i}"))
    ws = Workshop(title="t", nodes=nodes)
    keep = data.draw(st.lists(st.sampled_from([n.id for n in nodes]), max_size=3))  # the selected node, moved levers
    shown, below = fold(ws, depth, keep=keep)
    ids = [n.id for n in shown]
    folded = [k for ks in below.values() for k in ks]
    assert sorted(ids + folded) == sorted(n.id for n in nodes) and len(set(folded)) == len(folded)
    assert set(keep) <= set(ids) and set(below) <= set(ids) and not set(ids) & set(folded)
    assert all(n.parent in ids for n in shown if n.parent)  # a drawn box hangs under a drawn box
    red = {k for k in folded if int(k[1:]) % 3 == 0}
    dot = tree_dot(
        ws, depth=depth, highlight=keep[0] if keep else None, lang="en", status={k: "red" if k in red else "green" for k in ids + folded}
    )
    assert sum(int(n) for n in re.findall(r"\((\d+) red\)", dot)) == len(red)


def test_the_fold_switch_names_the_limit_in_both_languages():
    from kpidesign.i18n import t
    from kpidesign.render import MAX_SHOWN

    assert all(str(MAX_SHOWN) in t("levels_auto", lang) for lang in ("ja", "en"))


def test_every_drawing_names_its_boxes_and_links_apart_from_any_other(ec):
    """The browser matches a new drawing's elements to the old one's by name and prepares a morph for each match (seconds
    on a big tree): two different drawings share no name; the same drawing is the same text."""
    import itertools

    drawings = [
        tree_dot(ec),
        tree_dot(ec, highlight="customers"),
        tree_dot(ec, direction="LR"),
        tree_dot(ec, lang="en"),
        tree_dot(tree.update_node(ec, "customers", name="Clients")),
        tree_dot(ec, status={"customers": "red"}),
    ]
    names = [set(re.findall(r"\b(?:n\d+_[0-9a-f]+|g[0-9a-f]+)\b", dot)) for dot in drawings]
    assert all(len(found) == len(ec.nodes) + 1 for found in names)  # every box and the graph itself
    assert all(not a & b for a, b in itertools.combinations(names, 2))
    assert tree_dot(ec, highlight="customers") == drawings[1]


def test_a_folded_what_if_draws_every_moved_node_and_its_path(ec):
    ws = ec
    for i in range(40):
        ws, _ = tree.add_node(ws, "new_customers", f"施策{i}", baseline=1.0)
    deep = [n.id for n in ws.nodes if n.name in ("施策3", "施策30")]
    dot = tree_dot(ws, depth=2, lang="en", whatif={deep[0]: 2.0, deep[1]: 0.5, "new_customers": 9.0})
    assert "施策3\\n1 ⇒ 2" in dot and "施策30\\n1 ⇒ 0.5" in dot and "施策4\\n" not in dot  # moved ones drawn, the rest folded
    assert "+38 below" in dot and 'color="#7c3aed"' in dot
    assert 'color="#7c3aed"' not in tree_dot(ws, depth=2, lang="en", whatif={})  # nothing moved: nothing marked


CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029\ufffe"  # every C0 control, DEL, the line separators, a noncharacter
STATEMENT = re.compile(r'^  (n\d+_[0-9a-f]+( -> n\d+_[0-9a-f]+)?) \[(\w+="(?:[^"\\]|\\.)*")(, \w+="(?:[^"\\]|\\.)*")*\];$')


def test_control_characters_in_names_and_units_keep_the_dot_valid(ec):
    """A name or unit from an old database may hold any character: every statement stays one line of quoted,
    escaped attributes, with no control character, line separator or noncharacter left in it."""
    nodes = [n.model_copy(update={"name": f"{n.name}{CONTROL}end", "unit": f"\r=1+1{CONTROL}"}) for n in ec.nodes]
    ws = ec.model_copy(update={"nodes": nodes})
    for dot in (tree_dot(ws), tree_dot(ws, status={"customers": "red"}, depth=1), tree_dot(ws, whatif={"items": 3})):
        lines = dot.split("\n")
        assert lines[0].startswith("digraph g") and lines[-1] == "}"
        body = [line for line in lines[1:-1] if not line.startswith(("  graph [", "  node [", "  edge ["))]
        assert body and all(STATEMENT.match(line) for line in body), [line for line in body if not STATEMENT.match(line)]
        assert not set(dot) & (set(CONTROL) - {"\n"})
    tips = labels(tree_dot(ws), "tooltip")
    assert tips[0].startswith("Sales ") and tips[0].endswith(" end") and "\n" not in tips[0]  # each run is one space
    boxes = [label for label in labels(tree_dot(ws)) if label.strip() not in ("", "×", "÷", "+", "−")]  # not the links' labels
    assert len(boxes) == len(ws.nodes) and all("=1+1" in label.split("\n")[-1] for label in boxes)  # the unit is shown, on its line


def test_escape_leaves_only_printable_text_between_lines():
    assert escape("a\r\nb\u2028c\x00d") == "a \\nb c d"
