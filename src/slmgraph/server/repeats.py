"""Repeated queries answered from memory by the outermost layer: the shortest path a request can
take, for the answers asked for most.

The first time a query is asked in a given form it goes through the whole app (size limit,
CORS, gzip, the route, which keeps the answer if it may be cached); this layer keeps what went
out in the end, headers and body, for that form. A repeat in the same form is sent exactly that,
with no middleware, routing or compression on the way. The form is the route's cache key (query,
Accept, format, dataset, address) plus what the outer layers look at: whether the client takes
gzip and whether it sent an Origin. A conditional (If-None-Match) or HEAD request, an oversized
one, or anything else goes on to the app with the body read so far handed on.

A query about one named subject (the guard's instant rule) skips the app the first time too,
where the layers around it would add nothing: it is made here as the route makes it, and kept.
"""

import functools
import time

from slmgraph.server import protocol, web
from slmgraph.server.cache import Ready
from slmgraph.server.pool import Unavailable
from slmgraph.server.state import ServerState

PATHS = ("/sparql", "/sparql/")


class Repeats:
    def __init__(self, app, state: ServerState, max_bytes: int, log: bool):
        self.app = app
        self.state = state
        self.max_bytes = max_bytes
        self.log = log

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["path"] not in PATHS
            or scope["method"] not in ("GET", "POST")
            or len(scope["query_string"]) > self.max_bytes  # the app answers 414
        ):
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = first_of_each(scope["headers"])
        messages, complete = [], True
        if scope["method"] == "POST":
            complete = await self._read_body(headers, receive, messages)

        async def replay():
            return messages.pop(0) if messages else await receive()

        form, build = None, None
        if complete:
            body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
            base = protocol.base_iri(scope)
            form, build = self.form(scope["method"], scope["query_string"], headers, body, base)
        if form is None:
            return await self.app(scope, replay, send)
        ready = self.answer(build, form)
        if ready is None:
            return await self._keep(scope, replay, send, build, form)
        await send({"type": "http.response.start", "status": 200, "headers": ready.headers})
        await send({"type": "http.response.body", "body": ready.body})
        if self.log:
            web.access_line(scope, 200, len(ready.body), started)

    async def _read_body(self, headers, receive, messages: list) -> bool:
        """Read a POST body into ``messages``; False if it is over the limit (the app says so)."""
        if web.declared_over(headers.get(b"content-length"), self.max_bytes):
            return False
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                return False
            if message["type"] != "http.request" or not message.get("more_body"):
                return True

    def form(
        self, method: str, query_string: bytes, headers: dict[bytes, bytes], body: bytes, base: str
    ) -> tuple[tuple | None, str | None]:
        """The form of a whole GET or POST to the endpoint (the route's cache key and what the
        outer layers answer differently to) and the build in use; None for a request that
        must go through the app."""
        if b"if-none-match" in headers:
            return None, None
        content_type = headers.get(b"content-type", b"")
        key = _key(method, query_string, content_type, body, headers.get(b"accept"), base)
        if key is None:
            return None, None
        try:
            build = self.state.build()
        except Unavailable:  # no build: the routes say so
            return None, None
        return (key, b"gzip" in headers.get(b"accept-encoding", b""), b"origin" in headers), build

    def answer(self, build: str, form: tuple) -> Ready | None:
        """The answer kept for ``form``, or else one made at once; None when the app must
        answer."""
        return self.state.answers.get(build, form) or self.made_here(build, form)

    def made_here(self, build: str, form: tuple) -> Ready | None:
        """A query whose text bounds its cost, answered at once as the app would (kept as any
        other answer), when the outer layers would add nothing: no Origin, and a body too small
        to compress; None when the app must answer."""
        key, takes_gzip, has_origin = form
        if has_origin:
            return None
        ready = protocol.answer_here(self.state, build, key)
        if ready is None or (takes_gzip and len(ready.body) >= web.GZIP_FROM):
            return None
        self.state.answers.put(build, form, ready, len(ready.body))
        return ready

    async def _keep(self, scope, receive, send, build: str, form: tuple) -> None:
        """Let the app answer, and keep what it sent if the route kept the answer."""
        sent = []

        async def watched(message):
            sent.append(message)
            await send(message)

        await self.app(scope, receive, watched)
        if self.state.answers.get(build, form[0]) is None:  # volatile, an error, or too big
            return
        if len(sent) == 2 and sent[0]["status"] == 200 and not sent[1].get("more_body"):
            body = sent[1].get("body", b"")
            ready = Ready(body, tuple(sent[0].get("headers", ())))
            self.state.answers.put(build, form, ready, len(body))


def first_of_each(pairs) -> dict[bytes, bytes]:
    """Request headers by name, the first of each as the app reads them."""
    headers: dict[bytes, bytes] = {}
    for name, value in pairs:
        headers.setdefault(name, value)
    return headers


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
