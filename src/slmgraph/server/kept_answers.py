"""Answers the lineage index keeps ready: the canned descendants query, as the editor's form
binds it, over the curated graph or over the curated and Hub graphs.

On disk the engine joins each row of the walk for some 270 µs: at a million Hub models
Pythia's 27,293 descendants ran past the endpoint's 10 s deadline. The index holds
the same rows, which the tests hold to the engine's for every root. Only the exact text
``/canned/descendants`` hands out is answered here, over one of those two datasets; any other
text, one edited by a character included, goes to the engine.
"""

import re

from pyoxigraph import Literal, NamedNode

from slmgraph import lineage, queries, sparqltext
from slmgraph.graph import RELATIONS
from slmgraph.paths import queries_dir
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, XSD, entity_id, entity_iri

_ROOT = re.compile(r"\(<([^<>\"{}|^`\\\x00-\x20]*)> AS \?root\)")
_COLUMNS = ("root", "child", "childName", "relation", "parent", "parentName", "source")
HEADER = "\t".join(f"?{name}" for name in (*_COLUMNS, "methods", "retrieved")) + "\n"
_DATE = NamedNode(XSD + "date")
_PLACEHOLDER = "<urn:slmgraph:root>"  # where the root's IRI is written in


class Descendants:
    """Recognises the canned descendants query with its root written in."""

    def __init__(self):
        self.text = queries.discover(queries_dir())["descendants"].text
        self.bound = sparqltext.portable(self.text, {"root": _PLACEHOLDER}).strip()

    def root(self, text: str, default_graphs: list[str] | None) -> tuple[str, bool] | None:
        """The root's entity id and whether the dataset is the curated graph alone, when
        ``text`` is the canned query bound to a root over a dataset the index covers."""
        found = _ROOT.search(text)
        if not found or not (root := entity_id(found.group(1))):
            return None
        if text.strip() != self.bound.replace(_PLACEHOLDER, f"<{found[1]}>"):
            return None
        graphs = set(default_graphs or [CURATED_GRAPH])
        if graphs not in ({CURATED_GRAPH}, {CURATED_GRAPH, HUB_GRAPH}):
            return None
        return root, graphs == {CURATED_GRAPH}

    def answer(self, index: lineage.Index, root: str, curated_only: bool, most: int) -> bytes:
        """The answer as SPARQL TSV results: the header, then at most ``most`` rows."""
        rows = index.descendants(root, curated_only, None, most)
        head = str(NamedNode(entity_iri(root)))
        return (HEADER + "".join(_line(head, row) for row in rows)).encode()


def _line(root: str, row: tuple) -> str:
    child, child_name, relation, parent, parent_name, source, methods, retrieved, _ = row
    cells = (
        root,
        _iri(entity_iri(child)),
        str(Literal(child_name)),
        _iri(RELATIONS[relation]),
        _iri(entity_iri(parent)),
        str(Literal(parent_name)),
        _iri(source) if source else "",
        str(Literal(methods)) if methods else "",  # no method: unbound, as GROUP_CONCAT gives
        str(Literal(retrieved, datatype=_DATE)) if retrieved else "",
    )
    return "\t".join(cells) + "\n"


def _iri(value: str) -> str:
    return str(NamedNode(value))
