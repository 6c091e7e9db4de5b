"""The SPARQL 1.1 Protocol as independent clients see it: SPARQLWrapper, rdflib, raw HTTP."""

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from slmgraph.vocab import CURATED_GRAPH, ID, ONTOLOGY_GRAPH, SLM

LINEAGE = f"""
PREFIX slm: <{SLM}>
SELECT ?child ?parent WHERE {{ ?child slm:fineTunedFrom ?parent }} ORDER BY ?child
"""


def wrapper(server, query: str, fmt=JSON, method="GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_through_sparqlwrapper(server, method):
    rows = wrapper(server, LINEAGE, method=method).queryAndConvert()["results"]["bindings"]
    pairs = {(r["child"]["value"], r["parent"]["value"]) for r in rows}
    assert (ID + "alpaca-7b", ID + "llama-7b") in pairs


def test_select_as_xml_csv_and_tsv(server):
    xml = wrapper(server, LINEAGE, XML).query().response.read()
    results = ET.fromstring(xml).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    as_csv = wrapper(server, LINEAGE, CSV).query().response.read().decode()
    table = list(csv.DictReader(io.StringIO(as_csv)))
    as_tsv = wrapper(server, LINEAGE, TSV).query().response.read().decode().splitlines()
    assert len(results) == len(table) == len(as_tsv) - 1 > 0
    assert {"child": ID + "alpaca-7b", "parent": ID + "llama-7b"} in table
    assert as_tsv[0] == "?child\t?parent"
    assert f"<{ID}alpaca-7b>\t<{ID}llama-7b>" in as_tsv


def test_ask_through_sparqlwrapper(server):
    yes = f"ASK {{ <{ID}alpaca-7b> <{SLM}fineTunedFrom> <{ID}llama-7b> }}"
    no = f"ASK {{ <{ID}llama-7b> <{SLM}fineTunedFrom> <{ID}alpaca-7b> }}"
    assert wrapper(server, yes).queryAndConvert()["boolean"] is True
    assert wrapper(server, no, XML).queryAndConvert().getElementsByTagName("boolean")[
        0
    ].firstChild.data == ("false")


def test_construct_through_sparqlwrapper_parses_with_rdflib(server):
    query = f"CONSTRUCT {{ ?c <{SLM}fineTunedFrom> ?p }} WHERE {{ ?c <{SLM}fineTunedFrom> ?p }}"
    client = wrapper(server, query, fmt="turtle")
    graph = rdflib.Graph().parse(data=client.query().response.read(), format="turtle")
    assert (
        rdflib.URIRef(ID + "alpaca-7b"),
        rdflib.URIRef(SLM + "fineTunedFrom"),
        rdflib.URIRef(ID + "llama-7b"),
    ) in graph


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_describe_in_every_rdf_format(http, accept, rdflib_format):
    response = http.get(
        "/sparql", params={"query": f"DESCRIBE <{ID}alpaca-7b>"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    labels = set(graph.objects(rdflib.URIRef(ID + "alpaca-7b"), rdflib.RDFS.label))
    assert rdflib.Literal("Alpaca 7B") in labels


def test_format_parameter_overrides_accept_for_browsers(http):
    response = http.get(
        "/sparql",
        params={"query": LINEAGE, "format": "csv"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "child,parent"


def test_post_direct_and_form_encoded(http):
    direct = http.post(
        "/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    form = http.post("/sparql", data={"query": "ASK {}"})
    assert direct.json()["boolean"] is True and form.json()["boolean"] is True


def test_unacceptable_format_is_406(http):
    response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_malformed_query_gets_400_with_the_parsers_message(http):
    response = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "syntax error" in response.text and "expected" in response.text


def test_two_queries_in_one_request_are_refused(http):
    response = http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


@pytest.mark.parametrize(
    "request_args",
    [
        {"data": {"update": "CLEAR ALL"}},
        {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"params": {"update": "CLEAR ALL"}, "method": "GET"},
    ],
)
def test_updates_are_refused_and_nothing_is_written(http, request_args):
    args = dict(request_args)
    method = args.pop("method", "POST")
    response = http.request(method, "/sparql", **args)
    assert response.status_code == 403
    assert "read-only" in response.text
    count = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_other_methods_are_not_allowed(http):
    response = http.put("/sparql", content="x")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_service_description_when_no_query(http):
    response = http.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(str(http.base_url).rstrip("/") + "/sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (None, sd.name, rdflib.URIRef(ONTOLOGY_GRAPH)) in graph


def test_graph_store_reads(http):
    default = http.get("/store?default", headers={"Accept": "application/n-triples"})
    ontology = http.get("/sparql", params={"graph": ONTOLOGY_GRAPH})
    missing = http.get("/store", params={"graph": "http://example.org/none"})
    data = rdflib.Graph().parse(data=default.text, format="nt")
    schema = rdflib.Graph().parse(data=ontology.text, format="turtle")
    assert (rdflib.URIRef(ID + "alpaca-7b"), rdflib.RDFS.label, rdflib.Literal("Alpaca 7B")) in data
    assert (rdflib.URIRef(SLM + "fineTunedFrom"), rdflib.RDF.type, None) in schema
    assert not set(data.subjects(rdflib.RDF.type, rdflib.OWL.ObjectProperty))
    assert missing.status_code == 404
    assert http.put("/store?default", content="").status_code == 405


def test_dataset_parameters_select_graphs(http):
    query = f"ASK {{ <{SLM}fineTunedFrom> ?p ?o }}"
    plain = http.get("/sparql", params={"query": query})
    with_ontology = http.get(
        "/sparql", params={"query": query, "default-graph-uri": ONTOLOGY_GRAPH}
    )
    assert json.loads(plain.text)["boolean"] is False
    assert json.loads(with_ontology.text)["boolean"] is True


def test_the_curated_graph_answers_to_its_published_name(http):
    """The store's default graph is the curated graph: named as ``publish`` names it elsewhere,
    it is the same graph, so requests that name their graphs read the same data here."""
    nt = {"Accept": "application/n-triples"}
    default = http.get("/store?default", headers=nt)
    named = http.get("/store", params={"graph": CURATED_GRAPH}, headers=nt)
    assert named.status_code == 200 and named.text == default.text
    query = f"ASK {{ <{ID}alpaca-7b> ?p ?o }}"
    for dataset in ({"default-graph-uri": CURATED_GRAPH}, {"default-graph-uri": ONTOLOGY_GRAPH}):
        asked = http.get("/sparql", params={"query": query, **dataset})
        assert json.loads(asked.text)["boolean"] is (dataset["default-graph-uri"] == CURATED_GRAPH)


def test_a_graph_too_large_for_the_deadline_says_how_to_read_it(tmp_path):
    """A Hub graph that cannot be sent whole within the deadline: 503 saying to read it a part
    at a time (not to simplify a query the client never wrote), and the server answers on."""
    from click.testing import CliRunner

    from slmgraph.cli import main
    from slmgraph.vocab import HUB_GRAPH
    from tests.server.conftest import running_server
    from tests.test_hub_dump import generate

    generate(tmp_path / "hub.jsonl", 10_000, 5)
    store = tmp_path / "store"
    command = ["import", "hf", "--from", str(tmp_path / "hub.jsonl"), "--store", str(store)]
    run = CliRunner().invoke(main, command)
    assert run.exit_code == 0, run.output
    options = ("--deadline", "0.2", "--fronts", "1", "--workers", "1", "--quick-workers", "0")
    log = tmp_path / "server.log"
    with running_server(store, log, *options) as server, server.client() as http:
        whole = http.get("/store", params={"graph": HUB_GRAPH})
        assert whole.status_code == 503
        assert "could not be sent whole within the deadline of 0.2 s" in whole.text
        assert "a part at a time" in whole.text and "simplify" not in whole.text
        part = f"SELECT * WHERE {{ GRAPH <{HUB_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 3"
        for _ in range(50):  # a query worker stopped at the deadline may still be replaced
            answer = http.get("/sparql", params={"query": part})
            if answer.status_code != 503:
                break
            time.sleep(0.2)
        assert answer.status_code == 200 and len(answer.json()["results"]["bindings"]) == 3
