"""The show report: every fact about one entity, outgoing and incoming, each with where it
comes from; a family adds its members' lineage and training data."""

from collections.abc import Iterator

from slmgraph.graph import RELATIONS, Graph, iri_of, readable
from slmgraph.lineage import HubFact
from slmgraph.queries import Query, Rows
from slmgraph.reports import sorted_list
from slmgraph.vocab import STAGES, slm

SHOW_COLUMNS = [
    "id",
    "name",
    "direction",
    "property",
    "value",
    "value_name",
    "method",
    "stage",
    "source",
    "via",
    "provenance",
    "retrieved",
    "parts",  # the dataset's parts an edge going out names (used, left out, unknown, or whole)
    "note",  # the curator's note on an edge going out: last, the first to give way in a table
]


def _rows(graph: Graph, entity: str) -> list[dict]:
    """The rows of ``facts.rq``. With an index, the lineage edges into the entity and the Hub's
    other facts about it come from the index: a base model has tens of thousands of the one at
    Hub scale, a licence hundreds of thousands of the other, each a slow lookup in the store."""
    if graph.lineage is None:
        return graph.select("facts", entity=entity)
    incoming = graph.curated().select("facts-in-without-lineage", entity=entity)
    if not graph.curated_only:
        incoming += _hub_facts(graph.lineage.facts_into(entity))
    children = [
        {
            "entity": entity,
            "direction": "in",
            "property": edge.relation,
            "value": edge.child,
            "valueName": edge.name,
            "source": edge.source,
            "methods": edge.methods,
            "retrieved": edge.retrieved,
        }
        for edge in graph.lineage.children(entity, graph.curated_only)
    ]
    incoming += children
    incoming.sort(key=_in_query_order)
    return incoming + graph.select("facts-out", entity=entity)


def _hub_facts(facts: list[HubFact]) -> Iterator[dict]:
    """The Hub's facts about an entity as the rows of ``facts-in-without-lineage.rq``: about
    a Hub model, whose name is its repo id, and with a source and day only from a claim."""
    words = {prop: readable(prop) for prop in {fact.property for fact in facts}}
    for fact in facts:
        yield {
            "entity": fact.entity,
            "direction": "in",
            "property": words[fact.property],
            "value": fact.value,
            "valueName": fact.value,
            "source": fact.source or None,
            "retrieved": fact.retrieved or None,
        }


def _in_query_order(row: dict) -> tuple[str, str, str, str]:
    """``facts.rq``'s order of incoming rows: by property, value, source and stage, as IRIs."""
    prop, source, stage = row["property"], row.get("source"), row.get("stage")
    return (
        RELATIONS.get(prop) or iri_of(prop),
        iri_of(row["value"]),
        iri_of(source) if source else "",
        slm(STAGES[stage]) if stage else "",
    )


def _emptied(rows: list[dict]) -> Iterator[dict]:
    """The rows in order, each taken out of the list as it is read."""
    for i, row in enumerate(rows):
        rows[i] = None
        yield row


def _stated_by(entity: str, row: dict) -> str:
    """Where a fact comes from: a claim imported from the Hub, or any fact about a Hub model or
    dataset, is the Hub's; the rest is curated."""
    about = row["value"] if row["direction"] == "in" else entity
    return "hub" if row.get("retrieved") or "/" in about else "curated"


def show(graph: Graph, entity: str, facts: Query | None = None) -> Rows:
    """Every fact about one entity, each with its source where the fact is an edge. A family
    also shows its members' lineage and training data (``via`` names the members), except what
    it states itself. ``facts`` stands in for ``facts.rq`` (an entity's page shows fewer)."""
    rows = graph.run(facts, {"entity": entity}) if facts else _rows(graph, entity)
    name = next((r["value"] for r in rows if r["property"] == "rdfs:label"), entity)
    # each query row is let go once its report row is made: a licence many Hub models use
    # has hundreds of thousands, and the two lists at once would hold them twice
    out = [
        {
            "id": entity,
            "name": name,
            "direction": row["direction"],
            "property": row["property"],
            "value": row["value"],
            "value_name": row.get("valueName"),
            "method": sorted_list(row.get("methods")),
            "stage": row.get("stage"),
            "source": row.get("source"),
            "via": None,
            "provenance": _stated_by(entity, row),
            "retrieved": row.get("retrieved"),
            "parts": sorted_list(row.get("parts")),
            "note": row.get("note"),
        }
        for row in _emptied(rows)
    ]
    stated = {(row["property"], row["value"]) for row in out if row["direction"] == "out"}
    computed: dict[tuple[str, str], dict] = {}
    for row in graph.select("member-facts", family=entity):
        key = (row["property"], row["value"])
        if key in stated:
            continue
        fact = computed.setdefault(
            key,
            {
                "id": entity,
                "name": name,
                "direction": "members",
                "property": row["property"],
                "value": row["value"],
                "value_name": row["valueName"],
                "method": set(),
                "stage": set(),
                "source": set(),
                "via": set(),
                "provenance": "curated",  # a family and its members are curated entries
                "retrieved": None,
                "parts": None,  # each member's own page says its notes and parts
                "note": None,
            },
        )
        fact["method"].update((row.get("methods") or "").split(", "))
        fact["stage"].add(row.get("stage") or "")
        fact["source"].add(row["source"])
        fact["via"].add(row["member"])
    for fact in sorted(computed.values(), key=lambda f: (f["property"], f["value"])):
        for key in ("method", "stage", "source", "via"):
            fact[key] = ", ".join(sorted(fact[key] - {""})) or None
        out.append(fact)
    return Rows(SHOW_COLUMNS, out)
