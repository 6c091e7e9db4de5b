"""The canned descendants, facts and lineage-edges queries, as the editor sends them, are
answered with the lineage index's help with the rows the engine gives for the same text, in
the order it gives them, over the curated graph and over the curated and Hub graphs; any other
text or dataset goes to the engine."""

import csv
import io
import json

import pytest
from pyoxigraph import DefaultGraph, NamedNode, parse_query_results

from slmgraph import reports
from slmgraph.server import canned, results, worker
from slmgraph.server.kept_answers import AuditEdges, AuditEntities, Descendants, Facts, LineageEdges
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, entity_iri

JSON = "application/sparql-results+json"
DATASETS = {"curated": [CURATED_GRAPH], "both": [CURATED_GRAPH, HUB_GRAPH], "default": None}
CAP = 100_000


@pytest.fixture(scope="module")
def build(hub_shaped) -> worker.Build:
    current = (hub_shaped.store_dir / "current").resolve()
    return worker.Build(hub_shaped.store_dir, current.name)


def bound(root: str, query=Descendants) -> str:
    if query.parameter is None:
        return canned.bound_text(query().text, {})
    return canned.bound_text(query().text, {query.parameter: NamedNode(entity_iri(root))})


def dataset(graphs) -> list | None:
    return [DefaultGraph() if g == CURATED_GRAPH else NamedNode(g) for g in graphs or []] or None


def engine(build: worker.Build, text: str, graphs) -> list[str]:
    answer = build.store.query(text, default_graph=dataset(graphs))
    return canonical(results.solutions(answer, JSON, CAP).body)


def served(build: worker.Build, text: str, graphs, cap: int = CAP) -> results.Answer:
    return worker.sparql(build, text, JSON, None, graphs, None, cap, "http://localhost/sparql")


def canonical(body: bytes) -> list[str]:
    """The rows in an order of their own, each row's methods and parts too (the engine chooses
    all three)."""
    rows = json.loads(body)["results"]["bindings"]
    for row in rows:
        for column in ("methods", "parts"):
            if column in row:
                row[column]["value"] = sorted(row[column]["value"].split(", "))
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_the_kept_answer_is_the_engines_for_every_root(hub_shaped, build):
    """Every curated model and family with a descendant, and a sample of Hub models."""
    graph, hub_models = hub_shaped.graph, hub_shaped.hub_models
    curated = [e.id for e in hub_shaped.oracle.of("model", "family") if "/" not in e.id]
    roots = [e for e in curated if reports.descendant_count(graph, e)]
    roots += hub_models[:: len(hub_models) // 40]
    sizes, wrong = [], []
    for root in roots:
        text = bound(root)
        for name, graphs in DATASETS.items():
            assert build.kept[0].recognise(text, graphs) is not None, (root, name)
            got = canonical(served(build, text, graphs).body)
            if got != engine(build, text, graphs):
                wrong.append((root, name))
            sizes.append(len(got))
    assert wrong == []
    assert len(roots) > 150 and max(sizes) > 500 and sizes.count(0) > 10


def test_an_answer_past_the_row_cap_is_cut_there_and_says_so(build):
    text = bound("llama-2-7b")
    whole = engine(build, text, DATASETS["both"])
    cut = served(build, text, DATASETS["both"], cap=25)
    assert cut.truncated and len(whole) > 25
    rows = canonical(cut.body)
    assert len(rows) == 25 and set(rows) <= set(whole)
    assert json.loads(cut.body)["truncated"]["rows"] == 25


@pytest.mark.parametrize("media", [m for m in results.SOLUTION_FORMATS if m != JSON])
def test_every_results_format_carries_the_same_rows(build, media):
    text = bound("pythia")
    kept = worker.sparql(build, text, media, None, None, None, CAP, "http://localhost/")
    answer = build.store.query(text + "\n# by the engine")
    by_engine = results.solutions(answer, media, CAP)
    assert kept.media_type == media
    assert parsed(kept.body, media) == parsed(by_engine.body, media)
    assert len(parsed(kept.body, media)) > 20


def parsed(body: bytes, media: str) -> list[list[str]]:
    if media == "text/csv":  # lossy, so pyoxigraph reads none: the cells as text
        rows = csv.reader(io.StringIO(body.decode()))
    else:
        rows = parse_query_results(body, results.SOLUTION_FORMATS[media])
    return sorted([_cell(term) for term in row] for row in rows)


def _cell(term) -> str:
    return ", ".join(sorted(str(term).split(", "))) if term is not None else ""


def test_other_texts_and_datasets_go_to_the_engine(build):
    recognise = build.kept[0].recognise
    text = bound("llama-2-7b")
    assert recognise(text, None) == ("llama-2-7b", True, 0, None)
    assert recognise(text, [HUB_GRAPH, CURATED_GRAPH]) == ("llama-2-7b", False, 0, None)
    assert recognise(text + "\nLIMIT 5", None) == ("llama-2-7b", True, 0, 5)
    assert recognise(text + " offset 3 limit 5", None) == ("llama-2-7b", True, 3, 5)
    assert recognise(text + "\nLIMIT 5 OFFSET 3\n", None) == ("llama-2-7b", True, 3, 5)
    assert recognise(text + "\nOFFSET 3", None) == ("llama-2-7b", True, 3, None)
    assert recognise(text + "\nLIMIT 5 LIMIT 6", None) is None
    assert recognise(text + "\nLIMIT 5 # a page", None) is None
    assert recognise(text + "\n# a note\n  # another\n", None) == ("llama-2-7b", True, 0, None)
    assert recognise(text + "\n# a note\nLIMIT 5\n# more", None) == ("llama-2-7b", True, 0, 5)
    assert recognise(text.replace("\nGROUP BY", "\n# a note\nGROUP BY"), None) is None
    assert recognise(text.rstrip() + " # a note", None) is None  # on a line of the query
    many = text + "\n# a note" * 20_000 + "\n LIMIT 5 \n" + "\n  #" * 20_000
    assert recognise(many, None) == ("llama-2-7b", True, 0, 5)
    assert recognise(text.replace("?childName", "?name"), None) is None
    assert recognise(text, [HUB_GRAPH]) is None
    assert recognise(Descendants().text, None) is None  # unbound
    assert recognise(text.replace(entity_iri("llama-2-7b"), "http://example.org/x"), None) is None
    edited = text.replace("\nGROUP BY", "\n# by the engine\nGROUP BY")
    assert canonical(served(build, edited, None).body) == engine(build, edited, None)


def test_the_kept_facts_are_the_engines_in_its_order(hub_shaped, build):
    """Models, families, datasets, licences and organisations of the catalogue, and Hub models
    and datasets: a licence or base model many Hub models name has hundreds of facts."""
    oracle = hub_shaped.oracle
    entities = [e.id for e in oracle.of("model", "family", "dataset", "licence", "organisation")]
    entities = entities[::5] + ["llama-2-7b", "apache-2.0", "alpaca-data", "meta"]
    entities += hub_shaped.hub_models[:: len(hub_shaped.hub_models) // 20]
    sizes, wrong = [], []
    for entity in entities:
        text = bound(entity, Facts)
        for name, graphs in DATASETS.items():
            assert build.kept[1].recognise(text, graphs) is not None, (entity, name)
            got = served(build, text, graphs).body
            if canonical(got) != engine(build, text, graphs) or keys(got) != keys(
                results.solutions(
                    build.store.query(text, default_graph=dataset(graphs)), JSON, CAP
                ).body
            ):
                wrong.append((entity, name))
            sizes.append(len(canonical(got)))
    assert wrong == []
    hub = [e for e in entities if "/" in e]
    assert len(entities) > 150 and len(hub) > 20 and max(sizes) > 500


def keys(body: bytes) -> list[tuple]:
    """Each row's key in ``facts.rq``'s ORDER BY, in the order of the rows: the same list
    whichever order rows of one key come in."""
    rows = parse_query_results(body, results.SOLUTION_FORMATS[JSON])
    return [
        (row["direction"], row["property"], _str(row["value"]), _str(row["source"])) for row in rows
    ]


def _str(term) -> str | None:
    return None if term is None else term.value


def test_cut_facts_are_the_first_in_order(build):
    text = bound("llama-2-7b", Facts)
    cut = served(build, text, DATASETS["both"], cap=40)
    answer = build.store.query(text, default_graph=dataset(DATASETS["both"]))
    whole = results.solutions(answer, JSON, CAP).body
    assert cut.truncated and len(keys(whole)) > 40
    assert keys(cut.body) == keys(whole)[:40]
    assert set(canonical(cut.body)) <= set(canonical(whole))


@pytest.mark.parametrize("query", [Descendants, Facts, LineageEdges, AuditEdges, AuditEntities])
def test_a_long_answer_is_read_a_page_at_a_time(build, query):
    """Pages asked with LIMIT and OFFSET, in either order, make up the whole answer in its
    order; a page of the facts is the engine's page, which its ORDER BY fixes."""
    text = bound("llama-2-7b", query)
    whole = rows_of(served(build, text, DATASETS["both"]).body)
    pages = []
    size = 7 if len(whole) < 2000 else 300
    for number, offset in enumerate(range(0, len(whole) + size, size)):
        page = f"\nLIMIT {size} OFFSET {offset}"
        if number % 2:
            page = f"\nOFFSET {offset} LIMIT {size}"
        got = served(build, text + page, DATASETS["both"])
        assert not got.truncated
        pages += rows_of(got.body)
        if query is Facts:
            answer = build.store.query(text + page, default_graph=dataset(DATASETS["both"]))
            assert keys(got.body) == keys(results.solutions(answer, JSON, CAP).body)
    assert pages == whole and len(whole) > 100
    cut = served(build, text + "\nOFFSET 20", DATASETS["both"], cap=30)
    assert cut.truncated and rows_of(cut.body) == whole[20:50]


def rows_of(body: bytes) -> list[tuple]:
    return [
        tuple(map(str, row)) for row in parse_query_results(body, results.SOLUTION_FORMATS[JSON])
    ]


WHOLE = [LineageEdges, AuditEdges, AuditEntities]


@pytest.mark.parametrize("query", WHOLE)
def test_a_whole_catalogue_answer_is_the_engines(build, query):
    """The query as the editor lists it and as ``/canned`` writes it, over each dataset."""
    recognise = build.kept[[type(kept) for kept in build.kept].index(query)].recognise
    for text in (query().text, bound("", query)):
        for name, graphs in DATASETS.items():
            assert recognise(text, graphs) is not None, name
            got = canonical(served(build, text, graphs).body)
            assert got == engine(build, text, graphs), name
            assert len(got) > (1500 if name == "both" else 200), (name, len(got))
    assert recognise(query().text.replace("\nGROUP BY", "\n#\nGROUP BY"), None) is None
    assert recognise(query().text, [HUB_GRAPH]) is None
