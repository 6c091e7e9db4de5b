"""The graph the reports read: a built store, its canned queries, and name resolution.

Rows come back with IRIs turned into ids and terms into the words the reports print.
"""

from datetime import date
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Store

from slmgraph import names, queries
from slmgraph.lineage import Index
from slmgraph.paths import queries_dir
from slmgraph.queries import Rows
from slmgraph.vocab import (
    CLASSES,
    HUB_GRAPH,
    LICENCE_FACTS,
    LINEAGE,
    PREFIXES,
    STAGES,
    compact,
    entity_id,
    entity_iri,
    slm,
)

# The lineage relations by the words reports print, the Hub's and membership among them.
RELATIONS = {word: slm(local) for word, local in LINEAGE.items()}
RELATIONS |= {"trained-from": slm("trainedFrom"), "based-on": slm("basedOn")}
RELATIONS["member-of"] = slm("memberOf")
WORDS = {iri: word for word, iri in RELATIONS.items()}
WORDS |= {slm(local): word for word, local in STAGES.items()}
WORDS |= {slm(local): kind for kind, local in CLASSES.items()}
WORDS |= {slm(local): fact for fact, local in LICENCE_FACTS.items()}
TRAINABLE = ("model", "family")


class NotForThisReport(LookupError):
    """A name of the wrong kind for the report, or a parameter the query does not have."""


class BadValue(ValueError):
    """A report option whose value cannot be used (a date that is no date)."""


def first_day(text: str) -> str:
    """The first day of YYYY, YYYY-MM or YYYY-MM-DD, as YYYY-MM-DD.

    >>> first_day("2023-04")
    '2023-04-01'
    """
    parts = text.split("-")
    try:
        if not 1 <= len(parts) <= 3 or [len(p) for p in parts] != [4, 2, 2][: len(parts)]:
            raise ValueError
        day = date(*[int(p) for p in parts], *[1] * (3 - len(parts)))
    except ValueError:
        raise BadValue(f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD") from None
    return day.isoformat()


class Graph:
    """A built store (or a remote endpoint holding one) and the canned queries that read it."""

    def __init__(
        self,
        store: Store,  # or a slmgraph.remote.Endpoint
        query_dir: Path | None = None,
        curated_only: bool = False,
        lineage: Index | None = None,
    ):
        self.store = store
        self.query_dir = query_dir or queries_dir()
        self.curated_only = curated_only
        self.lineage = lineage  # the build's lineage index, where the reports may use it
        # the curated graph, with the imported Hub graph beside it unless asked for curated only
        hub = NamedNode(HUB_GRAPH)
        has_hub = f"ASK {{ GRAPH <{HUB_GRAPH}> {{ ?s ?p ?o }} }}"
        with_hub = not curated_only and queries.run(store, has_hub)
        self.default_graph = [DefaultGraph(), hub] if with_hub else None
        self._queries: dict[str, queries.Query] = {}
        self._index: names.Index | None = None
        self._labels: list[names.Label] | None = None
        self.readings: list[str] = []

    def curated(self) -> "Graph":
        """The same store and queries over the curated graph alone (this graph, if it is so)."""
        return self if self.curated_only else Graph(self.store, self.query_dir, curated_only=True)

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
        result = queries.run(self.store, query, bindings, self.default_graph)
        if isinstance(result, Rows):
            return Rows(result.columns, map(_readable, result))
        return result

    def resolve(self, name: str, *kinds: str) -> str:
        """The id a user's name means, of one of ``kinds`` (any kind when none are given): an
        id, name, alias or Hugging Face repo id as people type them (see ``names``). A name
        read by a looser rule than an exact match is noted in ``readings``."""
        if not name.strip():
            raise BadValue("a name cannot be empty")
        exact = [  # a publication may only win on the slow path, when nothing else matches
            names.Label(row["id"], row["class"], name)
            for row in self.select("resolve", key=names.normalise(name))
            if (not kinds or row["class"] in kinds) and row["class"] != "publication"
        ]
        if exact:  # the fast path: one indexed lookup, no scan of every label
            match = names.find(name, exact)
        else:
            try:
                match = self.index(name).find(name, kinds)
            except names.WrongKind as error:
                raise NotForThisReport(str(error)) from None
        if match.how not in ("exact", "compact"):
            self.readings.append(f"read '{name}' as {match.entity}")
        return match.entity

    def index(self, name: str) -> names.Index:
        """The labels a lookup of ``name`` needs, indexed: every id, name, alias and Hugging
        Face repo id (and its name part) of the curated graph; of the Hub's million, with a
        lineage index, only those that could match ``name``, else every one."""
        if self._labels is None:  # read once
            scope = self if self.lineage is None else self.curated()
            found = (names.Label(r["id"], r["class"], r["label"]) for r in scope.select("labels"))
            self._labels = _with_name_parts(found)
        if self.lineage is None or self.curated_only:
            if self._index is None:
                self._index = names.Index(self._labels)
            return self._index
        key = names.normalise(name)
        probes = [names.compact(form) for form in (key, *names.shortened(key))]
        hub = self.lineage.hub_candidates(probes, key.rpartition("/")[0] or None)
        found = [names.Label(h.entity, h.kind, h.repo) for h in hub]
        if own := self.lineage.hub_name(name.strip()):  # by its id (a dataset's: datasets/<repo>)
            found.append(names.Label(own.entity, own.kind, own.entity))
        return names.Index(self._labels + _with_name_parts(found))


def _with_name_parts(labels) -> list[names.Label]:
    """The labels, and a repo id's name part as a label of its own (``pythia-1b`` of
    ``EleutherAI/pythia-1b``)."""
    out = []
    for label in labels:
        out.append(label)
        if "/" in label.text:
            out.append(names.Label(label.entity, label.kind, label.text.rsplit("/", 1)[1]))
    return out


def iri_of(readable: str) -> str:
    """The IRI that a readable IRI stands for: an entity's id, a compact IRI or an IRI.

    >>> iri_of("pythia-1b"), iri_of("slm:trainedOn"), iri_of("https://example.org/card")
    ('https://w3id.org/slmgraph/id/pythia-1b', 'https://w3id.org/slmgraph/ontology#trainedOn', \
'https://example.org/card')
    """
    if readable.startswith(("http://", "https://")):
        return readable
    prefix, colon, local = readable.partition(":")
    return PREFIXES[prefix] + local if colon and prefix in PREFIXES else entity_iri(readable)


def _readable(row: dict) -> dict:
    """A query row as reports print it: a relation as its words, an entity by its id, another
    IRI shortened by the prefix map (written out: it runs for every value of every row)."""
    out = {}
    for key, value in row.items():
        if isinstance(value, str) and value in WORDS:
            value = WORDS[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            value = entity_id(value) or compact(value)
        out[key] = value
    return out


def readable(value: str) -> str:
    """One value as ``_readable`` makes it."""
    return _readable({"value": value})["value"]
