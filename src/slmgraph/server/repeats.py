"""Repeated queries answered from the answer cache before routing: the shortest path a request
can take, for the answers asked for most.

It sits inside the gzip and CORS layers, reads the request as the protocol route does (the
same parameter parser and cache key) and sends the stored body and headers. Anything else (a
miss, a conditional or HEAD request) goes on to the routes with the body it read handed on.
"""

import functools

from slmgraph.server import protocol
from slmgraph.server.pool import Unavailable
from slmgraph.server.state import ServerState

PATHS = ("/sparql", "/sparql/")


class Repeats:
    def __init__(self, app, state: ServerState):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["path"] not in PATHS
            or scope["method"] not in ("GET", "POST")
        ):
            return await self.app(scope, receive, send)
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)  # the first of each, as the app reads them
        messages = []
        if scope["method"] == "POST":
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break

        async def replay():
            return messages.pop(0) if messages else await receive()

        ready = self._lookup(scope, headers, messages)
        if ready is None:
            return await self.app(scope, replay, send)
        start = {"type": "http.response.start", "status": 200, "headers": list(ready.headers)}
        await send(start)  # a fresh list: the gzip layer edits the headers in place
        await send({"type": "http.response.body", "body": ready.body})

    def _lookup(self, scope, headers: dict[bytes, bytes], messages: list):
        if b"if-none-match" in headers:
            return None
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        key = _key(
            scope["method"],
            scope["query_string"],
            headers.get(b"content-type", b""),
            body,
            headers.get(b"accept"),
            protocol.base_iri(scope),
        )
        if key is None:
            return None
        try:
            return self.state.answers.get(self.state.build(), key)
        except Unavailable:  # no build: the routes say so
            return None


@functools.lru_cache(maxsize=256)  # a repeated request is parsed once (256 x 64 KB at most)
def _key(method, query_string, content_type, body, accept, base) -> tuple | None:
    """The cache key of a query request, or None for anything the route would not run."""
    try:
        params = protocol.parse_params(method, query_string, content_type.decode("latin-1"), body)
    except protocol.BadRequest:
        return None
    if len(params.getlist("query")) != 1 or any(n in params for n in protocol.UPDATE_PARAMS):
        return None
    return protocol.query_key(params, None if accept is None else accept.decode("latin-1"), base)
