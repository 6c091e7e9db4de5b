"""A query worker: a separate process that runs one job at a time against the store.

pyoxigraph cannot cancel a running query, so every query runs here, where the server can kill
the whole process at its deadline and start a fresh one. Jobs and replies are pickled frames on
stdin/stdout (the server is the only peer); anything printed goes to stderr.

Run as ``python -m slmgraph.server.worker STORE_DIR MEMORY_MB``: the worker caps its own data
(heap and anonymous mappings, not the store's mapped files) at MEMORY_MB, so an allocation past
it fails; in Rust that aborts the process, which the pool reports as over the memory cap.
"""

import os
import pickle
import resource
import struct
import sys
from pathlib import Path

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    Store,
)

from slmgraph import entity_facts, lineage, lineage_picture, overviews, queries, reports
from slmgraph.paths import queries_dir
from slmgraph.server import negotiation, results
from slmgraph.server.kept_answers import (
    AuditEdges,
    AuditEntities,
    Descendants,
    Facts,
    LineageEdges,
)
from slmgraph.server.results import Answer
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, PREFIXES

FRAME = struct.Struct("!Q")


class ClientError(Exception):
    """A problem with the request (bad syntax, nothing acceptable); carries an HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def write_frame(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(FRAME.pack(len(data)) + data)
    stream.flush()


def read_frame(stream):
    header = stream.read(FRAME.size)
    if len(header) < FRAME.size:
        return None
    (size,) = FRAME.unpack(header)
    return pickle.loads(stream.read(size))


class Build:
    """One opened build of the store, with the canned queries that read it."""

    def __init__(self, store_dir: Path, build_id: str):
        self.id = build_id
        build = store_dir / "builds" / build_id
        self.store = Store.read_only(str(build))
        self.graph = reports.Graph(self.store, lineage=lineage.open_index(build))
        self.curated = reports.Graph(self.store, curated_only=True)
        self.server_queries = queries.discover(queries_dir() / "server")
        # canned queries answered with the lineage index
        self.kept = (Descendants(), Facts(), LineageEdges(), AuditEdges(), AuditEntities())

    def run(self, name: str, **bindings):
        """A server query over the default graph: the curated graph."""
        return queries.run(self.store, self.server_queries[name], bindings)

    def read(self, name: str, **bindings):
        """A server query over what the reports read: the curated graph, and the Hub graph
        beside it where the build holds one (a Hub entity is described from there)."""
        query = self.server_queries[name]
        return queries.run(self.store, query, bindings, self.graph.default_graph)


# --- jobs ------------------------------------------------------------------------------------


def sparql(
    build: Build, query, accept, fmt, default_graphs, named_graphs, row_cap, base_iri, limit=None
) -> Answer:
    """Run a query from a client and serialise its answer in the negotiated format.

    Relative IRIs in the query resolve against ``base_iri`` (the endpoint's address); ``limit``
    is the query's own outermost LIMIT, if it has one.
    """
    if kept := kept_answer(build, query, default_graphs, accept, fmt, row_cap):
        return kept
    options = {"base_iri": base_iri}
    if default_graphs:
        options["default_graph"] = list(map(_graph, default_graphs))
    if named_graphs:  # the store's default graph cannot also be a named one: it is left out
        options["named_graphs"] = [NamedNode(iri) for iri in named_graphs if iri != CURATED_GRAPH]
    try:
        answer = build.store.query(query, **options)
    except SyntaxError as error:
        raise ClientError(400, str(queries.syntax_problem("query", query, str(error)))) from None
    except ValueError as error:  # e.g. a malformed IRI in the dataset parameters
        raise ClientError(400, str(error)) from None
    if isinstance(answer, QueryBoolean):
        media = _negotiate(accept, fmt, negotiation.BOOLEAN)
        return results.boolean(media, bool(answer))
    if isinstance(answer, QuerySolutions):
        media = _negotiate(accept, fmt, negotiation.SOLUTIONS)
        bounded = limit is not None and limit <= row_cap
        return results.solutions(answer, media, row_cap, bounded)
    return results.triples(answer, _negotiate(accept, fmt, negotiation.RDF), row_cap)


def kept_answer(build: Build, query, default_graphs, accept, fmt, row_cap) -> Answer | None:
    """The answer the lineage index keeps for the query, if it keeps one (``kept_answers``)."""
    index = build.graph.lineage
    recognised = index and next(
        (
            (canned, asked)
            for canned in build.kept
            if (asked := canned.recognise(query, default_graphs))
        ),
        None,
    )
    if not recognised:
        return None
    canned, asked = recognised
    media = _negotiate(accept, fmt, negotiation.SOLUTIONS)
    tsv = canned.answer(build.store, index, asked, row_cap + 1)
    return results.from_tsv(lambda sink: sink.write(tsv), media, row_cap)


def graph(build: Build, name, accept, fmt) -> Answer:
    """A whole graph (Graph Store Protocol read): the default graph when ``name`` is None."""
    media = _negotiate(accept, fmt, negotiation.RDF)
    source = _graph(name)
    if isinstance(source, NamedNode) and not build.store.contains_named_graph(source):
        raise ClientError(404, f"no graph named <{name}> in this dataset")
    body = build.store.dump(format=results.RDF_FORMATS[media], from_graph=source, prefixes=PREFIXES)
    return Answer(media, body or b"")


def _graph(name: str | None) -> DefaultGraph | NamedNode:
    """A graph by the name a client gives it: the curated graph, which this store holds as
    its default graph, answers to the name ``publish`` gives it elsewhere, so that requests
    naming their graphs (as ``--endpoint`` reports do) read the same data here as there."""
    return DefaultGraph() if name in (None, CURATED_GRAPH) else NamedNode(name)


def describe(build: Build, iri, accept, fmt) -> Answer:
    """A resource's own statements and its qualified edges, as RDF (for dereferenced IRIs)."""
    media = _negotiate(accept, fmt, negotiation.RDF)
    triples = build.read("resource-graph", resource=NamedNode(iri))
    if not triples:
        raise ClientError(404, f"nothing is known about <{iri}>")
    return results.graph(triples, media)


def statements(build: Build, iri) -> list[tuple[str, str, str, bool]]:
    """A resource's statements for an HTML page: (subject, predicate, object, object is an IRI)."""
    triples = build.read("resource-graph", resource=NamedNode(iri))
    return [
        (t.subject.value, t.predicate.value, t.object.value, isinstance(t.object, NamedNode))
        for t in triples
    ]


def index(build: Build) -> list[dict]:
    """One row per curated entity (id, name, class, aliases) for search and page headings;
    Hub models, which may be a million, are looked up one by one (``hub_entity``)."""
    return build.curated.run(build.server_queries["search-index"], {})


def report_graphs(build: Build) -> list[str]:
    """The graphs the reports read by default, by the names a client gives them: the curated
    and Hub graphs when the build holds a Hub import, else none (the default graph)."""
    return [CURATED_GRAPH, HUB_GRAPH] if build.graph.default_graph else []


def hub_entity(build: Build, entity) -> dict | None:
    """An imported Hub model or dataset as a row of the index, or None."""
    found = build.graph.lineage and build.graph.lineage.hub_name(entity)
    return _hub_row(found) if found else None


def hub_search(build: Build, text, most) -> list[dict]:
    """Imported Hub models and datasets whose repo id holds ``text``, as rows of the index."""
    if build.graph.lineage is None:
        return []
    return [_hub_row(found) for found in build.graph.lineage.hub_search(text, most)]


def _hub_row(found: lineage.HubName) -> dict:
    return {"entity": found.entity, "id": found.entity, "name": found.repo, "class": found.kind}


def entity(build: Build, entity, name, audit: bool = False) -> dict:
    """Everything an entity page shows, in one round trip: its facts, of the incoming ones the
    first the page lists and how many there are, and its lineage picture, drawn here from
    the rows it shows (a base model's Hub descendants are too many to read or send); with
    ``audit``, a model's licence findings, or what its page says when there are none."""
    incoming = build.graph.run(build.server_queries["incoming-count"], {"entity": entity})
    ancestors = reports.ancestors(build.graph, entity)
    below = reports.children_of(build.graph, entity)
    findings = overviews.licence_audit(build.graph, entity) if audit else None
    return {
        "facts": entity_facts.show(build.graph, entity, build.server_queries["entity-facts"]),
        "incoming": int(incoming[0]["count"]) if incoming else 0,
        "picture": lineage_picture.picture(entity, name, ancestors, below),
        "has_lineage": bool(ancestors or below(entity)),
        "audit": None if findings is None else list(findings),
        "audit_empty": findings.empty if findings is not None and not findings else "",
    }


def void(build: Build) -> dict:
    """The dataset statistics a VoID description states."""
    return {
        "totals": build.run("void-totals")[0],
        "classes": build.run("void-classes"),
        "properties": build.run("void-properties"),
    }


JOBS = {
    "sparql": sparql,
    "graph": graph,
    "describe": describe,
    "index": index,
    "report_graphs": report_graphs,
    "hub_entity": hub_entity,
    "hub_search": hub_search,
    "statements": statements,
    "entity": entity,
    "void": void,
}


def _negotiate(accept, fmt, offers) -> str:
    media = negotiation.choose(accept, offers, fmt)
    if media is None:
        asked = f"format={fmt}" if fmt else f"Accept: {accept}"
        raise ClientError(406, f"cannot answer in {asked}; available: {', '.join(offers[:4])}")
    return media


# --- loop ------------------------------------------------------------------------------------


class Jobs:
    """Runs jobs on the build each names, keeping the last one open: in a worker process, and
    in the server's own process for a query whose text bounds its cost."""

    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self.build: Build | None = None

    def reply(self, build_id: str, name: str, kwargs: dict) -> tuple:
        """``("ok", result)``, ``("client", status, message)``, ``("memory",)`` or
        ``("error", 500, message)``."""
        try:
            if self.build is None or self.build.id != build_id:
                self.build = None  # close the old build before opening the new one
                self.build = Build(self.store_dir, build_id)
            return ("ok", JOBS[name](self.build, **kwargs))
        except ClientError as error:
            return ("client", error.status, str(error))
        except MemoryError:
            return ("memory",)
        except Exception as error:  # reported to the server, which answers 500
            return ("error", 500, f"{type(error).__name__}: {error}")


def serve(store_dir: Path, inbox, outbox) -> None:
    jobs = Jobs(store_dir)
    write_frame(outbox, ("ready", os.getpid()))
    while (job := read_frame(inbox)) is not None:
        write_frame(outbox, jobs.reply(*job))


def main() -> None:
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    limit = int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    serve(Path(sys.argv[1]), inbox, outbox)


if __name__ == "__main__":
    main()
