"""The lineage picture as a standalone SVG: boxes linked to their pages, arrows coloured by
relation (hover one for its relation, method and citation), and a legend.

Shown on entity pages without JavaScript, served at ``/lineage/ID.svg`` and written by
``slmgraph tree``; positions come from ``lineage_picture.arrange``.
"""

from xml.sax.saxutils import escape, quoteattr

from slmgraph import lineage_picture
from slmgraph.lineage_picture import BOX_HEIGHT, Picture, colour

MARGIN = 16
LEGEND_ROW = 22
LEGEND_COLUMN = 180
LEGEND_COLUMNS = 4


def render(pic: Picture, href=lambda node: f"/id/{node}") -> str:
    """The SVG text; ``href(id)`` gives each box's link."""
    drawn = lineage_picture.arrange(pic)
    relations = pic.relations
    legend_rows = -(-len(relations) // LEGEND_COLUMNS)
    width = max(drawn.width, LEGEND_COLUMNS * LEGEND_COLUMN) + 2 * MARGIN
    height = drawn.height + 2 * MARGIN + (legend_rows * LEGEND_ROW + 8 if relations else 0)
    name = pic.nodes[pic.entity].name
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label={quoteattr(f"Lineage of {name}")} font-family="system-ui, sans-serif">',
        "<defs>",
    ]
    for relation in relations:
        out.append(
            f'<marker id="arrow-{escape(relation)}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour(relation)}"/></marker>'
        )
    out.append("</defs>")
    offset_x = (width - drawn.width) / 2
    for edge in pic.edges:
        points = drawn.points[(edge.parent, edge.child)]
        # drawn from the child up to the parent, so the arrow ends at what it derives from
        moved = [(x + offset_x, y + MARGIN) for x, y in reversed(points)]
        out.append(_edge(edge, moved, pic))
    for node, box in drawn.boxes.items():
        if not box.virtual:
            out.append(_node(pic, node, box.x + offset_x, box.y + MARGIN, box.width, href))
    out.extend(_legend(relations, drawn.height + 2 * MARGIN))
    out.append("</svg>")
    return "\n".join(out)


def _edge(edge, points: list[tuple[float, float]], pic: Picture) -> str:
    stroke = colour(edge.relation)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="5 4"' if edge.relation == "member-of" else ""
    about = f"{pic.nodes[edge.child].label} {edge.relation} {pic.nodes[edge.parent].label}"
    details = "; ".join(filter(None, [about, edge.method, edge.source]))
    return (
        f'<g class="edge" data-relation={quoteattr(edge.relation)} '
        f"data-child={quoteattr(edge.child)} data-parent={quoteattr(edge.parent)}>"
        f"<title>{escape(details)}</title>"
        f'<polyline points="{path}" fill="none" stroke="{stroke}" stroke-width="1.6"{dash} '
        f'marker-end="url(#arrow-{escape(edge.relation)})"/></g>'
    )


def _node(pic: Picture, node: str, x: float, y: float, width: float, href) -> str:
    shown = pic.nodes[node]
    focus = node == pic.entity
    fill, stroke = ("#1e3a8a", "#1e3a8a") if focus else ("#f8fafc", "#475569")
    dash = ' stroke-dasharray="4 3"' if shown.group else ""
    title = ", ".join(shown.group[:12]) + (" …" if len(shown.group) > 12 else "")
    rect = (
        f'<rect x="{x - width / 2:.1f}" y="{y - BOX_HEIGHT / 2:.1f}" width="{width:.0f}" '
        f'height="{BOX_HEIGHT}" rx="7" fill="{fill}" stroke="{stroke}"{dash}/>'
        f'<text x="{x:.1f}" y="{y + 4.5:.1f}" text-anchor="middle" font-size="13" '
        f'font-weight="{"bold" if focus else "normal"}" fill="{"#fff" if focus else "#0f172a"}">'
        f"{escape(shown.label)}</text>"
    )
    if shown.group:
        title = f"<title>{escape(title)}</title>"
        return f'<g class="node group" data-id={quoteattr(node)}>{title}{rect}</g>'
    return (
        f'<a href={quoteattr(href(node))} class="node" data-id={quoteattr(node)}>'
        f"<title>{escape(shown.name)} ({escape(node)})</title>{rect}</a>"
    )


def _legend(relations: list[str], top: float) -> list[str]:
    out = []
    for i, relation in enumerate(relations):
        x = MARGIN + (i % LEGEND_COLUMNS) * LEGEND_COLUMN
        y = top + (i // LEGEND_COLUMNS) * LEGEND_ROW + 8
        dash = ' stroke-dasharray="5 4"' if relation == "member-of" else ""
        out.append(
            f'<g class="legend-item" data-relation={quoteattr(relation)}>'
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 28:.1f}" y2="{y:.1f}" '
            f'stroke="{colour(relation)}" stroke-width="2.5"{dash}/>'
            f'<text x="{x + 34:.1f}" y="{y + 4:.1f}" font-size="12" fill="#334155">'
            f"{escape(relation)}</text></g>"
        )
    return out
