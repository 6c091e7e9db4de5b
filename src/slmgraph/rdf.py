"""Catalogue to RDF: pure, deterministic, no blank nodes.

Every edge becomes a direct triple (which property paths walk), its alignment triples (PROV-O,
schema.org, FAIR4ML, for tools without a reasoner) and a qualified node with a deterministic IRI
carrying its citation, method and notes.
"""

from operator import itemgetter

from pyoxigraph import Literal, NamedNode, Quad

from slmgraph.bulk import collector_paused
from slmgraph.catalog import Catalog
from slmgraph.names import normalise
from slmgraph.schema import parse_size
from slmgraph.vocab import (
    CLASSES,
    DCTERMS,
    FAIR4ML,
    LICENCE_FACTS,
    LINEAGE,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEED,
    SKOS,
    SPDX,
    STAGES,
    WIKIDATA,
    XSD,
    entity_iri,
    slm,
)

TYPE = NamedNode(RDF + "type")
_DATE_TYPES = {4: "gYear", 7: "gYearMonth", 10: "date"}

# Extra classes each entry type also carries, so generic tools recognise it.
ALIGNED_CLASSES = {
    "model": [FAIR4ML + "MLModel"],
    "dataset": [SCHEMA + "Dataset"],
    "organisation": [SCHEMA + "Organization"],
    "publication": [SCHEMA + "ScholarlyArticle"],
    "licence": [DCTERMS + "LicenseDocument"],
}

# Plain fields: YAML field -> (predicates, literal datatype or None for plain strings).
LITERALS = {
    "name": ([RDFS + "label", SCHEMA + "name"], None),
    "aliases": ([SKOS + "altLabel", SCHEMA + "alternateName"], None),
    "description": ([SCHEMA + "description"], None),
    "context_length": ([slm("contextLength")], "integer"),
    "open_weights": ([slm("openWeights")], "boolean"),
    "size": ([slm("datasetSize")], None),
    "spdx": ([slm("spdxId")], None),
    "scancode": ([slm("scancodeKey")], None),
}
ARCHITECTURE = {
    "type": (slm("architectureType"), None),
    "layers": (slm("layers"), "integer"),
    "hidden_size": (slm("hiddenSize"), "integer"),
    "attention_heads": (slm("attentionHeads"), "integer"),
    "kv_heads": (slm("kvHeads"), "integer"),
    "vocab_size": (slm("vocabularySize"), "integer"),
    "positional_encoding": (slm("positionalEncoding"), None),
    "attention": (slm("attentionVariant"), None),
}
# References to other entries: YAML field -> predicates.
REFERENCES = {
    "organisation": [slm("developedBy"), SCHEMA + "creator"],
    "family": [slm("memberOf"), SCHEMA + "isPartOf"],
    "publications": [slm("describedIn"), SCHEMA + "citation"],
    "unit_of": [slm("unitOf"), SCHEMA + "parentOrganization"],
}
LINKS = {
    "paper": slm("paper"),
    "code": SCHEMA + "codeRepository",
    "homepage": SCHEMA + "url",
}


_DATATYPES: dict[str, NamedNode] = {}


def _literal(value: object, datatype: str | None) -> Literal:
    if datatype is None:
        return Literal(str(value))
    if datatype not in _DATATYPES:
        _DATATYPES[datatype] = NamedNode(XSD + datatype)
    if datatype == "boolean":
        return Literal("true" if value else "false", datatype=_DATATYPES[datatype])
    return Literal(str(value), datatype=_DATATYPES[datatype])


class _Graph:
    """Triples kept as IRI strings (objects: an IRI string or a Literal) until the end, so that
    each distinct IRI becomes one NamedNode, however many triples name it."""

    def __init__(self) -> None:
        self.triples: set[tuple[str, str, str | Literal]] = set()

    def add(self, subject: str, predicates: str | list[str], obj: str | Literal) -> None:
        if isinstance(predicates, str):
            self.triples.add((subject, predicates, obj))
        else:
            for predicate in predicates:
                self.triples.add((subject, predicate, obj))

    def quads(self) -> list[Quad]:
        """Sorted by their N-Triples text, as ``str`` of each quad writes it."""
        nodes: dict[str, NamedNode] = {}
        lines = []
        for subject, predicate, obj in self.triples:
            text = f"<{obj}>" if isinstance(obj, str) else str(obj)
            lines.append((f"<{subject}> <{predicate}> {text}", subject, predicate, obj))
        lines.sort(key=itemgetter(0))
        quads = []
        for _, subject, predicate, obj in lines:
            for iri in (subject, predicate, obj) if isinstance(obj, str) else (subject, predicate):
                if iri not in nodes:
                    nodes[iri] = NamedNode(iri)
            target = nodes[obj] if isinstance(obj, str) else obj
            # without a graph argument: the default graph, and several times faster to build
            quads.append(Quad(nodes[subject], nodes[predicate], target))
        return quads


def to_quads(catalog: Catalog) -> list[Quad]:
    """All triples of the catalogue, in the default graph, sorted."""
    with collector_paused():
        return _quads(catalog)


def _quads(catalog: Catalog) -> list[Quad]:
    graph = _Graph()
    spdx_ids = {entry.spdx: entry.id for entry in catalog.entries("licence")}
    for seed_map, _, _ in catalog.seed_maps.values():
        iri = SEED + seed_map.seed
        graph.add(iri, TYPE.value, slm("SeedDocument"))
        graph.add(iri, [RDFS + "label", SCHEMA + "name"], Literal(seed_map.title or seed_map.file))
        graph.add(iri, DCTERMS + "identifier", Literal(seed_map.seed))
        graph.add(iri, RDFS + "comment", Literal(f"seed document {seed_map.file}"))
    for entry in catalog.entries():
        _entry(graph, entry, spdx_ids)
    _units_of_units(graph, catalog)
    return graph.quads()


def _units_of_units(graph: _Graph, catalog: Catalog) -> None:
    """``slm:unitOf`` is transitive, and the store holds its closure, so that a query asks one
    hop (engines differ on `+` paths: Virtuoso 7 refuses one whose start it cannot see)."""
    for entry in catalog.entries("organisation"):  # checked: no cycle, no dangling id
        seen, todo = set(), list(entry.unit_of)
        while todo:
            org = todo.pop()
            if org not in seen:
                seen.add(org)
                todo.extend(catalog[org].unit_of)
        for org in seen:  # the direct ones again too: the graph keeps each triple once
            graph.add(entity_iri(entry.id), REFERENCES["unit_of"], entity_iri(org))


def _entry(graph: _Graph, entry, spdx_ids: dict[str, str]) -> None:
    iri = entity_iri(entry.id)
    for cls in [slm(CLASSES[entry.type]), *ALIGNED_CLASSES.get(entry.type, [])]:
        graph.add(iri, TYPE.value, cls)
    graph.add(iri, DCTERMS + "identifier", Literal(entry.id))
    links = entry.links
    repo = [*filter(None, [links.huggingface]), *links.huggingface_aliases] if links else []
    for label in (entry.id, entry.name, *entry.aliases, *repo):
        graph.add(iri, slm("lookupKey"), Literal(normalise(label)))
    for field, (predicates, datatype) in LITERALS.items():
        value = getattr(entry, field, None)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            graph.add(iri, predicates, _literal(item, datatype))
    for field, predicates in REFERENCES.items():
        value = getattr(entry, field, None)
        for target in [value] if isinstance(value, str) else value or []:
            graph.add(iri, predicates, entity_iri(target))
    for source in entry.sources:
        graph.add(iri, DCTERMS + "source", source)
    for seed in entry.seeds:
        graph.add(iri, slm("listedIn"), SEED + seed)
    if getattr(entry, "released", None):
        kind = _DATE_TYPES[len(entry.released)]
        graph.add(iri, slm("releaseDate"), _literal(entry.released, kind))
    if getattr(entry, "licence", None):
        graph.add(iri, [slm("licence"), SCHEMA + "license"], entity_iri(spdx_ids[entry.licence]))
        if not entry.licence.startswith("LicenseRef-"):
            graph.add(iri, DCTERMS + "license", SPDX + entry.licence)
    _sizes(graph, iri, entry)
    _links(graph, iri, entry.links, dataset=entry.type == "dataset")
    if getattr(entry, "architecture", None):
        for field, (predicate, datatype) in ARCHITECTURE.items():
            value = getattr(entry.architecture, field)
            if value is not None:
                graph.add(iri, predicate, _literal(value, datatype))
    _edges(graph, iri, entry)
    if entry.type == "licence":
        _terms(graph, iri, entry)
    for number, correction in enumerate(entry.corrections, start=1):
        node = f"{iri}/correction/{number}"
        graph.add(iri, slm("hasCorrection"), node)
        graph.add(node, TYPE.value, slm("Correction"))
        graph.add(node, slm("seed"), SEED + correction.seed)
        graph.add(node, slm("correctedField"), Literal(correction.field))
        graph.add(node, slm("seedSays"), Literal(correction.says))
        graph.add(node, slm("truth"), Literal(correction.truth))
        graph.add(node, DCTERMS + "source", correction.source)


# Facts that take commercial use away.
NOT_COMMERCIAL = {"non-commercial", "research-only"}


def _terms(graph: _Graph, iri: str, licence) -> None:
    """A licence's kind, text and terms, each term a node with its fact and clause."""
    if licence.kind == "terms":
        graph.add(iri, TYPE.value, slm("TermsOfService"))
    if licence.text:
        graph.add(iri, slm("licenceText"), licence.text)
    facts = {term.fact for term in licence.terms}
    if licence.kind == "licence" and licence.text:
        graph.add(iri, slm("commercialUse"), _literal(not facts & NOT_COMMERCIAL, "boolean"))
    for number, term in enumerate(licence.terms, start=1):
        node = f"{iri}/term/{number}"
        graph.add(iri, slm("term"), node)
        graph.add(node, TYPE.value, slm("LicenceTerm"))
        graph.add(node, slm("fact"), slm(LICENCE_FACTS[term.fact]))
        graph.add(node, slm("clause"), Literal(term.clause))
        graph.add(node, slm("clauseText"), term.url or licence.text or licence.sources[0])
        if term.value is not None:
            kind = "integer" if isinstance(term.value, int) else None
            graph.add(node, slm("termValue"), _literal(term.value, kind))
        if term.outputs:
            graph.add(node, slm("reachesOutputs"), _literal(True, "boolean"))


def _sizes(graph: _Graph, iri: str, entry) -> None:
    if getattr(entry, "parameters", None):
        graph.add(iri, slm("parameterLabel"), Literal(entry.parameters))
        count, experts = parse_size(entry.parameters)
        if count is not None:
            graph.add(iri, slm("parameterCount"), _literal(count, "integer"))
        if experts is not None:
            graph.add(iri, slm("experts"), _literal(experts, "integer"))
    if getattr(entry, "active_parameters", None):
        count, _ = parse_size(entry.active_parameters)
        if count is not None:
            graph.add(iri, slm("activeParameterCount"), _literal(count, "integer"))


def _links(graph: _Graph, iri: str, links, dataset: bool) -> None:
    if links is None:
        return
    for field, predicate in LINKS.items():
        if getattr(links, field):
            graph.add(iri, predicate, getattr(links, field))
    if links.huggingface:
        graph.add(iri, slm("huggingFaceRepo"), Literal(links.huggingface))
        hub = "https://huggingface.co/datasets/" if dataset else "https://huggingface.co/"
        graph.add(iri, RDFS + "seeAlso", hub + links.huggingface)
    for alias in links.huggingface_aliases:
        graph.add(iri, slm("huggingFaceRepoAlias"), Literal(alias))
    if links.wikidata:
        graph.add(iri, SCHEMA + "sameAs", WIKIDATA + links.wikidata)


def _edges(graph: _Graph, iri: str, entry) -> None:
    """Direct triple, alignment triples and qualified node for every edge of the entry."""
    aligned = [PROV + "wasDerivedFrom", SCHEMA + "isBasedOn"]
    for edge in getattr(entry, "derived_from", []):
        if entry.type == "dataset":  # prompts reused are not the dataset's text: apart
            relation = "promptsFrom" if edge.reuses == "prompts" else "datasetDerivedFrom"
            props, target = [slm(relation), *aligned], edge.dataset
            node = _qualified(
                graph, iri, "derived-from", edge, props[0], target, "DatasetDerivation"
            )
            if edge.parts == "whole":  # a direct triple too, for the queries to join on
                graph.add(node, slm("usesWhole"), _literal(True, "boolean"))
                graph.add(iri, slm("holdsEveryPartOf"), entity_iri(target))
        else:
            props, target = [slm(LINEAGE[edge.relation]), slm("derivedFrom"), *aligned], edge.parent
            if edge.relation == "fine-tuned":
                props.append(FAIR4ML + "fineTunedFrom")
            node = _qualified(graph, iri, edge.relation, edge, props[0], target, "Derivation")
            for method in edge.method:
                graph.add(node, slm("method"), Literal(method))
            for field in ("hardware", "cost"):
                if getattr(edge, field):
                    graph.add(node, slm(field), Literal(getattr(edge, field)))
        graph.add(iri, props, entity_iri(target))
        graph.add(iri, PROV + "qualifiedDerivation", node)
        graph.add(node, PROV + "entity", entity_iri(target))
    for edge in getattr(entry, "trained_on", []):
        # prompts alone in a relation of their own: the dataset's responses are not in the model
        relation = slm("trainedOnPromptsOf" if edge.reuses == "prompts" else "trainedOn")
        node = _qualified(
            graph, iri, f"trained-on/{edge.stage}", edge, relation, edge.dataset, "Training"
        )
        graph.add(node, slm("stage"), slm(STAGES[edge.stage]))
        if edge.parts == "whole":
            graph.add(node, slm("usesWhole"), _literal(True, "boolean"))
        elif edge.parts is not None:
            for part in edge.parts.used:
                graph.add(node, slm("usesPart"), entity_iri(part))
            for part in edge.parts.left_out:
                graph.add(node, slm("leavesOutPart"), entity_iri(part))
            for part in edge.parts.unknown:
                graph.add(node, slm("mayUsePart"), entity_iri(part))
        graph.add(iri, [relation, FAIR4ML + "trainedOn"], entity_iri(edge.dataset))
    for edge in getattr(entry, "reproduces", []):
        _qualified(graph, iri, "reproduces", edge, slm("reproduces"), edge.model, "Reproduction")
        graph.add(iri, slm("reproduces"), entity_iri(edge.model))
    for edge in getattr(entry, "generated_by", []):
        # responses alone in a relation of their own: not a generation whose text all goes on
        relation = slm("responsesGeneratedBy" if edge.wrote == "responses" else "generatedBy")
        _qualified(graph, iri, "generated-by", edge, relation, edge.model, "Generation")
        graph.add(iri, relation, entity_iri(edge.model))


def _qualified(graph: _Graph, iri: str, label: str, edge, prop: str, target: str, cls: str) -> str:
    node = f"{iri}/{label}/{target}"
    graph.add(iri, slm("qualifiedRelation"), node)
    graph.add(node, TYPE.value, slm(cls))
    graph.add(node, slm("relation"), prop)
    graph.add(node, slm("target"), entity_iri(target))
    graph.add(node, DCTERMS + "source", edge.source)
    if edge.note:
        graph.add(node, RDFS + "comment", Literal(edge.note))
    return node
