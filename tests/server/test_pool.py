"""A runaway query is stopped at its deadline; the other queries keep being answered."""

import threading
import time

import httpx

from tests.server.conftest import DEADLINE

# Four copies of the whole graph: hundreds of billions of rows to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?s WHERE { ?s a ?class } LIMIT 5"


def test_runaway_query_is_stopped_while_a_simple_one_is_answered(server):
    outcome = {}

    def run_away():
        started = time.monotonic()
        response = httpx.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome["runaway"] = (response, time.monotonic() - started)

    thread = threading.Thread(target=run_away)
    thread.start()
    time.sleep(0.3)  # let the runaway reach a worker
    started = time.monotonic()
    simple = httpx.get(server.url + "/sparql", params={"query": SIMPLE}, timeout=60)
    simple_took = time.monotonic() - started
    thread.join()
    runaway, runaway_took = outcome["runaway"]

    assert simple.status_code == 200 and len(simple.json()["results"]["bindings"]) == 5
    assert simple_took < 1.0
    assert runaway.status_code == 503
    assert "deadline" in runaway.text and f"{DEADLINE:g} s" in runaway.text
    assert runaway.headers["retry-after"]
    assert runaway_took >= DEADLINE


def test_server_recovers_after_workers_are_killed(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _ in range(2):
            assert client.get("/sparql", params={"query": RUNAWAY}).status_code == 503
        answers = [client.get("/sparql", params={"query": SIMPLE}) for _ in range(10)]
    assert all(answer.status_code == 200 for answer in answers)
