"""A lineage edge as a report row: the columns lineage reports share, the row as a dict, and
what the lineage index keeps of it (its JSON in two pieces around its depth, and its values),
so that a report of a hundred thousand rows is read ready-made rather than made row by row."""

import orjson

COLUMNS = [
    "id",
    "name",
    "relation",
    "parent",
    "parent_name",
    "depth",
    "method",
    "source",
    "provenance",
    "retrieved",
]
# A row's values but its depth: what an edge holds, whatever depth it is reached at
CELLS = [column for column in COLUMNS if column != "depth"]
# An edge's fields in the order rows of the lineage query and the index hold them
LINE = ("child", "childName", "relation", "parent", "parentName", "source", "methods", "retrieved")


NAMES = "; "  # what a GROUP_CONCAT of names is joined with: a name may hold a comma, not this


def sorted_list(text: str | None, separator: str = ", ") -> str | None:
    """A GROUP_CONCAT's values in a fixed order (SPARQL leaves the order to the engine), joined
    by a comma; ``separator`` is what the query joined them with."""
    return ", ".join(sorted(text.split(separator))) if text else None


def provenance(retrieved: str | None) -> str:
    """Where a fact comes from: only a claim imported from the Hub has a day retrieved."""
    return "hub" if retrieved else "curated"


def row(line: tuple, depth: int) -> dict:
    """The report row of an edge (its fields in ``LINE`` order) reached ``depth`` hops down."""
    return {
        "id": line[0],
        "name": line[1],
        "relation": line[2],
        "parent": line[3],
        "parent_name": line[4],
        "depth": depth,
        "method": sorted_list(line[6]) if line[6] else None,
        "source": line[5],
        "provenance": provenance(line[7]),
        "retrieved": line[7],
    }


def kept(line: tuple) -> tuple:
    """What the lineage index keeps of the row of an edge (its fields in ``LINE`` order),
    whatever depth it is reached at: its JSON up to the depth's value and after it, joined
    around a depth byte for byte what the row's dict gives (a value cannot hold the key: its
    quotes are escaped), then its values in ``CELLS`` order.

    >>> line = ("b", "B", "merged", "a", "A", None, None, None)
    >>> head, tail, *cells = kept(line)
    >>> head + b"2" + tail == orjson.dumps(row(line, 2))
    True
    >>> cells
    ['b', 'B', 'merged', 'a', 'A', None, None, 'curated', None]
    """
    values = row(line, 0)
    head, _, tail = orjson.dumps(values).partition(b'"depth":0')
    del values["depth"]
    return head + b'"depth":', tail, *values.values()
