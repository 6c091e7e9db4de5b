"""The synthetic-data report, from the lineage index and from its one query alike."""

from slmgraph import generated
from slmgraph.graph import Graph


def test_synthetic_depends_on_the_generator(graph):
    by_openai = {(r["id"], r["generated_by"]) for r in generated.synthetic(graph, "openai")}
    assert by_openai == {("alpaca-7b", "text-davinci-003"), ("vicuna-13b", "chatgpt")}
    assert {r["id"] for r in generated.synthetic(graph, "chatgpt")} == {"vicuna-13b"}
    assert generated.synthetic(graph, "pythia") == []


def test_the_index_gives_the_rows_of_the_query_in_its_order(graph):
    """Every generator the fixture has, curated only too: the trainees by query and what
    derives from them by the index, as the one query gives them (the endpoint's way)."""
    generators = {row["generatorModel"] for row in graph.select("synthetic-trainees")}
    assert generators
    for generator in [*generators, "openai"]:
        for curated_only in (False, True):
            indexed = Graph(graph.store, lineage=graph.lineage, curated_only=curated_only)
            plain = Graph(graph.store, curated_only=curated_only)
            assert generated.synthetic(indexed, generator) == generated.synthetic(plain, generator)


def test_trained_on_reaches_the_models_below_each_trainee(graph):
    """Pythia is trained on the Pile, Dolly v2 derives from Pythia-12B: both carry its text,
    certainly, since they were trained on the Pile itself."""
    rows = generated.trained_on(graph, "the-pile")
    assert {"pythia-12b", "dolly-v2-12b"} <= {row["id"] for row in rows}
    assert {row["certainty"] for row in rows} == {"certain"}
    assert {row["id"] for row in generated.trained_on(graph, "sharegpt")} == {"vicuna-13b"}


def test_trained_on_from_the_index_gives_the_rows_of_the_query_in_its_order(graph):
    datasets = {row["dataset"] for row in graph.select("dataset-trainees")}
    assert datasets
    for dataset in datasets:
        for curated_only in (False, True):
            indexed = Graph(graph.store, lineage=graph.lineage, curated_only=curated_only)
            plain = Graph(graph.store, curated_only=curated_only)
            assert generated.trained_on(indexed, dataset) == generated.trained_on(plain, dataset)
