"""The show report: every fact about one entity, with where it comes from."""

from slmgraph import catalog, entity_facts, paths
from tests.conftest import VALID


def test_show_lists_facts_with_sources(graph):
    rows = entity_facts.show(graph, "dolly-v2-12b")
    lineage = next(r for r in rows if r["property"] == "fine-tuned")
    assert lineage["value"] == "pythia-12b"
    assert lineage["source"] == "https://huggingface.co/databricks/dolly-v2-12b"
    assert any(r["property"] == "dcterms:source" for r in rows)


def test_show_includes_incoming_edges(graph):
    rows = entity_facts.show(graph, "pythia-12b")
    assert ("in", "fine-tuned", "dolly-v2-12b") in {
        (r["direction"], r["property"], r["value"]) for r in rows
    }


def test_every_fact_of_a_curated_catalogue_is_curated(graph):
    rows = entity_facts.show(graph, "pythia-12b")
    assert rows and {(r["provenance"], r["retrieved"]) for r in rows} == {("curated", None)}


def test_show_says_the_description(graph):
    rows = entity_facts.show(graph, "alpaca-7b")
    entry = catalog.load(VALID)["alpaca-7b"]
    said = [r["value"] for r in rows if r["property"] == "schema:description"]
    assert said == [entry.description]


def test_show_gives_the_homepage_link(graph):
    """A link that is no citation (a homepage; a code repository alike) is a fact of its own."""
    rows = entity_facts.show(graph, "eleutherai")
    links = {(r["property"], r["value"]) for r in rows if r["property"].startswith("schema:")}
    assert ("schema:url", "https://www.eleuther.ai/") in links


def test_show_says_which_derivations_hold_every_part_of_their_base(real_graph_with_index):
    """A dataset's derivation from a base it holds every part of says so (``whole``) on the
    row going out, as its entry does; any other says nothing. (What a training edge says of
    the parts the oracle holds ``show`` to, on every graph.)"""
    whole, checked = 0, 0
    for entry in catalog.load(paths.data_dir()).entries("dataset"):
        if not entry.derived_from:
            continue
        rows = entity_facts.show(real_graph_with_index, entry.id)
        for edge in entry.derived_from:
            prop = "slm:promptsFrom" if edge.reuses else "slm:datasetDerivedFrom"
            cells = {
                r["parts"]
                for r in rows
                if (r["direction"], r["property"], r["value"]) == ("out", prop, edge.dataset)
            }
            assert cells == {edge.parts}, (entry.id, edge.dataset)
            whole += edge.parts == "whole"
            checked += 1
    assert whole >= 2 and checked > whole
