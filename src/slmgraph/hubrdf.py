"""Hub claims as N-Triples for their own named graph, written line by line (a million models
never sit in memory as RDF terms); the store loads them into the Hub graph.

A model a curated entry covers (its ``huggingFaceRepo``) is that entry: Hub models deriving from
``EleutherAI/pythia-1b`` hang under the curated Pythia-1B. The curated entry's own lineage wins:
what the Hub claims for it is kept as ``slm:hubClaim`` nodes for the disagreements report, never
as lineage. Every claim is a qualified node with its provenance: the card or tags it comes from,
the file it was imported from, the day it was fetched, and whether the relation was declared on
the card or inferred by the Hub.
"""

import re
from collections.abc import Iterable
from typing import TextIO

from slmgraph.graph import WORDS
from slmgraph.hub import UNSTATED, HubModel
from slmgraph.names import normalise
from slmgraph.vocab import DCTERMS, HUB, RDF, RDFS, XSD, entity_id, entity_iri, hub_key, slm

# Relation word -> the property claimed (the Hub's "finetune" is "trained-from": no more precise).
PROPERTIES = {
    "trained-from": "trainedFrom",
    "adapter": "adapterOf",
    "quantized": "quantizedFrom",
    "merged": "mergedFrom",
    UNSTATED: "basedOn",
}
CLASSES = {
    "model": (slm("HubModel"), slm("Model")),
    "dataset": (slm("HubDataset"), slm("Dataset")),
}
# The Hub's licence ids that name a licence of the catalogue under another spelling.
HUB_LICENCES = {
    "llama2": "LicenseRef-Llama-2",
    "llama3": "LicenseRef-Llama-3",
    "llama3.1": "LicenseRef-Llama-3.1",
    "llama3.2": "LicenseRef-Llama-3.2",
    "gemma": "LicenseRef-Gemma",
    "bigscience-bloom-rail-1.0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigscience-openrail-m": "LicenseRef-BigScience-OpenRAIL-M",
    "bigcode-openrail-m": "LicenseRef-BigCode-OpenRAIL-M",
    "deepseek": "LicenseRef-DeepSeek",
    "glm-4": "LicenseRef-GLM-4",
    "inf": "LicenseRef-INF",
    "skywork": "LicenseRef-Skywork",
    "tongyi-qianwen": "LicenseRef-Qwen",
    "qwen": "LicenseRef-Qwen-2.5",
    "qwen-research": "LicenseRef-Qwen-2.5-Research",
}


_ESCAPED = re.compile(r'[\\"\n\r]')


def _literal(text: str, datatype: str | None = None) -> str:
    if _ESCAPED.search(text):  # most names have nothing to escape
        text = (
            text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
    return f'"{text}"' + (f"^^<{XSD}{datatype}>" if datatype else "")


# Predicates and classes as written, made once (a million models write 22 million lines).
TYPE, LABEL, SEE_ALSO = RDF + "type", RDFS + "label", RDFS + "seeAlso"
IDENTIFIER, SOURCE = DCTERMS + "identifier", DCTERMS + "source"
REPO, KEY = slm("huggingFaceRepo"), slm("lookupKey")
QUALIFIED, OVERRULED = slm("qualifiedRelation"), slm("hubClaim")
RELATION, TARGET, DERIVED = slm("relation"), slm("target"), slm("derivedFrom")
PROVENANCE, DECLARED, IMPORTED, RETRIEVED = (
    slm(local) for local in ("provenance", "declaredIn", "importedFrom", "retrieved")
)
TRAINED_ON, LICENCE, HUB_CLAIM = slm("trainedOn"), slm("licence"), f"<{slm('HubClaim')}>"
KINDS = {TRAINED_ON: f"<{slm('Training')}>"}
DERIVATION = f"<{slm('Derivation')}>"


class Writer:
    """Writes the claims of Hub models as N-Triples, to be loaded into the Hub graph: a fifth
    fewer bytes than N-Quads naming the graph on every line, and a tenth less loading time."""

    def __init__(
        self,
        out: TextIO,
        edges: TextIO,
        names: TextIO,
        facts: TextIO,
        links: dict[str, str],
        licences: dict[str, str],
        origin: str,
        fetched: str,
    ):
        self.out = out
        # for the lineage index, one per line: the lineage edges again, each entity's name, and
        # the models' other facts about entities (``lineage.HubFact``)
        self.edges = edges
        self.names = names
        self.facts = facts
        self.links = links  # Hub repo id -> IRI of the curated entry that covers it
        self.licences = licences  # SPDX id, lowercase -> IRI of the licence entry
        self.origin = origin  # the bulk file's name, or the Hub endpoint
        self.fetched = fetched  # YYYY-MM-DD
        self.named: set[str] = set()  # parents named by a claim
        self.datasets: set[str] = set()  # Hub datasets written
        self.triples = 0
        self.lines: list[str] = []  # written in blocks
        self.constants = {  # the same on every claim
            "hub": _literal("hub"),
            "origin": _literal(origin),
            "fetched": _literal(fetched, "date"),
        }

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {obj} .\n")

    def models(self, models: Iterable[HubModel], imported: set[str]) -> None:
        for model in models:
            self.model(model)
            if len(self.lines) > 50_000:
                self._flush()
        for model in sorted(self.named - imported):  # parents named but not imported
            if model not in self.links:
                self._entity(entity_iri(model), model, "model")
        self._flush()

    def _flush(self) -> None:
        self.out.write("".join(self.lines))
        self.triples += len(self.lines)
        self.lines.clear()

    def model(self, model: HubModel) -> None:
        curated = self.links.get(model.repo)
        iri = curated or entity_iri(model.repo)
        if curated is None:
            self._entity(iri, model.repo, "model")
            self.add(iri, SEE_ALSO, f"<https://huggingface.co/{model.repo}>")
            if model.author:
                self.add(iri, slm("sharedBy"), _literal(model.author))
            if model.created:
                self.add(iri, slm("hubCreated"), _literal(model.created[:10], "date"))
            licence = self._licence(model.licence)
            if licence:
                self.add(iri, LICENCE, f"<{licence}>")
                self._fact(licence, LICENCE, model, "", "")
            elif model.licence:
                self.add(iri, slm("hubLicence"), _literal(model.licence))
            for paper in model.papers:
                self.add(iri, slm("paper"), f"<https://arxiv.org/abs/{paper}>")
        for parent in model.parents:
            self.named.add(parent.repo)
            target = self.links.get(parent.repo) or entity_iri(parent.repo)
            prop = slm(PROPERTIES[parent.relation])
            node = self._claim(
                iri,
                f"{parent.relation}/{parent.repo}",
                prop,
                target,
                model,
                parent.declared_in,
                curated is not None,
            )
            if parent.relation_from:
                self.add(node, slm("relationFrom"), _literal(parent.relation_from))
            if curated is None:
                self.add(iri, prop, f"<{target}>")
                self.add(iri, DERIVED, f"<{target}>")
                self._edge(model, WORDS[prop], target, parent.declared_in)
        for dataset in model.datasets:
            key = hub_key(dataset, dataset=True)
            target = self.links.get(key)
            if target is None:
                target = HUB + key
                if dataset not in self.datasets:
                    self.datasets.add(dataset)
                    self._entity(target, dataset, "dataset")
            declared_in = "card" if dataset in model.on_card else "hub"
            self._claim(
                iri,
                f"trained-on/{dataset}",
                slm("trainedOn"),
                target,
                model,
                declared_in,
                curated is not None,
            )
            if curated is None:
                self.add(iri, TRAINED_ON, f"<{target}>")
                source = self._source(model, declared_in)
                self._fact(target, TRAINED_ON, model, source, self.fetched)

    def _edge(self, model: HubModel, relation: str, target: str, declared_in: str) -> None:
        source = self._source(model, declared_in)
        fields = (model.repo, relation, entity_id(target), source, "", self.fetched)
        self.edges.write("\t".join(fields) + "\n")

    def _fact(self, target: str, prop: str, model: HubModel, source: str, day: str) -> None:
        fields = (entity_id(target), prop, model.repo, source, day)
        self.facts.write("\t".join(fields) + "\n")

    def _entity(self, iri: str, repo: str, kind: str) -> None:
        for cls in CLASSES[kind]:
            self.add(iri, TYPE, f"<{cls}>")
        self.names.write(f"{entity_id(iri)}\t{kind}\t{repo}\n")
        label = _literal(repo)
        self.add(iri, LABEL, label)
        self.add(iri, IDENTIFIER, _literal(entity_id(iri)))  # a dataset's: datasets/<repo>
        self.add(iri, REPO, label)
        self.add(iri, KEY, _literal(normalise(repo)))

    def _claim(self, iri, key, prop, target, model, declared_in, overruled) -> str:
        node = f"{entity_iri(model.repo)}/claim/{key}"
        self.add(iri, OVERRULED if overruled else QUALIFIED, f"<{node}>")
        self.add(node, TYPE, KINDS.get(prop, DERIVATION))
        self.add(node, TYPE, HUB_CLAIM)
        self.add(node, RELATION, f"<{prop}>")
        self.add(node, TARGET, f"<{target}>")
        self.add(node, SOURCE, f"<{self._source(model, declared_in)}>")
        self.add(node, PROVENANCE, self.constants["hub"])
        self.add(node, DECLARED, _literal(declared_in))
        self.add(node, IMPORTED, self.constants["origin"])
        self.add(node, RETRIEVED, self.constants["fetched"])
        return node

    def _source(self, model: HubModel, declared_in: str) -> str:
        if declared_in == "card" and model.sha:
            return f"https://huggingface.co/{model.repo}/blob/{model.sha}/README.md"
        if declared_in == "card":
            return f"https://huggingface.co/{model.repo}/blob/main/README.md"
        return f"https://huggingface.co/api/models/{model.repo}"

    def _licence(self, hub_id: str | None) -> str | None:
        if not hub_id:
            return None
        spdx = HUB_LICENCES.get(hub_id.lower(), hub_id)
        return self.licences.get(spdx.lower())
