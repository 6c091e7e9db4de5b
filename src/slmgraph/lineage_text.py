"""The lineage picture as text for other tools: Graphviz DOT and Mermaid.

Both carry the same boxes and arrows as the SVG (large sibling sets collapsed, arrows from a
derived model to its source, coloured by relation). DOT also carries our layout's positions, so
``neato -n2`` draws our picture; ``dot`` lays the same graph out again in its own way.
"""

from slmgraph import lineage_picture
from slmgraph.lineage_picture import BOX_HEIGHT, Picture, colour

POINTS = 0.75  # px to points: DOT positions are in points


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def dot(pic: Picture, href) -> str:
    """Graphviz DOT: one node per box (with its position and link), one edge per arrow."""
    drawn = lineage_picture.arrange(pic)
    lines = [
        "digraph lineage {",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f8fafc", color="#475569", '
        'fontname="sans-serif", fontsize=10];',
        '  edge [arrowsize=0.7, fontname="sans-serif", fontsize=8];',
    ]
    for node, shown in pic.nodes.items():
        box = drawn.boxes[node]
        x, y = box.x * POINTS, (drawn.height - box.y) * POINTS
        attributes = [
            f"label={_quoted(shown.label)}",
            f'pos="{x:.1f},{y:.1f}!"',
            f'width="{box.width / 96:.2f}"',
            f'height="{BOX_HEIGHT / 96:.2f}"',
        ]
        if shown.group:
            attributes += ['style="rounded,dashed"', f"tooltip={_quoted(', '.join(shown.group))}"]
        else:
            attributes.append(f"URL={_quoted(href(node))}")
        if node == pic.entity:
            attributes += ['fillcolor="#1e3a8a"', 'fontcolor="#ffffff"', 'color="#1e3a8a"']
        lines.append(f"  {_quoted(node)} [{', '.join(attributes)}];")
    for edge in pic.edges:
        attributes = [f'color="{colour(edge.relation)}"', f"label={_quoted(edge.relation)}"]
        if edge.relation == "member-of":
            attributes.append("style=dashed")
        details = "; ".join(filter(None, [edge.method, edge.source]))
        if details:
            attributes.append(f"tooltip={_quoted(details)}")
        arrow = f"{_quoted(edge.child)} -> {_quoted(edge.parent)}"
        lines.append(f"  {arrow} [{', '.join(attributes)}];")
    for row in drawn.layers:  # our layers, so that dot keeps them too
        real = [_quoted(node) for node in row if node in pic.nodes]
        if len(real) > 1:
            lines.append(f"  {{ rank=same; {'; '.join(real)}; }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def mermaid(pic: Picture, href) -> str:
    """A Mermaid flowchart: one line per box, then one line per arrow, then styles and links."""
    short = {node: f"n{i}" for i, node in enumerate(pic.nodes)}
    lines = ["flowchart BT"]
    for node, shown in pic.nodes.items():
        lines.append(f"  {short[node]}[{_mermaid_label(shown.label)}]")
    for edge in pic.edges:
        lines.append(f"  {short[edge.child]} -->|{edge.relation}| {short[edge.parent]}")
    for number, edge in enumerate(pic.edges):
        dash = ",stroke-dasharray:5 4" if edge.relation == "member-of" else ""
        lines.append(f"  linkStyle {number} stroke:{colour(edge.relation)}{dash}")
    lines.append("  classDef entity fill:#1e3a8a,color:#fff,stroke:#1e3a8a")
    lines.append("  classDef group stroke-dasharray:4 3")
    lines.append(f"  class {short[pic.entity]} entity")
    groups = [short[node] for node, shown in pic.nodes.items() if shown.group]
    if groups:
        lines.append(f"  class {','.join(groups)} group")
    for node, shown in pic.nodes.items():
        if not shown.group:
            lines.append(f'  click {short[node]} "{href(node)}"')
    return "\n".join(lines) + "\n"
