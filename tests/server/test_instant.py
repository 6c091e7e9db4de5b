"""A query whose text bounds its cost (one pattern about one named subject) is answered in the
server's own process: at once while every worker is busy, cut at the row cap and announced so,
with the answer a worker gives, and refused with the parser's message like any other. Where no
layer around the app would change it, the outermost layer makes it, exactly as the app would."""

import json
import time

import httpx
import pytest
from pyoxigraph import RdfFormat, parse
from starlette.datastructures import MultiDict

from slmgraph.server import protocol, web
from slmgraph.server.config import ServerConfig
from slmgraph.server.state import ServerState
from tests.server.conftest import hold_the_worker, running_server

LLAMA = "https://w3id.org/slmgraph/id/llama-7b"
STATEMENTS = f"SELECT ?p ?o WHERE {{ <{LLAMA}> ?p ?o }}"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
NAME = f"{RDFS}SELECT ?n {{ <{LLAMA}> rdfs:label ?n }}"
TRIPLES = "application/n-triples"


@pytest.fixture(scope="module")
def one_worker(valid_store, tmp_path_factory):
    """One front with one worker, no quick lane, three rows an answer."""
    log = tmp_path_factory.mktemp("instant") / "server.log"
    options = ("--fronts", "1", "--workers", "1", "--quick-workers", "0", "--deadline", "3")
    options += ("--row-cap", "3")
    with running_server(valid_store, log, *options) as server:
        yield server


def test_a_one_subject_query_is_answered_while_every_worker_is_busy(one_worker):
    with one_worker.client() as client:
        thread, outcome = hold_the_worker(one_worker.url)
        answer = client.get("/sparql", params={"query": STATEMENTS})
        answered = time.monotonic()
        name = client.get("/sparql", params={"query": NAME})
    thread.join()
    assert answer.status_code == 200 and answered < outcome["runaway"][1]
    assert outcome["runaway"][0].status_code == 503
    assert len(answer.json()["results"]["bindings"]) == 3  # the row cap, and it says so
    assert answer.json()["truncated"]["rows"] == 3
    assert answer.headers["x-sparql-truncated"] == "true"
    assert name.json()["results"]["bindings"][0]["n"]["value"] == "LLaMA-7B"


def _through_a_worker(query: str) -> str:
    """The same query, with a VALUES clause that changes no answer but is more than one
    pattern about one subject: a worker answers it."""
    return query + " VALUES ?unused { 1 }"


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (STATEMENTS, "application/sparql-results+json"),
        (NAME, "text/csv"),
        (f"ASK {{ <{LLAMA}> ?p ?o }}", "application/sparql-results+json"),
        (f"ASK {{ <{LLAMA}> ?p <{LLAMA}> }}", "application/sparql-results+xml"),
        (f"CONSTRUCT {{ <{LLAMA}> ?p ?o }} WHERE {{ <{LLAMA}> ?p ?o }}", TRIPLES),
        (f"CONSTRUCT WHERE {{ <{LLAMA}> ?p ?o }} LIMIT 4", TRIPLES),
    ],
)
def test_an_answer_given_here_is_the_one_a_worker_gives(http, query, accept):
    here = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    worker = http.get(
        "/sparql", params={"query": _through_a_worker(query)}, headers={"Accept": accept}
    )
    assert here.status_code == worker.status_code == 200
    if accept == TRIPLES:
        assert len(set(parse(here.content, format=RdfFormat.N_TRIPLES))) > 3
        assert set(parse(here.content, format=RdfFormat.N_TRIPLES)) == set(
            parse(worker.content, format=RdfFormat.N_TRIPLES)
        )
    elif accept == "application/sparql-results+json" and "SELECT" in query:
        rows = here.json()["results"]["bindings"]
        assert len(rows) > 3 and sorted(map(str, rows)) == sorted(
            map(str, worker.json()["results"]["bindings"])
        )
    else:
        assert here.content == worker.content


def test_a_bad_query_here_gets_the_parsers_message_and_the_server_goes_on(http):
    undeclared = http.get("/sparql", params={"query": f"ASK {{ e:x ?p <{LLAMA}> }}"})
    assert undeclared.status_code == 400 and "syntax" in undeclared.text
    as_turtle = http.get(
        "/sparql", params={"query": f"ASK {{ <{LLAMA}> ?p ?o }}", "format": "turtle"}
    )
    assert as_turtle.status_code == 406
    assert http.get("/sparql", params={"query": f"ASK {{ <{LLAMA}> ?p ?o }}"}).json()["boolean"]


def test_a_dataset_is_read_here_as_a_worker_reads_it(http):
    named = "https://w3id.org/slmgraph/graph/none"
    query = f"ASK {{ <{LLAMA}> ?p ?o }}"
    answers = [
        httpx.get(http.base_url.join("/sparql"), params={"query": q, "default-graph-uri": named})
        for q in (query, _through_a_worker(query))
    ]
    assert [a.json()["boolean"] for a in answers] == [False, False]


# Answered by the outermost layer at once when nothing around the app would change the answer.
MADE_HERE = [
    ({"query": f"ASK {{ <{LLAMA}> ?p ?o }}"}, {}),
    ({"query": STATEMENTS}, {"Accept": "application/sparql-results+xml"}),  # cut at the cap
    ({"query": NAME, "format": "csv"}, {}),
    ({"query": f"CONSTRUCT WHERE {{ <{LLAMA}> ?p ?o }} LIMIT 2"}, {"Accept": TRIPLES}),
    ({"query": f"ASK {{ <{LLAMA}> ?p ?o }}", "named-graph-uri": LLAMA}, {}),
    ({"query": f"ASK {{ <{LLAMA}> ?p <{LLAMA}> }}"}, {"Accept-Encoding": "gzip"}),  # small
]


@pytest.mark.parametrize(("params", "headers"), MADE_HERE)
def test_an_answer_made_at_once_is_what_the_app_sends(one_worker, params, headers):
    with one_worker.client() as client:
        # First through the app (a validator that matches nothing takes a request there),
        # then the same request made at once: it is run again, not read from the app's answer.
        app = client.get("/sparql", params=params, headers={"If-None-Match": '"x"', **headers})
        here = client.get("/sparql", params=params, headers=headers)
    assert app.status_code == here.status_code == 200
    assert here.content == app.content
    fresh = {"date"}
    assert {k: v for k, v in here.headers.items() if k not in fresh} == {
        k: v for k, v in app.headers.items() if k not in fresh
    }


def test_a_gzip_client_of_a_large_answer_gets_it_from_the_app_compressed(http):
    query = {"query": STATEMENTS + " # gzip"}  # over the size gzip starts at
    plain = http.get("/sparql", params=query, headers={"Accept-Encoding": "identity"})
    packed = http.get("/sparql", params=query, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert packed.content == plain.content and len(plain.content) > web.GZIP_FROM


def test_only_a_query_whose_text_bounds_its_cost_is_made_at_once(valid_store):
    state = ServerState(ServerConfig(store_dir=valid_store))
    build = state.build()

    def made(query: str):
        key = protocol.query_key(MultiDict([("query", query)]), None, "http://h/sparql")
        return protocol.answer_here(state, build, key)

    ready = made(f"ASK {{ <{LLAMA}> ?p ?o }}")
    assert ready is not None and json.loads(ready.body) == {"head": {}, "boolean": True}
    assert made(f"SELECT * {{ <{LLAMA}> ?p ?o . ?o ?q ?r }}") is None  # two patterns
    assert made(f"SELECT (RAND() AS ?r) {{ <{LLAMA}> ?p ?o }}") is None  # changes between runs
    assert made(f"ASK {{ SERVICE <http://e.example/> {{ <{LLAMA}> ?p ?o }} }}") is None
    assert made(f"ASK {{ e:x ?p <{LLAMA}> }}") is None  # fails: the route says why
