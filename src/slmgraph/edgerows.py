"""A lineage edge as a report row: the columns lineage reports share, the row as a dict, and
the same row as JSON in two pieces around its depth. The lineage index keeps the pieces, so
that a report of a hundred thousand rows is read ready-made rather than made row by row."""

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
# An edge's fields in the order rows of the lineage query and the index hold them
LINE = ("child", "childName", "relation", "parent", "parentName", "source", "methods", "retrieved")


def sorted_list(text: str | None) -> str | None:
    """A GROUP_CONCAT's values in a fixed order (SPARQL leaves the order to the engine)."""
    return ", ".join(sorted(text.split(", "))) if text else None


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


def json_pieces(line: tuple) -> tuple[bytes, bytes]:
    """The row's JSON up to its depth's value and after it: joined around a depth, byte for
    byte what the row's dict gives (a value cannot hold the key: its quotes are escaped).

    >>> head, tail = json_pieces(("b", "B", "merged", "a", "A", None, None, None))
    >>> head + b"2" + tail == orjson.dumps(row(("b", "B", "merged", "a", "A", None, None, None), 2))
    True
    """
    head, _, tail = orjson.dumps(row(line, 0)).partition(b'"depth":0')
    return head + b'"depth":', tail
