"""The lineage index: its closure against a plain walk, and its rows against the SPARQL query
it stands in for, so that the reports and the endpoint give the same answers."""

from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from slmgraph import lineage, reports

PARENTS = st.dictionaries(
    st.integers(0, 12), st.sets(st.integers(0, 12), min_size=1, max_size=3), max_size=12
)


def fewest_hops_down(parents: dict[int, set[int]], top: int) -> dict[int, int]:
    """Every node below ``top`` with its distance, walking down from it (the closure walks up)."""
    children: dict[int, list[int]] = {}
    for child, ups in parents.items():
        for up in ups:
            children.setdefault(up, []).append(child)
    hops, queue = {}, deque([(top, 0)])
    while queue:
        node, distance = queue.popleft()
        for child in children.get(node, []):
            if child not in hops:
                hops[child] = distance + 1
                queue.append((child, distance + 1))
    return hops


@given(PARENTS)
def test_the_closure_has_every_descendant_at_its_fewest_hops(parents):
    """Cycles included: a node on one descends from itself, as in a SPARQL ``+`` path."""
    found: dict[int, dict[int, int]] = {}
    for ancestor, descendant, hops in lineage.closure(parents):
        assert descendant not in found.setdefault(ancestor, {}), "one row per pair"
        found[ancestor][descendant] = hops
    nodes = set(parents) | {up for ups in parents.values() for up in ups}
    for top in nodes:
        assert found.get(top, {}) == fewest_hops_down(parents, top)


KEYS = ("child", "childName", "relation", "parent", "parentName", "source", "methods")


def same(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(row.get(key) for key in KEYS) for row in rows)


def test_the_index_gives_the_rows_of_the_query_for_every_root(graph):
    unindexed = reports.Graph(graph.store)
    roots = [row["entity"] for row in graph.select("lineage-names")]
    assert len(roots) > 8
    for root in roots:
        expected = same(unindexed.select("descendants", root=root))
        assert same(graph.lineage.descendants(root, False, None)) == expected, root
        assert same(graph.lineage.descendants(root, True, None)) == expected, root


def test_depth_and_count_agree_with_the_full_report(graph):
    for root in ["llama", "pythia", "llama-7b", "pythia-12b"]:
        rows = reports.descendants(graph, root)
        assert rows, root
        assert reports.descendant_count(graph, root) == len({row["id"] for row in rows})
        for depth in (1, 2):
            near = [row for row in rows if row["depth"] <= depth]
            assert reports.descendants(graph, root, depth) == near
            count = reports.descendant_count(graph, root, depth)
            assert count == len({row["id"] for row in near})
