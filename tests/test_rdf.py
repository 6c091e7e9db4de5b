import rdflib
from pyoxigraph import BlankNode, NamedNode

from slmgraph import catalog, paths, rdf
from slmgraph.vocab import FAIR4ML, PROV, RDF, SCHEMA, SLM, entity_iri
from tests.conftest import VALID, catalogue_of

OWL = rdflib.OWL


def _quads():
    return rdf.to_quads(catalog.load(VALID))


def _triples():
    return {(q.subject.value, q.predicate.value, q.object.value) for q in _quads()}


def test_output_is_deterministic_and_has_no_blank_nodes():
    first, second = _quads(), _quads()
    assert [str(q) for q in first] == [str(q) for q in second]
    assert not any(isinstance(t, BlankNode) for q in first for t in (q.subject, q.object))


def test_every_emitted_slm_term_is_declared_in_the_ontology():
    ontology = rdflib.Graph().parse(paths.ontology_dir() / "slm.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    used = set()
    for quad in _quads():
        used.add(quad.predicate.value)
        if quad.predicate.value == RDF + "type" or quad.predicate.value == SLM + "relation":
            used.add(quad.object.value)
        if quad.predicate.value == SLM + "stage":
            used.add(quad.object.value)
    undeclared = sorted(term for term in used if term.startswith(SLM) and term not in declared)
    assert undeclared == []


def test_every_ontology_term_has_label_and_comment():
    ontology = rdflib.Graph().parse(paths.ontology_dir() / "slm.ttl")
    for term in set(ontology.subjects(rdflib.RDF.type, None)):
        assert ontology.value(term, rdflib.RDFS.label), term
        assert ontology.value(term, rdflib.RDFS.comment), term


def test_lineage_edge_has_direct_aligned_and_qualified_forms():
    triples = _triples()
    dolly, pythia = entity_iri("dolly-v2-12b"), entity_iri("pythia-12b")
    for predicate in ("fineTunedFrom", "derivedFrom"):
        assert (dolly, SLM + predicate, pythia) in triples
    assert (dolly, PROV + "wasDerivedFrom", pythia) in triples
    assert (dolly, SCHEMA + "isBasedOn", pythia) in triples
    assert (dolly, FAIR4ML + "fineTunedFrom", pythia) in triples
    node = f"{dolly}/fine-tuned/pythia-12b"
    assert (dolly, SLM + "qualifiedRelation", node) in triples
    assert (dolly, PROV + "qualifiedDerivation", node) in triples
    assert (node, SLM + "method", "instruction-tuning") in triples
    assert (
        node,
        "http://purl.org/dc/terms/source",
        "https://huggingface.co/databricks/dolly-v2-12b",
    ) in triples


def test_training_and_synthetic_data_edges():
    triples = _triples()
    alpaca, data = entity_iri("alpaca-7b"), entity_iri("alpaca-52k")
    assert (alpaca, SLM + "trainedOn", data) in triples
    assert (alpaca, FAIR4ML + "trainedOn", data) in triples
    assert (
        f"{alpaca}/trained-on/sft/alpaca-52k",
        SLM + "stage",
        SLM + "InstructionTuning",
    ) in triples
    assert (data, SLM + "generatedBy", entity_iri("text-davinci-003")) in triples


def test_classes_are_aligned_for_generic_tools():
    triples = _triples()
    assert (entity_iri("pythia-12b"), RDF + "type", FAIR4ML + "MLModel") in triples
    assert (entity_iri("the-pile"), RDF + "type", SCHEMA + "Dataset") in triples
    assert (entity_iri("meta"), RDF + "type", SCHEMA + "Organization") in triples


def test_literals_are_typed():
    quads = {(q.subject.value, q.predicate.value): q.object for q in _quads()}
    count = quads[(entity_iri("pythia-12b"), SLM + "parameterCount")]
    assert count.value == "12000000000"
    assert count.datatype == NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    released = quads[(entity_iri("pythia"), SLM + "releaseDate")]
    assert released.datatype == NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")


def test_hugging_face_links_point_at_models_and_datasets():
    triples = _triples()
    see_also = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
    assert (
        entity_iri("dolly-v2-12b"),
        see_also,
        "https://huggingface.co/databricks/dolly-v2-12b",
    ) in triples
    assert (
        entity_iri("databricks-dolly-15k"),
        see_also,
        "https://huggingface.co/datasets/databricks/databricks-dolly-15k",
    ) in triples


def _triples_of(entries: list[dict], source: str) -> set[tuple]:
    quads = rdf.to_quads(catalogue_of(entries, source))
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


def test_prompts_taken_and_responses_written_have_edges_of_their_own():
    """Prompts taken are no `datasetDerivedFrom` (the text is not the source's), and responses
    written no `generatedBy` (a generation whose text all goes on): each edge says which."""
    source = "https://example.org/card"
    entries = [
        {"type": "model", "id": "writer", "name": "Writer"},
        {
            "type": "dataset",
            "id": "rated",
            "name": "Rated",
            "generated_by": [{"model": "writer", "wrote": "responses", "source": source}],
        },
        {
            "type": "dataset",
            "id": "mix",
            "name": "Mix",
            "derived_from": [{"dataset": "rated", "reuses": "prompts", "source": source}],
        },
    ]
    triples = _triples_of(entries, source)
    mix, rated, writer = map(entity_iri, ("mix", "rated", "writer"))
    assert (mix, SLM + "promptsFrom", rated) in triples
    assert (mix, PROV + "wasDerivedFrom", rated) in triples
    assert (mix, SLM + "datasetDerivedFrom", rated) not in triples
    assert (f"{mix}/derived-from/rated", SLM + "relation", SLM + "promptsFrom") in triples
    assert (rated, SLM + "responsesGeneratedBy", writer) in triples
    assert (rated, SLM + "generatedBy", writer) not in triples
    node = f"{rated}/generated-by/writer"
    assert (node, SLM + "relation", SLM + "responsesGeneratedBy") in triples
    ontology = rdflib.Graph().parse(paths.ontology_dir() / "slm.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    assert {SLM + "promptsFrom", SLM + "responsesGeneratedBy"} <= declared


def test_a_training_edge_on_prompts_alone_has_a_relation_of_its_own():
    """Training on the prompts alone is no `trainedOn` (the text is not the model's): its own
    relation on the qualified node and as a direct triple, beside any edge to the same dataset
    that took its text; FAIR4ML's `trainedOn` either way."""
    source = "https://example.org/card"
    edges = [{"stage": "rl", "reuses": "prompts"}, {"stage": "sft"}]
    entries = [
        {"type": "dataset", "id": "asked", "name": "Asked"},
        {"type": "model", "id": "tuned", "name": "Tuned"}
        | {"trained_on": [{"dataset": "asked", "source": source} | edge for edge in edges]},
        {"type": "model", "id": "asker", "name": "Asker"}
        | {"trained_on": [{"dataset": "asked", "source": source} | edges[0]]},
    ]
    triples = _triples_of(entries, source)
    tuned, asker, asked = map(entity_iri, ("tuned", "asker", "asked"))
    for model in (tuned, asker):
        assert (model, SLM + "trainedOnPromptsOf", asked) in triples
        assert (model, FAIR4ML + "trainedOn", asked) in triples
    assert (tuned, SLM + "trainedOn", asked) in triples
    assert (asker, SLM + "trainedOn", asked) not in triples
    relations = {
        (node, relation)
        for node, predicate, relation in triples
        if predicate == SLM + "relation" and node.startswith(f"{tuned}/trained-on/")
    }
    assert relations == {
        (f"{tuned}/trained-on/rl/asked", SLM + "trainedOnPromptsOf"),
        (f"{tuned}/trained-on/sft/asked", SLM + "trainedOn"),
    }
    ontology = rdflib.Graph().parse(paths.ontology_dir() / "slm.ttl")
    assert (rdflib.URIRef(SLM + "trainedOnPromptsOf"), None, None) in ontology
