"""SPARQL text for an engine that is not ours: parameters written in, LATERAL hints dropped,
results asked for a page at a time.

The embedded store binds parameters through pyoxigraph's substitutions; a remote endpoint only
takes text, so a bound variable becomes its term in the text, as substitution means: in a
projection it is selected as ``(term AS ?var)`` (outermost) or left out (subqueries), in a
GROUP BY it is left out. Only whole tokens change: strings, IRIs and comments stay as written.
"""

import re

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z_][\w\-.]*:[\w\-.%]*|:[\w\-.%]*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CLAUSE_ENDS = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(match.lastgroup, match.group()) for match in _TOKEN.finditer(text)]


def _upper(kind: str, value: str) -> str:
    return value.upper() if kind == "word" else ""


def portable(text: str, bindings: dict[str, str], drop_lateral: bool = False) -> str:
    """``text`` with each variable of ``bindings`` (name to term in N-Triples syntax) written
    in; with ``drop_lateral``, a LATERAL group's patterns join the group around it (for queries
    whose LATERAL only orders the evaluation: the join gives the same rows, and an engine can
    still start from the walk, as it could not from a group of its own).

    >>> portable("ASK { FILTER (!BOUND(?org) || BOUND( ?x )) }", {"org": "<urn:o>"})
    'ASK { FILTER (!true || BOUND( ?x )) }'
    >>> portable("SELECT ?root ?x WHERE { { SELECT ?root ?x WHERE { ?x ?p ?root } } }"
    ...          " GROUP BY ?root ?x", {"root": "<urn:r>"})
    'SELECT (<urn:r> AS ?root) ?x WHERE { { SELECT  ?x WHERE { ?x ?p <urn:r> } } } GROUP BY  ?x'
    """
    out: list[str] = []
    braces = parens = 0
    clause = None  # "select" (the projection) or "group" (GROUP BY), else None
    clause_braces = 0
    dropped_from_group: str | None = None
    kept_in_group = 0
    previous = ""
    inlined: list[int] = []  # the brace depths of LATERAL groups whose braces are dropped
    for kind, value in _bound_written_in(_tokens(text), bindings):
        word = _upper(kind, value)
        if clause == "select" and parens == 0 and (value == "{" or word in ("WHERE", "FROM")):
            clause = None
        if clause == "group" and parens == 0 and (value == "}" or word in _CLAUSE_ENDS):
            if kept_in_group == 0 and dropped_from_group:  # a constant group: keep one key
                out.append(f"({dropped_from_group}) ")
            clause = None
        if value == "{":
            braces += 1
            if previous == "LATERAL" and drop_lateral:
                previous = ""
                inlined.append(braces)
                continue
        elif value == "}":
            braces -= 1
            if inlined and inlined[-1] == braces + 1:
                inlined.pop()
                continue
        elif value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
        if word == "SELECT":
            clause, clause_braces = "select", braces
        elif word == "BY" and previous == "GROUP":
            clause, clause_braces, kept_in_group, dropped_from_group = "group", braces, 0, None
        elif clause == "group" and parens == 0 and kind in ("var", "other") and value != ")":
            kept_in_group += 1
        if word:
            previous = word
        if kind == "var" and value[1:] in bindings:
            term = bindings[value[1:]]
            if clause == "select" and parens == 0:
                out.append(f"({term} AS {value})" if clause_braces == 0 else "")
            elif clause == "group" and parens == 0:
                kept_in_group -= 1
                dropped_from_group = term
            else:
                out.append(term)
            continue
        if drop_lateral and word == "LATERAL":
            previous = word
            continue
        out.append(value)
    if clause == "group" and kept_in_group == 0 and dropped_from_group:
        out.append(f" ({dropped_from_group})")
    return "".join(out)


def _bound_written_in(tokens: list[tuple[str, str]], bindings: dict[str, str]) -> list:
    """The tokens with ``BOUND(?var)`` of a bound variable as ``true`` (BOUND takes only a
    variable, so its term cannot be written in there)."""
    solid = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
    replaced: dict[int, tuple[str, str]] = {}
    skipped: set[int] = set()
    for at in range(len(solid) - 3):
        four = [tokens[i] for i in solid[at : at + 4]]
        (_, word), (_, opening), (kind, name), (_, closing) = four
        shape = (word.upper(), opening, kind, closing)
        if shape == ("BOUND", "(", "var", ")") and name[1:] in bindings:
            replaced[solid[at]] = ("other", "true")
            skipped |= set(range(solid[at] + 1, solid[at + 3] + 1))
    return [replaced.get(i, token) for i, token in enumerate(tokens) if i not in skipped]


def split_prologue(text: str) -> tuple[str, str]:
    """The PREFIX and BASE declarations (with the comments among them) and the rest."""
    tokens = _tokens(text)
    at = 0
    while at < len(tokens):
        kind, value = tokens[at]
        if kind in ("comment", "space"):
            at += 1
        elif _upper(kind, value) in ("PREFIX", "BASE"):
            at = _after(tokens, at, "iri")
        else:
            break
    return "".join(v for _, v in tokens[:at]), "".join(v for _, v in tokens[at:])


def _after(tokens, at: int, kind: str) -> int:
    while at < len(tokens) and tokens[at][0] != kind:
        at += 1
    return at + 1


def top_level_words(text: str) -> set[str]:
    """The keywords of ``text`` outside every group: what a query's solution modifiers are."""
    braces, found = 0, set()
    for kind, value in _tokens(text):
        if value == "{":
            braces += 1
        elif value == "}":
            braces -= 1
        elif braces == 0 and kind == "word":
            found.add(value.upper())
    return found


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    for kind, value in _tokens(split_prologue(text)[1]):
        if kind == "word":
            return value.upper()
    return ""


def pageable(text: str) -> bool:
    """Whether a SELECT can be asked a page at a time: no LIMIT, OFFSET or trailing VALUES of
    its own."""
    return query_form(text) == "SELECT" and not top_level_words(text) & {
        "LIMIT",
        "OFFSET",
        "VALUES",
    }


def first_rows(text: str, count: int) -> str:
    """The query limited to its first ``count`` rows (in whatever order the engine gives)."""
    return f"{text}\nLIMIT {count}"


def page(text: str, variables: list[str], size: int, number: int) -> str:
    """Page ``number`` (from 0) of ``size`` rows, in an order fixed by every variable: the
    query's own ORDER BY first, the rest breaking its ties. The ordered query sits in a subquery
    and the page is cut outside it: engines that cap how many sorted rows a LIMIT may skip
    (Virtuoso) still page through any number of rows."""
    prologue, body = split_prologue(text)
    keys = " ".join(f"?{name}" for name in variables)
    ordered = f"{body}\n{keys}" if "ORDER" in top_level_words(body) else f"{body}\nORDER BY {keys}"
    return f"{prologue}SELECT * WHERE {{ {{\n{ordered}\n}} }}\nLIMIT {size} OFFSET {size * number}"
