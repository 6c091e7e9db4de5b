"""Start the real server (``slmgraph serve``) in a subprocess on a free loopback port."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from slmgraph.cli import main
from tests.hubserver import RECORDED

ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(store_dir: Path, log: Path, *options: str, env: dict | None = None):
    """``slmgraph serve --no-build`` over ``store_dir``; waits until a query is answered."""
    port = free_port()
    command = [sys.executable, "-m", "slmgraph", "serve", "--store", str(store_dir)]
    command += ["--no-build", "--port", str(port), *options]
    with open(log, "w") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=os.environ | (env or {})
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop(process, 15)


def stop(process: subprocess.Popen, grace: float) -> None:
    """Ask a server to stop; kill it if it has not within ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log_text()}")
        try:
            response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=5)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{server.log_text()}")


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def hold_the_worker(url: str) -> tuple[threading.Thread, dict]:
    """Send a runaway query from a thread and return once it holds the only worker; the
    outcome gets the runaway's response and when it came."""
    outcome: dict = {}

    def run_away() -> None:
        response = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome["runaway"] = (response, time.monotonic())

    thread = threading.Thread(target=run_away)
    thread.start()
    for probe in range(100):  # until a new query cannot get the worker: the runaway holds it
        try:
            httpx.get(url + "/sparql", params={"query": f"ASK {{ ?p{probe} ?q ?r }}"}, timeout=0.3)
        except httpx.TimeoutException:
            return thread, outcome
    raise AssertionError("the runaway never reached the worker")


# Settings the shared server runs with; tests that need others start their own.
DEADLINE = 2.0
ROW_CAP = 100
WORKERS = 3
MAX_REQUEST_BYTES = 32 * 1024


@pytest.fixture(scope="session")
def server(valid_store, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "server.log"
    options = ["--deadline", str(DEADLINE), "--row-cap", str(ROW_CAP), "--workers", str(WORKERS)]
    options += ["--max-request-bytes", str(MAX_REQUEST_BYTES)]
    with running_server(valid_store, log, *options) as running:
        yield running


@pytest.fixture
def http(server):
    with server.client() as client:
        yield client


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory):
    """A server over the bundled catalogue with recorded Hub models imported beside it."""
    work = tmp_path_factory.mktemp("hub-pages")
    dump = work / "models.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in json.loads(RECORDED.read_text())))
    store = work / "store"
    run = CliRunner().invoke(main, ["import", "hf", "--from", str(dump), "--store", str(store)])
    assert run.exit_code == 0, run.output
    with running_server(store, work / "server.log", "--deadline", "20") as running:
        yield running
