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


def _marked(parts) -> str:
    """An edge's parts as show marks them, computed from the entry's record alone."""
    if parts == "whole":
        return "whole"
    marks = [*parts.used, *(f"{p} (left out)" for p in parts.left_out)]
    marks += [f"{p} (use unknown)" for p in parts.unknown]
    return ", ".join(sorted(marks))


def test_show_gives_every_part_each_edge_names_as_its_entry_does(real_graph_with_index):
    """Each training edge, and each dataset's derivation, that names its parts says them on
    the row going out: used, left out or of unknown use; an edge naming none says nothing."""
    named, checked = 0, 0
    for entry in catalog.load(paths.data_dir()).entries("model", "family", "dataset"):
        if entry.type == "dataset":
            kind = "slm:promptsFrom", "slm:datasetDerivedFrom"
            edges = [(kind[e.reuses is None], e.dataset, None, e.parts) for e in entry.derived_from]
        else:
            edges = [("slm:trainedOn", e.dataset, e.stage, e.parts) for e in entry.trained_on]
        if not any(parts for *_, parts in edges):
            continue
        rows = entity_facts.show(real_graph_with_index, entry.id)
        shown = [row for row in rows if row["direction"] == "out"]
        for prop, target, stage, parts in edges:
            cells = {
                r["parts"]
                for r in shown
                if (r["property"], r["value"], r["stage"]) == (prop, target, stage)
            }
            assert cells == {_marked(parts) if parts else None}, (entry.id, target, stage)
            named += bool(parts)
            checked += 1
    assert named > 40 and checked > named  # the catalogue names parts, and leaves many unnamed
