"""Serialise query answers: solutions (JSON, XML, CSV, TSV), booleans, and triples (RDF formats).

Solutions are written here rather than by pyoxigraph so that a row cap can stop reading the
(lazy) iterator and still produce a well-formed document that says it was truncated.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from slmgraph.vocab import PREFIXES, XSD

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
_TEXT_TYPES = ("text/", "application/sparql-results+xml", "application/xml")


@dataclass
class Answer:
    """A serialised answer, ready to send."""

    media_type: str
    body: bytes
    rows: int = 0
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith(_TEXT_TYPES) or self.media_type.endswith("json")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


def take(iterator, cap: int) -> tuple[list, bool]:
    """At most ``cap`` items, and whether more were there (reads one past the cap, no further)."""
    items = []
    for item in iterator:
        if len(items) == cap:
            return items, True
        items.append(item)
    return items, False


def solutions(media_type: str, variables: list[str], rows: list, truncated: bool, cap: int):
    writer = _SOLUTION_WRITERS[media_type]
    return Answer(media_type, writer(variables, rows, truncated, cap), len(rows), truncated)


def boolean(media_type: str, value: bool) -> Answer:
    if "json" in media_type:
        body = json.dumps({"head": {}, "boolean": value}).encode()
    else:
        body = (
            f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head/>\n'
            f"  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        ).encode()
    return Answer(media_type, body, 1)


def triples(media_type: str, items: list[Triple], truncated: bool, cap: int) -> Answer:
    fmt = RDF_FORMATS[media_type]
    body = serialize(items, format=fmt, prefixes=PREFIXES) or b""
    if truncated and fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES):
        body = f"# truncated: only the first {cap} triples are given\n".encode() + body
    return Answer(media_type, body, len(items), truncated)


# --- solutions -------------------------------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json(variables, rows, truncated, cap) -> bytes:
    head: dict = {"vars": variables}
    if truncated:
        head["link"] = [f"{TRUNCATED_LINK}?rows={cap}"]
    bindings = [
        {name: _json_term(row[name]) for name in variables if row[name] is not None} for row in rows
    ]
    document: dict = {"head": head, "results": {"bindings": bindings}}
    if truncated:
        document["truncated"] = {"rows": cap, "message": f"only the first {cap} rows are given"}
    return json.dumps(document, ensure_ascii=False).encode()


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD + "string":
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    return "<triple>" + "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts) + "</triple>"


def _xml(variables, rows, truncated, cap) -> bytes:
    out = [f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}">\n  <head>\n']
    out += [f"    <variable name={quoteattr(name)}/>\n" for name in variables]
    if truncated:
        out.append(f'    <link href="{TRUNCATED_LINK}?rows={cap}"/>\n')
    out.append("  </head>\n  <results>\n")
    for row in rows:
        out.append("    <result>")
        for name in variables:
            if row[name] is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>")
        out.append("</result>\n")
    out.append("  </results>\n</sparql>\n")
    return "".join(out).encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _csv(variables, rows, truncated, cap) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in variables])
    return buffer.getvalue().encode()


def _tsv(variables, rows, truncated, cap) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join("" if row[n] is None else str(row[n]) for n in variables))
    return ("\n".join(lines) + "\n").encode()


_SOLUTION_WRITERS = {
    "application/sparql-results+json": _json,
    "application/json": _json,
    "application/sparql-results+xml": _xml,
    "application/xml": _xml,
    "text/xml": _xml,
    "text/csv": _csv,
    "text/tab-separated-values": _tsv,
}
