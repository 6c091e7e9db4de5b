"""The SPARQL service description (``/sparql`` with no query) and the VoID description.

Both are small graphs built here from the endpoint's address and the build's statistics (the
statistics come from ``queries/server/void-*.rq``), serialised in the negotiated RDF format.
"""

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize
from starlette.requests import Request
from starlette.responses import Response

from slmgraph.server import negotiation, results, web
from slmgraph.server.state import ServerState
from slmgraph.vocab import (
    BASE,
    DCTERMS,
    FAIR4ML,
    ID,
    ONTOLOGY_GRAPH,
    PREFIXES,
    PROV,
    RDF,
    SCHEMA,
    SLM,
    XSD,
)

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
DATASET = BASE + "dataset"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
_PREFIXES = PREFIXES | {"sd": SD, "void": VOID, "formats": FORMATS}


class _Graph:
    def __init__(self):
        self.triples: list[Triple] = []

    def add(self, subject, predicate: str, value) -> None:
        self.triples.append(Triple(subject, NamedNode(predicate), value))


def _count(value) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def service_description(request: Request) -> Response:
    state: ServerState = request.app.state.server
    base = _base(request)
    stats = await state.per_build("void")
    graph = _Graph()
    service = NamedNode(base + "/sparql")
    graph.add(service, RDF + "type", NamedNode(SD + "Service"))
    graph.add(service, SD + "endpoint", service)
    graph.add(service, SD + "supportedLanguage", NamedNode(SD + "SPARQL11Query"))
    for name in RESULT_FORMATS:
        graph.add(service, SD + "resultFormat", NamedNode(FORMATS + name))
    limits = (
        f"Read-only. Queries are stopped after {state.config.deadline:g} s; answers hold at most "
        f"{state.config.row_cap} rows (a truncated answer says so); SERVICE is refused"
        + (
            " except to " + ", ".join(state.config.allowed_services)
            if state.config.allowed_services
            else ""
        )
        + "."
    )
    graph.add(service, DCTERMS + "description", Literal(limits))
    dataset, default = BlankNode(), BlankNode()
    graph.add(service, SD + "defaultDataset", dataset)
    graph.add(dataset, RDF + "type", NamedNode(SD + "Dataset"))
    graph.add(dataset, DCTERMS + "source", NamedNode(DATASET))
    graph.add(dataset, SD + "defaultGraph", default)
    graph.add(default, RDF + "type", NamedNode(SD + "Graph"))
    graph.add(default, VOID + "triples", _count(stats["totals"]["triples"]))
    named, ontology = BlankNode(), BlankNode()
    graph.add(dataset, SD + "namedGraph", named)
    graph.add(named, RDF + "type", NamedNode(SD + "NamedGraph"))
    graph.add(named, SD + "name", NamedNode(ONTOLOGY_GRAPH))
    graph.add(named, SD + "graph", ontology)
    graph.add(ontology, RDF + "type", NamedNode(SD + "Graph"))
    graph.add(service, VOID + "inDataset", NamedNode(DATASET))
    return _send(request, state, graph, "service")


async def void(request: Request) -> Response:
    state: ServerState = request.app.state.server
    base = _base(request)
    stats = await state.per_build("void")
    totals = stats["totals"]
    graph = _Graph()
    dataset = NamedNode(DATASET)
    graph.add(dataset, RDF + "type", NamedNode(VOID + "Dataset"))
    graph.add(
        dataset, DCTERMS + "title", Literal("slmgraph: language-model lineage", language="en")
    )
    graph.add(
        dataset,
        DCTERMS + "description",
        Literal(
            "A curated, cited knowledge graph of language models, their lineage, training data "
            "and makers.",
            language="en",
        ),
    )
    graph.add(dataset, DCTERMS + "hasVersion", Literal(state.build()))
    graph.add(dataset, VOID + "sparqlEndpoint", NamedNode(base + "/sparql"))
    graph.add(dataset, VOID + "dataDump", NamedNode(base + "/store?default"))
    graph.add(dataset, VOID + "uriSpace", Literal(ID))
    graph.add(dataset, VOID + "feature", NamedNode(FORMATS + "Turtle"))
    for vocabulary in (SLM, PROV, SCHEMA, FAIR4ML, DCTERMS):
        graph.add(dataset, VOID + "vocabulary", NamedNode(vocabulary))
    for key, predicate in (
        ("triples", "triples"),
        ("entities", "entities"),
        ("subjects", "distinctSubjects"),
        ("objects", "distinctObjects"),
        ("properties", "properties"),
    ):
        graph.add(dataset, VOID + predicate, _count(totals[key]))
    for row in stats["classes"]:
        partition = BlankNode()
        graph.add(dataset, VOID + "classPartition", partition)
        graph.add(partition, VOID + "class", NamedNode(row["class"]))
        graph.add(partition, VOID + "entities", _count(row["entities"]))
    for row in stats["properties"]:
        partition = BlankNode()
        graph.add(dataset, VOID + "propertyPartition", partition)
        graph.add(partition, VOID + "property", NamedNode(row["property"]))
        graph.add(partition, VOID + "triples", _count(row["triples"]))
    return _send(request, state, graph, "void")


def _send(request: Request, state: ServerState, graph: _Graph, kind: str) -> Response:
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    media = negotiation.choose(accept, negotiation.RDF, fmt)
    if media is None:
        media = "text/turtle"  # a browser asking for HTML still gets the readable format
    tag = web.etag(state.build(), kind, str(request.base_url), media)
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    body = serialize(graph.triples, format=results.RDF_FORMATS[media], prefixes=_PREFIXES)
    answer = results.Answer(media, body or b"")
    return web.cached(Response(body, media_type=answer.content_type), tag, state.config.max_age)
