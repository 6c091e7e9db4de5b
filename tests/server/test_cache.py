"""Repeated answers come from memory, without a worker; answers that change between runs
(NOW(), RAND(), UUID(), STRUUID(), BNODE()) carry no validator and are never kept."""

import time

import pytest

from tests.server.conftest import hold_the_worker, running_server

LINEAGE = "SELECT ?c ?p WHERE { ?c <https://w3id.org/slmgraph/ontology#fineTunedFrom> ?p }"


@pytest.fixture(scope="module")
def one_worker(valid_store, tmp_path_factory):
    """One front with a single worker and no quick lane: a runaway holds every worker."""
    log = tmp_path_factory.mktemp("one-worker") / "server.log"
    options = ("--fronts", "1", "--workers", "1", "--quick-workers", "0", "--deadline", "3")
    with running_server(valid_store, log, *options) as server:
        yield server


def test_a_repeated_query_is_answered_while_every_worker_is_busy(one_worker):
    with one_worker.client() as client:
        first = client.get("/sparql", params={"query": LINEAGE})
        thread, outcome = hold_the_worker(one_worker.url)
        again = client.get("/sparql", params={"query": "  " + LINEAGE + "\n"})
        answered = time.monotonic()
        thread.join()  # the worker is free again: what is not kept must now be run
        other = client.get("/sparql", params={"query": LINEAGE, "format": "csv"})
    runaway, runaway_ended = outcome["runaway"]
    assert runaway.status_code == 503
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert answered < runaway_ended  # from memory: the only worker was busy
    assert other.status_code == 200 and other.text.startswith("c,p")  # another format, run anew


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (STR(NOW()) AS ?v) WHERE {}",
        "SELECT (STR(RAND()) AS ?v) WHERE {}",
        "SELECT (STR(UUID()) AS ?v) WHERE {}",
        "SELECT (STRUUID() AS ?v) WHERE {}",
        "SELECT ?v WHERE { BIND(BNODE() AS ?v) }",
    ],
)
def test_volatile_answers_carry_no_etag_and_are_never_cached(http, query):
    answers = []
    for _ in range(2):
        response = http.get("/sparql", params={"query": query})
        answers.append(response)
        time.sleep(0.01)  # NOW() moves on
    for response in answers:
        assert response.status_code == 200
        assert "etag" not in response.headers
        assert response.headers["cache-control"] == "no-store"
    values = [r.json()["results"]["bindings"][0]["v"]["value"] for r in answers]
    assert values[0] != values[1]  # each was run: neither came from the cache


def test_a_volatile_query_waits_for_a_worker_rather_than_an_old_answer(one_worker):
    query = "SELECT (STRUUID() AS ?v) WHERE {}"
    with one_worker.client() as client:
        assert client.get("/sparql", params={"query": query}).status_code == 200
        thread, outcome = hold_the_worker(one_worker.url)
        # Its wait counts against its own deadline: arriving well after the runaway leaves time
        # to start the worker that replaces the runaway's.
        time.sleep(1.5)
        again = client.get("/sparql", params={"query": query})
        answered = time.monotonic()
    thread.join()
    assert again.status_code == 200
    assert answered >= outcome["runaway"][1]  # it had to wait until the runaway was stopped
