"""What is refused before a worker sees a query (SERVICE: the server is no proxy; nesting that
would overflow the parser), and what the text tells about a query (volatile, cheap)."""

import socket
import threading

import pytest

from slmgraph.server.guard import inspect
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


# --- nesting: pyoxigraph's parser recurses, so a deep query would kill its worker ----------

DEEP = 10_000
QUERY = "application/sparql-query"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * WHERE " + "{" * DEEP + "}" * DEEP, f"nested {DEEP} levels"),
        ("ASK { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }", f"nested {DEEP + 2} levels"),
        ("ASK { FILTER(1" + "||1" * DEEP + ") }", f"chains {2 * DEEP} operators"),
        ("ASK { FILTER(" + "!" * 2 * DEEP + "true) }", f"chains {2 * DEEP} operators"),
    ],
)
def test_a_query_nested_too_deep_gets_400_and_the_workers_live(server, query, says):
    with server.client() as client:
        refused = client.post("/sparql", content=query, headers={"Content-Type": QUERY})
        after = client.get("/sparql", params={"query": "ASK { ?deep ?p ?o }"})
    assert refused.status_code == 400
    assert says in refused.text and "at most" in refused.text
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_ordinary_nesting_and_long_lists_are_accepted(http):
    nested = "SELECT * WHERE " + "{" * 50 + "?s ?p ?o" + "}" * 50 + " LIMIT 1"
    chained = "ASK { FILTER(1" + " + 1" * 500 + " > 0) }"
    listed = "ASK { VALUES ?n { " + " ".join(str(-n) for n in range(3000)) + " } }"
    for query in (nested, chained, listed):
        response = http.post("/sparql", data={"query": query})
        assert response.status_code == 200, response.text


# --- what the text tells before the query runs ------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) {}",
        "SELECT ?x { BIND(rand () AS ?x) }",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "CONSTRUCT { ?b <http://e/p> 1 } WHERE { BIND(BNODE() AS ?b) }",
    ],
)
def test_answers_that_change_between_runs_are_recognised(query):
    assert inspect(query).volatile


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?now WHERE { ?now <http://e/p> "NOW()" } # RAND()',
        "SELECT ?rand WHERE { ?rand <http://e/UUID> ?x }",
        "PREFIX e: <http://e/> SELECT * { ?s e:bnode ?o }",
    ],
)
def test_names_that_only_look_volatile_are_not(query):
    assert not inspect(query).volatile


@pytest.mark.parametrize(
    ("query", "cheap"),
    [
        ("SELECT ?s WHERE { ?s a ?class } LIMIT 5", True),
        ("ASK {}", True),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 5000", True),
        ("CONSTRUCT { <http://e/x> ?p ?o } WHERE { <http://e/x> ?p ?o }", True),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 5", False),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", False),
        ("SELECT * WHERE { ?a ?b ?c ; ?e ?f } LIMIT 1", False),
        ("PREFIX e: <http://e/> SELECT * WHERE { ?a e:p+ ?b } LIMIT 1", False),
        ("SELECT * WHERE { ?a (<http://e/p>|<http://e/q>)* ?b } LIMIT 1", False),
    ],
)
def test_cost_is_estimated_from_the_text(query, cheap):
    assert inspect(query).cheap is cheap


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 5000", 5000),
        ("SELECT * WHERE { { SELECT * { ?s ?p ?o } LIMIT 3 } } LIMIT 7 OFFSET 2", 7),
        ("SELECT * WHERE { { SELECT * { ?s ?p ?o } LIMIT 3 } }", None),
        ("SELECT * WHERE { ?s ?p 'LIMIT 3' } # LIMIT 4", None),
        ("SELECT * WHERE { ?s ?p ?o } limit 9 VALUES ?s { <http://e/a> }", 9),
    ],
)
def test_the_outermost_limit_is_read(query, limit):
    assert inspect(query).limit == limit


@pytest.mark.parametrize(
    ("query", "instant"),
    [
        ("ASK { <http://e/x> ?p ?o }", True),
        ("CONSTRUCT { <http://e/x> ?p ?o } WHERE { <http://e/x> ?p ?o }", True),
        ("CONSTRUCT WHERE { <http://e/x> ?p ?o } LIMIT 4", True),
        ("PREFIX e: <http://e/> SELECT ?o FROM <http://g> { e:x e:p ?o . } LIMIT 3 OFFSET 1", True),
        ("SELECT * { <http://e/x> ?p 'a'@en }", True),
        ("SELECT * { <http://e/x> ?p 'a'^^<http://e/t> } # a comment", True),
        ("DESCRIBE <http://e/x> <http://e/y>", True),
        ("DESCRIBE ?x WHERE { ?x ?p ?o }", False),  # every subject
        ("SELECT * { ?s ?p ?o } LIMIT 1", False),
        ("SELECT * { _:b ?p ?o }", False),  # a blank node is a variable
        ("SELECT * { <http://e/x> ?p ?o ; ?q ?r }", False),
        ("SELECT * { <http://e/x> ?p ?o . ?o ?q ?r }", False),
        ("SELECT * { <http://e/x> <http://e/p>* ?o }", False),
        ("SELECT * { <http://e/x> ^<http://e/p> ?o }", False),
        ("SELECT * { <http://e/x> <http://e/p>/<http://e/q> ?o }", False),
        ("SELECT DISTINCT ?o { <http://e/x> ?p ?o }", False),
        ("SELECT ?o { <http://e/x> ?p ?o } ORDER BY ?o", False),
        ("SELECT (COUNT(*) AS ?n) { <http://e/x> ?p ?o }", False),
        ("SELECT ?o { <http://e/x> ?p ?o FILTER EXISTS { ?a ?b ?c } }", False),
        ("SELECT ?o { <http://e/x> ?p ?o } VALUES ?o { 1 }", False),
        ("SELECT ?o { GRAPH ?g { <http://e/x> ?p ?o } }", False),
    ],
)
def test_a_query_whose_text_bounds_its_cost_is_told_apart(query, instant):
    assert inspect(query).instant is instant
