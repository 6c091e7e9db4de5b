"""Answers are written by pyoxigraph's own writers, cut at the row cap, and a cut answer says so
in its body wherever the format has a place for it (headers say it for every format)."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    Store,
    parse,
    parse_query_results,
)

from slmgraph.server import results
from tests.server.conftest import ROW_CAP

E = "http://e.example/"
XSD_INT = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
ALL = "SELECT * WHERE { ?s ?p ?o }"
RESULTS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def awkward():
    """A small store with the terms writers get wrong: escapes, languages, types, blank nodes."""
    store = Store()
    objects = [
        Literal('tab\there "quoted" \\ new\nline, comma; ü', language="en"),
        Literal("42", datatype=XSD_INT),
        BlankNode("b1"),
        NamedNode(E + "with#fragment"),
        Literal(""),
    ]
    for n, term in enumerate(objects):
        store.add(Quad(NamedNode(f"{E}s{n}"), NamedNode(E + "p"), term))
    return store


QUERY = f"SELECT ?s ?o ?none WHERE {{ ?s <{E}p> ?o OPTIONAL {{ ?s <{E}q> ?none }} }} ORDER BY ?s"


@pytest.mark.parametrize("media", sorted(results.SOLUTION_FORMATS))
def test_uncut_solutions_are_what_pyoxigraph_writes(awkward, media):
    answer = results.solutions(awkward.query(QUERY), media, cap=10)
    expected = awkward.query(QUERY).serialize(format=results.SOLUTION_FORMATS[media])
    assert answer.body == expected and not answer.truncated


@pytest.mark.parametrize("media", sorted(results.SOLUTION_FORMATS))
def test_cut_solutions_are_the_first_rows(awkward, media):
    answer = results.solutions(awkward.query(QUERY), media, cap=3)
    first = awkward.query(QUERY + " LIMIT 3").serialize(format=results.SOLUTION_FORMATS[media])
    assert answer.truncated
    fmt = results.SOLUTION_FORMATS[media]
    if fmt in (QueryResultsFormat.CSV, QueryResultsFormat.TSV):
        assert answer.body == first  # no place in the body to say it: headers do
    else:
        assert answer.body != first  # it says so
        assert list(parse_query_results(answer.body, fmt)) == list(parse_query_results(first, fmt))


def test_a_cap_at_the_exact_row_count_is_not_a_cut(awkward):
    answer = results.solutions(awkward.query(QUERY), "application/sparql-results+json", cap=5)
    assert len(json.loads(answer.body)["results"]["bindings"]) == 5 and not answer.truncated


@pytest.mark.parametrize("media", sorted(results.RDF_FORMATS))
def test_triples_in_every_format_are_the_same_graph(awkward, media):
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    answer = results.triples(awkward.query(construct), media, cap=10)
    read = set(parse(answer.body, format=results.RDF_FORMATS[media]))
    assert len(read) == 5 and not answer.truncated
    assert {q.object for q in read if isinstance(q.object, Literal)} == {
        Literal('tab\there "quoted" \\ new\nline, comma; ü', language="en"),
        Literal("42", datatype=XSD_INT),
        Literal(""),
    }


# --- against the server (row cap 100) --------------------------------------------------------


@pytest.mark.parametrize("query", [ALL, ALL + f" LIMIT {ROW_CAP + 50}"])
def test_json_and_xml_say_in_the_body_that_the_answer_was_cut(http, query):
    as_json = http.get("/sparql", params={"query": query, "format": "json"})
    as_xml = http.get("/sparql", params={"query": query, "format": "xml"})
    document = json.loads(as_json.content)
    assert document["head"]["link"] == [f"{results.TRUNCATED_LINK}?rows={ROW_CAP}"]
    assert document["truncated"]["rows"] == ROW_CAP
    assert len(document["results"]["bindings"]) == ROW_CAP
    root = ET.fromstring(as_xml.content)
    links = [link.get("href") for link in root.iter(RESULTS + "link")]
    assert links == [f"{results.TRUNCATED_LINK}?rows={ROW_CAP}"]
    assert len(list(root.iter(RESULTS + "result"))) == ROW_CAP
    for response in (as_json, as_xml):
        assert response.headers["x-sparql-truncated"] == "true"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_are_cut_at_the_cap_and_say_so_in_headers(http, fmt):
    response = http.get("/sparql", params={"query": ALL, "format": fmt})
    delimiter = "," if fmt == "csv" else "\t"
    table = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    assert len(table) == ROW_CAP + 1  # the header row, then the rows
    assert response.headers["x-sparql-truncated"] == "true"
    assert "truncated" in response.headers["warning"]


@pytest.mark.parametrize(
    ("accept", "rdflib_format", "says"),
    [
        ("text/turtle", "turtle", b"# truncated: only the first 100 triples"),
        ("application/n-triples", "nt", b"# truncated: only the first 100 triples"),
        ("application/rdf+xml", "xml", b"<!-- truncated: only the first 100 triples"),
        ("application/ld+json", "json-ld", b'"truncated":{"triples":100'),
    ],
)
def test_rdf_formats_say_in_the_body_that_the_answer_was_cut(http, accept, rdflib_format, says):
    response = http.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": accept}
    )
    assert response.status_code == 200 and says in response.content
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == ROW_CAP  # the note is no triple
    assert len(list(parse(response.content, format=results.RDF_FORMATS[accept]))) == ROW_CAP
    assert response.headers["x-sparql-truncated"] == "true"


def test_a_limit_within_the_cap_is_written_whole(http):
    response = http.get("/sparql", params={"query": ALL + f" LIMIT {ROW_CAP}"})
    assert len(response.json()["results"]["bindings"]) == ROW_CAP
    assert "x-sparql-truncated" not in response.headers and "truncated" not in response.json()


def test_an_answer_under_the_cap_says_nothing(http):
    response = http.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"},
        headers={"Accept": "text/turtle"},
    )
    assert b"truncated" not in response.content and "x-sparql-truncated" not in response.headers
