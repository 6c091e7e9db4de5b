"""Lineage rows as a tree: fewest hops from the start, depth-first order along shortest paths.

Pure functions over report rows (``child``, ``relation``, ``parent`` …); no store, no SPARQL.
"""

from collections import defaultdict, deque
from collections.abc import Callable
from operator import itemgetter


def distances(edges: list[dict], starts: dict[str, int], near: str, far: str) -> dict[str, int]:
    """Fewest hops from the start nodes (at their given distance) to every node the edges reach.

    >>> edges = [{"c": "b", "p": "a"}, {"c": "c", "p": "b"}, {"c": "c", "p": "a"}]
    >>> distances(edges, {"a": 0}, "p", "c")
    {'a': 0, 'b': 1, 'c': 1}
    """
    following = defaultdict(list)
    for edge in edges:
        following[edge[near]].append(edge[far])
    dist = dict(starts)
    queue = deque(sorted(starts, key=lambda node: (starts[node], node)))
    while queue:
        node = queue.popleft()
        for nxt in following[node]:
            if nxt not in dist or dist[nxt] > dist[node] + 1:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def walk(
    edges: list[dict],
    starts: dict[str, int],
    near: str,
    far: str,
    row,
    end_row=None,
    leads: dict[str, dict] | None = None,
    relation="relation",
    dist: dict[str, int] | None = None,
) -> list[dict]:
    """Every edge once, depth-first from each start (nearest first), each node expanded under an
    edge that reaches it in the fewest hops, so a row's depth (hops to its far end) is its
    indentation. A node's edges go by far end, then ``relation``, then near end. Edges are
    dicts or tuples: ``near``, ``far`` and ``relation`` are their keys.

    ``row(edge, depth)`` makes an output row; ``end_row(node, depth)``, when given, makes one
    for each far end that has no edge of its own (a root of an ancestry), right after the first
    edge that reaches it; ``leads`` holds a row to print before a start's edges. ``dist``,
    when the caller knows them, are the fewest hops from the starts to every node.
    """
    if dist is None:
        dist = distances(edges, starts, near, far)
    following: dict[str, list] = {}  # a plain dict: reading a leaf adds nothing
    for edge in sorted(edges, key=itemgetter(far, relation, near)):  # each node's edges in order
        following.setdefault(edge[near], []).append(edge)
    out: list[dict] = []
    append = out.append
    done: set[str] = set()
    ended: set[str] = set()
    for start in sorted(starts, key=lambda n: (starts[n], n)):
        if start in done:
            continue
        if start in following and leads and start in leads:
            out.append(leads[start])
        done.add(start)
        # depth-first with a stack of each open node's remaining edges (no recursion: a
        # nested function calling itself would keep every row alive until a collection)
        stack = [(iter(following.get(start, ())), dist[start] + 1)]
        while stack:
            pending, depth = stack[-1]
            for edge in pending:
                append(row(edge, depth))
                end = edge[far]
                if end_row is not None and end not in following and end not in ended:
                    ended.add(end)
                    append(end_row(end, dist[end]))
                if end in following and end not in done and dist[end] == depth:  # not a leaf
                    done.add(end)
                    stack.append((iter(following[end]), depth + 1))
                    break  # its edges first, then the rest of these
            else:
                stack.pop()
    return out


def by_parent(rows: list[dict]) -> Callable[[str], list[dict]]:
    """A lookup of the rows under each parent, in their order.

    >>> below = by_parent([{"id": "b", "parent": "a"}, {"id": "c", "parent": "b"}])
    >>> below("a"), below("c")
    ([{'id': 'b', 'parent': 'a'}], [])
    """
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row.get("parent")].append(row)
    return lambda parent: grouped.get(parent, [])
