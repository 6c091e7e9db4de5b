"""The least a Python SPARQL server can do per request, to stand beside ours in
``serve_load.py --floor``: read the form, run the query on the store, write the answer with
pyoxigraph's own writers. No check, no deadline, no worker, no cache, no logging: what is left
is the HTTP server's work and one pyoxigraph call, so its throughput bounds what any server
written in Python can reach here, whatever it adds for safety. The same app is served by
uvicorn (ASGI, HTTP parsed by httptools) or by granian (RSGI, HTTP in Rust), one process a core.

    SLMGRAPH_FLOOR_STORE=BUILD_DIR uvicorn python_floor:app --app-dir bench --workers 2
    SLMGRAPH_FLOOR_STORE=BUILD_DIR granian --interface rsgi --working-dir bench --workers 2 \
        python_floor:rsgi_app
"""

import os
from urllib.parse import parse_qs

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

STORE = Store.read_only(os.environ["SLMGRAPH_FLOOR_STORE"])
SOLUTIONS = b"application/sparql-results+json"
TRIPLES = b"application/n-triples"


def answer(form: bytes) -> tuple[bytes, bytes]:
    """The media type and body of the answer to the query in a form-encoded body."""
    found = STORE.query(parse_qs(form.decode())["query"][0])
    if isinstance(found, QueryBoolean | QuerySolutions):
        return SOLUTIONS, found.serialize(format=QueryResultsFormat.JSON)
    return TRIPLES, found.serialize(format=RdfFormat.N_TRIPLES)


async def app(scope, receive, send):
    """ASGI, for uvicorn."""
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    media, data = answer(body)
    headers = [(b"content-type", media)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def rsgi_app(scope, protocol):
    """RSGI, for granian."""
    media, data = answer(await protocol())
    protocol.response_bytes(200, [("content-type", media.decode())], data)
