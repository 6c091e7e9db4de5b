"""The lineage index: its closure against a plain walk, and its rows against the SPARQL query
it stands in for, so that the reports and the endpoint give the same answers."""

import itertools
from collections import deque
from operator import itemgetter

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from slmgraph import lineage, lineage_build, reports, trees
from slmgraph.formats import encoded
from slmgraph.queries import Rows

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
    for ancestor, descendant, hops in lineage_build.closure(parents):
        assert descendant not in found.setdefault(ancestor, {}), "one row per pair"
        found[ancestor][descendant] = hops
    nodes = set(parents) | {up for ups in parents.values() for up in ups}
    for top in nodes:
        assert found.get(top, {}) == fewest_hops_down(parents, top)


KEYS = ("child", "childName", "relation", "parent", "parentName", "source", "methods")


def same(rows: list) -> list[tuple]:
    """Query rows (dicts) and index rows (tuples of ``lineage.ROW_KEYS``) alike."""
    index_row = lineage.ROW_KEYS
    keyed = [r if isinstance(r, dict) else dict(zip(index_row, r, strict=True)) for r in rows]
    return sorted(tuple(row.get(key) for key in KEYS) for row in keyed)


def test_the_index_gives_the_rows_of_the_query_for_every_root(graph):
    unindexed = reports.Graph(graph.store)
    roots = [row["entity"] for row in graph.select("lineage-names")]
    assert len(roots) > 8
    for root in roots:
        rows = unindexed.select("descendants", root=root)
        inside = {root} | {row["child"] for row in rows}
        expected = same([row for row in rows if row["parent"] in inside])  # no other bases
        assert same(graph.lineage.descendants(root, False, None)) == expected, root
        assert same(graph.lineage.descendants(root, True, None)) == expected, root


EDGES = st.lists(
    st.tuples(
        st.integers(0, 8),
        st.sampled_from(["merged", "fine-tuned", "quantized"]),
        st.integers(0, 8),
        st.booleans(),
    ),
    max_size=30,
)


@given(EDGES, st.integers(0, 8), st.sampled_from([None, 1, 2, 3]), st.booleans())
def test_the_report_from_the_index_is_the_tree_walk(
    tmp_path_factory, edges, root, max_depth, curated_only
):
    """Merges, cycles, self-loops, repeated edges and a Hub edge beside a curated one: the
    report read from the index (hops from its closure) is the plain walk of the edges, and the
    edges into the root are those of the edges given."""
    build = tmp_path_factory.mktemp("index")
    claims = [
        (curated, lineage.Edge(f"m{child}", relation, f"m{parent}", f"s{number}", None, None))
        for number, (child, relation, parent, curated) in enumerate(edges)
    ]
    curated = [edge for is_curated, edge in claims if is_curated]
    hub = [edge._replace(retrieved="2026-01-02") for is_curated, edge in claims if not is_curated]
    lineage_build.write(build, curated, hub, {})
    chosen = curated if curated_only else curated + hub
    below: dict[str, list[str]] = {}
    for edge in chosen:
        below.setdefault(edge.parent, []).append(edge.child)
    top = f"m{root}"
    inside, queue = {top}, deque([top])
    while queue:
        for child in below.get(queue.popleft(), []):
            if child not in inside:
                inside.add(child)
                queue.append(child)
    lines = [(e.child, e.child, e.relation, e.parent, e.parent, *e[3:]) for e in chosen]
    within = [line for line in lines if line[reports.PARENT] in inside]
    walked = trees.walk(
        within, {top: 0}, reports.PARENT, reports.CHILD, reports._edge, relation=reports.RELATION
    )
    expected = [row for row in walked if max_depth is None or row["depth"] <= max_depth]
    index = lineage.Index(build / lineage.FILE)
    graph = reports.Graph(Store(), curated_only=curated_only, lineage=index)
    assert reports.descendants(graph, top, max_depth) == expected
    kept = reports.kept_descendants(graph, top, max_depth)
    if curated_only:
        assert kept is None  # walked from the index's rows: the kept trees cover every edge
    else:  # each row's JSON as kept is byte for byte its dict's
        assert len(kept) == len(expected)
        assert list(kept.json()) == list(map(orjson.dumps, expected))
        assert list(kept.json(limit=2)) == list(map(orjson.dumps, expected[:2]))
        assert kept.rows(limit=3) == expected[:3]
    into = [(e.child, e.child, e.relation, *e[3:], top) for e in chosen if e.parent == top]
    assert sorted(index.children(top, curated_only)) == sorted(into)


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


# Any text SQLite keeps as it is (no NUL, which ends a string there, and no lone surrogates),
# often with what the formats treat apart: separators, quotes, line breaks, wide letters
TEXT = st.text(
    st.one_of(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        st.sampled_from(list(',"|\r\n\t …é漢')),
    ),
    max_size=30,
)


@settings(max_examples=300)
@given(
    EDGES,
    st.integers(0, 30),
    st.sampled_from([None, 1, 3]),
    st.sampled_from([None, 0, 1, 4]),
    st.integers(1, 140),
    st.lists(st.tuples(TEXT, TEXT), min_size=9, max_size=9),
    st.lists(st.one_of(st.none(), TEXT), min_size=30, max_size=30),
    st.sampled_from([0, 3, lineage_build.MEASURED_FROM]),
)
def test_a_kept_report_as_text_is_what_formats_makes_of_its_rows(
    tmp_path_factory, edges, root, max_depth, limit, width, entities, sources, measured_from
):
    """SQLite writes a report the index keeps as a table, CSV and Markdown: byte for byte
    what ``formats`` makes of the report's rows, a table at any width, cut by depth and limit,
    whatever the ids, names and sources hold (long, empty, wide letters, trailing spaces,
    commas, quotes, line breaks, bars) or lack, and whether its column widths were kept or
    are measured as it is read."""
    build = tmp_path_factory.mktemp("index")
    ids = [f"{key}#{n}" for n, (key, _) in enumerate(entities)]  # unique, any text
    claims = [
        (is_curated, lineage.Edge(ids[child], relation, ids[parent], sources[number], None, None))
        for number, (child, relation, parent, is_curated) in enumerate(edges)
    ]
    curated = [edge for is_curated, edge in claims if is_curated]
    hub = [edge._replace(retrieved="2026-01-02") for is_curated, edge in claims if not is_curated]
    names = dict(zip(ids, map(itemgetter(1), entities), strict=True))
    lineage_build.write(build, curated, hub, names, measured_from=measured_from)
    graph = reports.Graph(Store(), lineage=lineage.Index(build / lineage.FILE))
    top = ids[edges[root % len(edges)][2] if edges else 0]  # mostly a parent: rows below it
    kept = reports.kept_descendants(graph, top, max_depth)
    rows = kept.rows(limit)
    assert len(rows) == min(len(kept), len(rows) if limit is None else limit)
    for fmt in ("table", "csv", "markdown"):
        written = b"".join(kept.text(fmt, width, limit))
        assert written == b"".join(encoded(rows, fmt, width)), fmt


def test_a_kept_table_cuts_the_ids_of_a_deep_chain_as_formats_does(tmp_path):
    """Twenty hops of long ids: deep enough that the indent alone outgrows the first column,
    whose cells are then cut to the room the indent leaves, or to the indent itself. Every
    other hop is a Hub claim: the last column, the day it was retrieved, is empty on the
    others."""
    ids = [f"org-{n}/a-long-model-name-{n}" for n in range(21)]
    chain = [lineage.Edge(c, "fine-tuned", p, None, None, None) for p, c in itertools.pairwise(ids)]
    hub = [edge._replace(retrieved="2026-01-02") for edge in chain[1::2]]
    lineage_build.write(tmp_path, chain[::2], hub, {}, measured_from=20)  # kept measured at the top
    graph = reports.Graph(Store(), lineage=lineage.Index(tmp_path / lineage.FILE))
    kept = reports.kept_descendants(graph, ids[0])
    rows = kept.rows()
    assert max(row["depth"] for row in rows) == 20
    for width in (30, 66, 72, 90, 200):
        table = b"".join(kept.text("table", width))
        assert table == b"".join(encoded(rows, "table", width)), width
        assert ("…" in table.decode()) == (width < 195), width  # 195: the widest line whole
    assert b"retrieved" in table and b"2026-01-02\n" in table and b"curated\n" in table
    near = reports.kept_descendants(graph, ids[0], 7)  # widths kept at each depth: to 7 here
    shallow = Rows(reports.EDGE_COLUMNS, [row for row in rows if row["depth"] <= 7])
    assert b"".join(near.text("table", 200)) == b"".join(encoded(shallow, "table", 200))
