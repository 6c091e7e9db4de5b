"""What the licence audit reads: the licences and their terms, and the edges a licence travels
along with the entities at their ends, from the store's curated graph and from the Hub's
import (the lineage index holds a million Hub models' edges where the store takes minutes)."""

from dataclasses import dataclass, field

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
    names: tuple[str, ...]


def _names(name: str, aliases: str | None, repo: str | None) -> tuple[str, ...]:
    """The names a model is distributed under: its name, aliases (one a line) and Hub repo
    name."""
    aliases_read = aliases.split("\n") if aliases else []
    repo_name = [repo.rsplit("/", 1)[-1]] if repo else []
    return (name, *aliases_read, *repo_name)


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
    graph: Graph, models: list[str] | None, spdx: dict[str, str]
) -> tuple[dict, list]:
    """The edges a licence travels along, (child, relation, parent) -> the least citation, and
    every entity with its class: all of them, or those above ``models``. The Hub's come from
    the lineage index where there is one: read from the store, a million Hub models took four
    minutes and 2.7 GB."""
    hub = graph.lineage if models is None and graph.default_graph is not None else None
    if models is not None:
        edges = [r for m in models for r in graph.select("audit-edges-above", model=m)]
        rows = [r for m in models for r in graph.select("audit-entities-above", model=m)]
    else:
        query_graph = graph.curated() if hub is not None else graph
        edges, rows = query_graph.select("audit-edges"), query_graph.select("audit-entities")
    cited: dict[tuple, str | None] = {}
    for row in edges:
        _cite(cited, (row["child"], row["relation"], row["parent"]), row.get("source"))
    entities = [(_entity(row), row["class"]) for row in rows]
    if hub is not None:
        # SQLite gives each row its own copy of a string: one of each, not five, for a million
        one = {}.setdefault
        licences = {}  # Hub model -> SPDX id of its licence
        for fact in hub.hub_facts():
            if fact.property == _LICENCE:
                licences[one(fact.value, fact.value)] = spdx.get(fact.entity)
            elif fact.property == _TRAINED_ON:
                edge = (one(fact.value, fact.value), "slm:trainedOn", one(fact.entity, fact.entity))
                _cite(cited, edge, fact.source)
        for edge in hub.hub_edges():
            child, parent = one(edge.child, edge.child), one(edge.parent, edge.parent)
            _cite(cited, (child, one(edge.relation, edge.relation), parent), edge.source)
        for name in hub.hub_names():  # as the query reads a Hub model: its repo id is its name
            entity, repo = one(name.entity, name.entity), one(name.repo, name.repo)
            names = _names(repo, None, repo)
            licence = licences.get(entity)
            entities.append((Entity(entity, repo, licence, None, None, _NONE, names), name.kind))
    return cited, entities


def _cite(cited: dict, edge: tuple, source: str | None) -> None:
    """Keep the least of an edge's citations, as the query's MIN does."""
    if edge not in cited or source is not None and (cited[edge] is None or source < cited[edge]):
        cited[edge] = source


def _entity(row: dict) -> Entity:
    return Entity(
        row["entity"],
        row["name"],
        row.get("licence"),
        row.get("openWeights"),
        row.get("family"),
        frozenset((row.get("organisations") or "").split()),
        _names(row["name"], row.get("aliases"), row.get("repo")),
    )


def _term_number(row: dict) -> tuple[str, int]:
    """Terms in the order their entry lists them (term IRIs end in their number)."""
    return row["spdx"], int(row.get("term").rsplit("/", 1)[-1]) if row.get("term") else 0
