"""Canned SPARQL queries: discover ``.rq`` files, read their header, run them with bound parameters.

A query file starts with comment lines that describe it::

    # title: Descendants
    # description: Every model deriving from the root, transitively.
    # param: root entity the model or family whose descendants are listed

Parameters are bound through pyoxigraph ``substitutions``, never by editing the query text.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Variable

from slmgraph.vocab import PREFIXES, XSD

_HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")
PARAM_TYPES = ("entity", "iri", "string", "date", "integer")
# An update's first keyword, after any PREFIX and BASE declarations and comments.
_UPDATE = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+\S*:\s*<[^>]*>)|(?:BASE\s+<[^>]*>))*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


class QueryProblem(ValueError):
    """A query file that cannot be read or run, said in one line with the fix."""


class QueryNotFound(QueryProblem):
    """A query path that names no file."""


class Rows(list):
    """Result rows that know their columns, so that an empty answer still has its header, and
    what a table says in their place when there are none."""

    def __init__(self, columns: list[str], rows=(), empty: str = "no rows"):
        super().__init__(rows)
        self.columns = list(columns)
        self.empty = empty


class RowStream:
    """Result rows made as they are written, once, with their columns: a report whose rows,
    held at once, would be gigabytes (the whole licence audit of a million Hub models)."""

    def __init__(self, columns: list[str], rows: Iterable[dict]):
        self.columns = list(columns)
        self.rows = rows

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    # a '# lateral:' header says its LATERAL only orders the evaluation: without, same rows
    lateral_orders_only: bool = False
    given: str | None = None  # the text itself, for a query typed rather than kept in a file

    @property
    def text(self) -> str:
        return _read(self.path) if self.given is None else self.given


def _read(path: Path) -> str:
    if not path.exists():
        raise QueryNotFound(f"{path}: no such file; give a .rq file or a canned query's name")
    if path.is_dir():
        raise QueryNotFound(f"{path}: is a directory; give a .rq file")
    return _decoded(path.read_bytes(), str(path))


def _decoded(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise QueryProblem(f"{where}:{line}: not UTF-8 text; give the query as UTF-8") from None


def read_query(path: Path) -> Query:
    """Read a query file's header.

    >>> from slmgraph.paths import queries_dir
    >>> read_query(queries_dir() / "descendants.rq").params[0].name
    'root'
    """
    return _parsed(_read(path), path)


def typed_query(text: str, where: str = "<query>") -> Query:
    r"""A query given as its text (on the command line or standard input), its header read as
    a file's; ``where`` names it in messages.

    >>> typed_query("# param: m entity\nASK { ?m ?p ?o }").params[0].name
    'm'
    """
    return _parsed(text, Path(where), given=text)


def read_stdin_query(data: bytes) -> Query:
    """A query read from standard input, as bytes."""
    return typed_query(_decoded(data, "<stdin>"), "<stdin>")


def looks_typed(query: str) -> bool:
    """Whether a command's QUERY is SPARQL text rather than a file's path or a canned name:
    it spans lines, holds a brace, or starts with a query's keyword and a space (and is no
    ``.rq`` file's name)."""
    if "{" in query or "\n" in query:
        return True
    return bool(_TYPED.match(query)) and not query.endswith(".rq")


_TYPED = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)\s", re.IGNORECASE)


def _parsed(text: str, path: Path, given: str | None = None) -> Query:
    meta: dict[str, str] = {}
    params = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if not match:
            if line.startswith("#") or not line.strip():
                continue
            break
        key, value = match.groups()
        if key == "param":
            name, kind, *rest = value.split(maxsplit=2) + ["", ""]
            if kind not in PARAM_TYPES:
                raise QueryProblem(
                    f"{path}:{number}: parameter type '{kind}' is unknown; write "
                    f"'# param: NAME TYPE description' with TYPE one of {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(name, kind, rest[0].strip() if rest else ""))
        else:
            meta[key] = value
    return Query(
        path.stem,
        path,
        meta.get("title", path.stem),
        meta.get("description", ""),
        tuple(params),
        "lateral" in meta,
        given,
    )


def discover(directory: Path) -> dict[str, Query]:
    """The canned queries of a directory, by name (file stem)."""
    return {path.stem: read_query(path) for path in sorted(directory.glob("*.rq"))}


def term(param: Param, value: str) -> NamedNode | Literal:
    """The RDF term a parameter value stands for (entities are already resolved to IRIs)."""
    if param.type in ("entity", "iri"):
        return NamedNode(value)
    if param.type in ("date", "integer"):
        return Literal(value, datatype=NamedNode(XSD + param.type))
    return Literal(value)


def run(
    store: Store,  # or a slmgraph.remote.Endpoint
    query: Query | str,
    bindings: dict[str, NamedNode | Literal] | None = None,
    default_graph: list | None = None,
):
    """Run a canned query (or raw SPARQL text) with variables bound; return rows, a bool or triples.

    SELECT gives a list of dicts from variable name to Python value (IRIs as strings, numbers as
    numbers); unbound variables are left out of the dict. ``default_graph`` lists the graphs the
    query's default graph is made of (default: the store's default graph).
    """
    text = query.text if isinstance(query, Query) else query
    where = query.path if isinstance(query, Query) else "query"
    if _UPDATE.match(text):
        raise QueryProblem(f"{where}: is an update; slmgraph's store is read-only, ask a query")
    if not isinstance(store, Store):  # a remote SPARQL endpoint (slmgraph.remote.Endpoint)
        return store.run(query, bindings or {}, default_graph)
    substitutions = {Variable(name): value for name, value in (bindings or {}).items()}
    try:
        result = store.query(
            text, prefixes=PREFIXES, substitutions=substitutions, default_graph=default_graph
        )
        return _answer(result)
    except SyntaxError as error:
        raise syntax_problem(where, text, str(error)) from None
    except RuntimeError as error:  # pyoxigraph binds a variable only where the query selects it
        unselected = _UNSELECTED.search(str(error))
        if not unselected:
            raise
        raise QueryProblem(
            f"{where}: ?{unselected[1]} is given a value but not selected; "
            "add it to the SELECT clause (or write SELECT *)"
        ) from None
    except OSError as error:  # the engine's HTTP client, following a SERVICE clause
        from slmgraph.remote import EndpointProblem
        from slmgraph.server.guard import service_targets

        if not service_targets(text):
            raise
        raise EndpointProblem(f"{where}: a SERVICE call failed ({error})") from None


_UNSELECTED = re.compile(r"does not contains? variable \?(\w+) in its SELECT projection")
_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
# What the engine says it expected: quoted tokens and keywords, not its character classes
_CLASSES = re.compile(r"\[[^\]]*\]")  # character classes, such as ['0'..='9']
_EXPECTED = re.compile(r'"[^"]*"|\b[A-Z][A-Za-z]*(?: [a-z]+)*\b')


def syntax_problem(where: str, text: str, message: str) -> QueryProblem:
    r"""The engine's syntax error in one line: where, what stands there, a few of the tokens
    that could (its full list runs to lines of Unicode ranges).

    >>> str(syntax_problem("q.rq", "SELECT * WHERE {\n ?s ?p", "error at 2:7: expected GRAPH"))
    'q.rq:2:7: SPARQL syntax error at the end of the line; expected GRAPH'
    """
    found = _SYNTAX.match(message)
    if not found:
        return QueryProblem(f"{where}: SPARQL syntax {' '.join(message.split())}")
    line, column = int(found[1]), int(found[2])
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""  # the engine may point past the end
    near = here[column - 1 :].strip()[:24]
    place = f"near '{near}'" if near else "at the end of the line"
    said = _CLASSES.sub("", found[3].removeprefix("expected"))
    if "Prefix not found" in said:
        return QueryProblem(f"{where}:{line}: {_undeclared(text, here[:column])}")
    expected = list(dict.fromkeys(_EXPECTED.findall(said)))
    hint = f"; expected {', '.join(expected[:8])}{', …' if len(expected) > 8 else ''}"
    return QueryProblem(
        f"{where}:{line}:{column}: SPARQL syntax error {place}{hint if expected else ''}"
    )


def _undeclared(text: str, before: str) -> str:
    """Which prefix, of the names before the error, neither the query nor slmgraph declares."""
    declared = set(PREFIXES) | set(re.findall(r"PREFIX\s+([\w.-]*):", text, re.IGNORECASE))
    used = re.findall(r"(?<![\w<?$\"'])([A-Za-z][\w.-]*)?:(?=[\w])", before)
    unknown = [prefix for prefix in used if prefix not in declared]
    named = f"the prefix '{unknown[-1]}:'" if unknown else "a prefix"
    return f"SPARQL syntax: {named} is not declared; add a PREFIX line for it"


def _answer(result):
    """A query's result as Python values (read whole: the engine works as it is read)."""
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions):
        names = [variable.value for variable in result.variables]
        return Rows(
            names,
            (
                {name: python_value(solution[name]) for name in names if solution[name] is not None}
                for solution in result
            ),
        )
    return list(result)


_NUMBERS = {XSD + "integer": int, XSD + "decimal": float, XSD + "double": float}


def python_value(value):
    if isinstance(value, Literal):
        return literal_value(value.value, value.datatype.value)
    return value.value


def literal_value(lexical: str, datatype: str | None):
    """A literal as Python: numbers as numbers, booleans as bools, the rest as its text."""
    if datatype in _NUMBERS:
        return _NUMBERS[datatype](lexical)
    if datatype == XSD + "boolean":
        return lexical in ("true", "1")
    return lexical
