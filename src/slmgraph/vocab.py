"""Namespaces, the one prefix map, and the terms the builder emits.

Kept free of heavy imports: reports use it on their fast path.
"""

BASE = "https://w3id.org/slmgraph/"
SLM = BASE + "ontology#"
ID = BASE + "id/"
SEED = BASE + "seed/"
ONTOLOGY_GRAPH = BASE + "ontology"
HUB_GRAPH = BASE + "graph/hub"  # claims imported from the Hugging Face Hub
CURATED_GRAPH = BASE + "graph/curated"  # the store's default graph, once published elsewhere
HUB = BASE + "hub/"  # Hub models by repo id: hub/<org>/<name>

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
FAIR4ML = "https://w3id.org/fair4ml#"
SH = "http://www.w3.org/ns/shacl#"
WIKIDATA = "http://www.wikidata.org/entity/"
SPDX = "http://spdx.org/licenses/"

PREFIXES = {
    "slm": SLM,
    "id": ID,
    "seed": SEED,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "fair4ml": FAIR4ML,
    "wd": WIKIDATA,
    "spdx": SPDX,
}

# Entry type -> ontology class local name.
CLASSES = {
    "model": "Model",
    "family": "ModelFamily",
    "dataset": "Dataset",
    "organisation": "Organisation",
    "publication": "Publication",
    "licence": "Licence",
}

# Lineage relation (as written in YAML) -> sub-property of slm:derivedFrom.
LINEAGE = {
    "fine-tuned": "fineTunedFrom",
    "adapter": "adapterOf",
    "quantized": "quantizedFrom",
    "merged": "mergedFrom",
    "distilled": "distilledFrom",
    "pruned": "prunedFrom",
    "continued-pretraining": "continuedPretrainingFrom",
}

# Training stage (as written in YAML) -> individual of slm:TrainingStage.
STAGES = {
    "pretraining": "PreTraining",
    "continued-pretraining": "ContinuedPreTraining",
    "sft": "InstructionTuning",
    "preference": "PreferenceTuning",
    "rl": "ReinforcementLearning",
}

# Licence fact (as written in YAML) -> individual of slm:LicenceFact.
LICENCE_FACTS = {
    "non-commercial": "NonCommercial",
    "research-only": "ResearchOnly",
    "no-redistribution": "NoRedistribution",
    "share-alike": "ShareAlike",
    "use-restrictions": "UseRestrictions",
    "naming": "NamingDuty",
    "display": "DisplayDuty",
    "user-threshold": "UserThreshold",
    "outputs-ban": "OutputsBan",
    "outputs-derivatives": "OutputsAreDerivatives",
}


def slm(local: str) -> str:
    return SLM + local


def entity_iri(entity_id: str) -> str:
    """The IRI of an entry id, or of a Hub model's repo id (which has a slash)."""
    return HUB + entity_id if "/" in entity_id else ID + entity_id


HUB_DATASET = "datasets/"  # a Hub dataset's repo id is prefixed so, as in the Hub's own URLs


def hub_key(repo: str, dataset: bool = False) -> str:
    """A Hub repo by its id, as its IRI under ``HUB`` ends: a dataset's prefixed, since a model
    and a dataset may share an id.

    >>> hub_key("allenai/c4", dataset=True)
    'datasets/allenai/c4'
    """
    return HUB_DATASET + repo if dataset else repo


def entity_id(iri: str) -> str | None:
    """The entry id an entity IRI names (a Hub model's: its repo id), or None for any other IRI.

    >>> entity_id("https://w3id.org/slmgraph/id/pythia-12b")
    'pythia-12b'
    >>> entity_id("https://w3id.org/slmgraph/id/dolly-v2-12b/fine-tuned-from/pythia-12b") is None
    True
    >>> entity_id("https://w3id.org/slmgraph/hub/someone/pythia-1b-sft")
    'someone/pythia-1b-sft'
    """
    if iri.startswith(HUB):
        rest = iri[len(HUB) :]
        return (
            rest
            if rest.count("/") == 1 or rest.startswith(HUB_DATASET) and rest.count("/") == 2
            else None
        )
    if not iri.startswith(ID):
        return None
    rest = iri[len(ID) :]
    return rest if rest and "/" not in rest else None


def compact(iri: str) -> str:
    """Shorten an IRI with the prefix map (longest namespace wins).

    >>> compact("https://w3id.org/slmgraph/ontology#fineTunedFrom")
    'slm:fineTunedFrom'
    """
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"
