"""SERVICE clauses are refused before any outbound request: the server is no proxy."""

import socket
import threading

import pytest

from tests.server.conftest import running_server


@pytest.fixture
def listener():
    """A loopback socket that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
                connections.append(connection)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], connections
    stop.set()
    thread.join()
    sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://127.0.0.1:{port}/> "
        "SELECT * {{ SERVICE SILENT e:sparql {{ ?s ?p ?o }} }}",
        "select * {{ service <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_without_outbound_request(http, listener, template):
    port, connections = listener
    response = http.get("/sparql", params={"query": template.format(port=port)})
    assert response.status_code == 403
    assert "SERVICE" in response.text and "refused" in response.text
    assert connections == []


def test_the_word_service_elsewhere_is_not_refused(http):
    query = 'SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE <http://127.0.0.1:1/>'
    assert http.get("/sparql", params={"query": query}).status_code == 200


def test_an_allowed_endpoint_may_be_called(server, valid_store, tmp_path, listener):
    allowed = server.url + "/sparql"
    query = (
        "SELECT ?name WHERE { SERVICE <%s> { <https://w3id.org/slmgraph/id/alpaca-7b> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?name } }"
    )
    port, connections = listener
    options = ("--allow-service", allowed)
    log = tmp_path / "federating.log"
    with running_server(valid_store, log, *options) as federating, federating.client() as client:
        called = client.get("/sparql", params={"query": query % allowed})
        other = client.get("/sparql", params={"query": query % f"http://127.0.0.1:{port}/"})
    assert called.status_code == 200
    assert called.json()["results"]["bindings"][0]["name"]["value"] == "Alpaca 7B"
    assert other.status_code == 403 and allowed in other.text
    assert connections == []
