import json
import os
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import DefaultGraph
from rdflib.compare import to_isomorphic

from slmgraph import export, paths, store

GOLDEN = Path(__file__).parent / "data" / "golden" / "valid.nt"
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}


def _dump(valid_store, fmt):
    return export.dump(store.open_store(valid_store), fmt, paths.ontology_dir())


def _reference(valid_store) -> rdflib.Graph:
    return rdflib.Graph().parse(data=_dump(valid_store, "ntriples").decode(), format="nt")


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_dump_parses_back_with_rdflib_to_the_same_graph(valid_store, fmt):
    parsed = rdflib.Graph().parse(data=_dump(valid_store, fmt).decode(), format=RDFLIB_FORMATS[fmt])
    expected = store.open_store(valid_store)
    assert len(parsed) == sum(
        1 for q in expected if q.graph_name.__class__.__name__ == "DefaultGraph"
    )
    assert to_isomorphic(parsed) == to_isomorphic(_reference(valid_store))


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "jsonld"])
def test_dumps_are_byte_identical_across_runs(valid_store, tmp_path, fmt):
    rebuilt = tmp_path / "again"
    store.ensure(Path(__file__).parent / "data" / "valid", paths.ontology_dir(), rebuilt)
    assert _dump(valid_store, fmt) == export.dump(
        store.open_store(rebuilt), fmt, paths.ontology_dir()
    )


def test_nquads_carries_the_ontology_graph(valid_store):
    dataset = rdflib.Dataset()
    dataset.parse(data=_dump(valid_store, "nquads").decode(), format="nquads")
    ontology = dataset.graph(rdflib.URIRef("https://w3id.org/slmgraph/ontology"))
    assert (
        rdflib.URIRef("https://w3id.org/slmgraph/ontology#fineTunedFrom"),
        rdflib.RDF.type,
        rdflib.OWL.ObjectProperty,
    ) in ontology


def test_jsonld_is_compacted_with_our_context(valid_store):
    document = json.loads(_dump(valid_store, "jsonld"))
    context = json.loads((paths.ontology_dir() / "context.jsonld").read_text())["@context"]
    assert document["@context"] == context
    dolly = next(node for node in document["@graph"] if node["@id"] == "id:dolly-v2-12b")
    assert dolly["fineTunedFrom"] == "id:pythia-12b"
    assert dolly["label"] == "Dolly-v2-12b"


def test_turtle_uses_the_prefix_map(valid_store):
    text = _dump(valid_store, "turtle").decode()
    assert "@prefix slm: <https://w3id.org/slmgraph/ontology#> ." in text
    assert "slm:fineTunedFrom id:pythia-12b" in text


def test_sorted_ntriples_match_the_golden_snapshot(valid_store):
    """Regenerate with SLMGRAPH_UPDATE_GOLDEN=1 after an intended change, and review the diff."""
    lines = sorted(_dump(valid_store, "ntriples").decode().splitlines())
    text = "\n".join(lines) + "\n"
    if os.environ.get("SLMGRAPH_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_named_nquads_put_the_curated_graph_where_publish_puts_it(valid_store):
    """For a store's bulk loader: every triple of the data graph, and only those, under the
    curated graph's name; the ontology's graph as before."""
    dataset = rdflib.Dataset()
    named = export.dump(store.open_store(valid_store), "nquads", paths.ontology_dir(), named=True)
    dataset.parse(data=named.decode(), format="nquads")
    curated = dataset.graph(rdflib.URIRef("https://w3id.org/slmgraph/graph/curated"))
    assert to_isomorphic(curated) == to_isomorphic(_reference(valid_store))
    assert len(dataset.default_graph) == 0
    ontology = dataset.graph(rdflib.URIRef("https://w3id.org/slmgraph/ontology"))
    assert len(ontology) > 100


def test_nquads_of_a_hub_import_are_every_graph_and_the_same_bytes_each_time(tmp_path):
    """With a Hub import, N-Quads for a bulk loader hold every graph whole (the Hub graph read
    back by rdflib is the graph Oxigraph dumps), and two imports of one dump give the same
    bytes, though the Hub graph is written in the store's order rather than sorted."""
    from click.testing import CliRunner
    from pyoxigraph import NamedNode, RdfFormat

    from slmgraph.cli import main
    from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH
    from tests.test_hub_dump import generate

    generate(tmp_path / "hub.jsonl", 2_000, 3)
    exported = []
    for name in ("first", "second"):
        where = tmp_path / name
        for command in (
            ["import", "hf", "--from", tmp_path / "hub.jsonl"],
            ["export", "--format", "nquads", "--named", "-o", where / "all.nq"],
        ):
            run = CliRunner().invoke(main, [*map(str, command), "--store", str(where / "store")])
            assert run.exit_code == 0, run.output
        assert sorted(path.name for path in where.iterdir()) == ["all.nq", "store"]  # no leftover
        exported.append((where / "all.nq").read_bytes())
    assert exported[0] == exported[1]
    dataset = rdflib.Dataset()
    dataset.parse(data=exported[0].decode(), format="nquads")
    hub_graph = dataset.graph(rdflib.URIRef(HUB_GRAPH))
    opened = store.open_store(tmp_path / "first" / "store")
    own = opened.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(HUB_GRAPH)).decode()
    assert len(hub_graph) > 40_000
    assert set(hub_graph) == set(rdflib.Graph().parse(data=own, format="nt"))
    curated = dataset.graph(rdflib.URIRef(CURATED_GRAPH))
    assert len(curated) == sum(
        1 for _ in opened.quads_for_pattern(None, None, None, DefaultGraph())
    )
    assert len(dataset.default_graph) == 0
