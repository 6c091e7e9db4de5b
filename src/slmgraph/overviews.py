"""Reports over one licence, the whole catalogue or any query, rather than along lineage: the
licence audit, the Hub's disagreements with the curated entries, the seed documents'
corrections, counts, and any query by name or file."""

from pathlib import Path

from pyoxigraph import Triple

from slmgraph import names, queries
from slmgraph.graph import Graph
from slmgraph.queries import Rows
from slmgraph.reports import renamed, sorted_list


def licence_audit(graph: Graph, model: str | None = None, summary: bool = False) -> Rows:
    """Every finding of the licence audit (see ``audit``) for ``model``, a family's members, or
    every model; ``summary`` counts them by rule, certainty and route instead."""
    from slmgraph import audit

    scope = None
    if model is not None:
        scope = [model] + [row["model"] for row in graph.select("family", family=model)]
    if summary:  # counted as found, without citations: a million models' never held at once
        return audit.summary(audit.findings(graph, scope, sources=False))
    return audit.licence_audit(graph, scope)


DISAGREEMENTS = {
    "id": "entity",
    "name": "name",
    "relation": "relation",
    "claimed": "claimed",
    "claimed_name": "claimedName",
    "curated_parents": "curatedParents",
    "source": "source",
    "retrieved": "retrieved",
}


def disagreements(graph: Graph) -> Rows:
    """Base models the Hub claims for curated entries that the entries do not state."""
    rows = graph.select("disagreements")
    for row in rows:
        row["curatedParents"] = sorted_list(row.get("curatedParents"))
    return renamed(DISAGREEMENTS, rows)


CORRECTIONS = {
    "id": "entity",
    "name": "name",
    "seed": "seed",
    "field": "field",
    "says": "says",
    "truth": "truth",
    "source": "source",
}


def corrections(graph: Graph) -> Rows:
    return renamed(CORRECTIONS, graph.select("corrections"))


def stats(graph: Graph) -> dict:
    return graph.select("stats")[0]


def run_query(graph: Graph, query: str | queries.Query, values: dict[str, str]) -> Rows:
    """Any query: its SPARQL text, a ``.rq`` file or a canned one by name; entity parameters
    resolve by name.

    SELECT gives its rows, ASK one row ``result``, CONSTRUCT and DESCRIBE one row per triple.
    """
    if isinstance(query, queries.Query):  # already read, from standard input
        chosen = query
    elif queries.looks_typed(query):
        chosen = queries.typed_query(query)
    elif query.endswith(".rq"):
        chosen = queries.read_query(Path(query))
    else:
        canned = queries.discover(graph.query_dir)
        if query not in canned:
            raise names.UnknownName(
                query, names.close_matches(query, list(canned)), what="query", known=list(canned)
            )
        chosen = canned[query]
    kinds = {param.name: param.type for param in chosen.params}
    values = {k: graph.resolve(v) if kinds.get(k) == "entity" else v for k, v in values.items()}
    result = graph.run(chosen, values)
    if isinstance(result, bool):
        return Rows(["result"], [{"result": result}])
    if not isinstance(result, list) or (result and isinstance(result[0], Triple)):
        return Rows(
            ["subject", "predicate", "object"],
            (
                {
                    "subject": t.subject.value,
                    "predicate": t.predicate.value,
                    "object": t.object.value,
                }
                for t in result
            ),
        )
    return result
