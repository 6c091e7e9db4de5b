"""The layered layout: every edge segment joins adjacent layers, no edge crosses a box, boxes of
a layer never overlap, and the ordering removes crossings it can."""

from hypothesis import given, settings
from hypothesis import strategies as st

from slmgraph import layered
from tests.geometry import Rect, Segment, crosses, edges_through_boxes


def rects(drawn: layered.Layout) -> list[Rect]:
    return [
        Rect(node, b.x - b.width / 2, b.y - b.height / 2, b.x + b.width / 2, b.y + b.height / 2)
        for node, b in drawn.boxes.items()
        if not b.virtual
    ]


def segments(drawn: layered.Layout) -> list[Segment]:
    out = []
    for (upper, lower), points in drawn.points.items():
        for start, end in zip(points, points[1:], strict=False):
            out.append(Segment(start, end, frozenset({upper, lower}), f"{lower}->{upper}"))
    return out


@st.composite
def dags(draw):
    """A connected DAG around node 0: parents above, children below, long edges and merges."""
    count = draw(st.integers(2, 28))
    edges = set()
    for node in range(1, count):
        anchor = draw(st.integers(0, node - 1))
        upward = draw(st.booleans())
        edges.add((f"n{node}", f"n{anchor}") if upward else (f"n{anchor}", f"n{node}"))
    extra = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1))))
    order = draw(st.permutations(range(count)))  # a topological order for the extra edges
    rank = {f"n{node}": i for i, node in enumerate(order)}
    graph = set(edges)
    for a, b in extra:
        upper, lower = f"n{a}", f"n{b}"
        if a != b and rank[upper] < rank[lower]:
            graph.add((upper, lower))
    return _acyclic(graph)


def _acyclic(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop edges that close a cycle, in a fixed order."""
    kept: list[tuple[str, str]] = []
    below: dict[str, set[str]] = {}
    for upper, lower in sorted(edges):
        if _reaches(below, lower, upper):
            continue
        kept.append((upper, lower))
        below.setdefault(upper, set()).add(lower)
    return kept


def _reaches(below, start, goal) -> bool:
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in below.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


@settings(max_examples=150, deadline=None)
@given(dags(), st.integers(40, 200))
def test_no_edge_crosses_a_box_and_segments_join_adjacent_layers(edges, width):
    nodes = {node for edge in edges for node in edge} | {"n0"}
    sizes = {node: (width + 7 * (int(node[1:]) % 5), 30) for node in nodes}
    drawn = layered.layout(sizes, edges, "n0")
    layer_of = {node: i for i, row in enumerate(drawn.layers) for node in row}
    for route in drawn.routes.values():
        assert all(layer_of[b] == layer_of[a] + 1 for a, b in zip(route, route[1:], strict=False))
    assert edges_through_boxes(segments(drawn), rects(drawn)) == []
    for row in drawn.layers:
        for a, b in zip(row, row[1:], strict=False):
            left, right = drawn.boxes[a], drawn.boxes[b]
            gap = (right.x - right.width / 2) - (left.x + left.width / 2)
            assert gap >= layered.NODE_GAP - 1e-6


def test_layers_put_ancestors_above_and_descendants_below_the_anchor():
    edges = [("root", "mid"), ("mid", "anchor"), ("root", "anchor"), ("anchor", "child")]
    layer = layered.layers_around("anchor", edges)
    assert layer == {"anchor": 0, "mid": -1, "root": -2, "child": 1}
    drawn = layered.layout({n: (60, 30) for n in layer}, edges, "anchor")
    assert len(drawn.routes[("root", "anchor")]) == 3  # one virtual node on the way


def test_barycentre_sweeps_untangle_what_they_can():
    # a and b each have two children, listed so that the first order crosses all four links
    edges = [("a", "b2"), ("a", "a2"), ("b", "a1"), ("b", "b1"), ("top", "a"), ("top", "b")]
    layer = layered.layers_around("top", edges)
    first = [["top"], ["a", "b"], ["a1", "a2", "b1", "b2"]]
    assert layered.crossings(first, edges) > 0
    assert layered.crossings(layered.order(layer, edges), edges) == 0


def test_the_crossing_test_itself():
    box = Rect("b", 10, 10, 20, 20)
    assert crosses(Segment((0, 15), (30, 15), frozenset(), "across"), box)
    assert crosses(Segment((15, 0), (15, 12), frozenset(), "into"), box)
    assert not crosses(Segment((0, 0), (30, 5), frozenset(), "above"), box)
    assert not crosses(Segment((0, 25), (9, 0), frozenset(), "left of"), box)
    assert not crosses(Segment((10, 0), (10, 30), frozenset(), "along its side"), box)
