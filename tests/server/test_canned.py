"""Canned queries bound by the editor's form answer what the CLI answers with the same binding,
and a query is never handed out with a required parameter unbound."""

import pytest

from slmgraph import queries, store
from slmgraph.paths import queries_dir
from slmgraph.server import canned
from slmgraph.vocab import entity_iri
from tests.test_sparqltext import canonical

# A value for each parameter name the canned queries use (entities of the real catalogue).
VALUES = {
    "root": "llama",
    "start": "vicuna-13b",
    "model": "vicuna-13b",
    "entity": "alpaca-7b",
    "family": "pythia",
    "org": "meta",
    "generator": "openai",
    "dataset": "sharegpt",  # possible rows too: datasets took its prompts
    "since": "2023",
    "key": "llama",
}
WITH_PARAMS = [q for q in queries.discover(queries_dir()).values() if q.params]


@pytest.mark.parametrize("query", WITH_PARAMS, ids=lambda q: q.name)
def test_bound_text_answers_as_the_cli_binding_does(real_store, query):
    opened = store.open_store(real_store)
    values = {}
    for param in query.params:
        value = VALUES[param.name]
        if param.type == "entity":
            value = entity_iri(value)
        elif param.type == "date":
            value = value + "-01-01"
        values[param.name] = queries.term(param, value)
    expected = queries.run(opened, query, values)
    assert expected, f"{query.name}: choose a value with an answer"
    got = queries.run(opened, canned.bound_text(query.text, values))
    assert got.columns == expected.columns
    assert canonical(got) == canonical(expected)  # GROUP_CONCAT's order is the engine's


def test_the_form_resolves_names_and_aliases(http):
    answer = http.get("/canned/ancestors", params={"start": "Stanford Alpaca"})
    assert answer.status_code == 200
    assert answer.json()["bound"] == {"start": f"<{entity_iri('alpaca-7b')}>"}
    assert f"(<{entity_iri('alpaca-7b')}> AS ?start)" in answer.json()["query"]
    assert "?start" not in answer.json()["query"].replace("AS ?start", "")


def test_a_required_parameter_is_never_left_unbound(http):
    missing = http.get("/canned/descendants")
    assert missing.status_code == 400
    assert missing.json()["error"].startswith("'root' needs a value")
    unknown = http.get("/canned/descendants", params={"root": "Alpacca-7b"})
    assert unknown.status_code == 200  # one typing slip is read as the CLI reads it
    nothing = http.get("/canned/descendants", params={"root": "zzzz-nothing"})
    assert nothing.status_code == 400 and "'root'" in nothing.json()["error"]
    assert http.get("/canned/no-such-query").status_code == 404


def test_optional_parameters_may_stay_unbound(http):
    answer = http.get("/canned/timeline")
    assert answer.status_code == 200 and answer.json()["bound"] == {}
    assert answer.json()["query"] == queries.discover(queries_dir())["timeline"].text
    since = http.get("/canned/timeline", params={"since": "2023-02"}).json()["query"]
    assert '("2023-02-01"^^<http://www.w3.org/2001/XMLSchema#date> AS ?since)' in since
