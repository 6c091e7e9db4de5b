"""What a public endpoint refuses before a query reaches a worker: SERVICE calls.

pyoxigraph follows SERVICE clauses with its own HTTP client, which would let anyone use the
server as a proxy onto its host's network. The query text is scanned with a small lexer that
skips comments, strings and IRIs, so a keyword inside them is not mistaken for a clause.

>>> service_targets('SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }')
['http://a.example/sparql']
>>> service_targets('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE <x>')
[]
>>> service_targets('PREFIX e: <http://e.example/> SELECT * { SERVICE SILENT e:q { } }')
['http://e.example/q']
>>> service_targets('SELECT * { SERVICE ?where { } }')
['?where']
"""

import re

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[?$]?[A-Za-z_][\w\-.]*(?::[\w\-.%:]*)?|:[\w\-.%:]*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


class Refused(Exception):
    """A query this endpoint will not run; the message says why."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            out.append((kind, match.group()))
    return out


def service_targets(text: str) -> list[str]:
    """The endpoint of every SERVICE clause: an IRI, or the variable or name it was given as."""
    tokens = _tokens(text)
    prefixes: dict[str, str] = {}
    targets = []
    for index, (kind, value) in enumerate(tokens):
        if kind != "word":
            continue
        keyword = value.upper()
        if keyword == "PREFIX" and index + 2 < len(tokens):
            name, iri = tokens[index + 1][1], tokens[index + 2][1]
            if name.endswith(":") and iri.startswith("<"):
                prefixes[name[:-1]] = iri[1:-1]
        elif keyword == "SERVICE":
            following = tokens[index + 1 : index + 3]
            if following and following[0][1].upper() == "SILENT":
                following = following[1:]
            targets.append(_resolve(following[0][1], prefixes) if following else "")
    return targets


def _resolve(target: str, prefixes: dict[str, str]) -> str:
    if target.startswith("<") and target.endswith(">"):
        return target[1:-1]
    prefix, colon, local = target.partition(":")
    if colon and prefix in prefixes:
        return prefixes[prefix] + local
    return target


def check_services(text: str, allowed: tuple[str, ...]) -> None:
    """Raise Refused unless every SERVICE clause names an endpoint in ``allowed``."""
    for target in service_targets(text):
        if target not in allowed:
            shown = target or "(none)"
            raise Refused(
                f"SERVICE {shown} is refused: this endpoint does not make requests to other "
                "endpoints" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
            )
