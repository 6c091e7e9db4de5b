"""Answers the lineage index keeps ready: five canned queries, as the editor sends them (the
form binding their parameters), over the curated graph or over the curated and Hub graphs.

On disk the engine joins each row for some 250 µs: at a million Hub models Pythia's 27,293
descendants, the 51,303 lineage edges into Llama-2-7B that its facts list, every lineage edge
and the licence audit's whole-catalogue queries ran past the endpoint's 10 s deadline. The
index holds the same rows, which the tests hold to the engine's. Only the exact text the
editor sends (``/canned/NAME`` hands it out) is answered here, over one of those two datasets,
with at most a LIMIT and an OFFSET added to read a long answer a page at a time, and comment
lines after it; any other text, one edited by a character included, goes to the engine.
"""

import heapq
import re
from collections.abc import Iterator
from functools import cache
from operator import itemgetter
from typing import NamedTuple

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Store

from slmgraph import lineage, queries, sparqltext
from slmgraph.graph import RELATIONS
from slmgraph.paths import queries_dir
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, XSD, entity_id, entity_iri, slm

_DATE = NamedNode(XSD + "date")
_LICENCE, _TRAINED_ON = slm("licence"), slm("trainedOn")
_MODEL, _DATASET = NamedNode(slm("Model")), NamedNode(slm("Dataset"))
_PLACEHOLDER = "<urn:slmgraph:bound>"  # where the bound entity's IRI is written in
_IN = Literal("in")
# A page asked for after the canned text: LIMIT and OFFSET, in either order
_PAGE = re.compile(
    r"\s(?:LIMIT\s+(?P<limit>\d+)(?:\s+OFFSET\s+(?P<offset>\d+))?"
    r"|OFFSET\s+(?P<offset2>\d+)(?:\s+LIMIT\s+(?P<limit2>\d+))?)\s*$",
    re.IGNORECASE,
)


@cache
def _canned() -> dict[str, queries.Query]:
    """The canned queries, read once a process."""
    return queries.discover(queries_dir())


class Asked(NamedTuple):
    """A canned query recognised: the entity bound (none for a query without a parameter),
    whether the dataset is the curated graph alone, and the page asked for."""

    entity: str
    curated_only: bool
    offset: int = 0
    limit: int | None = None

    def rows(self, most: int) -> slice:
        """Which of the answer's rows to give, at most ``most`` of them."""
        shown = most if self.limit is None else min(self.limit, most)
        return slice(self.offset, self.offset + shown)


class Canned:
    """Recognises one canned query with its one parameter, an entity, written in, or with
    none."""

    name = ""
    parameter: str | None = None

    def __init__(self):
        self.text = _canned()[self.name].text
        if self.parameter is None:  # as the editor lists it, or as ``/canned`` writes it
            self.texts = {
                _without_notes(self.text),
                _without_notes(sparqltext.portable(self.text, {})),
            }
            return
        self.bound = _without_notes(sparqltext.portable(self.text, {self.parameter: _PLACEHOLDER}))
        pattern = rf"\(<([^<>\"{{}}|^`\\\x00-\x20]*)> AS \?{self.parameter}\)"
        self._written_in = re.compile(pattern)

    def recognise(self, text: str, default_graphs: list[str] | None) -> Asked | None:
        """What is asked, when ``text`` is the canned query (bound to an entity, if it has a
        parameter), perhaps a page of its answer, over a dataset the index covers."""
        entity = ""
        if self.parameter is not None:
            found = self._written_in.search(text)
            if not found or not (entity := entity_id(found.group(1))):
                return None
            expected = {self.bound.replace(_PLACEHOLDER, f"<{found[1]}>")}
        else:
            expected = self.texts
        text, page = _page(_without_notes(text))
        if _without_notes(text) not in expected:
            return None
        graphs = set(default_graphs or [CURATED_GRAPH])
        if graphs not in ({CURATED_GRAPH}, {CURATED_GRAPH, HUB_GRAPH}):
            return None
        asked = Asked(entity, graphs == {CURATED_GRAPH})
        if page:
            limit, offset = page["limit"] or page["limit2"], page["offset"] or page["offset2"]
            asked = asked._replace(
                offset=int(offset or 0), limit=None if limit is None else int(limit)
            )
        return asked


class Descendants(Canned):
    name, parameter = "descendants", "root"

    def answer(self, store, index: lineage.Index, asked: Asked, most: int):
        """The answer as SPARQL TSV results: the header, then at most ``most`` rows of the
        page asked for, in the index's order."""
        shown = asked.rows(most)
        found = index.descendants(asked.entity, asked.curated_only, None, shown.stop)[shown]
        head = NamedNode(entity_iri(asked.entity))
        rows = ((head, *_edge(*row[:-1])) for row in found)
        return _tsv(("root", *_EDGE_COLUMNS), rows)


class LineageEdges(Canned):
    """``lineage-edges.rq``: every lineage edge, which the index holds as its rows are."""

    name = "lineage-edges"

    def answer(self, store, index: lineage.Index, asked: Asked, most: int):
        """The answer as SPARQL TSV results: at most ``most`` rows of the page asked for,
        in the index's order."""
        found = index.edges(asked.curated_only, asked.rows(most))
        return _tsv(_EDGE_COLUMNS, (_edge(*row) for row in found))


class _WholeCatalogue(Canned):
    """A whole-catalogue query whose curated rows come from the engine: the same for every
    page of every answer, read once (an instance serves one build: ``worker.Build`` makes
    its own)."""

    def __init__(self):
        super().__init__()
        self._curated: tuple[tuple[str, ...], list[tuple]] | None = None

    def curated(self, store: Store) -> tuple[tuple[str, ...], list[tuple]]:
        """The query's columns, and its rows over the curated graph (``_curated_rows``)."""
        if self._curated is None:
            self._curated = _curated_rows(store, self.text)
        return self._curated


class AuditEdges(_WholeCatalogue):
    """``audit-edges.rq``: every edge a licence travels along, with its least citation; the
    curated ones from the engine, the Hub's lineage and training claims from the index."""

    name = "audit-edges"

    def answer(self, store: Store, index: lineage.Index, asked: Asked, most: int):
        def hub(rows: slice) -> Iterator[tuple]:
            for child, relation, parent, source in index.audit_edges(_TRAINED_ON, rows):
                relation = NamedNode(RELATIONS.get(relation, relation))
                yield _node(child), relation, _node(parent), Literal(source)

        columns, curated = self.curated(store)
        return _tsv(columns, _pages(curated, hub, asked, most))


class AuditEntities(_WholeCatalogue):
    """``audit-entities.rq``: what the licence audit knows of every entity; the curated ones
    from the engine, each Hub model and dataset (named by its repo) with the licences its
    claims give from the index."""

    name = "audit-entities"

    def __init__(self):
        super().__init__()
        self._spdx: dict[str, Literal] | None = None

    def answer(self, store: Store, index: lineage.Index, asked: Asked, most: int):
        if self._spdx is None:  # each licence entry's SPDX id, read once, as the rows are
            licences = store.query(_canned()["licence-terms"].text)
            self._spdx = {entity_id(row["licence"].value): row["spdx"] for row in licences}
        spdx = self._spdx

        def hub(rows: slice) -> Iterator[tuple]:
            for entity, kind, repo, licence in index.audit_entities(_LICENCE, rows):
                name = Literal(repo)
                cls = _MODEL if kind == "model" else _DATASET
                yield _node(entity), cls, name, spdx.get(licence), None, None, name, None, None

        columns, curated = self.curated(store)
        return _tsv(columns, _pages(curated, hub, asked, most))


def _curated_rows(store: Store, text: str) -> tuple[tuple[str, ...], list[tuple]]:
    """The query's columns, and its rows over the curated graph in an order of their own (the
    engine's differs from one process to another, and pages must agree)."""
    found = store.query(text, default_graph=[DefaultGraph()])
    names = tuple(variable.value for variable in found.variables)
    rows = [tuple(row[name] for name in names) for row in found]
    return names, sorted(rows, key=lambda row: tuple(map(str, row)))


def _pages(curated: list[tuple], hub, asked: Asked, most: int) -> list[tuple]:
    """The page asked for of the curated rows followed, over both graphs, by the Hub's
    (``hub`` gives those of a slice of its own)."""
    shown = asked.rows(most)
    first = curated[shown]
    if asked.curated_only or shown.stop <= len(curated):
        return first
    return first + list(hub(slice(max(shown.start - len(curated), 0), shown.stop - len(curated))))


_EDGE_COLUMNS = (
    *("child", "childName", "relation", "parent", "parentName", "source", "methods"),
    "retrieved",
)


def _edge(child, child_name, relation, parent, parent_name, source, methods, retrieved):
    """An edge's row as ``lineage-edges.rq`` and ``descendants.rq`` give it."""
    return (
        _node(child),
        Literal(child_name),
        NamedNode(RELATIONS[relation]),
        _node(parent),
        Literal(parent_name),
        NamedNode(source) if source else None,
        Literal(methods) if methods else None,  # none: unbound, as GROUP_CONCAT gives
        _day(retrieved),
    )


class Facts(Canned):
    """``facts.rq``: the facts going out of the entity, and the curated ones coming in but
    lineage, from the engine; the Hub's coming in (hundreds of thousands for a licence many
    Hub models name) and the lineage edges into it from the index."""

    name, parameter = "facts", "entity"
    columns = ("entity", "direction", "property", "value", "valueName", "source", "methods")
    columns += ("retrieved", "stage", "note", "parts")  # as facts.rq projects them

    def __init__(self):
        super().__init__()
        self.parts = {
            name: sparqltext.portable(_canned()[name].text, {"entity": _PLACEHOLDER})
            for name in ("facts-out", "facts-in-without-lineage")
        }

    def answer(self, store: Store, index: lineage.Index, asked: Asked, most: int):
        """The answer as SPARQL TSV results: the header, then at most ``most`` rows of the
        page asked for, in the query's order (each row's terms made only for those)."""
        entity, curated_only, shown = asked.entity, asked.curated_only, asked.rows(most)
        head = NamedNode(entity_iri(entity))
        dataset = [DefaultGraph()] + ([] if curated_only else [NamedNode(HUB_GRAPH)])
        found = self._engine(store, "facts-out", head, dataset)
        found += self._engine(store, "facts-in-without-lineage", head, [DefaultGraph()])
        rows = [(facts_order(row), _as_found, row) for row in found]
        if not curated_only:
            rows += (
                (_in_order(fact.property, fact.value, fact.source), _hub_fact, fact)
                for fact in index.facts_into(entity)
            )
        rows += (
            (_in_order(RELATIONS[edge.relation], edge.child, edge.source), _child, edge)
            for edge in index.children(entity, curated_only)
        )
        first = heapq.nsmallest(shown.stop, rows, key=itemgetter(0))[shown]
        return _tsv(self.columns, (make(head, row) for _, make, row in first))

    def _engine(self, store: Store, name: str, head: NamedNode, dataset: list) -> list[tuple]:
        found = store.query(
            self.parts[name].replace(_PLACEHOLDER, str(head)), default_graph=dataset
        )
        return [tuple(row[column] for column in self.columns) for row in found]


def _without_notes(text: str) -> str:
    """``text`` without the comment lines that end it, which change nothing it asks (each
    line looked at once, so that time grows with the text's length, not with its square)."""
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        start = text.rfind("\n", 0, end) + 1
        if start == 0 or not text[start:end].lstrip().startswith("#"):
            return text[:end].strip()
        end = start


def _page(text: str) -> tuple[str, re.Match | None]:
    """``text`` without a LIMIT and OFFSET that end it, and them (looked for in its last
    lines only: a clause is short)."""
    tail = max(0, len(text) - 200)
    found = _PAGE.search(text, tail)
    return (text[: found.start()], found) if found else (text, None)


def facts_order(row: tuple) -> tuple:
    """``ORDER BY ?direction ?property STR(?value) STR(?source) STR(?stage)``: an unbound key,
    as STR of a blank node is, before any other."""
    return row[1].value, row[2].value, _text(row[3]), _text(row[5]), _text(row[8])


def _in_order(prop: str, key: str, source: str | None) -> tuple:
    """``facts_order`` of an incoming fact, before its terms are made."""
    return "in", prop, (1, entity_iri(key)), (1, source) if source else (0, ""), (0, "")


def _as_found(head: NamedNode, row: tuple) -> tuple:
    return row


def _hub_fact(head: NamedNode, fact: lineage.HubFact) -> tuple:
    value = _node(fact.value)
    source = NamedNode(fact.source) if fact.source else None
    name = Literal(fact.value)  # a Hub model's name is its repo id
    day = _day(fact.retrieved)
    return head, _IN, NamedNode(fact.property), value, name, source, None, day, None, None, None


def _child(head: NamedNode, edge: lineage.Child) -> tuple:
    relation, source = NamedNode(RELATIONS[edge.relation]), edge.source
    methods = Literal(edge.methods) if edge.methods else None
    cited = NamedNode(source) if source else None
    return (
        head,
        _IN,
        relation,
        _node(edge.child),
        Literal(edge.name),
        cited,
        methods,
        _day(edge.retrieved),
        None,  # a lineage edge has no stage
        None,  # and its note and parts are said where it is stated, on the child's page
        None,
    )


def _text(term) -> tuple[int, str]:
    return (0, "") if term is None or isinstance(term, BlankNode) else (1, term.value)


def _tsv(columns: tuple[str, ...], rows) -> bytes:
    """SPARQL TSV results: a literal's tabs and line breaks are escaped in its N-Triples form,
    and an unbound cell is empty."""
    head = "\t".join(f"?{name}" for name in columns) + "\n"
    lines = ("\t".join("" if term is None else str(term) for term in row) + "\n" for row in rows)
    return (head + "".join(lines)).encode()


def _node(key: str) -> NamedNode:
    return NamedNode(entity_iri(key))


def _day(retrieved: str | None) -> Literal | None:
    return Literal(retrieved, datatype=_DATE) if retrieved else None
