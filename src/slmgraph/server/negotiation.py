"""Content negotiation: pick a media type from an ``Accept`` header or a ``format=`` parameter.

>>> choose("text/csv;q=0.5, application/sparql-results+json", SOLUTIONS)
'application/sparql-results+json'
>>> choose("*/*", RDF)
'text/turtle'
>>> choose(None, SOLUTIONS, fmt="tsv")
'text/tab-separated-values'
>>> choose("image/png", RDF) is None
True
"""

import functools

# What each kind of answer can be written as, the server's preference first.
# Aliases (application/json, application/xml, text/plain) answer clients that ask for them;
# application/xml is not an alias for RDF/XML, so a browser's Accept gets Turtle, not RDF/XML.
SOLUTIONS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
    "text/xml",
)
BOOLEAN = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/json",
    "application/xml",
    "text/xml",
)
RDF = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/x-turtle",
    "text/plain",
    "application/json",
)
HTML = "text/html"

# Short names a browser user can put in ``format=``: (for solutions, for RDF).
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their quality, in header order; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range that matches ``offer`` (0 when none does)."""
    kind = offer.split("/")[0]
    best, specificity = 0.0, -1
    for media, quality in ranges:
        if media == offer:
            level = 2
        elif media == f"{kind}/*":
            level = 1
        elif media == "*/*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = quality, level
    return best


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def choose(header: str | None, offers: tuple[str, ...], fmt: str | None = None) -> str | None:
    """The offer the client prefers (ties go to the server's order), or None if none is acceptable.

    ``fmt`` (a short name or a media type) overrides the header, for links a browser follows.
    """
    if fmt:
        fmt = fmt.strip().lower()
        named = FORMAT_NAMES.get(fmt)
        if named is not None:
            wanted = [m for m in named if m in offers]
            return wanted[0] if wanted else None
        return fmt if fmt in offers else None
    ranges = parse_accept(header)
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None


def prefers_html(header: str | None) -> bool:
    """True when a browser asks: text/html is acceptable and no RDF type is preferred over it."""
    ranges = parse_accept(header)
    html = _quality(HTML, ranges)
    if html <= 0 or header is None:
        return False
    return all(_quality(offer, ranges) <= html for offer in RDF[:4]) and any(
        media == HTML for media, _ in ranges
    )
