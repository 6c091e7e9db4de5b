"""The reports of whose text a model carries (a generator's, a dataset's), from the lineage index
and from their one query alike."""

from slmgraph import generated
from slmgraph.graph import Graph


def test_synthetic_depends_on_the_generator(graph):
    by_openai = {(r["id"], r["generated_by"]) for r in generated.synthetic(graph, "openai")}
    assert by_openai == {("alpaca-7b", "text-davinci-003"), ("vicuna-13b", "chatgpt")}
    assert {r["id"] for r in generated.synthetic(graph, "chatgpt")} == {"vicuna-13b"}
    assert generated.synthetic(graph, "pythia") == []


def _same_from_the_index_as_from_the_query(graph, report, arguments) -> None:
    """For each argument, curated only too: the trainees by query and what derives from them by
    the index, as the one query gives them (the endpoint's way), in its order."""
    assert arguments
    for argument in arguments:
        for curated_only in (False, True):
            indexed = Graph(graph.store, lineage=graph.lineage, curated_only=curated_only)
            plain = Graph(graph.store, curated_only=curated_only)
            assert report(indexed, argument) == report(plain, argument), argument


def test_the_index_gives_the_rows_of_the_query_in_its_order(graph):
    """Every generator the fixture has, and an organisation."""
    generators = {row["generatorModel"] for row in graph.select("synthetic-trainees")}
    assert generators
    _same_from_the_index_as_from_the_query(graph, generated.synthetic, [*generators, "openai"])


def test_trained_on_reaches_the_models_below_each_trainee(graph):
    """Pythia is trained on the Pile, Dolly v2 derives from Pythia-12B: both carry its text,
    certainly, since they were trained on the Pile itself."""
    rows = generated.trained_on(graph, "the-pile")
    assert {"pythia-12b", "dolly-v2-12b"} <= {row["id"] for row in rows}
    assert {row["certainty"] for row in rows} == {"certain"}
    assert {row["id"] for row in generated.trained_on(graph, "sharegpt")} == {"vicuna-13b"}


def test_trained_on_from_the_index_gives_the_rows_of_the_query_in_its_order(graph):
    datasets = {row["dataset"] for row in graph.select("dataset-trainees")}
    _same_from_the_index_as_from_the_query(graph, generated.trained_on, datasets)
