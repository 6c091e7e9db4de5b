"""The canned queries in the editor: each with a form for its parameters, never run unbound.

``/canned/NAME?PARAM=VALUE…`` answers the query's text with every parameter bound, or 400
naming what is missing or unknown. A name is resolved as the CLI resolves it (ids, names and
aliases as people type them). The value is written into the text as the CLI's substitution
binds it, so the answer is the one the CLI gives with the same binding.
"""

from pyoxigraph import Literal, NamedNode
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from slmgraph import names, queries, sparqltext
from slmgraph.graph import BadValue, first_day
from slmgraph.paths import queries_dir
from slmgraph.vocab import entity_iri


def optional(param: queries.Param) -> bool:
    return "(optional)" in param.description


def listing() -> list[dict]:
    """Every canned query for the editor: name, title, description, parameters and text."""
    return [
        {
            "name": query.name,
            "title": query.title,
            "description": query.description,
            "params": [
                {
                    "name": param.name,
                    "type": param.type,
                    "description": param.description,
                    "optional": optional(param),
                }
                for param in query.params
            ],
            "text": query.text,
        }
        for query in queries.discover(queries_dir()).values()
    ]


def bound_text(text: str, values: dict[str, NamedNode | Literal]) -> str:
    """``text`` with each parameter of ``values`` written in as its term, as the CLI's
    substitution binds it (a bound value in a ``VALUES`` block instead left the engine to join
    it last: 10 s and more at a million Hub models where this takes milliseconds).

    >>> print(bound_text("SELECT ?a ?b WHERE { ?a ?p ?b }", {"a": NamedNode("http://x/a")}))
    SELECT (<http://x/a> AS ?a) ?b WHERE { <http://x/a> ?p ?b }
    """
    return sparqltext.portable(text, {name: str(term) for name, term in values.items()})


class Unbound(ValueError):
    """A parameter without a usable value, said in one line."""


def resolver(index: dict[str, dict]) -> names.Index:
    """Every entity's id, name and aliases, for resolving the names typed into a form."""
    labels = []
    for row in index.values():
        texts = [row["id"], row["name"], *filter(None, (row.get("aliases") or "").split("|"))]
        labels += [names.Label(row["id"], row["class"], text) for text in texts]
    return names.Index(labels)


def terms(query: queries.Query, given, lookup: names.Index) -> dict[str, NamedNode | Literal]:
    """The RDF term of every parameter given a value; a missing required one is an error."""
    out = {}
    for param in query.params:
        value = (given.get(param.name) or "").strip()
        if not value:
            if optional(param):
                continue
            raise Unbound(f"'{param.name}' needs a value: {param.description}")
        try:
            if param.type == "entity":
                value = entity_iri(lookup.find(value).entity)
            elif param.type == "date":
                value = first_day(value)
            elif param.type == "integer" and not value.lstrip("-").isdigit():
                raise Unbound(f"'{param.name}' is a whole number, not '{value}'")
            out[param.name] = queries.term(param, value)
        except (names.UnknownName, BadValue, ValueError) as error:
            raise Unbound(f"'{param.name}': {error}") from None
    return out


_RESOLVERS: dict[str, names.Index] = {}  # the current build's, made on first use


async def bind(request: Request) -> Response:
    """``/canned/NAME``: the canned query's text with the parameters of the URL bound."""
    from slmgraph.server.pages import entity_index

    state = request.app.state.server
    found = queries.discover(queries_dir()).get(request.path_params["name"])
    if found is None:
        return _error(404, f"no canned query is named '{request.path_params['name']}'")
    build = state.build()
    if build not in _RESOLVERS:
        _RESOLVERS.clear()
        _RESOLVERS[build] = resolver(await entity_index(state))
    try:
        values = terms(found, request.query_params, _RESOLVERS[build])
    except Unbound as problem:
        return _error(400, str(problem))
    bound = {name: str(term) for name, term in values.items()}
    return JSONResponse(
        {"query": bound_text(found.text, values), "bound": bound},
        headers={"Cache-Control": "no-store"},
    )


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status, headers={"Cache-Control": "no-store"})
