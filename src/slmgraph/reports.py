"""Canned lineage reports: run a query file, turn IRIs into ids, order rows as a reader expects.

Every report returns a list of dicts with at least ``id`` and ``name``; lineage reports add
``relation``, ``parent`` and ``depth``. This shape is a public interface: only add keys.
"""

from collections import defaultdict
from pathlib import Path

from pyoxigraph import Store, Triple

from slmgraph import names, queries
from slmgraph.paths import queries_dir
from slmgraph.vocab import CLASSES, LINEAGE, STAGES, compact, entity_id, entity_iri, slm

WORDS = {slm(local): word for word, local in LINEAGE.items()}
WORDS |= {slm(local): word for word, local in STAGES.items()}
WORDS |= {slm(local): kind for kind, local in CLASSES.items()}
WORDS[slm("memberOf")] = "member-of"
TRAINABLE = ("model", "family")


class NotForThisReport(LookupError):
    """A name of the wrong kind for the report, or a parameter the query does not have."""


class Graph:
    """A built store and the canned queries that read it."""

    def __init__(self, store: Store, query_dir: Path | None = None):
        self.store = store
        self.query_dir = query_dir or queries_dir()
        self._queries: dict[str, queries.Query] = {}
        self._labels: list[dict] | None = None

    def select(self, name: str, **values: str | None) -> list[dict]:
        """Run a canned query by name; entity parameters are given as ids, IRIs come back as ids."""
        if name not in self._queries:  # read on first use: a report needs two or three files
            self._queries[name] = queries.read_query(self.query_dir / f"{name}.rq")
        return self.run(self._queries[name], values)

    def run(self, query: queries.Query, values: dict[str, str | None]):
        """Run a query with its header's parameters bound (None leaves one unbound)."""
        params = {param.name: param for param in query.params}
        bindings = {}
        for key, value in values.items():
            if key not in params:
                raise NotForThisReport(f"query '{query.name}' has no parameter '{key}'")
            if value is not None:
                param = params[key]
                bindings[key] = queries.term(
                    param, entity_iri(value) if param.type == "entity" else value
                )
        result = queries.run(self.store, query, bindings)
        return [_readable(row) for row in result] if isinstance(result, list) else result

    def resolve(self, name: str, *kinds: str) -> str:
        """The id a user's name means (id, name or alias, any case), of one of ``kinds``."""
        matches = self.select("resolve", key=names.normalise(name))
        if matches:
            entity, kind = matches[0]["id"], matches[0]["class"]
        else:  # only now read every label: to match odd spellings, or to suggest the closest
            entity = names.resolve(name, [(row["id"], row["label"]) for row in self.labels()])
            kind = next(row["class"] for row in self.labels() if row["id"] == entity)
        if kinds and kind not in kinds:
            raise NotForThisReport(
                f"'{name}' is a {kind}; this report takes a {' or '.join(kinds)}"
            )
        return entity

    def labels(self) -> list[dict]:
        """Every (entity, id, label, class), read once."""
        if self._labels is None:
            self._labels = self.select("labels")
        return self._labels


def _readable(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, str) and value in WORDS:
            value = WORDS[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            value = entity_id(value) or compact(value)
        out[key] = value
    return out


def _edge(row: dict, depth: int) -> dict:
    return {
        "id": row["child"],
        "name": row["childName"],
        "relation": row["relation"],
        "parent": row["parent"],
        "parent_name": row["parentName"],
        "depth": depth,
        "method": row.get("methods") or None,
        "source": row.get("source"),
    }


def _tree(rows: list[dict], start: str, downward: bool) -> list[dict]:
    """Rows in depth-first tree order from ``start``; each edge once, depth in hops from start."""
    near, far = ("parent", "child") if downward else ("child", "parent")
    children = defaultdict(list)
    for row in rows:
        children[row[near]].append(row)
    out: list[dict] = []
    expanded: set[str] = set()

    def walk(node: str, depth: int) -> None:
        expanded.add(node)
        for row in sorted(children[node], key=lambda r: (r[far], r["relation"])):
            out.append(_edge(row, depth + 1))
            if row[far] not in expanded:
                walk(row[far], depth + 1)

    walk(start, 0)
    return out


def descendants(graph: Graph, root: str) -> list[dict]:
    """Everything deriving from ``root`` (a family covers its members), in tree order."""
    rows = graph.select("descendants", root=root)
    inside = {root} | {row["child"] for row in rows}
    return _tree([row for row in rows if row["parent"] in inside], root, downward=True)


def ancestors(graph: Graph, start: str) -> list[dict]:
    """Every edge on the chains from ``start`` back to its roots, in tree order."""
    return _tree(graph.select("ancestors", start=start), start, downward=False)


def datasets(graph: Graph, model: str, transitive: bool = False) -> list[dict]:
    """Training data of ``model`` and its family; with ``transitive``, of every ancestor too.

    Each dataset and stage appears once, through the nearest model that was trained on it;
    ``depth`` counts the hops from ``model`` to that one (its family is at depth 1).
    """
    lineage = ancestors(graph, model)
    depth = {model: 0}
    for row in lineage:
        depth.setdefault(row["parent"], row["depth"])
    own = {model} | {
        r["parent"] for r in lineage if r["id"] == model and r["relation"] == "member-of"
    }
    rows = graph.select("datasets", model=model)
    if not transitive:
        rows = [row for row in rows if row["via"] in own]
    nearest: dict[tuple[str, str], dict] = {}
    for row in sorted(
        rows, key=lambda r: (depth.get(r["via"], 99), r["via"], r["stage"], r["dataset"])
    ):
        nearest.setdefault((row["dataset"], row["stage"]), row)
    return [
        {
            "id": row["dataset"],
            "name": row["datasetName"],
            "stage": row["stage"],
            "via": row["via"],
            "via_name": row["viaName"],
            "depth": depth.get(row["via"]),
            "generated_by": row.get("generatedBy") or None,
            "derived_from": row.get("derivedFrom") or None,
            "source": row["source"],
        }
        for row in nearest.values()
    ]


def organisation(graph: Graph, org: str) -> list[dict]:
    """What ``org`` released, then the models of other organisations that build on it."""
    released = [
        {
            "id": row["entity"],
            "name": row["name"],
            "section": "released",
            "kind": row["class"],
            "released": row.get("released"),
            "parameters": row.get("parameters"),
        }
        for row in graph.select("org-releases", org=org)
    ]
    nearest: dict[tuple[str, str], dict] = {}
    for row in graph.select("org-builders", org=org):
        nearest.setdefault((row["model"], row["builder"]), row)
    builders = [
        {
            "id": row["model"],
            "name": row["name"],
            "section": "builds-on",
            "organisation": row["builder"],
            "organisation_name": row["builderName"],
            "base": row["base"],
            "base_name": row["baseName"],
        }
        for row in nearest.values()
    ]
    return released + builders


def family(graph: Graph, family_id: str) -> list[dict]:
    return [
        {
            "id": row["model"],
            "name": row["name"],
            "parameters": row.get("parameters"),
            "released": row.get("released"),
            "licence": row.get("licence"),
        }
        for row in graph.select("family", family=family_id)
    ]


def timeline(graph: Graph, org: str | None = None, since: str | None = None) -> list[dict]:
    return [
        {
            "id": row["entity"],
            "name": row["name"],
            "kind": row["class"],
            "released": row["released"],
            "organisations": row.get("organisations") or None,
        }
        for row in graph.select("timeline", org=org, since=since)
    ]


def show(graph: Graph, entity: str) -> list[dict]:
    """Every fact about one entity, each with its source where the fact is an edge."""
    rows = graph.select("facts", entity=entity)
    name = next((r["value"] for r in rows if r["property"] == "rdfs:label"), entity)
    return [
        {
            "id": entity,
            "name": name,
            "direction": row["direction"],
            "property": row["property"],
            "value": row["value"],
            "value_name": row.get("valueName"),
            "method": row.get("methods") or None,
            "source": row.get("source"),
        }
        for row in rows
    ]


def synthetic(graph: Graph, generator: str) -> list[dict]:
    """Models trained, themselves or through an ancestor, on text generated by ``generator``
    (a model, a family, or any model of an organisation)."""
    return [
        {
            "id": row["model"],
            "name": row["name"],
            "dataset": row["dataset"],
            "dataset_name": row["datasetName"],
            "generated_by": row["generatorModel"],
            "via": row["via"],
        }
        for row in graph.select("synthetic-lineage", generator=generator)
    ]


def licence_audit(graph: Graph, model: str | None = None) -> list[dict]:
    """Models whose lineage or data passes through something that forbids commercial use."""
    return [
        {
            "id": row["model"],
            "name": row["name"],
            "licence": row.get("licence"),
            "path": row["path"],
            "restricted": row["restricted"],
            "restricted_name": row["restrictedName"],
            "restricted_licence": row["restrictedLicence"],
        }
        for row in graph.select("licence-audit")
        if model is None or row["model"] == model
    ]


def corrections(graph: Graph) -> list[dict]:
    return [
        {
            "id": row["entity"],
            "name": row["name"],
            "seed": row["seed"],
            "field": row["field"],
            "says": row["says"],
            "truth": row["truth"],
            "source": row["source"],
        }
        for row in graph.select("corrections")
    ]


def stats(graph: Graph) -> dict:
    return graph.select("stats")[0]


def run_query(graph: Graph, query: str, values: dict[str, str]) -> list[dict]:
    """Any query: a canned one by name or a ``.rq`` file; entity parameters resolve by name."""
    if query.endswith(".rq"):
        chosen = queries.read_query(Path(query))
    else:
        canned = queries.discover(graph.query_dir)
        if query not in canned:
            raise names.UnknownName(query, names.close_matches(query, list(canned)))
        chosen = canned[query]
    kinds = {param.name: param.type for param in chosen.params}
    values = {k: graph.resolve(v) if kinds.get(k) == "entity" else v for k, v in values.items()}
    result = graph.run(chosen, values)
    if isinstance(result, bool):
        return [{"result": result}]
    if result and isinstance(result[0], Triple):
        return [
            {"subject": t.subject.value, "predicate": t.predicate.value, "object": t.object.value}
            for t in result
        ]
    return result
