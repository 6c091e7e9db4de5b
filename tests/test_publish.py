"""Publishing a build to Oxigraph's server and Virtuoso: every graph whole under its name, in
place or staged and switched, resumed after a failure, with credentials from the environment
or netrc, and a store that is down or refuses said in one line with exit code 3."""

import os
import subprocess
import sys
import time

import httpx
import pytest
from pyoxigraph import DefaultGraph, NamedNode

from slmgraph import paths, store
from slmgraph.cli import REMOTE_STORE
from slmgraph.vocab import CURATED_GRAPH, ONTOLOGY_GRAPH
from tests import remote_stores
from tests.conftest import VALID
from tests.server.conftest import free_port

pytestmark = remote_stores.NEEDED
cli = remote_stores.cli


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    location = tmp_path_factory.mktemp("store")
    store.ensure(VALID, paths.ontology_dir(), location)
    return location


def triples(url: str, graph: str) -> set[str]:
    """A graph of the store as N-Triples lines, read over the Graph Store Protocol."""
    response = httpx.get(url, params={"graph": graph}, headers={"Accept": "application/n-triples"})
    response.raise_for_status()
    return {line for line in response.text.splitlines() if line.strip()}


def local_triples(location, graph) -> set[str]:
    opened = store.open_store(location)
    return {f"{quad.triple} ." for quad in opened.quads_for_pattern(None, None, None, graph)}


def test_every_graph_arrives_whole_in_place_and_the_reader_is_warned(built, tmp_path):
    with remote_stores.oxigraph(tmp_path) as engine:
        code, out, err = cli("publish", "--store", built, "--to", engine.store, "--chunk", 500)
        assert code == 0, err
        assert "replaced in place" in out and "readers may see a graph half sent" in err
        assert triples(engine.store, CURATED_GRAPH) == local_triples(built, DefaultGraph())
        ontology = local_triples(built, NamedNode(ONTOLOGY_GRAPH))
        assert triples(engine.store, ONTOLOGY_GRAPH) == ontology
        assert not list(built.glob("publish/*.json"))  # nothing left to resume


def test_staged_graphs_replace_the_old_ones_in_one_switch(built, tmp_path):
    with remote_stores.oxigraph(tmp_path) as engine:
        stale = "<urn:stale> <urn:p> <urn:o> .\n"
        put = httpx.put(
            engine.store,
            params={"graph": CURATED_GRAPH},
            content=stale,
            headers={"Content-Type": "application/n-triples"},
        )
        assert put.status_code in (201, 204)
        code, out, err = cli(
            "publish", "--store", built, "--to", engine.store, "--update", engine.update
        )
        assert code == 0, err
        assert "switched in one update" in out
        assert triples(engine.store, CURATED_GRAPH) == local_triples(built, DefaultGraph())
        graphs = httpx.post(
            engine.query,
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"},
        ).text.split()[1:]
        assert not [graph for graph in graphs if "staging" in graph]


def test_a_publish_that_failed_goes_on_where_it_stopped(built, tmp_path):
    """The store goes down after a few chunks; started again, the publish resumes from the
    chunks it had sent, and the graph ends whole."""
    port = free_port()
    command = ["oxigraph", "serve", "--location", str(tmp_path / "db")]
    command += ["--bind", f"127.0.0.1:{port}"]
    url = f"http://127.0.0.1:{port}/store"
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        _wait(url)
        publishing = subprocess.Popen(
            [sys.executable, "-m", "slmgraph", "publish", "--store", str(built)]
            + ["--to", url, "--chunk", "200"],
            stderr=subprocess.PIPE,
            text=True,
        )
        state = built / "publish"
        while not list(state.glob("*.json")) and publishing.poll() is None:
            time.sleep(0.01)
        server.terminate()
        server.wait()
        _, err = publishing.communicate(timeout=60)
        assert publishing.returncode == REMOTE_STORE, err
        assert err.strip().splitlines()[-1].startswith(f"error: cannot reach {url}")
        assert "Traceback" not in err
        server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        _wait(url)
        code, out, err = cli("publish", "--store", built, "--to", url, "--chunk", 200)
        assert code == 0, err
        assert "note: resuming:" in err
        assert triples(url, CURATED_GRAPH) == local_triples(built, DefaultGraph())
    finally:
        server.terminate()
        server.wait()


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, params={"default": ""}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with remote_stores.virtuoso(tmp_path_factory.mktemp("virtuoso")) as engine:
        yield engine


def test_virtuoso_takes_the_credentials_from_the_environment(built, virtuoso):
    user, password = remote_stores.VIRTUOSO_USER
    env = {"SLMGRAPH_USER": user, "SLMGRAPH_PASSWORD": password, "NETRC": os.devnull}
    code, out, err = cli(
        "publish", "--store", built, "--to", virtuoso.store, "--update", virtuoso.update, env=env
    )
    assert code == 0, err
    code, out, err = cli("stats", "--endpoint", virtuoso.query, "--format", "json")
    assert code == 0, err
    assert out == cli("stats", "--store", built, "--format", "json")[1]


def test_virtuoso_takes_the_credentials_from_netrc(built, virtuoso, tmp_path):
    netrc = tmp_path / "netrc"
    user, password = remote_stores.VIRTUOSO_USER
    netrc.write_text(f"machine 127.0.0.1\n  login {user}\n  password {password}\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc), "SLMGRAPH_USER": ""}
    code, out, err = cli("publish", "--store", built, "--to", virtuoso.store, env=env)
    assert code == 0, err


def test_a_store_that_refuses_is_said_in_one_line(built, virtuoso):
    env = {"NETRC": os.devnull, "SLMGRAPH_USER": ""}
    code, out, err = cli("publish", "--store", built, "--to", virtuoso.store, env=env)
    assert code == REMOTE_STORE
    note, said = err.strip().splitlines()  # the in-place note, then the error
    assert said.startswith(f"error: {virtuoso.store}?graph-uri=")
    assert "refused the request: HTTP 401" in said and "SLMGRAPH_USER" in said


def test_wrong_credentials_are_refused_too(built, virtuoso):
    env = {"SLMGRAPH_USER": "dba", "SLMGRAPH_PASSWORD": "wrong", "NETRC": os.devnull}
    code, out, err = cli("publish", "--store", built, "--to", virtuoso.store, env=env)
    assert code == REMOTE_STORE
    assert "HTTP 401" in err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "args, said",
    [
        (["descendants", "pythia", "--endpoint", "http://127.0.0.1:{port}/query"], "cannot reach"),
        (["stats", "--endpoint", "ftp://example.org/sparql"], "is not an http(s) URL"),
        (["publish", "--to", "http://127.0.0.1:{port}/store"], "cannot reach"),
    ],
)
def test_a_store_that_is_not_there_is_said_in_one_line(built, args, said):
    args = [arg.format(port=free_port()) for arg in args]
    store_option = ["--store", built] if args[0] == "publish" else []
    code, out, err = cli(*args, *store_option)
    assert code == REMOTE_STORE
    assert said in err.strip().splitlines()[-1] and "Traceback" not in err


def test_an_endpoint_without_a_published_build_says_so(tmp_path):
    with remote_stores.oxigraph(tmp_path) as engine:
        code, out, err = cli("descendants", "pythia", "--endpoint", engine.query)
    assert code == REMOTE_STORE
    assert f"holds no graph <{CURATED_GRAPH}>; publish the build there first" in err


def test_endpoint_and_a_local_store_do_not_mix(built):
    code, out, err = cli("stats", "--endpoint", "http://127.0.0.1:1/q", "--store", built)
    assert code == 2 and "leave out --data and --store" in err
