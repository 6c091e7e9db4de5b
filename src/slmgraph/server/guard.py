"""What the server learns from a query's text before a worker sees it, and what it refuses.

pyoxigraph follows SERVICE clauses with its own HTTP client, which would let anyone use the
server as a proxy onto its host's network; and its parser recurses, so a query nested a few
thousand levels deep overflows a worker's stack. Both are refused here. The same pass tells
whether the answer may change between runs (NOW(), RAND()...) and estimates whether the query
is cheap. The text is scanned with a small lexer that skips comments, strings and IRIs, so a
keyword inside them is not mistaken for a clause.

>>> service_targets('SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }')
['http://a.example/sparql']
>>> service_targets('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE <x>')
[]
>>> service_targets('PREFIX e: <http://e.example/> SELECT * { SERVICE SILENT e:q { } }')
['http://e.example/q']
>>> service_targets('SELECT * { SERVICE ?where { } }')
['?where']
"""

import functools
import itertools
import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[?$]?[A-Za-z_][\w\-.]*(?::[\w\-.%:]*)?|:[\w\-.%:]*)
  | (?P<number>\d+)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


MAX_DEPTH = 100  # brackets inside brackets; pyoxigraph's parser overflows at a few thousand
MAX_OPERATORS = 2000  # operator characters at one bracket level (a chain recurses too)
VOLATILE = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_OPERATORS = frozenset("!|&=<>+-*/")
_OPEN, _CLOSE = "{([", "})]"


class Refused(Exception):
    """A query this endpoint will not run; the message says why, ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inspection:
    """What the text of one query says about it."""

    services: tuple[str, ...]  # every SERVICE endpoint named
    depth: int  # deepest bracket nesting
    operators: int  # most operator characters at one bracket level
    volatile: bool  # calls a function whose value changes between runs: never cache the answer
    cheap: bool  # estimated cheap: may take the quick lane (see ``_estimate``)
    instant: bool  # its cost is bounded: answered in the server's own process (``_bounded``)
    limit: int | None  # the outermost query's LIMIT (a subquery's sits inside braces)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            out.append((kind, match.group()))
    return out


@functools.lru_cache(maxsize=256)  # a repeated query is inspected once (256 x 64 KB at most)
def inspect(text: str) -> Inspection:
    tokens = _tokens(text)
    depth, operators = _shape(tokens)
    return Inspection(
        services=tuple(_service_targets(tokens)),
        depth=depth,
        operators=operators,
        volatile=any(
            kind == "word" and value.upper() in VOLATILE and following == "("
            for (kind, value), (_, following) in itertools.pairwise(tokens)
        ),
        cheap=_estimate(tokens),
        instant=_bounded(tokens),
        limit=_outer_limit(tokens),
    )


def _shape(tokens: list[tuple[str, str]]) -> tuple[int, int]:
    """The deepest bracket nesting and the most operator characters at one level.

    Inside ``( )`` (expressions) every operator counts; elsewhere a ``+`` or ``-`` is a number's
    sign (``VALUES ?n { -1 -2 }``) and only path and logical operators count.
    """
    level, deepest, most = 0, 0, 0
    counts = [0]
    opened = [""]
    for kind, value in tokens:
        if kind != "other":
            continue
        if value in _OPEN:
            level += 1
            deepest = max(deepest, level)
            counts.append(0)
            opened.append(value)
        elif value in _CLOSE and level > 0:
            level -= 1
            most = max(most, counts.pop())
            opened.pop()
        elif value in _OPERATORS and (opened[-1] == "(" or value not in "+-"):
            counts[-1] += 1
    return deepest, max(most, *counts)


def _outer_limit(tokens: list[tuple[str, str]]) -> int | None:
    level = 0
    for (kind, value), (following_kind, following) in itertools.pairwise(tokens):
        if kind == "other" and value in _OPEN:
            level += 1
        elif kind == "other" and value in _CLOSE:
            level -= 1
        elif level == 0 and kind == "word" and value.upper() == "LIMIT":
            return int(following) if following_kind == "number" else None
    return None


def _estimate(tokens: list[tuple[str, str]]) -> bool:
    """Cheap unless it walks a path closure, scans the whole store more than once, or sorts,
    groups or aggregates a whole-store scan. A guess from the text: a wrong one costs the quick
    lane's short deadline, after which the query moves to the main lane.
    """
    words = {value.upper() for kind, value in tokens if kind == "word"}
    variable = [kind == "word" and value[0] in "?$" for kind, value in tokens]
    # A pattern of three variables, or two after a `;` that repeats a variable subject.
    subject = [
        is_variable or value == ";"
        for is_variable, (_, value) in zip(variable, tokens, strict=True)
    ]
    scans = sum(a and b and c for a, b, c in zip(subject, variable[1:], variable[2:], strict=False))
    closure = any(
        kind == "other" and value in "*+" and _ends_path(before)
        for before, (kind, value) in itertools.pairwise(tokens)
    )
    whole = words & {"ORDER", "GROUP", "DISTINCT", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE"}
    limited = "LIMIT" in words and not whole
    return not closure and (scans == 0 or (scans == 1 and limited))


class _Reader:
    """The tokens of a query, read one after another."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at][1].upper() if self.at < len(self.tokens) else ""

    def take(self, test) -> bool:
        """Step over the next token if ``test(kind, value)`` holds for it."""
        if self.at < len(self.tokens) and test(*self.tokens[self.at]):
            self.at += 1
            return True
        return False

    def word(self, *words: str) -> bool:
        return self.take(lambda kind, value: kind == "word" and value.upper() in words)

    def mark(self, mark: str) -> bool:
        return self.take(lambda kind, value: kind == "other" and value == mark)

    def done(self) -> bool:
        return self.at == len(self.tokens)


def _named(kind: str, value: str) -> bool:  # an IRI, or a prefixed name (not a blank node)
    return kind == "iri" or (kind == "word" and ":" in value and value[0] not in "?$_")


def _variable(kind: str, value: str) -> bool:
    return kind == "word" and value[0] in "?$"


def _bounded(tokens: list[tuple[str, str]]) -> bool:
    """One triple pattern about one named subject, and nothing that reads more: ASK, SELECT of
    variables, CONSTRUCT or DESCRIBE of named resources, with at most a dataset, LIMIT and
    OFFSET. Its rows are some of one subject's statements, and the row cap stops the lazy
    query once it has enough, so it is answered in the server's process.

    >>> _bounded(_tokens("ASK { <http://e/x> ?p ?o }"))
    True
    >>> _bounded(_tokens("SELECT ?o { <http://e/x> ?p ?o . ?o ?q ?r }"))
    False
    """
    read = _Reader(tokens)
    while read.word("PREFIX", "BASE"):
        read.take(lambda kind, value: kind == "word" and value.endswith(":"))
        if not read.take(lambda kind, value: kind == "iri"):
            return False
    if read.word("DESCRIBE"):
        if not read.take(_named):
            return False
        while read.take(_named):
            pass
        return _modifiers(read)
    if read.word("SELECT"):
        if not read.mark("*") and not read.take(_variable):
            return False
        while read.take(_variable):
            pass
    elif read.word("CONSTRUCT"):
        if read.mark("{"):  # a template: made once a row, whatever it holds
            while not read.done() and read.peek() not in "{}":
                read.at += 1
            if not read.mark("}"):
                return False
    elif not read.word("ASK"):
        return False
    while read.word("FROM"):
        read.word("NAMED")
        if not read.take(_named):
            return False
    read.word("WHERE")
    return read.mark("{") and _pattern(read) and read.mark("}") and _modifiers(read)


def _pattern(read: _Reader) -> bool:
    """A named subject, a named or variable predicate, one object term, an optional dot."""
    if not read.take(_named):
        return False
    if not (read.take(_named) or read.take(_variable) or read.word("A")):
        return False
    term = read.take(lambda kind, value: kind in ("iri", "string", "number", "word"))
    if not term or read.peek() in ("(", "[", "{"):
        return False
    if read.mark("@"):
        read.take(lambda kind, value: kind == "word")
    elif read.mark("^") and not (read.mark("^") and read.take(_named)):
        return False
    read.mark(".")
    return True


def _modifiers(read: _Reader) -> bool:
    while read.word("LIMIT", "OFFSET"):
        if not read.take(lambda kind, value: kind == "number"):
            return False
    return read.done()


def _ends_path(token: tuple[str, str]) -> bool:
    kind, value = token
    return kind == "iri" or value == ")" or (kind == "word" and (":" in value or value == "a"))


def service_targets(text: str) -> list[str]:
    """The endpoint of every SERVICE clause: an IRI, or the variable or name it was given as."""
    return list(inspect(text).services)


def _service_targets(tokens: list[tuple[str, str]]) -> list[str]:
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


def check(text: str, allowed: tuple[str, ...]) -> Inspection:
    """The query's inspection; Refused if it is nested too deep or calls a SERVICE not allowed.
    The text is inspected without the whitespace around it, which changes nothing there, so
    that the answer layer (which holds it so) and the route share one inspection."""
    found = inspect(text.strip())
    if found.depth > MAX_DEPTH:
        raise Refused(
            400,
            f"the query is nested {found.depth} levels deep; at most {MAX_DEPTH} are accepted: "
            "flatten it",
        )
    if found.operators > MAX_OPERATORS:
        raise Refused(
            400,
            f"the query chains {found.operators} operators in one expression; at most "
            f"{MAX_OPERATORS} are accepted: use VALUES or IN ( ... ) for long lists",
        )
    for target in found.services:
        if target not in allowed:
            shown = target or "(none)"
            raise Refused(
                403,
                f"SERVICE {shown} is refused: this endpoint does not make requests to other "
                "endpoints" + (f" (allowed: {', '.join(allowed)})" if allowed else ""),
            )
    return found
