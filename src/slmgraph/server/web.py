"""HTTP plumbing shared by every route: size limits, access log, validators and error answers."""

import asyncio
import atexit
import hashlib
import select
import sys
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

GZIP_FROM = 1024  # bytes: a smaller body goes out uncompressed, whatever the client takes


class _TooLarge(Exception):
    pass


class SizeLimit:
    """Answer 413 to a body over ``max_bytes`` (declared or streamed) and 414 to a long URL."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_bytes
        if len(scope.get("query_string", b"")) > limit:
            return await _plain(414, f"the URL is over the limit of {limit} bytes; use POST")(
                scope, receive, send
            )
        if declared_over(dict(scope["headers"]).get(b"content-length"), limit):
            return await _too_large(limit)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(limit)(scope, receive, send)


def declared_over(content_length: bytes | None, limit: int) -> bool:
    """Whether a request's Content-Length header says its body is over ``limit`` bytes."""
    return content_length is not None and content_length.isdigit() and int(content_length) > limit


def _too_large(limit: int) -> Response:
    return _plain(413, f"the request body is over the limit of {limit} bytes")


def _plain(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status, headers={"Cache-Control": "no-store"})


class AccessLog:
    """One line per request: client, request line, status, bytes sent and time taken."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status, sent = 0, 0

        async def watched(message):
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            access_line(scope, status, sent, started)


class _Clock:
    """The time as the logging module's default formatter writes it, remade once a second."""

    second = -1
    text = ""

    def now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self.second:
            self.second = second
            self.text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self.text},{int((now - second) * 1000):03d}"


_clock = _Clock()


def access_line(scope, status: int, sent: int, started: float) -> None:
    """Write one access-log line to stderr, in the server log's format.

    Written directly, and in batches: a logging record, or a write to stderr for each line,
    costs more than sending a cached answer does.
    """
    client = scope.get("client") or ("-", 0)
    target = scope["path"]
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    if len(target) > 300:
        target = target[:300] + "…"
    took = (time.perf_counter() - started) * 1000
    _access_log.add(
        f"{_clock.now()} slmgraph.access {client[0]} "
        f'"{scope["method"]} {target} HTTP/{scope.get("http_version", "1.1")}" '
        f"{status} {sent} {took:.1f}ms\n"
    )


class _Batched:
    """Lines written to stderr together, a moment after the first of them (and at exit)."""

    def __init__(self, after: float):
        self.after = after
        self.lines: list[str] = []
        atexit.register(self.flush)

    def add(self, line: str) -> None:
        if not self.lines:
            asyncio.get_running_loop().call_later(self.after, self.flush)
        self.lines.append(line)

    def flush(self) -> None:
        lines, self.lines = self.lines, []
        for chunk in whole_lines(lines, select.PIPE_BUF):
            sys.stderr.write(chunk)
            sys.stderr.flush()


def whole_lines(lines: list[str], most: int) -> list[str]:
    """The lines joined into writes of at most ``most`` bytes where they fit (a longer line is a
    write of its own): each front writes to the same stderr, and a pipe keeps a write of up to
    PIPE_BUF bytes whole, so no other front's lines land inside a line.

    >>> whole_lines(["ab\\n", "cd\\n", "efgh\\n"], 6)
    ['ab\\ncd\\n', 'efgh\\n']
    """
    chunks: list[str] = []
    size = most + 1  # no chunk yet: the first line starts one
    for line in lines:
        length = len(line.encode(errors="backslashreplace"))  # as stderr writes it
        if size + length > most:
            chunks.append(line)
            size = length
        else:
            chunks[-1] += line
            size += length
    return chunks


_access_log = _Batched(after=0.05)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error: errors are never cached."""
    return PlainTextResponse(
        message + "\n", status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def etag(build_id: str, *parts: str) -> str:
    """A weak validator: the build's content hash plus whatever selects the representation."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return f'W/"{build_id}-{digest}"'


def not_modified(request: Request, tag: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == bare for candidate in header.split(","))


def cached(response: Response, tag: str, max_age: int) -> Response:
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Vary"] = "Accept"  # the gzip layer adds Accept-Encoding
    return response


def not_modified_response(tag: str, max_age: int) -> Response:
    return cached(Response(status_code=304), tag, max_age)
