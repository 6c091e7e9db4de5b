"""The picture of one entity's lineage: which boxes and arrows to draw, and where.

Input is the rows of ``reports.ancestors`` and of ``reports.descendants`` (or, at Hub scale,
``reports.children_of``, which reads them node by node). Ancestors go above the entity and
descendants below; an arrow runs from a derived model to what it derives from. A set of
more than ``MAX_SIBLINGS`` children joined to one parent by one relation becomes one box ("+37
quantized"), and the limit shrinks until the picture holds at most ``MAX_NODES`` boxes, so a model
with thousands of Hub children stays readable and its picture small. The SVG on entity pages, the
interactive diagram and ``slmgraph tree`` all draw this picture.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from slmgraph import layered, trees

MAX_SIBLINGS = 24
MAX_NODES = 150
BOX_HEIGHT = 34
MAX_LABEL = 40

# One colour per relation, shared by every way the picture is drawn (and the legend).
COLOURS = {
    "fine-tuned": "#2563eb",
    "adapter": "#0891b2",
    "quantized": "#7c3aed",
    "merged": "#db2777",
    "distilled": "#ea580c",
    "pruned": "#65a30d",
    "continued-pretraining": "#0f766e",
    "trained-from": "#92400e",
    "based-on": "#ca8a04",
    "member-of": "#94a3b8",
}
OTHER_COLOUR = "#374151"


@dataclass(frozen=True)
class Edge:
    child: str
    relation: str
    parent: str
    method: str | None = None
    source: str | None = None


@dataclass
class Node:
    id: str
    name: str
    group: list[str] = field(default_factory=list)  # the names a collapsed box stands for
    relation: str | None = None  # the relation of a collapsed box's children
    parent: str | None = None  # the node a collapsed box's children derive from

    @property
    def label(self) -> str:
        if self.group:
            count = len(self.group)
            what = "member" if self.relation == "member-of" else self.relation
            return f"+{count:,} {what}{'s' if what == 'member' and count > 1 else ''}"
        return self.name if len(self.name) <= MAX_LABEL else self.name[: MAX_LABEL - 1] + "…"


@dataclass
class Picture:
    entity: str
    nodes: dict[str, Node]
    edges: list[Edge]

    @property
    def relations(self) -> list[str]:
        """The relations drawn, in the legend's order."""
        present = {edge.relation for edge in self.edges}
        return [r for r in COLOURS if r in present] + sorted(present - COLOURS.keys())

    def key(self, node: str) -> str:
        """The first order of boxes within a layer: by name."""
        return self.nodes[node].label.lower() if node in self.nodes else node


def colour(relation: str) -> str:
    return COLOURS.get(relation, OTHER_COLOUR)


def _edges(rows: list[dict]) -> list[Edge]:
    seen: dict[tuple[str, str, str], Edge] = {}
    for row in rows:
        if row.get("parent") and row.get("relation"):
            key = (row["id"], row["relation"], row["parent"])
            seen.setdefault(key, Edge(*key, row.get("method"), row.get("source")))
    return list(seen.values())


def picture(entity: str, name: str, ancestors: list[dict], descendants) -> Picture:
    """The boxes and arrows of ``entity``'s lineage, large sibling sets collapsed.
    ``descendants`` are the rows of ``reports.descendants``, or a function giving the rows of
    the edges into one node, called only for the nodes drawn."""
    below = descendants if callable(descendants) else trees.by_parent(descendants)
    names = {entity: name}
    for row in ancestors:
        names.setdefault(row["id"], row["name"])
        if row.get("parent"):
            names.setdefault(row["parent"], row["parent_name"])
    upward = _edges(ancestors)
    # a family's ancestry covers its members, so an edge may come in both reports: drawn once
    seen = {(edge.child, edge.relation, edge.parent) for edge in upward}
    limit = MAX_SIBLINGS
    while True:
        nodes, edges = _collapsed(entity, names, below, limit)
        for edge in upward:
            for node in (edge.child, edge.parent):
                nodes.setdefault(node, Node(node, names.get(node, node)))
        edges = upward + [e for e in edges if (e.child, e.relation, e.parent) not in seen]
        if len(nodes) <= MAX_NODES or limit == 1:
            return Picture(entity, nodes, edges)
        limit = max(1, limit // 2)


def _collapsed(entity: str, names: dict[str, str], below, limit: int):
    """Descendants reached from ``entity``, each parent's children of one relation kept while
    there are at most ``limit`` of them, else drawn as one box."""
    nodes = {entity: Node(entity, names[entity])}
    kept: list[Edge] = []
    queue = [entity]
    while queue:
        parent = queue.pop(0)
        rows = below(parent)
        children = defaultdict(list)
        for row in rows:
            names.setdefault(row["id"], row["name"])
        for edge in _edges(rows):
            children[edge.relation].append(edge)
        for relation, group in sorted(children.items()):
            if len(group) > limit and len(group) > 1:
                box = f"+{parent}/{relation}"
                members = sorted(names.get(edge.child, edge.child) for edge in group)
                nodes[box] = Node(box, members[0], members, relation, parent)
                kept.append(Edge(box, relation, parent))
                continue
            for edge in group:
                kept.append(edge)
                if edge.child not in nodes:
                    nodes[edge.child] = Node(edge.child, names.get(edge.child, edge.child))
                    queue.append(edge.child)
    # An edge to a parent drawn elsewhere (the other base of a merge) stays; one into a
    # collapsed set is that set's.
    return nodes, [edge for edge in kept if edge.child in nodes and edge.parent in nodes]


# Advance widths in em, each at least DejaVu Sans's (Debian's sans-serif, and among the widest UI
# fonts), so that a box holds its name in any browser's font.
_NARROW = frozenset(" '!()-./:;IJ[\\]fijlrt|,")
_WIDE = frozenset("#%+<=>@MW^mw~")


def text_width(text: str, size: float = 13) -> float:
    """At least how wide ``text`` is in a sans-serif font of ``size`` px (no font is measured)."""
    return size * sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> float:
    if ch in _NARROW:
        return 0.42
    if ch in _WIDE or unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    return 0.8 if ch.isupper() or ch == "&" else 0.65


def box_width(node: Node, bold: bool = False) -> float:
    """A box around the label; the entity's label is bold, wider by up to a fifth."""
    return max(64.0, round(text_width(node.label) * (1.2 if bold else 1) + 16))


def arrange(pic: Picture) -> layered.Layout:
    """Where every box and arrow goes: parents above children, the entity in layer 0."""
    sizes = {node: (box_width(n, node == pic.entity), BOX_HEIGHT) for node, n in pic.nodes.items()}
    edges = [(edge.parent, edge.child) for edge in pic.edges]
    return layered.layout(sizes, edges, pic.entity, key=pic.key)


def cytoscape(pic: Picture, href, listing=None) -> dict:
    """The picture as cytoscape.js elements, with each long edge already split by virtual
    nodes, so the layered layout draws every segment between adjacent layers only.

    ``href(id)`` gives a box's page, and ``listing(parent)``, when given, a collapsed box's
    link: where every child of that parent is listed. Segments run child to parent
    (cytoscape-dagre lays them out bottom to top); the last carries the arrow.
    """
    edges = [(edge.parent, edge.child) for edge in pic.edges]
    layer, routes = layered.split_long_edges(layered.layers_around(pic.entity, edges), edges)
    nodes = []
    for node in pic.nodes.values():
        data = {
            "id": node.id,
            "label": node.label,
            "width": box_width(node, node.id == pic.entity),
            "height": BOX_HEIGHT,
            "kind": "entity" if node.id == pic.entity else "group" if node.group else "model",
        }
        if node.group:
            shown = node.group[:12]
            more = len(node.group) - len(shown)
            data["title"] = ", ".join(shown) + (f" and {more:,} more" if more else "")
            if listing is not None:
                data["href"] = listing(node.parent)
        else:
            data["href"] = href(node.id)
            data["title"] = node.name
        nodes.append({"data": data})
    segments = []
    for number, edge in enumerate(pic.edges):
        route = routes[(edge.parent, edge.child)]
        hover = {
            "relation": edge.relation,
            "method": edge.method or "",
            "citation": edge.source or "",
            "colour": colour(edge.relation),
            "from": pic.nodes[edge.child].label,
            "to": pic.nodes[edge.parent].label,
        }
        for virtual in route[1:-1]:
            nodes.append({"data": {"id": f"v{number}-{layer[virtual]}", "kind": "virtual"} | hover})
        ids = [
            node if i in (0, len(route) - 1) else f"v{number}-{layer[node]}"
            for i, node in enumerate(route)
        ]
        for i in range(len(ids) - 1, 0, -1):
            segment = {"id": f"e{number}-{i}", "source": ids[i], "target": ids[i - 1]}
            segments.append({"data": segment | hover | {"last": i == 1}})
    legend = [{"relation": r, "colour": colour(r)} for r in pic.relations]
    return {"entity": pic.entity, "elements": nodes + segments, "legend": legend}
