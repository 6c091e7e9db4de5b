"""uvicorn's HTTP protocol with two shortcuts: one write per response, and kept answers written
as soon as their request is whole.

uvicorn writes a response's status line and headers, then its body, as separate system calls,
so a small answer crosses loopback as two segments and wakes the client twice. Here the writes
made while handling one event are joined and sent in one ``writelines`` (a single ``writev``)
at the end of the loop iteration, and before the connection is closed.

A repeated query costs more in uvicorn's request cycle (a task, the ASGI messages) than in
finding its answer. So a GET or a small POST to the endpoint, arriving when no other request
on its connection is being answered, is held until it is whole and looked up among the kept
answers by its form (``Repeats.form``); one found is written at once, exactly as the app sent
it the first time. A query whose text bounds its cost is answered so the first time too
(``Repeats.made_here``); anything else is handed to uvicorn as if it had just arrived. The
bytes of a request answered so are remembered: the same bytes again, arriving alone between
requests, are answered without being parsed, if the answer is still kept for the build in use.
"""

import asyncio
import time
from dataclasses import dataclass

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from slmgraph.server import protocol, web
from slmgraph.server.cache import Ready, header_lines
from slmgraph.server.pool import Unavailable
from slmgraph.server.repeats import PATHS, Repeats, first_of_each

HELD_BYTES = 64 * 1024  # uvicorn's own high-water mark for a request body it buffers
PROXIED = (b"forwarded", b"x-forwarded-for", b"x-forwarded-proto")  # uvicorn rewrites these


class GatheredWrites:
    """A transport whose ``write`` calls within one loop iteration go out together."""

    def __init__(self, transport: asyncio.Transport):
        self._transport = transport
        self._pending: list[bytes] = []
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def write_now(self, data: bytes) -> None:
        """Write ``data`` at once, after anything still gathered."""
        pending, self._pending = self._pending, []
        self._transport.writelines([*pending, data])

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.writelines(pending)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name):  # everything else is the transport's own
        return getattr(self._transport, name)


@dataclass(frozen=True)
class Replay:
    """What a request whose bytes have been seen before needs to be answered again."""

    form: tuple  # its answer's key among the kept answers
    keep_alive: bool
    logged: dict  # the request as the access log writes it


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(GatheredWrites(transport))
        self.repeats = _repeats(self.app)
        self.held: list[bytes] | None = None  # the body so far of a request held back
        self.held_headers: dict[bytes, bytes] = {}
        self.held_since = 0.0
        self.at_rest = True  # between requests: the parser holds nothing
        self.begun = 0  # requests begun in the data being read
        self.answered: Replay | None = None  # a kept answer sent for the data being read

    def data_received(self, data: bytes) -> None:
        if self.at_rest and self.repeats is not None and not self.flow.write_paused:
            replay = _replays.get(data)
            if replay is not None and self._send_again(replay):
                return
        self.begun, self.answered = 0, None
        was_at_rest = self.at_rest
        super().data_received(data)
        if self.answered and self.begun == 1 and was_at_rest and self.at_rest:
            if len(_replays) >= MOST_REPLAYS:
                _replays.clear()
            _replays[data] = self.answered  # these bytes are exactly that one request

    def on_message_begin(self) -> None:
        self.at_rest = False
        self.begun += 1
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._may_hold():
            self.held = []
            self.held_since = time.perf_counter()
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self.held is None:
            return super().on_body(body)
        self.held.append(body)

    def on_message_complete(self) -> None:
        self.at_rest = True
        if self.held is None:
            return super().on_message_complete()
        body, self.held = b"".join(self.held), None
        url = httptools.parse_url(self.url)
        method = self.parser.get_method().decode("ascii")
        query_string, path = url.query or b"", url.path.decode("ascii")
        base = protocol.address(self.scheme, self.held_headers.get(b"host"), self.server, path)
        form, build = self.repeats.form(method, query_string, self.held_headers, body, base)
        ready = None if form is None else self.repeats.answer(build, form)
        if ready is None:  # neither kept nor made at once: uvicorn answers it, as if just come
            super().on_headers_complete()
            if body:
                super().on_body(body)
            return super().on_message_complete()
        logged = {"method": method, "path": path, "query_string": query_string}
        replay = Replay(form, self.parser.should_keep_alive(), logged)
        if b"host" in self.held_headers:  # else its address is the connection's
            self.answered = replay
        self._send(ready, replay, self.held_since)

    def _send_again(self, replay: Replay) -> bool:
        """Answer a request seen before, if its answer is still kept for the build in use."""
        started = time.perf_counter()
        try:
            build = self.repeats.state.build()
        except Unavailable:
            return False
        ready = self.repeats.state.answers.get(build, replay.form)
        if ready is None:
            return False
        self._unset_keepalive_if_required()
        self._send(ready, replay, started)
        return True

    def _may_hold(self) -> bool:
        """A GET or a small POST to the endpoint, with nothing before it still being answered
        on this connection and nothing uvicorn would treat specially."""
        if self.repeats is None or self.pipeline or self.flow.write_paused:
            return False
        if self.cycle is not None and not self.cycle.response_complete:
            return False
        if self.expect_100_continue or self.parser.should_upgrade():
            return False
        if self.parser.get_http_version() != "1.1" or len(self.url) > self.repeats.max_bytes:
            return False
        if self.url.partition(b"?")[0] not in _PATHS:
            return False
        headers = first_of_each(self.headers)
        if any(name in headers for name in PROXIED):
            return False
        self.held_headers = headers
        method = self.parser.get_method()
        if method == b"GET":
            return b"content-length" not in headers and b"transfer-encoding" not in headers
        length = headers.get(b"content-length", b"")
        most = min(HELD_BYTES, self.repeats.max_bytes)  # a larger one is answered 413
        return method == b"POST" and length.isdigit() and int(length) <= most

    def _send(self, ready: Ready, replay: Replay, started: float) -> None:
        """Write a kept answer as the app sent it, with uvicorn's own headers (the date)."""
        parts = [STATUS_LINE[200]]
        parts.append(header_lines(self.server_state.default_headers))
        closing = b"" if replay.keep_alive else b"connection: close\r\n"
        parts += [ready.head, closing, b"\r\n", ready.body]
        self.transport.write_now(b"".join(parts))
        self.server_state.total_requests += 1
        if self.repeats.log:
            web.access_line(replay.logged | {"client": self.client}, 200, len(ready.body), started)
        if not replay.keep_alive:
            self.transport.close()
            return
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )


MOST_REPLAYS = 256  # distinct requests remembered byte for byte (each at most 64 KB)
_replays: dict[bytes, Replay] = {}  # shared by every connection of the server
_PATHS = tuple(path.encode() for path in PATHS)


def _repeats(app) -> Repeats | None:
    """The answer layer under uvicorn's wrappers, if the app has one."""
    while app is not None and not isinstance(app, Repeats):
        app = getattr(app, "app", None)
    return app
