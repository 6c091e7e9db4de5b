"""A layered SVG diagram of one entity's lineage: ancestors above, descendants below.

Input is the rows of ``reports.ancestors`` and ``reports.descendants`` (child, relation, parent,
depth); every node links to its entity page. Arrows point from the derived model to its source.
"""

from xml.sax.saxutils import escape, quoteattr

NODE_W, NODE_H = 180, 36
GAP_X, GAP_Y = 24, 76
MARGIN = 20
MAX_CHARS = 24
PER_LINE = 6  # nodes on one line of the diagram

COLOURS = {
    "fine-tuned": "#2563eb",
    "adapter": "#0891b2",
    "quantized": "#7c3aed",
    "merged": "#c026d3",
    "distilled": "#ea580c",
    "pruned": "#65a30d",
    "continued-pretraining": "#0d9488",
    "member-of": "#9ca3af",
}


def _layers(entity: str, ancestors: list[dict], descendants: list[dict]) -> dict[str, int]:
    """Each node's row: 0 for the entity, -n for n hops up, +n for n hops down (nearest wins)."""
    layer = {entity: 0}
    for rows, sign, far in ((ancestors, -1, "parent"), (descendants, 1, "id")):
        for row in sorted(rows, key=lambda r: r["depth"]):
            node = row[far]
            if node not in layer:
                layer[node] = sign * row["depth"]
    return layer


def _order(layer: dict[str, int], edges: list[tuple[str, str, str]], names: dict[str, str]):
    """Nodes of each row, sorted by name, then once by the mean position of their neighbours."""
    rows: dict[int, list[str]] = {}
    for node, depth in layer.items():
        rows.setdefault(depth, []).append(node)
    for nodes in rows.values():
        nodes.sort(key=lambda n: names.get(n, n).lower())
    position = {n: i for nodes in rows.values() for i, n in enumerate(nodes)}
    neighbours: dict[str, list[str]] = {}
    for child, _, parent in edges:
        neighbours.setdefault(child, []).append(parent)
        neighbours.setdefault(parent, []).append(child)
    for depth in sorted(rows, key=abs):
        if depth == 0:
            continue
        nodes = rows[depth]
        nodes.sort(
            key=lambda n: (
                sum(position[m] for m in neighbours.get(n, [n]) if m in position)
                / max(1, len(neighbours.get(n, [])))
            )
        )
        position.update({n: i for i, n in enumerate(nodes)})
    return rows


def _label(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def render(entity: str, name: str, ancestors: list[dict], descendants: list[dict]) -> str:
    ancestors = [row for row in ancestors if row["parent"]]  # a root's own row adds no edge
    names = {entity: name}
    edges: set[tuple[str, str, str]] = set()
    for row in ancestors + descendants:
        names.setdefault(row["id"], row["name"])
        names.setdefault(row["parent"], row["parent_name"])
        edges.add((row["id"], row["relation"], row["parent"]))
    layer = _layers(entity, ancestors, descendants)
    rows = _order(layer, sorted(edges), names)
    # A wide generation wraps onto several lines so the diagram stays readable on a screen.
    lines = [
        nodes[start : start + PER_LINE]
        for _, nodes in sorted(rows.items())
        for start in range(0, len(nodes), PER_LINE)
    ]
    widest = max(len(line) for line in lines)
    width = 2 * MARGIN + widest * NODE_W + (widest - 1) * GAP_X
    height = 2 * MARGIN + len(lines) * NODE_H + (len(lines) - 1) * GAP_Y
    centre: dict[str, tuple[float, float]] = {}
    for number, line in enumerate(lines):
        span = len(line) * NODE_W + (len(line) - 1) * GAP_X
        left = (width - span) / 2
        y = MARGIN + number * (NODE_H + GAP_Y) + NODE_H / 2
        for index, node in enumerate(line):
            centre[node] = (left + index * (NODE_W + GAP_X) + NODE_W / 2, y)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f"aria-label={quoteattr(f'Lineage of {name}')}>",
        "<defs>",
    ]
    for relation, colour in COLOURS.items():
        out.append(
            f'<marker id="arrow-{relation}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    for child, relation, parent in sorted(edges):
        if child not in centre or parent not in centre:
            continue
        out.append(_edge(centre[child], centre[parent], relation))
    for node, (x, y) in centre.items():
        out.append(_node(node, names.get(node, node), x, y, node == entity))
    out.append("</svg>")
    return "\n".join(out)


def _edge(child: tuple[float, float], parent: tuple[float, float], relation: str) -> str:
    colour = COLOURS.get(relation, "#374151")
    (x1, y1), (x2, y2) = child, parent
    # Leave from the child's near edge and arrive at the parent's near edge.
    step = NODE_H / 2 if y2 > y1 else -NODE_H / 2
    if y1 == y2:
        step = 0
    y1, y2 = y1 + step, y2 - step
    mid_y = (y1 + y2) / 2
    dash = ' stroke-dasharray="5 4"' if relation == "member-of" else ""
    path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid_y:.1f} {x2:.1f},{mid_y:.1f} {x2:.1f},{y2:.1f}"
    return (
        f'<g class="edge" data-relation="{escape(relation)}">'
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} '
        f'marker-end="url(#arrow-{escape(relation)})"/>'
        f'<text x="{(x1 + x2) / 2:.1f}" y="{mid_y + 4:.1f}" text-anchor="middle" '
        f'font-size="11" fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke">'
        f"{escape(relation)}</text></g>"
    )


def _node(node: str, name: str, x: float, y: float, focus: bool) -> str:
    fill, stroke, weight = ("#1e3a8a", "#1e3a8a", "bold") if focus else ("#f8fafc", "#475569", "")
    colour = "#fff" if focus else "#0f172a"
    return (
        f'<a href="/id/{escape(node)}" class="node" data-id={quoteattr(node)}>'
        f"<title>{escape(name)} ({escape(node)})</title>"
        f'<rect x="{x - NODE_W / 2:.1f}" y="{y - NODE_H / 2:.1f}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="8" fill="{fill}" stroke="{stroke}"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="13" '
        f'font-weight="{weight or "normal"}" fill="{colour}">{escape(_label(name))}</text></a>'
    )
