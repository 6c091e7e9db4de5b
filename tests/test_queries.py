import pytest
from pyoxigraph import Literal

from slmgraph import paths, queries
from slmgraph.vocab import entity_iri

CANNED = queries.discover(paths.queries_dir())


def test_every_canned_query_has_a_title_and_description():
    assert {"descendants", "ancestors", "datasets", "stats", "labels"} <= set(CANNED)
    for query in CANNED.values():
        assert query.title and query.title != query.name, query.path
        assert query.description, query.path


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_runs_and_projects_its_parameters(graph, name):
    query = CANNED[name]
    values = {p.name: "pythia" if p.type == "entity" else "2023-01-01" for p in query.params}
    rows = graph.run(query, values)
    # a parameter is bound by substitution, which needs it in the SELECT clause
    assert {p.name for p in query.params} <= set(rows.columns)
    assert all(set(row) <= set(rows.columns) for row in rows)


def test_parameters_are_bound_not_spliced(graph):
    before = len(graph.store)
    hostile = '9999") } } DELETE WHERE { ?s ?p ?o } #'
    rows = queries.run(graph.store, CANNED["timeline"], {"since": Literal(hostile)})
    assert rows == []  # compared as one string value: no release is later than it
    assert len(graph.store) == before


def test_substituted_entity_parameter(graph):
    rows = queries.run(
        graph.store,
        CANNED["family"],
        {"family": queries.term(CANNED["family"].params[0], entity_iri("llama"))},
    )
    assert [row["name"] for row in rows] == ["LLaMA-7B", "LLaMA-13B"]


def test_header_rejects_an_unknown_parameter_type(tmp_path):
    path = tmp_path / "odd.rq"
    path.write_text("# title: Odd\n# param: x colour a colour\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(ValueError, match="colour"):
        queries.read_query(path)


def test_violation_queries_find_nothing_on_valid_data(graph):
    for query in queries.discover(paths.queries_dir() / "checks").values():
        assert queries.run(graph.store, query) == [], query.name


@pytest.mark.parametrize(
    ("argument", "typed"),
    [
        ("descendants", False),
        ("queries/checks/lineage-cycle-violation.rq", False),
        ("my queries/select all.rq", False),  # a path may hold spaces and keywords
        ("select all.rq", False),
        ("SELECT * WHERE { ?s ?p ?o }", True),
        ("  select ?s where {}", True),
        ("PREFIX ex: <http://example.org/>\nASK {}", True),
        ("ASK{}", True),
    ],
)
def test_a_query_argument_is_typed_sparql_only_when_it_reads_as_sparql(argument, typed):
    assert queries.looks_typed(argument) is typed


@pytest.mark.parametrize(
    "message",
    [
        "error at 3:1: expected GRAPH",  # a line past the end of the text
        "error at 5:1: expected one of Prefix not found, ['_']",  # and its prefix
        "error at 0:0: expected OPTIONAL",
        "something the engine has never said",
    ],
)
def test_a_syntax_error_is_one_line_wherever_the_engine_points(message):
    said = str(queries.syntax_problem("q.rq", "SELECT * WHERE {\n ?s ?p", message))
    assert said.startswith("q.rq:") and "SPARQL syntax" in said and "\n" not in said
