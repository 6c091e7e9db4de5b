"""Canned lineage reports: run a query file, turn IRIs into ids, order rows as a reader expects.

Every report returns a list of dicts with at least ``id`` and ``name``; lineage reports add
``relation``, ``parent`` and ``depth``. This shape is a public interface: only add keys.
"""

import functools
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter

from slmgraph import edgerows, kept, lineage, trees
from slmgraph.edgerows import NAMES, provenance, sorted_list
from slmgraph.graph import TRAINABLE, BadValue, Graph, NotForThisReport, first_day
from slmgraph.queries import Rows

__all__ = [
    "TRAINABLE",
    "BadValue",
    "Graph",
    "NotForThisReport",
    "Rows",
]  # the reports' vocabulary too


EDGE_COLUMNS = edgerows.COLUMNS


def renamed(columns: dict[str, str], rows: list[dict]) -> Rows:
    """Query rows as report rows: each report column from its query variable (None if unbound)."""
    return Rows(
        list(columns), ({key: row.get(var) for key, var in columns.items()} for row in rows)
    )


# A lineage edge as the walk reads it: the query's variables in the order of the index's rows
# (which end with the child's hops from the root).
LINE = edgerows.LINE
CHILD, RELATION, PARENT = 0, 2, 3
_edge = edgerows.row


def _lines(rows: list[dict]) -> list[tuple]:
    return [tuple(map(row.get, LINE)) for row in rows]


def descendants(graph: Graph, root: str, max_depth: int | None = None) -> Rows:
    """Everything deriving from ``root`` (a family covers its members), in tree order; with
    ``max_depth``, only the rows at most that many hops below it."""
    if (kept := kept_descendants(graph, root, max_depth)) is not None:
        return kept.rows()
    if graph.lineage is not None:  # the same rows as the query, from the build's index
        lines = graph.lineage.descendants(root, graph.curated_only, max_depth)
        walked = lineage.tree(root, lines, _edge)
    else:
        lines = _lines(graph.select("descendants", root=root))
        inside = {root, *(line[CHILD] for line in lines)}
        edges = [line for line in lines if line[PARENT] in inside]  # not a merge's other parents
        walked = trees.walk(edges, {root: 0}, PARENT, CHILD, _edge, relation=RELATION)
    if max_depth is not None:
        walked = [row for row in walked if row["depth"] <= max_depth]
    return Rows(EDGE_COLUMNS, walked)


def kept_descendants(graph: Graph, root: str, max_depth: int | None = None) -> kept.KeptTree | None:
    """The descendants report as the index keeps it, or None where it keeps none (no index,
    an index made before they were kept, or a report of curated facts only)."""
    index = graph.lineage
    if index is None or not index.walked or graph.curated_only:
        return None
    return kept.KeptTree(index.db, root, max_depth)


def children_of(graph: Graph, root: str) -> Callable[[str], list[dict]]:
    """The descendants rows of the edges into each node below ``root``, for a picture that
    shows a few of them: with an index, read node by node as the picture goes down (a base
    model has 160,000 rows below it at a million Hub models); else from the whole report."""
    if graph.lineage is None:
        return trees.by_parent(descendants(graph, root))

    @functools.cache
    def read(parent: str) -> list[dict]:
        rows = [
            {
                "id": edge.child,
                "name": edge.name,
                "relation": edge.relation,
                "parent": parent,
                "parent_name": edge.parent_name,
                "method": sorted_list(edge.methods),
                "source": edge.source,
            }
            for edge in graph.lineage.children(parent, graph.curated_only)
        ]
        return sorted(rows, key=itemgetter("id", "relation"))  # the report's order

    return read


def descendant_count(graph: Graph, root: str, max_depth: int | None = None) -> int:
    """How many entities derive from ``root``, at most ``max_depth`` hops below it."""
    if graph.lineage is not None:
        return graph.lineage.count(root, graph.curated_only, max_depth)
    return len({row["id"] for row in descendants(graph, root, max_depth)})


class _Ancestry:
    """The upward edges from a start: a family starts from itself and from each of its members."""

    def __init__(self, graph: Graph, start: str):
        rows = graph.select("ancestors", start=start)
        joins = {  # the start's members
            r["child"]: r for r in rows if r["parent"] == start and r["relation"] == "member-of"
        }
        self.edges = _lines([r for r in rows if r["parent"] != start])  # none leads to the start
        self.members = set(joins)
        self.starts = {start: 0} | {member: 1 for member in joins}
        # a member's own chains come under a row saying it is a member
        leads = zip(joins, _lines(joins.values()), strict=True)
        self.leads = {member: _edge(line, 1) for member, line in leads}
        self.names = {r["parent"]: r["parentName"] for r in rows}

    def depths(self) -> dict[str, int]:
        return trees.distances(self.edges, self.starts, CHILD, PARENT)

    def rows(self) -> list[dict]:
        def root(node: str, depth: int) -> dict:
            return dict.fromkeys(EDGE_COLUMNS) | {
                "id": node,
                "name": self.names[node],
                "depth": depth,
            }

        return trees.walk(
            self.edges, self.starts, CHILD, PARENT, _edge, root, self.leads, relation=RELATION
        )


def ancestors(graph: Graph, start: str, max_depth: int | None = None) -> Rows:
    """Every edge on the chains from ``start`` back to its roots, in tree order, and a row for
    each root (its relation and parent empty). A family's chains are its own and its members'.
    With ``max_depth``, only the rows at most that many hops above the start."""
    rows = _Ancestry(graph, start).rows()
    if max_depth is not None:
        rows = [row for row in rows if row["depth"] <= max_depth]
    return Rows(EDGE_COLUMNS, rows)


DATASET_COLUMNS = [
    "id",
    "name",
    "stage",
    "reuses",
    "via",
    "via_name",
    "depth",
    "generated_by",
    "derived_from",
    "source",
    "provenance",
    "retrieved",
]


def datasets(graph: Graph, model: str, transitive: bool = False) -> Rows:
    """Training data of ``model`` (with its family's, or a family's with its members');
    with ``transitive``, of every ancestor too.

    Each dataset and stage appears once, through the nearest model that was trained on it;
    ``depth`` counts the hops from ``model`` to that one (a family and its members are 1 apart).
    """
    ancestry = _Ancestry(graph, model)
    depth = ancestry.depths()
    own = (
        {model}
        | ancestry.members
        | {
            line[PARENT]
            for line in ancestry.edges
            if line[CHILD] == model and line[RELATION] == "member-of"
        }
    )
    rows = [r for r in graph.select("datasets", model=model) if transitive or r["via"] in own]
    nearest: dict[tuple[str, str], dict] = {}  # the nearest trainee, a model before a family
    for row in sorted(
        rows,
        key=lambda r: (
            depth[r["via"]],
            r["viaFamily"],
            r["via"],
            r.get("stage", ""),
            r["dataset"],
            r["source"],
        ),
    ):
        nearest.setdefault((row["dataset"], row.get("stage")), row)
    return Rows(
        DATASET_COLUMNS,
        (
            {
                "id": row["dataset"],
                "name": row["datasetName"],
                "stage": row.get("stage"),
                "reuses": row.get("reuses"),
                "via": row["via"],
                "via_name": row["viaName"],
                "depth": depth[row["via"]],
                "generated_by": sorted_list(row.get("generatedBy")),
                "derived_from": sorted_list(row.get("derivedFrom")),
                "source": row["source"],
                "provenance": provenance(row.get("retrieved")),
                "retrieved": row.get("retrieved"),
            }
            for row in nearest.values()
        ),
    )


ORG_COLUMNS = [
    "id",
    "name",
    "section",
    "open_weights",
    "kind",
    "released",
    "parameters",
    "organisation",
    "organisation_name",
    "base",
    "base_name",
]


def organisation(graph: Graph, org: str) -> Rows:
    """What ``org`` developed (a unit of it, such as a lab, named where the unit developed it),
    with whether each model's weights were published where that is known; then the models and
    families of other organisations that build on it, each with its nearest bases of ``org``
    (one row per base): on their weights, or distilled from them where no chain but through a
    distillation reaches them."""
    return Rows(ORG_COLUMNS, _developed(graph, org) + _builders(graph, org))


def _developed(graph: Graph, org: str) -> list[dict]:
    """One row per entity; a unit is named only where ``org`` itself is not a developer."""
    rows: dict[str, dict] = {}
    for row in graph.select("org-releases", org=org):
        unit = row["developer"] != org
        if row["entity"] in rows:
            if not unit:
                rows[row["entity"]] |= {"organisation": None, "organisation_name": None}
            continue
        rows[row["entity"]] = {
            "id": row["entity"],
            "name": row["name"],
            "section": "developed",
            "kind": row["class"],
            "released": row.get("released"),
            "parameters": row.get("parameters"),
            "open_weights": row.get("openWeights"),
            "organisation": row["developer"] if unit else None,
            "organisation_name": row["developerName"] if unit else None,
        }
    return list(rows.values())


def _builders(graph: Graph, org: str) -> list[dict]:
    weights = {(row["model"], row["base"]) for row in graph.select("org-weight-bases", org=org)}
    return [
        {
            "id": row["model"],
            "name": row["name"],
            # on the base's weights, or only on its outputs, as a distilled student
            "section": "builds-on"
            if (row["model"], row["base"]) in weights
            else "via-distillation",
            "kind": row["class"],
            "organisation": row["builder"],
            "organisation_name": row["builderName"],
            "base": row["base"],
            "base_name": row["baseName"],
        }
        for row in _nearest_bases(graph, org)
    ]


def _nearest_bases(graph: Graph, org: str) -> list[dict]:
    """Builder rows whose base has no other base of ``org`` between it and the builder's model."""
    rows = graph.select("org-builders", org=org)
    behind = defaultdict(set)  # base -> the org's bases that derive from it
    for pair in graph.select("org-base-chains", org=org):
        behind[pair["base"]].add(pair["nearer"])
    reached = defaultdict(set)
    for row in rows:
        reached[row["model"]].add(row["base"])
    return [row for row in rows if not behind[row["base"]] & reached[row["model"]]]


FAMILY = {
    "id": "model",
    "name": "name",
    "parameters": "parameters",
    "released": "released",
    "licence": "licence",
}


def family(graph: Graph, family_id: str) -> Rows:
    return renamed(FAMILY, graph.select("family", family=family_id))


def timeline(graph: Graph, org: str | None = None, since: str | None = None) -> Rows:
    """Models and families by release date (a model never released by its announcement, which
    ``open_weights`` tells apart where the entry says); ``since`` is a day (YYYY-MM-DD). A release
    known only to the month or year counts when that month or year reaches ``since``."""
    return Rows(
        ["id", "name", "kind", "released", "open_weights", "organisations"],
        (
            {
                "id": row["entity"],
                "name": row["name"],
                "kind": row["class"],
                "released": row["released"],
                "open_weights": row.get("openWeights"),
                "organisations": sorted_list(row.get("organisations"), NAMES),
            }
            for row in graph.select(
                "timeline", org=org, since=first_day(since) if since is not None else None
            )
        ),
    )
