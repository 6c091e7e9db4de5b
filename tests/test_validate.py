from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from slmgraph import paths, store, validate
from slmgraph.vocab import SLM, entity_iri


def _copy(valid_store) -> Store:
    copy = Store()
    copy.extend(store.open_store(valid_store))
    return copy


def test_valid_graph_passes(valid_store):
    assert (
        validate.validate(store.open_store(valid_store), paths.ontology_dir(), paths.queries_dir())
        == []
    )


def test_uncited_edge_and_cycle_are_found(valid_store):
    graph = _copy(valid_store)
    edge = NamedNode(entity_iri("dolly-v2-12b") + "/fine-tuned/pythia-12b")
    graph.remove(
        Quad(
            edge,
            NamedNode("http://purl.org/dc/terms/source"),
            NamedNode("https://huggingface.co/databricks/dolly-v2-12b"),
            DefaultGraph(),
        )
    )
    graph.add(
        Quad(
            NamedNode(entity_iri("pythia-12b")),
            NamedNode(SLM + "derivedFrom"),
            NamedNode(entity_iri("dolly-v2-12b")),
            DefaultGraph(),
        )
    )
    found = validate.violations(graph, paths.queries_dir() / "checks")
    assert any(line.startswith("uncited-edge-violation") for line in found)
    assert any(line.startswith("lineage-cycle-violation") for line in found)


def test_shacl_catches_training_on_a_model(valid_store):
    graph = _copy(valid_store)
    graph.add(
        Quad(
            NamedNode(entity_iri("vicuna-13b")),
            NamedNode(SLM + "trainedOn"),
            NamedNode(entity_iri("chatgpt")),
            DefaultGraph(),
        )
    )
    found = validate.shacl(graph, paths.ontology_dir() / "shapes.ttl", paths.ontology_dir())
    assert any("trained on points at a dataset" in line for line in found)


def test_units_name_organisations_and_never_loop(valid_store):
    graph = _copy(valid_store)
    for unit, of in (("meta", "stanford"), ("stanford", "meta"), ("openai", "chatgpt")):
        graph.add(
            Quad(
                NamedNode(entity_iri(unit)),
                NamedNode(SLM + "unitOf"),
                NamedNode(entity_iri(of)),
                DefaultGraph(),
            )
        )
    found = validate.violations(graph, paths.queries_dir() / "checks")
    assert sorted(line.split(":")[0] for line in found) == ["unit-cycle-violation"] * 2
    found = validate.shacl(graph, paths.ontology_dir() / "shapes.ttl", paths.ontology_dir())
    assert any("an organisation is a unit of an organisation" in line for line in found)
