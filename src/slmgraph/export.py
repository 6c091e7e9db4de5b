"""Deterministic dumps of the data graph: Turtle, N-Triples, N-Quads and compacted JSON-LD."""

import io
import json
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, serialize

from slmgraph.vocab import CURATED_GRAPH, PREFIXES, RDF, XSD

FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
}


def dump(store: Store, fmt: str, ontology_dir: Path, named: bool = False) -> bytes:
    """The graph in one format, byte-identical for identical content (see ``write``)."""
    out = io.BytesIO()
    write(store, fmt, ontology_dir, out, named)
    return out.getvalue()


def write(store: Store, fmt: str, ontology_dir: Path, out: BinaryIO, named: bool = False) -> None:
    """Write the graph in one format to ``out``, byte-identical for identical content.

    Turtle, N-Triples and JSON-LD hold the data graph, sorted. N-Quads holds it sorted too
    (with ``named``, under the name publish gives the curated graph), then every named graph
    (the ontology's, the Hub's) in the store's own order, which is the same for the same
    content: a Hub graph of tens of millions of claims streams, where sorting it would not fit
    in memory.
    """
    triples = sorted(
        (quad.triple for quad in store.quads_for_pattern(None, None, None, DefaultGraph())), key=str
    )
    if fmt == "nquads":
        curated = NamedNode(CURATED_GRAPH) if named else DefaultGraph()
        serialize((Quad(*triple, curated) for triple in triples), out, RdfFormat.N_QUADS)
        for graph in sorted(store.named_graphs(), key=str):
            serialize(store.quads_for_pattern(None, None, None, graph), out, RdfFormat.N_QUADS)
    elif fmt == "jsonld":
        out.write(jsonld(triples, ontology_dir / "context.jsonld"))
    else:
        serialize(triples, out, FORMATS[fmt], prefixes=PREFIXES)


def jsonld(triples, context_path: Path) -> bytes:
    """Compact the triples with our context (the context is embedded, so the dump stands alone)."""
    from pyld import jsonld as ld

    context = json.loads(context_path.read_text(encoding="utf-8"))["@context"]
    nodes: dict[str, dict] = {}
    for triple in triples:
        node = nodes.setdefault(triple.subject.value, {"@id": triple.subject.value})
        if triple.predicate.value == RDF + "type":
            node.setdefault("@type", []).append(triple.object.value)
        else:
            node.setdefault(triple.predicate.value, []).append(_value(triple.object))
    expanded = [nodes[key] for key in sorted(nodes)]
    compacted = ld.compact(expanded, context, options={"documentLoader": _no_remote})
    return (json.dumps(compacted, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _value(term) -> dict:
    if isinstance(term, NamedNode):
        return {"@id": term.value}
    assert isinstance(term, Literal)
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def _no_remote(url: str, options=None):
    raise ValueError(f"refusing to fetch remote JSON-LD context {url}: the dump must stand alone")
