"""A runaway query is stopped at its deadline; the other queries keep being answered, even when
runaways hold every main worker; a query that needs more memory than a worker may hold is
answered 503 and its worker replaced. Jobs waiting for a worker get one in the order they came."""

import asyncio
import threading
import time

import httpx
import pytest

from slmgraph import store
from slmgraph.server.pool import Unavailable, WorkerPool
from tests.server.conftest import DEADLINE, WORKERS, running_server

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


def _in_threads(url: str, queries: list[str]) -> tuple[list[threading.Thread], list]:
    """Send each query from its own thread; each outcome is (response, time it came back)."""
    outcomes: list = []

    def send(query: str) -> None:
        response = httpx.get(url + "/sparql", params={"query": query}, timeout=60)
        outcomes.append((response, time.monotonic()))

    threads = [threading.Thread(target=send, args=(query,)) for query in queries]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_a_simple_query_is_not_held_up_by_more_runaways_than_workers(server):
    # Distinct texts, so none is answered from the cache.
    runaways = [f"{RUNAWAY} # runaway {n} {time.time()}" for n in range(WORKERS + 1)]
    threads, outcomes = _in_threads(server.url, runaways)
    time.sleep(0.5)  # let the runaways take every main worker, and one wait for another
    simple = f"SELECT ?s WHERE {{ ?s a ?class }} LIMIT 5 # simple {time.time()}"
    response = httpx.get(server.url + "/sparql", params={"query": simple}, timeout=60)
    answered = time.monotonic()
    for thread in threads:
        thread.join()

    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 5
    assert len(outcomes) == WORKERS + 1
    assert all(runaway.status_code == 503 for runaway, _ in outcomes)
    assert answered < min(finished for _, finished in outcomes)  # before any runaway ended


# Sorting the rows of a three-way cartesian product: memory grows fast until the cap.
HOARDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i"


def test_a_query_over_the_memory_cap_gets_503_and_its_worker_is_replaced(valid_store, tmp_path):
    options = ("--worker-memory", "256", "--fronts", "1", "--workers", "1", "--quick-workers", "0")
    with running_server(valid_store, tmp_path / "server.log", *options, "--deadline", "30") as s:
        with s.client() as client:
            hoarded = [client.get("/sparql", params={"query": HOARDER}) for _ in range(2)]
            after = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        log = s.log_text()
    for response in hoarded:  # the second ran on the worker started in place of the first
        assert response.status_code == 503
        assert "more memory than a query worker may use (256 MB)" in response.text
    assert after.status_code == 200 and after.json()["boolean"] is True
    assert "memory allocation of" in log  # the worker's own words reach the server's log


def _ask(pool: WorkerPool, build: str, text: str, deadline: float = 30):
    return pool.run(
        build,
        "sparql",
        deadline,
        query=f"ASK {{}} # {text}",
        accept=None,
        fmt=None,
        default_graphs=[],
        named_graphs=[],
        row_cap=10,
        base_iri="http://127.0.0.1/sparql",
    )


def test_a_waiting_job_is_not_passed_over_by_one_that_comes_later(valid_store):
    """The job that frees the only worker asks again at once; the one already waiting goes first."""
    build = store.current_build(valid_store)

    async def scenario() -> list[str]:
        pool = WorkerPool(valid_store, 1, 2048)
        await pool.start()
        order: list[str] = []

        async def job(name: str) -> None:
            await _ask(pool, build, name)
            order.append(name)

        async def first_then_third() -> None:
            await job("first")
            await job("third")  # in the same step as the worker is freed

        try:
            running = asyncio.create_task(first_then_third())
            await asyncio.sleep(0)  # the first job takes the worker
            await asyncio.gather(running, job("second"))
        finally:
            await pool.close()
        return order

    assert asyncio.run(scenario()) == ["first", "second", "third"]


def test_a_job_that_gives_up_waiting_leaves_the_worker_to_the_others(valid_store):
    build = store.current_build(valid_store)

    async def scenario() -> None:
        pool = WorkerPool(valid_store, 1, 2048)
        await pool.start()
        try:
            holding = asyncio.create_task(_ask(pool, build, "holding"))
            await asyncio.sleep(0)
            with pytest.raises(Unavailable, match="busy"):
                await _ask(pool, build, "impatient", deadline=0.000001)
            cancelled = asyncio.create_task(_ask(pool, build, "cancelled"))
            await asyncio.sleep(0)
            cancelled.cancel()
            await holding
            assert (await _ask(pool, build, "after", deadline=5)).body
            assert pool.idle() == 1
        finally:
            await pool.close()

    asyncio.run(scenario())
