"""The static SVG of the largest curated families: no edge crosses a box, as drawn."""

import xml.etree.ElementTree as ET

import pytest

from slmgraph import lineage_picture, lineage_svg, reports
from tests.conftest import largest_families
from tests.geometry import Rect, Segment, edges_through_boxes

SVG = "{http://www.w3.org/2000/svg}"


def drawn_geometry(svg_text: str) -> tuple[list[Segment], list[Rect]]:
    """The segments of every arrow and the rectangle of every box, as the SVG draws them."""
    root = ET.fromstring(svg_text)
    rects = []
    for box in root.iter():
        if box.get("class", "").startswith("node"):
            rect = box.find(f"{SVG}rect")
            x, y = float(rect.get("x")), float(rect.get("y"))
            w, h = float(rect.get("width")), float(rect.get("height"))
            rects.append(Rect(box.get("data-id"), x, y, x + w, y + h))
    segments = []
    for edge in root.iter(f"{SVG}g"):
        if edge.get("class") != "edge":
            continue
        points = [
            tuple(map(float, pair.split(",")))
            for pair in edge.find(f"{SVG}polyline").get("points").split()
        ]
        ends = frozenset({edge.get("data-child"), edge.get("data-parent")})
        label = f"{edge.get('data-child')} {edge.get('data-relation')} {edge.get('data-parent')}"
        segments += [Segment(a, b, ends, label) for a, b in zip(points, points[1:], strict=False)]
    return segments, rects


@pytest.fixture(scope="module")
def real_pictures(real_graph_with_index):
    graph = real_graph_with_index
    chosen = largest_families(graph, 5) + ["llama-7b", "llama-2-7b", "vicuna-13b"]
    chosen += ["llama-3.2", "codegen", "sheared-llama", "deepseek-math"]  # the most long edges
    return {
        entity: lineage_svg.render(
            lineage_picture.picture(
                entity,
                entity,
                reports.ancestors(graph, entity),
                reports.descendants(graph, entity),
            )
        )
        for entity in chosen
    }


def test_no_edge_crosses_a_box_in_the_largest_curated_families(real_pictures):
    for entity, svg in real_pictures.items():
        segments, rects = drawn_geometry(svg)
        assert len(rects) > 3 and segments, entity
        assert edges_through_boxes(segments, rects) == [], entity


def test_every_arrow_ends_at_its_own_boxes(real_pictures):
    """An arrow starts on its child's top edge and ends on its parent's bottom edge."""
    for entity, svg in real_pictures.items():
        segments, rects = drawn_geometry(svg)
        by_id = {rect.id: rect for rect in rects}
        firsts, lasts = {}, {}
        for segment in segments:
            firsts.setdefault(segment.label, segment.start)
            lasts[segment.label] = segment.end
        for label, (x, y) in firsts.items():
            child, _, parent = label.split(" ")
            box = by_id[child]
            assert box.left <= x <= box.right and y == pytest.approx(box.top), (entity, label)
            tx, ty = lasts[label]
            box = by_id[parent]
            assert box.left <= tx <= box.right and ty == pytest.approx(box.bottom), (entity, label)


def test_a_broken_layout_would_be_caught():
    """The check sees an arrow drawn straight from child to parent through the box between."""
    rows = [
        {"id": "mid", "relation": "fine-tuned", "parent": "root", "depth": 1},
        {"id": "leaf", "relation": "fine-tuned", "parent": "mid", "depth": 2},
        {"id": "leaf", "relation": "merged", "parent": "root", "depth": 1},
    ]
    for row in rows:
        row |= {"name": row["id"], "parent_name": row["parent"]}
    segments, rects = drawn_geometry(
        lineage_svg.render(lineage_picture.picture("root", "root", [], rows))
    )
    assert edges_through_boxes(segments, rects) == []
    by_id = {rect.id: rect for rect in rects}
    centre = {key: (rect.left + rect.right) / 2 for key, rect in by_id.items()}
    straight = Segment(
        (centre["leaf"], by_id["leaf"].top),
        (centre["root"], by_id["root"].bottom),
        frozenset({"leaf", "root"}),
        "leaf merged root",
    )
    assert edges_through_boxes([straight], rects) == ["leaf merged root crosses mid"]
