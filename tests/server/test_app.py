"""The app over a store that changes while it serves, and its optional CORS."""

import time

import httpx

from slmgraph import paths, store
from tests.server.conftest import running_server

NAME = "SELECT ?name WHERE { <https://w3id.org/slmgraph/id/alpaca-7b> rdfs:label ?name }"
PREFIXED = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + NAME


def test_a_rebuild_is_picked_up_while_serving(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    with running_server(store_dir, tmp_path / "server.log", "--cors") as server:
        before = httpx.get(server.url + "/sparql", params={"query": PREFIXED})
        entry = catalogue_copy / "models" / "alpaca-7b.yaml"
        entry.write_text(entry.read_text().replace("name: Alpaca 7B", "name: Alpaca Seven"))
        store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
        after = httpx.get(
            server.url + "/sparql",
            params={"query": PREFIXED},
            headers={"If-None-Match": before.headers["etag"], "Origin": "https://a.example"},
        )
    assert before.json()["results"]["bindings"][0]["name"]["value"] == "Alpaca 7B"
    assert after.status_code == 200  # the old validator no longer matches
    assert after.json()["results"]["bindings"][0]["name"]["value"] == "Alpaca Seven"
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["access-control-allow-origin"] == "*"


def test_a_request_repeated_byte_for_byte_gets_the_new_build_after_a_rebuild(
    catalogue_copy, tmp_path
):
    store_dir = tmp_path / "store"
    store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    with running_server(store_dir, tmp_path / "server.log") as server:
        ask = {"query": PREFIXED}
        before = [httpx.get(server.url + "/sparql", params=ask) for _ in range(3)]
        entry = catalogue_copy / "models" / "alpaca-7b.yaml"
        entry.write_text(entry.read_text().replace("name: Alpaca 7B", "name: Alpaca Seven"))
        store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
        time.sleep(0.05)  # the server reads the build in use every few milliseconds
        after = httpx.get(server.url + "/sparql", params=ask)
    names = [r.json()["results"]["bindings"][0]["name"]["value"] for r in [*before, after]]
    assert names == ["Alpaca 7B"] * 3 + ["Alpaca Seven"]
    assert after.headers["etag"] != before[-1].headers["etag"]


def test_home_says_so_when_the_editor_files_are_missing(valid_store, tmp_path):
    missing = {"SLMGRAPH_YASGUI_DIR": str(tmp_path / "no-such-dir")}
    with running_server(valid_store, tmp_path / "server.log", env=missing) as server:
        home = httpx.get(server.url + "/")
        vendor = httpx.get(server.url + "/vendor/yasgui.min.js")
    assert home.status_code == 200
    assert 'id="assets-missing"' in home.text and "npm ci --prefix web" in home.text
    assert '<form method="post" action="/sparql"' in home.text  # still usable
    assert vendor.status_code == 404


def test_home_serves_the_editor_from_this_server(http):
    home = http.get("/")
    script = http.get("/vendor/yasgui.min.js")
    assert '<script src="/vendor/yasgui.min.js">' in home.text
    assert script.status_code == 200 and len(script.content) > 100_000
    assert "cdn" not in home.text.lower()
