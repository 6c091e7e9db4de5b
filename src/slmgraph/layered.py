"""A layered drawing of a DAG: layers, virtual nodes, crossing reduction, coordinates.

Every edge joins an upper node to a lower one. An edge spanning several layers is broken by
virtual nodes, one per layer crossed, so each segment runs between adjacent layers only: from the
bottom of a box to the top of the next, through the empty band between two layers, where no box
is. Virtual nodes keep a column of their own in each layer, so no edge can cross a box. Nodes
are ordered by barycentre sweeps (fewest crossings kept) and placed near the mean of their
neighbours without overlapping.

Pure functions over ids and sizes; no store, no drawing format.
"""

from collections import defaultdict
from dataclasses import dataclass, field

LAYER_GAP = 64  # the empty band between two layers, where every edge segment runs
NODE_GAP = 18  # the least space between two neighbours in a layer
VIRTUAL_WIDTH = 6
SWEEPS = 12


@dataclass
class Box:
    x: float  # centre
    y: float
    width: float
    height: float
    virtual: bool = False


@dataclass
class Layout:
    boxes: dict[str, Box]  # real and virtual nodes
    routes: dict[tuple[str, str], list[str]]  # each edge (upper, lower): upper, virtuals…, lower
    layers: list[list[str]]  # top to bottom, left to right
    width: float = 0.0
    height: float = 0.0
    points: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)


def layers_around(anchor: str, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Layer numbers with ``anchor`` at 0: nodes above it at minus the longest path up to them,
    nodes below at the longest path down, so every edge (upper, lower) goes down a layer or more.
    A node joined to the rest by neither (the other parent of a merge) goes just above its
    highest child; a node is pushed down only when an edge needs it.

    >>> layers_around("b", [("a", "b"), ("b", "c"), ("c", "d"), ("b", "d"), ("x", "d")])
    {'a': -1, 'b': 0, 'c': 1, 'x': 1, 'd': 2}
    """
    below, above = defaultdict(list), defaultdict(list)
    for upper, lower in edges:
        below[upper].append(lower)
        above[lower].append(upper)
    wanted = {anchor: 0}
    for step, following, back in ((-1, above, below), (1, below, above)):
        for node in _topological(anchor, following):
            reached = [wanted[m] for m in back[node] if m in wanted]
            if node != anchor:
                wanted[node] = (min(reached) - 1) if step < 0 else (max(reached) + 1)
    nodes = {anchor} | set(below) | set(above)
    layer: dict[str, int] = {}
    for node in _topological_all(nodes, below):
        if node in wanted:
            base = wanted[node]
        else:
            placed = [wanted[m] for m in below[node] if m in wanted]
            base = min(placed) - 1 if placed else 0
        layer[node] = max([base] + [layer[m] + 1 for m in above[node]])
    return layer


def _topological(start: str, following: dict[str, list[str]]) -> list[str]:
    """The nodes reachable from ``start``, each after every reachable node with an edge to it."""
    reached, stack = {start}, [start]
    while stack:
        for nxt in following[stack.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                stack.append(nxt)
    return _topological_all(reached, following)


def _topological_all(nodes, following) -> list[str]:
    """``nodes`` in an order where each comes after those of ``nodes`` with an edge to it."""
    incoming = {node: 0 for node in nodes}
    for node in nodes:
        for nxt in following[node]:
            if nxt in incoming:
                incoming[nxt] += 1
    ready = sorted((node for node, count in incoming.items() if count == 0), reverse=True)
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt in following[node]:
            if nxt in incoming:
                incoming[nxt] -= 1
                if incoming[nxt] == 0:
                    ready.append(nxt)
    return order


def split_long_edges(
    layer: dict[str, int], edges: list[tuple[str, str]]
) -> tuple[dict[str, int], dict[tuple[str, str], list[str]]]:
    """Each edge's route through one virtual node per layer it crosses; layers include them."""
    layer = dict(layer)
    routes = {}
    for upper, lower in edges:
        route = [upper]
        for depth in range(layer[upper] + 1, layer[lower]):
            virtual = f"\0{upper}\0{lower}\0{depth}"
            layer[virtual] = depth
            route.append(virtual)
        routes[(upper, lower)] = route + [lower]
    return layer, routes


def crossings(rows: list[list[str]], links: list[tuple[str, str]]) -> int:
    """How many pairs of segments between adjacent rows cross."""
    position = {node: i for row in rows for i, node in enumerate(row)}
    depth = {node: d for d, row in enumerate(rows) for node in row}
    between = defaultdict(list)
    for a, b in links:
        upper, lower = (a, b) if depth[a] < depth[b] else (b, a)
        between[depth[upper]].append((position[upper], position[lower]))
    total = 0
    for pairs in between.values():
        pairs.sort()
        for i, (u1, l1) in enumerate(pairs):
            for u2, l2 in pairs[i + 1 :]:
                if u2 > u1 and l2 < l1:
                    total += 1
    return total


def order(
    layer: dict[str, int], links: list[tuple[str, str]], key=lambda node: node
) -> list[list[str]]:
    """Rows of nodes, top to bottom, ordered to cross few links (barycentre sweeps, down and up;
    the order with the fewest crossings wins). ``key`` gives the first order within a row."""
    first = min(layer.values(), default=0)
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) - first + 1)]
    for node in sorted(layer, key=key):
        rows[layer[node] - first].append(node)
    up, down = defaultdict(list), defaultdict(list)
    for a, b in links:
        upper, lower = (a, b) if layer[a] < layer[b] else (b, a)
        down[upper].append(lower)
        up[lower].append(upper)
    best, fewest = [list(row) for row in rows], crossings(rows, links)
    for sweep in range(SWEEPS):
        downwards = sweep % 2 == 0
        indices = range(1, len(rows)) if downwards else range(len(rows) - 2, -1, -1)
        for index in indices:
            fixed = rows[index - 1] if downwards else rows[index + 1]
            position = {node: i for i, node in enumerate(fixed)}
            neighbours = up if downwards else down
            current = {node: i for i, node in enumerate(rows[index])}

            def barycentre(node, position=position, neighbours=neighbours, current=current):
                near = [position[m] for m in neighbours[node] if m in position]
                return sum(near) / len(near) if near else current[node]

            rows[index].sort(key=barycentre)
        count = crossings(rows, links)
        if count < fewest:
            best, fewest = [list(row) for row in rows], count
    return best


def _isotonic(targets: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``targets`` (weighted least squares; pool adjacent
    violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for target, weight in zip(targets, weights, strict=True):
        blocks.append([target, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, weight2, count2 = blocks.pop()
            mean1, weight1, count1 = blocks.pop()
            total = weight1 + weight2
            blocks.append([(mean1 * weight1 + mean2 * weight2) / total, total, count1 + count2])
    out = []
    for mean, _, count in blocks:
        out.extend([mean] * count)
    return out


def _place_row(row: list[str], wanted: dict[str, float], boxes: dict[str, Box]) -> None:
    """Put a row's nodes as near their wanted centres as their order and widths allow."""
    offsets, offset = [], 0.0
    for i, node in enumerate(row):
        if i:
            offset += (boxes[row[i - 1]].width + boxes[node].width) / 2 + NODE_GAP
        offsets.append(offset)
    weights = [0.2 if boxes[node].virtual else 1.0 for node in row]
    shifted = _isotonic([wanted[n] - o for n, o in zip(row, offsets, strict=True)], weights)
    for node, base, o in zip(row, shifted, offsets, strict=True):
        boxes[node].x = base + o


def layout(
    sizes: dict[str, tuple[float, float]],
    edges: list[tuple[str, str]],
    anchor: str,
    key=lambda node: node,
) -> Layout:
    """A layered drawing of the DAG ``edges`` (upper, lower) over nodes of the given (width,
    height), with ``anchor`` in layer 0. Coordinates start at (0, 0)."""
    layer, routes = split_long_edges(layers_around(anchor, edges), edges)
    links = [(route[i], route[i + 1]) for route in routes.values() for i in range(len(route) - 1)]
    rows = order(layer, links, key)
    row_height = [max((sizes.get(n, (0, 0))[1] for n in row), default=0) for row in rows]
    boxes: dict[str, Box] = {}
    y = 0.0
    for row, height in zip(rows, row_height, strict=True):
        for node in row:
            width, own = sizes.get(node, (VIRTUAL_WIDTH, height))
            boxes[node] = Box(0.0, y + height / 2, width, own, node not in sizes)
        y += height + LAYER_GAP
    neighbours = defaultdict(list)
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for row in rows:  # start packed, centred on 0
        _place_row(row, {n: 0.0 for n in row}, boxes)
    for sweep in range(2 * SWEEPS):
        sequence = rows if sweep % 2 == 0 else rows[::-1]
        for row in sequence:
            wanted = {}
            for node in row:
                near = [boxes[m].x for m in neighbours[node]]
                wanted[node] = sum(near) / len(near) if near else boxes[node].x
            _place_row(row, wanted, boxes)
    left = min((b.x - b.width / 2 for b in boxes.values()), default=0.0)
    right = max((b.x + b.width / 2 for b in boxes.values()), default=0.0)
    for box in boxes.values():
        box.x -= left
    drawn = Layout(boxes, routes, rows, right - left, max(0.0, y - LAYER_GAP))
    ports = _ports(boxes, links)
    drawn.points = {edge: _points(route, boxes, ports) for edge, route in routes.items()}
    return drawn


def _ports(boxes: dict[str, Box], links: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Where each link leaves or enters a real box: ``(node, other)`` gives an x on the box's
    bottom or top edge. A box's links are spread over the middle of that edge, in the order of
    the nodes at their other ends, so arrows into one box stay apart and do not cross there."""
    ends = defaultdict(list)
    for a, b in links:
        upper, lower = (a, b) if boxes[a].y < boxes[b].y else (b, a)
        ends[(upper, "down")].append(lower)
        ends[(lower, "up")].append(upper)
    ports = {}
    for (node, _), others in ends.items():
        box = boxes[node]
        others.sort(key=lambda other: boxes[other].x)
        span = 0.0 if box.virtual else min(box.width * 0.7, 14.0 * (len(others) - 1))
        for i, other in enumerate(others):
            share = i / (len(others) - 1) if len(others) > 1 else 0.5
            ports[(node, other)] = box.x - span / 2 + share * span
    return ports


def _points(route, boxes, ports) -> list[tuple[float, float]]:
    """An edge's polyline: from the bottom of its upper box, down through the middle of each
    virtual node, to the top of its lower box."""
    first, last = boxes[route[0]], boxes[route[-1]]
    points = [(ports[(route[0], route[1])], first.y + first.height / 2)]
    for node in route[1:-1]:
        box = boxes[node]
        points += [(box.x, box.y - box.height / 2), (box.x, box.y + box.height / 2)]
    points.append((ports[(route[-1], route[-2])], last.y - last.height / 2))
    return points
