"""The lineage index: each build's lineage edges with their citations, and who descends from
whom in the fewest hops, in one SQLite file beside the build's Oxigraph database.

On disk, Oxigraph joins cost some 25 µs a row, and "everything deriving from Llama 2" is
100,000 rows at a million Hub models. The index answers it from two indexed tables. It is
made from the same rows as the store: ``lineage-edges.rq`` over the curated graph, and the
edges the Hub import writes; ``descendants.rq`` stays the definition, held to the same
answers by the tests, and is what a SPARQL endpoint asks.
"""

import os
import sqlite3
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from slmgraph import edgerows, kept, trees
from slmgraph.bulk import collector_paused
from slmgraph.names import compact, normalise

FILE = "lineage.sqlite"
COLUMNS = ("child", "relation", "parent", "source", "methods", "retrieved")
# a descendants row: the query's variables, then the child's hops from the root
ROW_KEYS = (*edgerows.LINE, "childHops")

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
"""
# Each edge out of a descendant of the root, with the hops from the root to its child, in the
# order of the children's keys, read straight off the two tables' keys with no sort.
_ROWS = """
SELECT e.child_key, e.child_name, e.relation, e.parent_key, e.parent_name,
       e.source, e.methods, e.retrieved, k.{hops}
FROM closure AS k JOIN edge AS e ON e.child = k.descendant
WHERE k.ancestor = (SELECT id FROM node WHERE key = ?) AND k.{hops} <= ? {curated}
ORDER BY k.descendant LIMIT ?
"""
_EDGES = """
SELECT child_key, child_name, relation, parent_key, parent_name, source, methods, retrieved
FROM edge {curated} ORDER BY child, relation, parent, number LIMIT ? OFFSET ?
"""
# The Hub's part of what the licence audit reads: the edges up from each Hub model with the
# least of their citations, its training claims likewise, and each Hub model and dataset with
# the licences its claims give (``audit-edges.rq``, ``audit-entities.rq``)
_AUDIT_EDGES = """
SELECT child_key, relation, parent_key, MIN(source) FROM edge WHERE NOT curated AND source != ''
GROUP BY child, relation, parent
UNION ALL
SELECT value, property, entity, MIN(source) FROM hub_fact WHERE property = ? AND source != ''
GROUP BY value, entity
LIMIT ? OFFSET ?
"""
_AUDIT_ENTITIES = """
SELECT n.entity, n.kind, n.repo, f.entity FROM hub_name AS n
LEFT JOIN (SELECT value, entity FROM hub_fact WHERE property = ?) AS f ON f.value = n.entity
ORDER BY n.rowid LIMIT ? OFFSET ?
"""
# A curated-only answer walks curated edges only, so it has hops of its own.
_COUNT = """
SELECT COUNT(*) FROM closure AS k
WHERE k.ancestor = (SELECT id FROM node WHERE key = ?) AND k.{hops} <= ?
"""
# The edges into one entity: its children are its descendants one hop away.
_CHILDREN = """
SELECT e.child_key, e.child_name, e.relation, e.source, e.methods, e.retrieved, e.parent_name
FROM closure AS k JOIN edge AS e ON e.child = k.descendant
WHERE k.ancestor = (SELECT id FROM node WHERE key = ?1) AND k.{hops} = 1
  AND e.parent = (SELECT id FROM node WHERE key = ?1) {curated}
"""
_HUB_EDGES = """
SELECT child_key, relation, parent_key, source, methods, retrieved FROM edge WHERE NOT curated
"""
_NO_LIMIT = 1 << 62
_MOST_IN_ORG = 20_000  # the repos of one organisation read for a slip in a name


class HubName(NamedTuple):
    """A Hub model or dataset by its entity id, with its kind and repo id."""

    entity: str
    kind: str
    repo: str


class HubFact(NamedTuple):
    """A fact a Hub model states about an entity other than its lineage (a licence, training
    data), by the entity's id, the property's IRI and the model's repo id; with the source and
    day retrieved of the claim behind it, where there is one (else empty)."""

    entity: str
    property: str
    value: str
    source: str
    retrieved: str


class Child(NamedTuple):
    """A lineage edge into a node, with the names of its ends."""

    child: str
    name: str
    relation: str
    source: str | None
    methods: str | None
    retrieved: str | None
    parent_name: str


class Edge(NamedTuple):
    """One lineage edge, by entity ids, with the relation in words (``fine-tuned``)."""

    child: str
    relation: str
    parent: str
    source: str | None
    methods: str | None
    retrieved: str | None


class Index:
    """A build's lineage index, opened read-only."""

    def __init__(self, path: Path):
        self.path = path
        self.db = _read_only(path)
        # read in place rather than copied page by page: a large report reads half as long
        self.db.execute(f"PRAGMA mmap_size = {1 << 40}")
        self._scans: sqlite3.Connection | None = None
        tables = self.db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        # an index written before reports were kept as they are still answers, walking them
        self.walked = ("walk_width",) in tables.fetchall()

    def descendants(
        self, root: str, curated_only: bool, max_depth: int | None, most: int | None = None
    ) -> list[tuple]:
        """The rows ``descendants.rq`` gives for ``root``, for descendants at most
        ``max_depth`` hops away, as tuples of ``ROW_KEYS`` (ending with the fewest hops from
        the root to the child), ordered by child; the first ``most`` of them, if given."""
        hops = "curated_hops" if curated_only else "hops"
        query = _ROWS.format(hops=hops, curated="AND e.curated" if curated_only else "")
        limits = (max_depth or _NO_LIMIT, _NO_LIMIT if most is None else most)
        return self.db.execute(query, (root, *limits)).fetchall()

    def edges(self, curated_only: bool, rows: slice) -> list[tuple]:
        """The rows ``lineage-edges.rq`` gives, as tuples of ``ROW_KEYS`` but the hops, in
        the index's order: those of ``rows`` (a slice with a stop)."""
        query = _EDGES.format(curated="WHERE curated" if curated_only else "")
        return self.db.execute(query, (rows.stop - rows.start, rows.start)).fetchall()

    def audit_edges(self, trained_on: str, rows: slice) -> list[tuple]:
        """The Hub's lineage edges and training claims as ``audit-edges.rq`` gives them
        (child, relation in words or the training property's IRI, parent, least citation),
        those of ``rows`` (a slice with a stop)."""
        return self._page(_AUDIT_EDGES, (trained_on,), rows)

    def audit_entities(self, licence: str, rows: slice) -> list[tuple]:
        """Each Hub model and dataset (id, kind, repo) with each licence its claims give, by
        the licence property's IRI (or none), those of ``rows``."""
        return self._page(_AUDIT_ENTITIES, (licence,), rows)

    def _page(self, query: str, parameters: tuple, rows: slice) -> list[tuple]:
        limits = (rows.stop - rows.start, rows.start)
        return self._scan(query, parameters + limits).fetchall() if rows.stop > rows.start else []

    def count(self, root: str, curated_only: bool, max_depth: int | None) -> int:
        """How many entities descend from ``root``, at most ``max_depth`` hops away."""
        query = _COUNT.format(hops="curated_hops" if curated_only else "hops")
        return self.db.execute(query, (root, max_depth or _NO_LIMIT)).fetchone()[0]

    def children(self, parent: str, curated_only: bool) -> list[Child]:
        """The lineage edges into ``parent``, in no particular order."""
        hops = "curated_hops" if curated_only else "hops"
        query = _CHILDREN.format(hops=hops, curated="AND e.curated" if curated_only else "")
        return list(map(Child._make, self.db.execute(query, (parent,))))

    def hub_edges(self) -> Iterator[Edge]:
        """The edges imported from the Hub, which a new curated build keeps."""
        return map(Edge._make, self._scan(_HUB_EDGES))

    def hub_names(self) -> Iterator[HubName]:
        """Every Hub model and dataset, which a new curated build keeps."""
        return map(HubName._make, self._scan("SELECT entity, kind, repo FROM hub_name"))

    def hub_facts(self) -> Iterator[HubFact]:
        """Every Hub fact but lineage, which a new curated build keeps."""
        return map(HubFact._make, self._scan("SELECT * FROM hub_fact"))

    def _scan(self, query: str, parameters: tuple = ()) -> sqlite3.Cursor:
        """A whole table read once, page by page through SQLite's small cache: mapped in
        place, a million Hub models' tables stayed in the process's memory (450 MB of the
        licence audit's 890 MB)."""
        if self._scans is None:
            self._scans = _read_only(self.path)
        return self._scans.execute(query, parameters)

    def facts_into(self, entity: str) -> list[HubFact]:
        """The Hub facts but lineage about ``entity``, in no particular order: a licence many
        Hub models use has hundreds of thousands, each a slow lookup in the store."""
        query = "SELECT * FROM hub_fact WHERE entity = ?"
        return list(map(HubFact._make, self.db.execute(query, (entity,))))

    def hub_name(self, entity: str) -> HubName | None:
        """A Hub model or dataset by its entity id, or None."""
        query = "SELECT entity, kind, repo FROM hub_name WHERE entity = ?"
        found = self.db.execute(query, (entity,)).fetchone()
        return HubName._make(found) if found else None

    def hub_search(self, text: str, most: int) -> list[HubName]:
        """At most ``most`` Hub models and datasets whose repo id holds ``text``, any case."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = "SELECT entity, kind, repo FROM hub_name WHERE repo LIKE ? ESCAPE '\\' LIMIT ?"
        return list(map(HubName._make, self.db.execute(query, (pattern, most))))

    def hub_candidates(self, keys: list[str], org: str | None) -> list[HubName]:
        """The Hub entities whose repo id, or its name part, has one of the compact ``keys``
        (``names.compact``), and with ``org``, at most a few thousand repos of that
        organisation, for a slip in a name: the only ones a lookup need look at."""
        marks = ", ".join("?" * len(keys))
        query = f"SELECT entity, kind, repo FROM hub_name WHERE whole IN ({marks})"
        query += f" OR part IN ({marks})"
        found = self.db.execute(query, keys + keys).fetchall()
        if org:
            query = "SELECT entity, kind, repo FROM hub_name WHERE org = ? LIMIT ?"
            found += self.db.execute(query, (org, _MOST_IN_ORG)).fetchall()
        return list(map(HubName._make, dict.fromkeys(found)))


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def open_index(build_dir: Path) -> Index | None:
    """The index of a build, or None for a build without one."""
    path = build_dir / FILE
    return Index(path) if path.is_file() else None


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


def tree(root, lines: list[tuple], row: Callable, relation: int = 2, parent: int = 3) -> list:
    """The rows of the descendants report of ``root`` in tree order, ``row(line, depth)`` for
    each: ``lines`` are the edges into its descendants (the child first, the relation and
    parent at the given places), each ending with the child's fewest hops from ``root``."""
    dist = {line[0]: line[-1] for line in lines} | {root: 0}
    edges = [line for line in lines if line[parent] in dist]  # not a merge's other parents
    return trees.walk(edges, {root: 0}, parent, 0, row, dist=dist, relation=relation)


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
