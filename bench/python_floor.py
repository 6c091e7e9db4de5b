"""The least a Python SPARQL server can do per request, to stand beside ours in
``serve_load.py --floor``: read the form, run the query on the store, write the answer with
pyoxigraph's own writers. No check, no deadline, no worker, no cache, no logging: what is left
is uvicorn's HTTP and one pyoxigraph call, so its throughput bounds what any server written in
Python can reach here, whatever it adds for safety.

    SLMGRAPH_FLOOR_STORE=BUILD_DIR uvicorn python_floor:app --app-dir bench --workers 2
"""

import os
from urllib.parse import parse_qs

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

STORE = Store.read_only(os.environ["SLMGRAPH_FLOOR_STORE"])
SOLUTIONS = b"application/sparql-results+json"
TRIPLES = b"application/n-triples"


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    answer = STORE.query(parse_qs(body.decode())["query"][0])
    if isinstance(answer, QueryBoolean | QuerySolutions):
        media, data = SOLUTIONS, answer.serialize(format=QueryResultsFormat.JSON)
    else:
        media, data = TRIPLES, answer.serialize(format=RdfFormat.N_TRIPLES)
    headers = [(b"content-type", media)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": data})
