import math
import re

from hypothesis import given
from hypothesis import strategies as st

from kpidesign import tree
from kpidesign.library import template as library_template
from kpidesign.model import Node, Workshop
from kpidesign.render import (
    FULL_SIZE_WIDTH,
    KGI_COLOUR,
    LABEL_GAP,
    NODESEP,
    RANKSEP,
    SELECTED_COLOUR,
    _subtree,
    auto_direction,
    box_size,
    display_width,
    drawn_width,
    escape,
    fold_depth,
    node_label,
    tree_dot,
    wrap,
)

BOX = r"^\s*n\d+_[0-9a-f]+ \["  # a box statement: n<position>_<drawing key> [
HOSTILE = 'A "quoted" \\ back {brace} <script>alert(1)</script> ]; digraph x { a -> b }'


def labels(dot: str, attr: str = "label") -> list[str]:
    """Every value of an attribute in DOT, unescaped: the quoted strings must parse back to the text we put in."""
    out = []
    for m in re.finditer(r"\b" + attr + r'=(?:"((?:[^"\\]|\\.)*)"|([^\s\]"]+))', dot):  # graphviz quotes only what needs it
        out.append(re.sub(r"\\(.)", lambda g: {"n": "\n"}.get(g[1], g[1]), m[1] if m[1] is not None else m[2]))
    return out


def test_escape_round_trips() -> None:
    assert escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


def test_hostile_labels_stay_literal(ec: Workshop) -> None:
    ws, _nid = tree.add_node(ec, "customers", HOSTILE[:150])
    dot = tree_dot(ws)
    assert dot.count("{") - dot.count("\\{") >= 1
    assert HOSTILE[:150] in labels(dot, "tooltip")
    assert any(label.startswith('A "quoted" \\ back') for label in labels(dot))
    assert len(re.findall(BOX, dot, re.M)) == len(ws.nodes)


def test_layers_kgi_and_links(ec: Workshop) -> None:
    ws = tree.update_node(ec, "customers", layer="leading")
    ws, _ = tree.add_node(ws, "customers", "Satisfaction")
    dot = tree_dot(ws, direction="LR", highlight="customers")
    assert "rankdir=LR" in dot and f'fillcolor="{KGI_COLOUR}"' in dot and 'fillcolor="#dbeafe"' in dot
    assert 'label=" × "' in dot and 'label=" + "' in dot
    assert "style=dashed" in dot  # Satisfaction is not in the customers formula: an influence link
    assert f'color="{SELECTED_COLOUR}"' in dot


def test_long_and_japanese_labels_are_wrapped(template: Workshop) -> None:
    lines = wrap("あ" * 100)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(display_width(x) <= 18 for x in lines)
    assert wrap("short") == ["short"]
    dot = tree_dot(template)
    assert "8億 → 10億 円" in dot and "年間売上高" in dot
    assert "30% → 33%" in dot


@given(st.text(max_size=40))
def test_display_width_counts_wide_characters_twice(text: str) -> None:
    import unicodedata

    assert display_width(text) == sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    assert display_width("ab" + text) == display_width(text) + 2 and display_width("売上") == 4


def test_box_size_grows_with_display_width() -> None:
    narrow, wide = box_size("abc"), box_size("顧客数顧客数顧客数")
    assert float(wide["width"]) > float(narrow["width"])
    assert float(box_size("a\nb\nc")["height"]) > float(narrow["height"])


def test_sixty_node_tree(ec: Workshop) -> None:
    ws = ec
    for i in range(60):
        ws, _ = tree.add_node(ws, ["customers", "avg_spend", "frequency", "new_customers"][i % 4], f"指標{i}")
    dot = tree_dot(ws)
    assert len(re.findall(BOX, dot, re.M)) == len(ws.nodes) == 68
    assert len(re.findall(r"->", dot)) == 67


def test_latin_labels_wrap_between_words() -> None:
    assert wrap("Customer satisfaction") == ["Customer", "satisfaction"]
    assert wrap("Purchase rate (CVR)") == ["Purchase rate", "(CVR)"]
    assert wrap("見込み購入者数 Prospective buyers") == ["見込み購入者数", "Prospective buyers"]


@given(st.text(alphabet=st.sampled_from(list("ab  xyz顧客数率（）-\n")), max_size=80), st.integers(4, 30), st.integers(1, 4))
def test_wrapped_lines_fit_and_keep_every_character(text: str, width: int, max_lines: int) -> None:
    lines = wrap(text, width, max_lines)
    assert len(lines) <= max_lines and all(0 < display_width(line) <= width for line in lines)
    squeezed = "".join(text.split())
    if not any(line.endswith("…") for line in lines):
        assert "".join("".join(lines).split()) == squeezed
    else:
        assert squeezed.startswith("".join("".join(lines)[:-1].split()))


def test_a_long_unit_is_clipped_visibly(ec: Workshop) -> None:
    node = ec.node("customers").model_copy(update={"unit": "points (of 5)", "baseline": 3.8, "target": 4.1})
    assert node_label(node, "en").endswith("points (of 5)")
    longer = node.model_copy(update={"unit": "points on a scale of one to five"})
    assert node_label(longer, "en").endswith("points on a sca…")


def drawn(dot: str) -> list[str]:
    """The first line of every box's label (its name)."""
    found = re.findall(BOX + r'.*?\blabel=(?:"((?:[^"\\]|\\.)*)"|([^\s\]"]+))', dot, re.M)
    return [(quoted or bare).split("\n")[0] for quoted, bare in found]


def test_big_trees_fold_their_deep_levels(ec: Workshop) -> None:
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


def test_a_folded_box_counts_the_red_and_yellow_kpis_below_it(ec: Workshop) -> None:
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
    quiet_fold = re.search(r"\+40 below[^\"]*", quiet)
    assert quiet_fold is not None and "(" not in quiet_fold.group(0)
    plain_fold = re.search(r"\+40 below[^\"]*", tree_dot(ws, depth=2, lang="en"))
    assert plain_fold is not None and "red" not in plain_fold.group(0)  # no statuses, no words


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=5))
def test_a_fold_never_draws_more_than_the_limit_below_the_first_levels(extra: int, limit: int) -> None:
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
def test_every_node_is_drawn_or_folded_under_exactly_one_drawn_node(extra: int, depth: int, data: st.DataObject) -> None:
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


def test_the_fold_switch_names_the_limit_in_both_languages() -> None:
    from kpidesign.i18n import t
    from kpidesign.render import MAX_SHOWN

    assert all(str(MAX_SHOWN) in t("levels_auto", lang) for lang in ("ja", "en"))


def test_every_drawing_names_its_boxes_and_links_apart_from_any_other(ec: Workshop) -> None:
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


def test_a_folded_what_if_draws_every_moved_node_and_its_path(ec: Workshop) -> None:
    ws = ec
    for i in range(40):
        ws, _ = tree.add_node(ws, "new_customers", f"施策{i}", baseline=1.0)
    deep = [n.id for n in ws.nodes if n.name in ("施策3", "施策30")]
    dot = tree_dot(ws, depth=2, lang="en", whatif={deep[0]: 2.0, deep[1]: 0.5, "new_customers": 9.0})
    assert "施策3\\n1 ⇒ 2" in dot and "施策30\\n1 ⇒ 0.5" in dot and "施策4\\n" not in dot  # moved ones drawn, the rest folded
    assert "+38 below" in dot and 'color="#7c3aed"' in dot
    assert 'color="#7c3aed"' not in tree_dot(ws, depth=2, lang="en", whatif={})  # nothing moved: nothing marked


CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\u2028\u2029\ufffe"  # every C0 control, DEL, the line separators, a noncharacter
VALUE = r'\w+=(?:"(?:[^"\\]|\\.)*"|[\w.#-]+)'  # quoted by graphviz, or a bare id / number
STATEMENT = re.compile(rf"^\t(n\d+_[0-9a-f]+( -> n\d+_[0-9a-f]+)?) \[{VALUE}( {VALUE})*\]$")


def test_control_characters_in_names_and_units_keep_the_dot_valid(ec: Workshop) -> None:
    """A name or unit from an old database may hold any character: every statement stays one line of quoted,
    escaped attributes, with no control character, line separator or noncharacter left in it."""
    nodes = [n.model_copy(update={"name": f"{n.name}{CONTROL}end", "unit": f"\r=1+1{CONTROL}"}) for n in ec.nodes]
    ws = ec.model_copy(update={"nodes": nodes})
    for dot in (tree_dot(ws), tree_dot(ws, status={"customers": "red"}, depth=1), tree_dot(ws, whatif={"items": 3})):
        lines = dot.split("\n")
        assert lines[0].startswith("digraph g") and lines[-2:] == ["}", ""]
        body = [line for line in lines[1:-2] if not line.startswith(("\tgraph [", "\tnode [", "\tedge ["))]
        assert body and all(STATEMENT.match(line) for line in body), [line for line in body if not STATEMENT.match(line)]
        assert not set(dot) & (set(CONTROL) - {"\n", "\t"}) and all("\t" not in line[1:] for line in lines)  # tabs: indents only
    tips = labels(tree_dot(ws), "tooltip")
    assert tips[0].startswith("Sales ") and tips[0].endswith(" end") and "\n" not in tips[0]  # each run is one space
    boxes = [label for label in labels(tree_dot(ws)) if label.strip() not in ("", "×", "÷", "+", "−")]  # not the links' labels
    assert len(boxes) == len(ws.nodes) and all("=1+1" in label.split("\n")[-1] for label in boxes)  # the unit is shown, on its line


def test_escape_leaves_only_printable_text_between_lines() -> None:
    assert escape("a\r\nb\u2028c\x00d") == "a \\nb c d"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _apart(a: str, b: str) -> float:
    return math.dist(_rgb(a), _rgb(b))


def test_selection_kgi_and_speed_each_have_a_look_no_layer_or_status_has(ec: Workshop) -> None:
    """The box being edited is not outlined in the lagging layer's red, the KGI is not the leading layer's blue (#20):
    each mark has a colour (or a glyph) that means nothing else on any view of the tree."""
    from kpidesign.render import (
        CONTRIBUTION_FILL,
        KGI_STYLE,
        LAYER_STYLE,
        SPEED_MARK,
        STATUS_BORDER,
        STATUS_FILL,
        VERDICT_STYLE,
        WHATIF_STYLE,
    )

    layers = {style[k] for style in LAYER_STYLE.values() for k in ("fillcolor", "color")}
    statuses = set(STATUS_FILL.values()) | set(STATUS_BORDER.values())
    others = layers | statuses | {WHATIF_STYLE["color"]} | {s["color"] for s in VERDICT_STYLE.values()}
    others |= {c for _, *fills in CONTRIBUTION_FILL for c in fills}
    assert all(_apart(SELECTED_COLOUR, c) > 90 for c in others | {KGI_COLOUR}), SELECTED_COLOUR
    fills = {style["fillcolor"] for style in LAYER_STYLE.values()} | set(STATUS_FILL.values())
    assert all(_apart(KGI_STYLE["fillcolor"], c) > 200 for c in fills)  # a dark box among light ones
    ws = tree.update_node(tree.update_node(ec, "customers", sensitivity="high"), "avg_spend", sensitivity="low")
    for status in (None, {"customers": "red", "avg_spend": "green"}):
        dot = tree_dot(ws, highlight="customers", status=status)
        selected = [line for line in dot.splitlines() if SELECTED_COLOUR in line]
        assert len(selected) == 1 and 'id="kpi-customers"' in selected[0] and "penwidth=7" in selected[0]
        kgi = next(line for line in dot.splitlines() if 'id="kpi-sales"' in line)
        assert "peripheries=2" in kgi and f'color="{KGI_COLOUR}"' in kgi  # the KGI's double frame, on a status view too
        assert "peripheries" not in dot.replace(kgi, "")  # a double frame no longer means "fast"
        names = [label.split("\n")[0] for label in labels(dot)]
        assert f"{SPEED_MARK['high']} Customers" in names and f"{SPEED_MARK['low']} Average spend" in names
        assert "Items per purchase" in names  # untagged: no glyph


def test_legend_lists_every_look_the_drawing_uses() -> None:
    from kpidesign.i18n import S
    from kpidesign.render import LAYER_STYLE, STATUS_FILL, legend

    plain, status = legend(), legend(status=True)
    assert {s.fill for s in plain} >= {style["fillcolor"] for style in LAYER_STYLE.values()} | {KGI_COLOUR}
    assert SELECTED_COLOUR in {s.frame for s in plain} and SELECTED_COLOUR not in {s.frame for s in status}
    assert {s.fill for s in status} >= set(STATUS_FILL.values()) and not {s.fill for s in status} & {"#dbeafe", "#fef3c7", "#fde2e1"}
    assert {s.glyph for s in plain} == {s.glyph for s in status} == {"", "⚡", "◷"}
    kgi = [s for s in plain + status if s.key == "legend_kgi"]  # its double frame on both views, its dark fill where layers show
    assert [(s.fill, s.frame, s.border) for s in kgi] == [(KGI_COLOUR, KGI_COLOUR, "double"), (STATUS_FILL["none"], KGI_COLOUR, "double")]
    assert all(s.key in S for s in plain + status)  # every entry named in both languages


def test_labels_that_look_like_html_or_escape_codes_stay_text() -> None:
    """graphviz reads a value between < and > as an HTML label and \\N, \\G, \\l in a label as codes: neither may apply."""
    names = ["<b>bold</b>", "\\N \\G \\l", "ends with \\", '"', "node", "-4.2"]
    ws = Workshop(title="t", nodes=[Node(id="k", name="KGI")] + [Node(id=f"a{i}", parent="k", name=n) for i, n in enumerate(names)])
    dot = tree_dot(ws)
    assert labels(dot, "tooltip") == ["KGI", *names]
    assert "label=<" not in dot and "tooltip=<" not in dot


@given(st.text(max_size=40))
def test_quoting_is_graphvizs_own(text: str) -> None:
    """render.quoted takes a fast path through graphviz's quoting: the value is the one graphviz.quoting.quote makes
    of the escaped text (backslashes doubled, never an HTML label), with lines joined by \\n."""
    import graphviz
    from graphviz import quoting

    from kpidesign.render import quoted

    if not text.replace("\n", "").isprintable():
        return  # made printable first (test_control_characters_in_names_and_units_keep_the_dot_valid)
    expected = quoting.quote(graphviz.nohtml(graphviz.escape(text).replace("\n", "\\n")))
    assert quoted(text) == expected
    assert labels(f"x [label={quoted(text)}]") == [text]


def test_the_dashboards_boxes_show_the_latest_actual_beside_the_target() -> None:
    from kpidesign.model import Node
    from kpidesign.render import actual_label

    node = Node(id="r", parent="k", name="購入率", unit="%", target=0.06)
    assert actual_label(node, "ja", 0.062).splitlines()[-1] == "6.2% / 目標 6%"
    assert actual_label(node.model_copy(update={"unit": "円", "target": 1e9}), "ja", 8.3e8).splitlines()[-1] == "8.3億 / 目標 10億 円"
    assert actual_label(node, "en", None).splitlines()[-1] == "— / target 6%"


def _flat(names: list[str]) -> Workshop:
    return Workshop(title="t", nodes=[Node(id="top", name="売上"), *(Node(id=f"c{i}", parent="top", name=n) for i, n in enumerate(names))])


def test_the_estimated_width_packs_a_flat_tree_side_by_side_top_down_and_in_levels_left_to_right() -> None:
    ws = _flat(["受注率", "商談数", "客単価"])
    widths = [float(box_size(node_label(n))["width"]) * 72 for n in ws.nodes]
    shown = list(ws.nodes)
    assert abs(drawn_width(shown, "TB") - (sum(widths[1:]) + 2 * NODESEP)) < 1e-6
    assert abs(drawn_width(shown, "LR") - (widths[0] + max(widths[1:]) + RANKSEP + LABEL_GAP)) < 1e-6


def test_a_top_down_drawing_too_wide_for_the_column_is_drawn_left_to_right() -> None:
    """#26 item 19: 12 nodes of the recruiting template (8 leaves) top-down are ~1,050 pt wide, shrunk to ~16 px text in
    the two-thirds column; left to right they are narrower (tests/e2e/test_tree_legible.py measures the drawn text)."""
    ws = library_template("recruiting", "ja")
    shown = _subtree(ws, None)
    assert len(ws.nodes) == 12 and drawn_width(shown, "TB") > FULL_SIZE_WIDTH and drawn_width(shown, "LR") < drawn_width(shown, "TB")
    assert auto_direction(ws) == "LR"
    assert auto_direction(_flat(["受注率", "商談数"])) == "TB"  # narrow: the KGI stays at the top
    assert auto_direction(ws, "applications") == "TB"  # a branch of it is narrow


def test_a_deep_chain_is_measured_without_recursion() -> None:
    chain = Workshop(
        title="c", nodes=[Node(id="n0", name="n0"), *(Node(id=f"n{i}", parent=f"n{i - 1}", name=f"n{i}") for i in range(1, 3000))]
    )
    assert auto_direction(chain) == "TB"


@given(st.lists(st.tuples(st.integers(0, 30), st.text(min_size=1, max_size=40)), max_size=40))
def test_any_tree_gets_a_direction(shape: list[tuple[int, str]]) -> None:
    nodes = [Node(id="n0", name="top")]
    for i, (parent, name) in enumerate(shape, start=1):
        nodes.append(Node(id=f"n{i}", parent=f"n{parent % i}", name=name))
    assert auto_direction(Workshop(title="t", nodes=nodes)) in ("TB", "LR")
