"""Writing a build's lineage index (``lineage`` reads it): the curated and Hub edges with
their citations, the closure of who descends from whom, every entity's descendants report
kept walked, and the Hub's names and other facts."""

import os
import sqlite3
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from slmgraph import edgerows, kept
from slmgraph.bulk import collector_paused
from slmgraph.lineage import COLUMNS, FILE, Edge, HubFact, HubName, tree
from slmgraph.names import compact, normalise

# Node ids follow the order of the keys, so that rows read in id order are in the order of
# their keys. An edge carries its ends' keys and names: one lookup a row, not three.
_SCHEMA = """
CREATE TABLE node (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE edge (child INTEGER, relation TEXT, parent INTEGER, number INTEGER,
                   child_key TEXT, child_name TEXT, parent_key TEXT, parent_name TEXT,
                   source TEXT, methods TEXT, retrieved TEXT, curated INTEGER,
                   PRIMARY KEY (child, relation, parent, number)) WITHOUT ROWID;
CREATE TABLE closure (ancestor INTEGER, descendant INTEGER, hops INTEGER, curated_hops INTEGER,
                      PRIMARY KEY (ancestor, descendant)) WITHOUT ROWID;
CREATE TABLE hub_name (entity TEXT, kind TEXT, repo TEXT, whole TEXT, part TEXT, org TEXT);
CREATE TABLE hub_fact (entity TEXT, property TEXT, value TEXT, source TEXT, retrieved TEXT);
CREATE TABLE edge_row (edge INTEGER PRIMARY KEY, head BLOB, tail BLOB, {cells});
CREATE TABLE walk (ancestor INTEGER, position INTEGER, edge INTEGER, depth INTEGER,
                   PRIMARY KEY (ancestor, position)) WITHOUT ROWID;
CREATE TABLE walk_width (ancestor INTEGER, depth INTEGER, {widths},
                         PRIMARY KEY (ancestor, depth)) WITHOUT ROWID;
""".format(
    cells=", ".join(f"{column} TEXT" for column in edgerows.CELLS),
    widths=", ".join(f"{column}_width INTEGER" for column in edgerows.COLUMNS),
)
# Every entity's descendants report is kept as its rows in tree order (``walk``: the edge and
# depth of each), every edge's report row as JSON around its depth and as values
# (``edge_row``), and a large report's column widths at each depth (``walk_width``): the
# report of a hundred thousand descendants is then read in order, ready-made (see ``kept``),
# where walking it anew costs seconds. They cover all edges; a curated-only report is walked.
MEASURED_FROM = 10_000  # a shorter report is measured when read, in milliseconds
_MEASURE = f"""
INSERT INTO walk_width SELECT ancestor, depth, {kept.WIDTHS}
FROM walk JOIN edge_row USING (edge)
WHERE ancestor IN (SELECT ancestor FROM walk GROUP BY ancestor HAVING COUNT(*) >= ?)
GROUP BY ancestor, depth
"""
_INDEXES = """
CREATE INDEX hub_name_entity ON hub_name (entity);
CREATE INDEX hub_name_whole ON hub_name (whole);
CREATE INDEX hub_name_part ON hub_name (part);
CREATE INDEX hub_name_org ON hub_name (org);
CREATE INDEX hub_fact_entity ON hub_fact (entity);
CREATE INDEX hub_fact_value ON hub_fact (value);
"""


def index_build(
    store,
    build_dir: Path,
    hub_edges: Iterable[Edge],
    hub_names: Iterable[HubName],
    hub_facts: Iterable[HubFact],
) -> None:
    """Write the index of the build in ``build_dir``, open as ``store``: its curated edges,
    read from its curated graph, and the Hub edges, names and other facts it holds."""
    curated_edges, names = curated_part(store)
    write(build_dir, curated_edges, hub_edges, names, hub_names, hub_facts)


def curated_part(store) -> tuple[list[Edge], dict[str, str]]:
    """The curated edges an index holds, and every curated entity's name, read from the
    curated graph of ``store``."""
    from slmgraph.graph import Graph

    curated = Graph(store, curated_only=True)
    names = {row["entity"]: row["name"] for row in curated.select("lineage-names")}
    edges = curated.select("lineage-edges")
    names |= {row["child"]: row["childName"] for row in edges}
    names |= {row["parent"]: row["parentName"] for row in edges}
    return [Edge(*(row.get(key) for key in COLUMNS)) for row in edges], names


@collector_paused()  # a million edges and their closure: many objects, no cycles
def write(
    build_dir: Path,
    curated: Iterable[Edge],
    hub: Iterable[Edge],
    names: dict[str, str],
    hub_names: Iterable[HubName] = (),
    hub_facts: Iterable[HubFact] = (),
    measured_from: int = MEASURED_FROM,
) -> None:
    """Write the index of a build: its curated and Hub edges, their closure, and the Hub's
    names and other facts. ``names`` gives an entity's name where it is not its id (a Hub
    model's name is its repo id). The column widths of reports of ``measured_from`` rows or
    more are kept."""
    path = build_dir / FILE
    staging = build_dir / f".{FILE}.{os.getpid()}"
    staging.unlink(missing_ok=True)
    db = sqlite3.connect(staging)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
    edges = [(1, edge) for edge in curated] + [(0, edge) for edge in hub]
    keys = sorted({key for _, edge in edges for key in (edge.child, edge.parent)})
    ids = {key: number for number, key in enumerate(keys)}
    parents: dict[int, set[int]] = defaultdict(set)
    curated_parents: dict[int, set[int]] = defaultdict(set)
    rows = []
    for number, (is_curated, edge) in enumerate(edges):
        child, parent = ids[edge.child], ids[edge.parent]
        parents[child].add(parent)
        if is_curated:
            curated_parents[child].add(parent)
        ends = (edge.child, names.get(edge.child, edge.child))
        ends += (edge.parent, names.get(edge.parent, edge.parent))
        rows.append((child, edge.relation, parent, number, *ends, *edge[3:], is_curated))
    del edges
    rows.sort(key=itemgetter(0, 1, 2, 3))  # in key order, a table without rowids fills fast
    # numbered in that order: a report's rows, mostly in key order, read its edges in order
    rows = [(*row[:3], number, *row[4:]) for number, row in enumerate(rows)]
    db.executemany(f"INSERT INTO edge VALUES ({', '.join('?' * 12)})", rows)
    db.executemany(f"INSERT INTO edge_row VALUES ({', '.join('?' * 12)})", map(_edge_row, rows))
    into: dict[int, list[tuple]] = defaultdict(list)  # each child's edges, as the walk reads them
    for row in rows:
        into[row[0]].append(row[:4])
    del rows
    db.executemany(
        "INSERT INTO node VALUES (?, ?, ?)",
        ((number, key, names.get(key, key)) for number, key in enumerate(keys)),
    )
    curated_hops = {
        (ancestor, descendant): hops for ancestor, descendant, hops in closure(curated_parents)
    }
    pairs = sorted(closure(parents))  # in key order, as the edges
    db.executemany(
        "INSERT INTO closure VALUES (?, ?, ?, ?)",
        (
            (ancestor, descendant, hops, curated_hops.get((ancestor, descendant)))
            for ancestor, descendant, hops in pairs
        ),
    )
    db.executemany("INSERT INTO walk VALUES (?, ?, ?, ?)", _walks(pairs, into))
    del pairs, into
    db.execute(_MEASURE, (measured_from,))
    db.executemany("INSERT INTO hub_name VALUES (?, ?, ?, ?, ?, ?)", map(_name_keys, hub_names))
    db.executemany("INSERT INTO hub_fact VALUES (?, ?, ?, ?, ?)", hub_facts)
    db.executescript(_INDEXES)
    db.commit()
    db.close()
    os.replace(staging, path)


def _edge_row(row: tuple) -> tuple:
    number, child_key, child_name, parent_key, parent_name, *notes, _ = row[3:]
    line = (child_key, child_name, row[1], parent_key, parent_name, *notes)
    return number, *edgerows.kept(line)


def _walks(pairs: list[tuple], into: dict[int, list[tuple]]) -> Iterator[tuple]:
    """(ancestor, position, edge, depth) for each row of every entity's descendants
    report, from the closure's pairs in key order and the edges into each child."""
    for ancestor, below in groupby(pairs, itemgetter(0)):
        lines = [(*edge, hops) for _, child, hops in below for edge in into[child]]
        rows = tree(ancestor, lines, _walk_row, relation=1, parent=2)
        for position, (number, depth) in enumerate(rows):
            yield ancestor, position, number, depth


def _walk_row(line: tuple, depth: int) -> tuple:
    return line[3], depth


def _name_keys(name: HubName) -> tuple:
    org, _, part = normalise(name.repo).rpartition("/")
    return (*name, compact(f"{org}/{part}"), compact(part), org)


def closure(parents: dict[int, set[int]]) -> Iterator[tuple[int, int, int]]:
    """(ancestor, descendant, fewest hops) for every node with parents, walking up from each.
    As in a SPARQL path, a node on a cycle of claims is its own ancestor.

    >>> sorted(closure({2: {1}, 3: {1, 2}}))
    [(1, 2, 1), (1, 3, 1), (2, 3, 1)]
    >>> sorted(closure({1: {2}, 2: {1}}))
    [(1, 1, 2), (1, 2, 1), (2, 1, 1), (2, 2, 2)]
    """
    for start, direct in parents.items():
        hops = dict.fromkeys(direct, 1)
        queue = deque(direct)
        while queue:
            here = queue.popleft()
            for up in parents.get(here, ()):
                if up not in hops:
                    hops[up] = hops[here] + 1
                    queue.append(up)
        for ancestor, distance in hops.items():
            yield ancestor, start, distance
