"""The SPARQL 1.1 Protocol at ``/sparql``; Graph Store Protocol reads (``?default``, ``?graph=``).

Read-only: updates are answered 403 and nothing is written. A query is checked (SERVICE,
nesting), then answered from the answer cache or run by a worker under the deadline; the answer
carries the build's ETag unless it depends on NOW(), RAND() and the like, which are never cached.
"""

import functools
from urllib.parse import parse_qsl

from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import Response

from slmgraph.server import describe, web
from slmgraph.server.cache import Ready
from slmgraph.server.guard import Refused, check
from slmgraph.server.pool import JobFailed, Late, Unavailable
from slmgraph.server.state import ServerState
from slmgraph.vocab import ONTOLOGY_GRAPH

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted and nothing is written"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _media(header: str) -> tuple[str, str | None]:
    """A Content-Type's media type and its charset, if one is given."""
    media, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _utf8(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise BadRequest(415, f"charset {charset} is not supported: send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "the request body is not valid UTF-8") from None


# The answer layer and the route read a request once between them (see repeats).
@functools.lru_cache(maxsize=256)
def parse_params(method: str, query_string: bytes, content_type: str, body: bytes) -> MultiDict:
    """Every protocol parameter of a GET or POST, with a direct query under ``query``.

    The result is shared between callers: read it, never change it.
    """
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if method == "POST":
        media, charset = _media(content_type)
        if media == FORM:
            pairs += parse_qsl(_utf8(body, charset), keep_blank_values=True)
        elif media == QUERY:
            pairs.append(("query", _utf8(body, charset)))
        elif media == UPDATE:
            raise BadRequest(403, READ_ONLY)
        elif not media:
            raise BadRequest(415, f"a POST needs a Content-Type: {FORM} or {QUERY}")
        else:
            raise BadRequest(415, f"Content-Type {media} is not accepted: use {FORM} or {QUERY}")
    return MultiDict(pairs)


async def read_params(request: Request) -> MultiDict:
    body = await request.body() if request.method == "POST" else b""
    content_type = request.headers.get("content-type", "")
    return parse_params(request.method, request.scope["query_string"], content_type, body)


def base_iri(scope) -> str:
    """The endpoint's own address, which relative IRIs in a query resolve against."""
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    return address(scope.get("scheme", "http"), host, scope.get("server"), scope["path"])


def address(scheme: str, host: bytes | None, server: tuple | None, path: str) -> str:
    """A request's address, from its Host header, else the address it reached."""
    if host is None:
        name, port = server or ("localhost", 80)
        authority = f"{name}:{port}"
    else:
        authority = host.decode("latin-1")
    return f"{scheme}://{authority}{path}"


def query_key(params: MultiDict, accept: str | None, base: str) -> tuple:
    """What selects a query's answer within a build: its cache key and the seed of its ETag.

    The query counts without the whitespace around it; the rest picks format and dataset.
    """
    query = params["query"].strip()
    defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    return ("sparql", query, accept or "", params.get("format") or "", base, *defaults, "|", *named)


def _query_job(key: tuple) -> dict:
    """The arguments of the query job whose answer ``key`` (from ``query_key``) selects."""
    _, query, accept, fmt, base, *graphs = key
    bar = graphs.index("|")
    defaults, named = graphs[:bar], graphs[bar + 1 :]
    return {
        "query": query,
        "accept": accept or None,
        "fmt": fmt or None,
        "base_iri": base,
        "default_graphs": defaults,
        "named_graphs": named,
    }


async def endpoint(request: Request) -> Response:
    if request.method not in ("GET", "HEAD", "POST"):
        return web.error(405, f"{READ_ONLY}; use GET or POST", {"Allow": "GET, HEAD, POST"})
    try:
        params = await read_params(request)
        if any(name in params for name in UPDATE_PARAMS):
            raise BadRequest(403, READ_ONLY)
        queries = params.getlist("query")
        if len(queries) > 1:
            raise BadRequest(400, "give exactly one query parameter")
    except BadRequest as problem:
        return web.error(problem.status, str(problem))
    if not queries:
        if "default" in params or "graph" in params:
            return await graph_store(request, params)
        return await describe.service_description(request)
    return await run_query(request, params, queries[0])


async def run_query(request: Request, params: MultiDict, query: str) -> Response:
    state: ServerState = request.app.state.server
    try:
        found = check(query, state.config.allowed_services)
    except Refused as refusal:
        return web.error(refusal.status, str(refusal))
    accept, fmt = request.headers.get("accept"), params.get("format")
    defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    base = base_iri(request.scope)
    key = query_key(params, accept, base)
    tag = None if found.volatile else web.etag(state.build(), *key)
    if tag is not None and web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    return await answer(
        request,
        tag,
        "sparql",
        cheap=found.cheap,
        instant=found.instant,
        key=None if found.volatile else key,
        query=query,
        accept=accept,
        fmt=fmt,
        default_graphs=defaults,
        named_graphs=named,
        row_cap=state.config.row_cap,
        base_iri=base,
        limit=found.limit,
    )


async def graph_store(request: Request, params: MultiDict) -> Response:
    """Graph Store Protocol, reads only: ``?default`` or ``?graph=IRI``."""
    state: ServerState = request.app.state.server
    if request.method not in ("GET", "HEAD"):
        return web.error(405, READ_ONLY, {"Allow": "GET, HEAD"})
    name = params.get("graph") if "graph" in params else None
    if "default" in params and name is not None:
        return web.error(400, "give either ?default or ?graph=IRI, not both")
    accept, fmt = request.headers.get("accept"), params.get("format")
    key = ("graph", name or "", accept or "", fmt or "")
    tag = web.etag(state.build(), *key)
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    late = (
        f"the graph could not be sent whole within the deadline of {state.config.deadline:g} s; "
        "read it a part at a time with a SPARQL query (LIMIT and OFFSET)"
    )
    return await answer(
        request, tag, "graph", cheap=False, key=key, late=late, name=name, accept=accept, fmt=fmt
    )


async def store_route(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return web.error(405, READ_ONLY, {"Allow": "GET, HEAD"})
    params = request.query_params
    if "default" not in params and "graph" not in params:
        return web.error(400, "give ?default or ?graph=IRI")
    return await graph_store(request, MultiDict(list(params.multi_items())))


async def ontology_route(request: Request) -> Response:
    """The ontology's IRI dereferences to the ontology graph (Turtle unless asked otherwise)."""
    params = MultiDict([("graph", ONTOLOGY_GRAPH), *request.query_params.multi_items()])
    return await graph_store(request, params)


async def answer(
    request: Request,
    tag: str | None,
    job: str,
    *,
    cheap: bool = True,
    instant: bool = False,
    key: tuple | None = None,
    late: str | None = None,
    **kwargs,
) -> Response:
    """Send the serialised Answer of a job, from the cache or a worker, with validators and caps.

    ``key`` is what picks the answer within a build (the cache key), or None not to cache it;
    without a ``tag`` the answer may differ between runs and is marked not to be stored;
    ``late`` is what to say if the job is stopped at its deadline, where the default advice
    (simplify the query) does not fit.
    """
    state: ServerState = request.app.state.server
    build = state.build()
    ready = None if key is None else state.answers.get(build, key)
    if ready is not None:
        return ready_response(ready)
    try:
        result = await state.run(job, cheap, instant, **kwargs)
    except Unavailable as busy:
        message = late if late and isinstance(busy, Late) else str(busy)
        return web.error(503, message, {"Retry-After": "5"})
    except JobFailed as failure:
        return web.error(failure.status, str(failure))
    response = _answered(result, tag, state.config)
    if tag is not None and key is not None:
        _keep(state, build, key, response)
    return response


def _keep(state: ServerState, build: str, key: tuple, response: Response) -> Ready:
    """Keep an answer as it is sent, for the same query on the same build."""
    ready = Ready(response.body, tuple(response.raw_headers))
    state.answers.put(build, key, ready, len(response.body))
    return ready


def _answered(result, tag: str | None, config) -> Response:
    """A job's answer with the row cap, whether it was cut there, and its validators."""
    headers = {"X-SPARQL-Row-Limit": str(config.row_cap)}
    if result.truncated:
        headers["X-SPARQL-Truncated"] = "true"
        cap = config.row_cap
        headers["Warning"] = f'199 slmgraph "results truncated: only the first {cap} are given"'
    response = Response(result.body, headers=headers, media_type=result.content_type)
    if tag is None:
        response.headers["Cache-Control"] = "no-store"
        return response
    return web.cached(response, tag, config.max_age)


def answer_here(state: ServerState, build: str, key: tuple) -> Ready | None:
    """The answer ``run_query`` would send to a query whose text bounds its cost (the guard's
    instant rule), made at once in this process and kept; None for any other query, or for
    one that fails, which the route then answers with its error."""
    job = _query_job(key)
    try:
        found = check(job["query"], state.config.allowed_services)
    except Refused:
        return None
    if not found.instant or found.volatile:
        return None
    try:
        result = state.here.run(
            build, "sparql", row_cap=state.config.row_cap, limit=found.limit, **job
        )
    except JobFailed:
        return None
    return _keep(state, build, key, _answered(result, web.etag(build, *key), state.config))


def ready_response(ready: Ready) -> Response:
    response = Response(ready.body)
    response.raw_headers = list(ready.headers)
    return response
