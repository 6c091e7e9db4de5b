"""The W3C SPARQL 1.1 Protocol tests (a manifest of HTTP exchanges) run against the server.

Every query test must pass. The server is read-only, so the update tests are checked as demands
it refuses: the update is answered 403 and a follow-up ASK shows nothing was written.
"""

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib
from pyoxigraph import NamedNode, RdfFormat, Store

from tests.server.conftest import running_server

SUITE = Path(
    os.environ.get("W3C_PROTOCOL_TESTS", Path(__file__).parents[1] / "data" / "w3c-protocol")
)
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "4xx", …
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path]
    exchanges: list[Exchange]

    @property
    def is_update(self) -> bool:
        """An update the suite expects to succeed (the bad_update tests expect a 4xx anyway)."""
        first = self.exchanges[0]
        if "2xx" not in first.statuses:
            return False
        content_type = first.headers.get("content-type", "")
        form_update = (first.body or b"").startswith(b"update=")
        return content_type.startswith("application/sparql-update") or form_update


def _collection(graph: rdflib.Graph, head) -> list:
    return list(rdflib.collection.Collection(graph, head))


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for node in _collection(graph, graph.value(manifest, MF.entries)):
        graphs = {
            str(graph.value(data, rdflib.RDFS.label)): SUITE
            / Path(graph.value(data, UT.graph)).name
            for data in graph.objects(node, UT.graphData)
        }
        action = graph.value(node, MF.action)
        exchanges = []
        for request in _collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in _collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                        graph.value(header, HT.fieldValue)
                    )
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            exchanges.append(
                Exchange(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses={
                        str(s).removeprefix(HTS).lower()
                        for s in graph.objects(response, MF.expectedStatus)
                    },
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,
                )
            )
        name = str(node).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, str(graph.value(node, MF.name)), graphs, exchanges))
    return tests


TESTS = load_manifest() if SUITE.is_dir() else []


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    """A store laid out like a real build, holding every graph the manifest's tests name."""
    store_dir = tmp_path_factory.mktemp("w3c-store")
    build = store_dir / "builds" / "w3c"
    build.parent.mkdir()
    dataset = Store(str(build))
    for test in TESTS:
        for name, path in test.graphs.items():
            dataset.load(path=str(path), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(name))
    dataset.flush()
    del dataset
    (store_dir / "current").symlink_to(Path("builds") / "w3c")
    log = tmp_path_factory.mktemp("w3c-log") / "server.log"
    with running_server(store_dir, log, "--workers", "2") as server:
        yield server


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if "json" in media:
        return json.loads(response.text)["boolean"]
    return ET.fromstring(response.content).find(f"{RESULTS_NS}boolean").text == "true"


def _check_format(response: httpx.Response, expected: str) -> None:
    media = response.headers["content-type"].split(";")[0]
    if expected == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml")
        _boolean(response)
    elif expected == "tabular":
        assert media in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    elif expected == "RDF":
        formats = {
            "application/rdf+xml": "xml",
            "text/turtle": "turtle",
            "application/n-triples": "nt",
        }
        assert media in formats
        rdflib.Graph().parse(data=response.content, format=formats[media])


def _send(server, exchange: Exchange) -> httpx.Response:
    return httpx.request(
        exchange.method,
        server.url + exchange.path,
        headers=exchange.headers,
        content=exchange.body,
        timeout=30,
    )


@pytest.mark.parametrize("test", [t for t in TESTS if not t.is_update], ids=lambda t: t.name)
def test_query_protocol(w3c_server, test):
    for exchange in test.exchanges:
        response = _send(w3c_server, exchange)
        status_class = f"{response.status_code // 100}xx"
        assert status_class in exchange.statuses, (test.title, response.status_code, response.text)
        if exchange.expected_format:
            _check_format(response, exchange.expected_format)
        if exchange.expected_boolean is not None:
            assert _boolean(response) is exchange.expected_boolean


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update], ids=lambda t: t.name)
def test_update_is_refused_as_read_only(w3c_server, test):
    update, *follow_ups = test.exchanges
    response = _send(w3c_server, update)
    assert response.status_code == 403 and "read-only" in response.text
    for exchange in follow_ups:  # the ASKs that would see the update's effect see nothing
        answer = _send(w3c_server, exchange)
        assert answer.status_code == 200 and _boolean(answer) is False
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    graphs = httpx.get(w3c_server.url + "/sparql", params={"query": count})
    assert json.loads(graphs.text)["results"]["bindings"][0]["n"]["value"] == "3"


def test_manifest_was_read():
    assert len(TESTS) == 34
    assert sum(t.is_update for t in TESTS) == 7
