"""Publish a build to any store that speaks the SPARQL 1.1 Graph Store HTTP Protocol.

Each graph of the build goes to a named graph of its own: the curated graph (the store's
default graph) to ``CURATED_GRAPH``, the imported Hub graph and the ontology to their names.
Graphs are sent in chunks of N-Triples (a build has no blank nodes, so chunks stand alone); the
chunks sent are written down after each one, so a publish that failed goes on where it stopped.

The Graph Store Protocol cannot rename a graph. With a SPARQL Update endpoint (``update``), the
graphs go to staging names first and one update request moves them all into place, which is
atomic where the store runs a request as one transaction; without one, each graph is replaced
where it is, and readers may see it half sent until the publish ends.
"""

import hashlib
import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, serialize

from slmgraph import files, queries
from slmgraph.paths import queries_dir
from slmgraph.remote import Client, EndpointProblem
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, ONTOLOGY_GRAPH

CHUNK_TRIPLES = 50_000
# the graphs published, by name there, and where each is in the build
GRAPHS = {
    CURATED_GRAPH: DefaultGraph(),
    HUB_GRAPH: NamedNode(HUB_GRAPH),
    ONTOLOGY_GRAPH: NamedNode(ONTOLOGY_GRAPH),
}


@dataclass
class Plan:
    """What one publish sends, and how far an earlier attempt got (the resume state)."""

    to: str
    build: str
    chunk: int
    staged: bool  # to staging names, then switched (with an update endpoint), or in place
    sizes: dict[str, int]  # triples per graph published (an empty graph is dropped there)
    sent: dict[str, int]  # chunks already stored, per graph

    def target(self, graph: str) -> str:
        """Where a graph's chunks go: a staging name to switch from, or the graph itself."""
        return f"{graph}/staging-{self.build}" if self.staged else graph


def plan(store: Store, to: str, build: str, state: Path, chunk: int, staged: bool) -> Plan:
    """The graphs to send and their sizes; an earlier attempt's progress when it was the same
    build to the same store in the same chunks and the same way (staged or in place)."""
    count = queries.read_query(queries_dir() / "publish" / "triples.rq")
    sizes = {
        graph: queries.run(store, count, default_graph=[local])[0]["triples"]
        for graph, local in GRAPHS.items()
    }
    sent = dict.fromkeys(GRAPHS, 0)
    if state.is_file():
        try:
            earlier = json.loads(state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            earlier = {}
        same = (to, build, chunk, staged)
        if tuple(earlier.get(key) for key in ("to", "build", "chunk", "staged")) == same:
            sent |= earlier.get("sent", {})
    return Plan(to, build, chunk, staged, sizes, sent)


def state_file(store_dir: Path, to: str) -> Path:
    """Where the progress of publishing to ``to`` is kept (one file per target store)."""
    return store_dir / "publish" / (hashlib.sha256(to.encode()).hexdigest()[:16] + ".json")


def publish(
    store: Store,
    job: Plan,
    state: Path,
    update: str | None = None,
    progress: Callable[[str, int, int], None] = lambda graph, done, total: None,
) -> None:
    """Send every graph of ``job`` in chunks, then put them in place (see the module)."""
    client = Client(job.to)
    for graph, local in GRAPHS.items():
        target = job.target(graph)
        for number, batch in enumerate(_chunks(store, local, job.chunk)):
            if number < job.sent[graph]:
                continue  # stored by an earlier attempt
            method = "PUT" if number == 0 else "POST"  # the first chunk replaces the graph
            data = serialize(batch, format=RdfFormat.N_TRIPLES)
            client.send(_graph_url(job.to, target), method, data, _NTRIPLES)
            job.sent[graph] = number + 1
            _save(state, job)
            progress(graph, min(job.sizes[graph], (number + 1) * job.chunk), job.sizes[graph])
        if job.sizes[graph] == 0 and update is None:
            _drop(client, job.to, graph)
    if update is not None:
        _switch(update, job)
    state.unlink(missing_ok=True)


def _chunks(store: Store, graph, size: int) -> Iterator[list]:
    """The graph's triples, ``size`` at a time, in the store's own order (a build never
    changes, so neither do its chunks)."""
    triples = (quad.triple for quad in store.quads_for_pattern(None, None, None, graph))
    while batch := list(islice(triples, size)):
        yield batch


def _switch(update: str, job: Plan) -> None:
    """One update request moving every staged graph into place (an empty graph is dropped)."""
    steps = [
        f"MOVE SILENT GRAPH <{job.target(graph)}> TO GRAPH <{graph}>"
        if job.sizes[graph]
        else f"DROP SILENT GRAPH <{graph}>"
        for graph in GRAPHS
    ]
    body = urllib.parse.urlencode({"update": " ;\n".join(steps)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    Client(update).send(update, "POST", body, headers)


def _drop(client, to: str, graph: str) -> None:
    try:
        client.send(_graph_url(to, graph), "DELETE")
    except EndpointProblem as error:
        if error.status != 404:  # nothing there to drop
            raise


def _graph_url(to: str, graph: str) -> str:
    """A graph's address at the store: the protocol's ``graph`` parameter, and Virtuoso's
    ``graph-uri`` for its own endpoints."""
    name = "graph-uri" if "/sparql-graph-crud" in to else "graph"
    separator = "&" if urllib.parse.urlsplit(to).query else "?"
    return f"{to}{separator}{urllib.parse.urlencode({name: graph})}"


def _save(state: Path, job: Plan) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    record = {"to": job.to, "build": job.build, "chunk": job.chunk, "staged": job.staged}
    record["sent"] = job.sent
    with files.whole(state) as out:
        out.write(json.dumps(record).encode())


_NTRIPLES = {"Content-Type": "application/n-triples"}
