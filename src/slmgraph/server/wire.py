"""One write per response: uvicorn's HTTP protocol with its writes gathered per loop iteration.

uvicorn writes a response's status line and headers, then its body, as separate system calls,
so a small answer crosses loopback as two segments and wakes the client twice. Here the writes
made while handling one event are joined and sent in one ``writelines`` (a single ``writev``)
at the end of the loop iteration, and before the connection is closed.
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


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

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.writelines(pending)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name):  # everything else is the transport's own
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(GatheredWrites(transport))
