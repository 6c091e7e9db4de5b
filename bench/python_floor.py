"""The least a Python SPARQL server can do per request, to stand beside ours in
``serve_load.py --floor``: read the form, run the query on the store, write the answer with
pyoxigraph's own writers. No check, no deadline, no worker, no cache, no logging: what is left
is the HTTP server's work and one pyoxigraph call, so its throughput bounds what any server
written in Python can reach here, whatever it adds for safety. The same app is served by
uvicorn (ASGI, HTTP parsed by httptools) or by granian (RSGI, HTTP in Rust), one process a core;
run as a script, it is its own server, with less still: an asyncio protocol on uvloop that
finds each request's end and body by hand and answers with one write, no framework at all.

    SLMGRAPH_FLOOR_STORE=BUILD_DIR uvicorn python_floor:app --app-dir bench --workers 2
    SLMGRAPH_FLOOR_STORE=BUILD_DIR granian --interface rsgi --working-dir bench --workers 2 \
        python_floor:rsgi_app
    SLMGRAPH_FLOOR_STORE=BUILD_DIR python bench/python_floor.py PORT
"""

import asyncio
import os
import signal
import socket
import sys
from urllib.parse import parse_qs

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

STORE: Store | None = (
    None if __name__ == "__main__" else Store.read_only(os.environ["SLMGRAPH_FLOOR_STORE"])
)  # as a script, each process opens its own after the fork
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


class RawProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, as a load generator speaks it: each request's head ends at a
    blank line and its body is as long as its Content-Length says; nothing else is read."""

    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        buffer, out = self.buffer + data, []
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            head = buffer[:end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
            if len(buffer) < end + 4 + length:
                break
            media, body = answer(buffer[end + 4 : end + 4 + length])
            out.append(
                b"HTTP/1.1 200 OK\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n"
                % (media, len(body))
                + body
            )
            buffer = buffer[end + 4 + length :]
        self.buffer = buffer
        if out:
            self.transport.write(b"".join(out))


def serve_raw(port: int) -> None:
    """Listen on ``port``, fork one process a core, each with its own store and event loop."""
    import uvloop

    global STORE
    listener = socket.create_server(("127.0.0.1", port), backlog=1024)
    children = []
    for _ in range((os.cpu_count() or 1) - 1):
        if (child := os.fork()) == 0:
            children = []
            break
        children.append(child)

    def stop(*_):  # the bench stops the first process: it takes the others with it
        for child in children:
            os.kill(child, signal.SIGTERM)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    STORE = Store.read_only(os.environ["SLMGRAPH_FLOOR_STORE"])

    async def main():
        server = await asyncio.get_running_loop().create_server(RawProtocol, sock=listener)
        await server.serve_forever()

    uvloop.run(main())


if __name__ == "__main__":
    serve_raw(int(sys.argv[1]))
