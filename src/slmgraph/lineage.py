"""The lineage index: each build's lineage edges with their citations, and who descends from
whom in the fewest hops, in one SQLite file beside the build's Oxigraph database.

On disk, Oxigraph joins cost some 25 µs a row, and "everything deriving from Llama 2" is
100,000 rows at a million Hub models. The index answers it from two indexed tables. It is
made from the same rows as the store: ``lineage-edges.rq`` over the curated graph, and the
edges the Hub import writes; ``descendants.rq`` stays the definition, held to the same
answers by the tests, and is what a SPARQL endpoint asks.
"""

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from slmgraph import edgerows, trees

FILE = "lineage.sqlite"
COLUMNS = ("child", "relation", "parent", "source", "methods", "retrieved")
# a descendants row: the query's variables, then the child's hops from the root
ROW_KEYS = (*edgerows.LINE, "childHops")

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
LEFT JOIN hub_fact AS f ON f.value = n.entity AND f.property = ?
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
        return self._page(_EDGES.format(curated="WHERE curated" if curated_only else ""), (), rows)

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


def tree(root, lines: list[tuple], row: Callable, relation: int = 2, parent: int = 3) -> list:
    """The rows of the descendants report of ``root`` in tree order, ``row(line, depth)`` for
    each: ``lines`` are the edges into its descendants (the child first, the relation and
    parent at the given places), each ending with the child's fewest hops from ``root``."""
    dist = {line[0]: line[-1] for line in lines} | {root: 0}
    edges = [line for line in lines if line[parent] in dist]  # not a merge's other parents
    return trees.walk(edges, {root: 0}, parent, 0, row, dist=dist, relation=relation)
