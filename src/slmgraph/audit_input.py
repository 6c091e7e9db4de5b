"""What the licence audit reads: the licences and their terms, and the edges a licence travels
along with the entities at their ends, from the store's curated graph and from the Hub's
import (the lineage index holds a million Hub models' edges where the store takes minutes)."""

from dataclasses import dataclass, field, replace

from slmgraph.audit_rules import DATA_WORDS
from slmgraph.graph import Graph
from slmgraph.vocab import slm

_LICENCE, _TRAINED_ON = slm("licence"), slm("trainedOn")  # the Hub facts the audit reads
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Hop:
    child: str
    relation: str
    parent: str
    source: str | None

    def json(self) -> dict:
        return {
            "from": self.child,
            "relation": self.relation,
            "to": self.parent,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Term:
    fact: str
    clause: str
    url: str
    value: str | None
    outputs: bool


@dataclass
class Licence:
    spdx: str
    name: str
    terms_of_service: bool
    text: str | None
    terms: list[Term] = field(default_factory=list)

    def facts(self) -> set[str]:
        return {term.fact for term in self.terms}


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    licence: str | None
    open_weights: bool | None
    family: str | None
    organisations: frozenset[str]
    aliases: tuple[str, ...] = ()
    repo: str | None = None  # a Hub model's is its name, and is not kept twice

    @property
    def names(self) -> tuple[str, ...]:
        """The names a model is distributed under: its name, aliases and Hub repo name."""
        repo = self.repo or (self.name if "/" in self.id else None)
        return (self.name, *self.aliases, *([repo.rsplit("/", 1)[-1]] if repo else []))


def read_licences(graph: Graph) -> tuple[dict[str, Licence], dict[str, str]]:
    """Every licence by its SPDX id, with its terms in the order its entry lists them; and the
    SPDX id of each licence entity."""
    licences: dict[str, Licence] = {}
    spdx: dict[str, str] = {}
    for row in sorted(graph.select("licence-terms"), key=_term_number):
        spdx[row["licence"]] = row["spdx"]
        licence = licences.setdefault(
            row["spdx"],
            Licence(row["spdx"], row["name"], row["termsOfService"], row.get("text")),
        )
        if row.get("fact"):
            licence.terms.append(
                Term(
                    row.get("fact"),
                    row.get("clause"),
                    row.get("clauseText"),
                    row.get("value"),
                    bool(row.get("outputs")),
                )
            )
    return licences, spdx


def read_edges_and_entities(
    graph: Graph, models: list[str] | None, spdx: dict[str, str], sources: bool = True
) -> tuple[dict[str, list[Hop]], dict[str, Entity], set[str]]:
    """The edges a licence travels along, as the hops up from each child (one for each
    relation and parent, with its least citation, in the order of relation and parent); every
    entity by its id; and which of them are models: all of them, or those above ``models``.
    The Hub's come from the lineage index where there is one: read from the store, a million
    Hub models took four minutes and 2.7 GB. Without ``sources`` the hops carry no citation
    (a million Hub claims' are 200 MB, and counting findings never shows one)."""
    hub = graph.lineage if models is None and graph.default_graph is not None else None
    if models is not None:
        edges = [r for m in models for r in graph.select("audit-edges-above", model=m)]
        rows = [r for m in models for r in graph.select("audit-entities-above", model=m)]
    else:
        query_graph = graph.curated() if hub is not None else graph
        edges, rows = query_graph.select("audit-edges"), query_graph.select("audit-entities")
    up: dict[str, list[Hop]] = {}
    for row in edges:
        source = row.get("source") if sources else None
        _cite(up, row["child"], row["relation"], row["parent"], source)
    entities: dict[str, Entity] = {}
    found: set[str] = set()
    for row in rows:
        entities[row["entity"]] = _entity(row)
        if row["class"] == "model":
            found.add(row["entity"])
    if hub is not None:
        _read_hub(hub, spdx, sources, up, entities, found)
    for child, hops in up.items():  # in order, each relation in words (a dataset's too)
        hops.sort(key=_relation_and_parent)
        up[child] = [
            Hop(child, DATA_WORDS.get(h.relation, h.relation), h.parent, h.source) for h in hops
        ]
    return up, entities, found


def _read_hub(hub, spdx: dict[str, str], sources: bool, up: dict, entities: dict, found: set):
    """The Hub's models and datasets (named by their repo ids), their licences, and the edges
    and training claims up from them. SQLite gives each row its own copy of a string: an id is
    kept once, as its entity's, for the million models' edges that name it."""
    for name in hub.hub_names():
        repo = name.entity if name.repo == name.entity else name.repo
        entities[name.entity] = Entity(name.entity, repo, None, None, None, _NONE)
        if name.kind == "model":
            found.add(name.entity)

    def same(text: str) -> str:
        entity = entities.get(text)
        return text if entity is None else entity.id

    words = {}.setdefault  # the few relations, once each
    for fact in hub.hub_facts():
        if fact.property == _LICENCE and (model := entities.get(fact.value)) is not None:
            entities[model.id] = replace(model, licence=spdx.get(fact.entity))
        elif fact.property == _TRAINED_ON:
            source = fact.source if sources else None
            _cite(up, same(fact.value), "slm:trainedOn", same(fact.entity), source)
    for edge in hub.hub_edges():
        source = edge.source if sources else None
        relation = words(edge.relation, edge.relation)
        _cite(up, same(edge.child), relation, same(edge.parent), source)


def _cite(up: dict[str, list[Hop]], child: str, relation: str, parent: str, source) -> None:
    """Add the hop, or keep the least of its citations if it is there, as the query's MIN
    does (a child has a few hops up: looking through them costs less than a dict of pairs)."""
    hops = up.setdefault(child, [])
    for place, hop in enumerate(hops):
        if hop.relation == relation and hop.parent == parent:
            if source is not None and (hop.source is None or source < hop.source):
                hops[place] = Hop(child, relation, parent, source)
            return
    hops.append(Hop(child, relation, parent, source))


def _relation_and_parent(hop: Hop) -> tuple[str, str]:
    return hop.relation, hop.parent


def _entity(row: dict) -> Entity:
    return Entity(
        row["entity"],
        row["name"],
        row.get("licence"),
        row.get("openWeights"),
        row.get("family"),
        frozenset((row.get("organisations") or "").split()),
        tuple(row["aliases"].split("\n")) if row.get("aliases") else (),
        row.get("repo"),
    )


def _term_number(row: dict) -> tuple[str, int]:
    """Terms in the order their entry lists them (term IRIs end in their number)."""
    return row["spdx"], int(row.get("term").rsplit("/", 1)[-1]) if row.get("term") else 0
