"""Serialise query answers with pyoxigraph's own writers, cut at the row cap and saying so.

The cap is applied while the answer is written: solutions go out as TSV and triples as
N-Triples, formats with exactly one line per row, into a sink that keeps the first lines and
stops the writer (and so the lazy query) at the first line past the cap. Other formats are
written from those lines. A cut answer says so in its body wherever the format can carry it
(JSON, XML, Turtle, N-Triples, JSON-LD, RDF/XML); CSV and TSV have no place for it that parsers
would skip, so they rely on the headers.
"""

import json
from dataclasses import dataclass, field

from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results, serialize

from slmgraph.vocab import PREFIXES

RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TRUNCATED_LINK = "urn:slmgraph:truncated"

RDF_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
SOLUTION_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
_TEXT_TYPES = ("text/", "application/sparql-results+xml", "application/xml")


@dataclass
class Answer:
    """A serialised answer, ready to send."""

    media_type: str
    body: bytes
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith(_TEXT_TYPES) or self.media_type.endswith("json")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


class _Enough(Exception):
    """Raised into a writer to stop it: the lines wanted are in."""


class _Lines:
    """A binary sink that keeps the first ``limit`` lines and stops the writer at one more."""

    def __init__(self, limit: int):
        self.left = limit
        self.parts: list[bytes] = []
        self.full = False

    def write(self, data) -> int:
        if self.full:  # the writer may flush its buffer again on the way out
            raise _Enough
        count = data.count(b"\n")
        if count > self.left:
            kept = bytes(data).split(b"\n", self.left)[: self.left]
            self.parts.extend(line + b"\n" for line in kept)
            self.full = True
            raise _Enough
        self.left -= count
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def first_lines(write, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` lines ``write(sink)`` produces, and whether there were more."""
    sink = _Lines(limit)
    try:
        write(sink)
    except _Enough:
        return b"".join(sink.parts), True
    return b"".join(sink.parts), False


def solutions(answer, media_type: str, cap: int, bounded: bool = False) -> Answer:
    """Write a lazy SELECT answer (QuerySolutions) in ``media_type``, at most ``cap`` rows.

    ``bounded``: the query's own LIMIT keeps it within the cap, so it is written straight.
    """
    if bounded:
        return Answer(media_type, answer.serialize(format=SOLUTION_FORMATS[media_type]))

    def write(sink):
        answer.serialize(sink, QueryResultsFormat.TSV)

    return from_tsv(write, media_type, cap)


def from_tsv(write, media_type: str, cap: int) -> Answer:
    """Write SELECT results that ``write(sink)`` writes as TSV in ``media_type``, at most
    ``cap`` rows."""
    fmt = SOLUTION_FORMATS[media_type]
    tsv, truncated = first_lines(write, cap + 1)  # the header line, then one line per row
    if fmt == QueryResultsFormat.TSV:
        body = tsv
    else:
        body = parse_query_results(tsv, QueryResultsFormat.TSV).serialize(format=fmt)
    if truncated:
        body = _mark_solutions(fmt, body, cap)
    return Answer(media_type, body, truncated)


def boolean(media_type: str, value: bool) -> Answer:
    if "json" in media_type:
        body = json.dumps({"head": {}, "boolean": value}).encode()
    else:
        body = (
            f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head/>\n'
            f"  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        ).encode()
    return Answer(media_type, body)


def triples(answer, media_type: str, cap: int) -> Answer:
    """Write a lazy CONSTRUCT or DESCRIBE answer (QueryTriples), at most ``cap`` triples."""

    def write(sink):
        answer.serialize(sink, RdfFormat.N_TRIPLES)

    lines, truncated = first_lines(write, cap)
    fmt = RDF_FORMATS[media_type]
    if fmt == RdfFormat.N_TRIPLES:
        body = lines
    else:
        body = serialize(parse(lines, format=RdfFormat.N_TRIPLES), format=fmt, prefixes=PREFIXES)
    if truncated:
        body = _mark_triples(fmt, body or b"", cap)
    return Answer(media_type, body or b"", truncated)


def graph(items, media_type: str) -> Answer:
    """Write a list of triples in full (a resource's own statements)."""
    body = serialize(items, format=RDF_FORMATS[media_type], prefixes=PREFIXES)
    return Answer(media_type, body or b"")


# --- saying an answer was cut -----------------------------------------------------------------


def _message(cap: int, what: str) -> str:
    return f"truncated: only the first {cap} {what} are given"


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _mark_solutions(fmt, body: bytes, cap: int) -> bytes:
    link = f"{TRUNCATED_LINK}?rows={cap}"
    if fmt == QueryResultsFormat.JSON:
        # The standard place is a link in the head; a member says it in words for people. It
        # comes first: parsers (pyoxigraph's among them) stop reading at the end of the results.
        note = _compact({"rows": cap, "message": f"only the first {cap} rows are given"})
        head = b'{"head":{'
        assert body.startswith(head)
        marked = f'{{"truncated":{note},"head":{{"link":["{link}"],'
        return marked.encode() + body[len(head) :]
    if fmt == QueryResultsFormat.XML:
        return body.replace(b"</head>", f'<link href="{link}"/></head>'.encode(), 1)
    return body


def _mark_triples(fmt, body: bytes, cap: int) -> bytes:
    message = _message(cap, "triples")
    if fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES):
        return f"# {message}\n".encode() + body
    if fmt == RdfFormat.RDF_XML:
        declaration, newline, rest = body.partition(b"\n")
        return declaration + newline + f"<!-- {message} -->\n".encode() + rest
    if fmt == RdfFormat.JSON_LD:
        # A key no context maps is dropped by JSON-LD processors and read by people.
        note = _compact({"triples": cap, "message": message})
        return b'{"@graph":' + body + f',"truncated":{note}}}'.encode()
    return body
