"""Answers kept in memory: a build never changes, so the same request gets the same answer.

Keys are whatever selects the answer (the query text, the Accept header, the dataset); the
cache holds one build's answers and starts over when the build changes. The least recently
used answers go first once ``max_bytes`` of bodies are held; a body over an eighth of that is
not kept, so one huge answer cannot empty the cache. Answers that depend on NOW(), RAND() and
the like are never offered to it (see ``guard.inspect``).

>>> cache = AnswerCache(max_bytes=16)
>>> cache.put("b1", ("q",), "answer", size=2)
>>> cache.get("b1", ("q",)), cache.get("b2", ("q",))
('answer', None)
>>> cache.put("b2", ("r",), "other", size=2)
>>> cache.get("b1", ("q",)) is None and len(cache)
1
>>> cache.put("b2", ("big",), "too big to keep", size=3)
>>> for n in range(8):
...     cache.put("b2", (n,), n, size=2)
>>> cache.get("b2", ("r",)), cache.get("b2", ("big",)), cache.get("b2", (7,)), len(cache)
(None, None, 7, 8)
"""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Ready:
    """An answer as it went out: its body and its raw HTTP headers, to send again as is."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]

    @cached_property
    def head(self) -> bytes:
        """The headers as they are written on the wire, a line each."""
        return header_lines(self.headers)


def header_lines(headers) -> bytes:
    """HTTP headers as they are written on the wire, a line each."""
    return b"".join(b"%s: %s\r\n" % header for header in headers)


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._build: str | None = None
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._held = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, build: str, key: Hashable):
        if build != self._build:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, build: str, key: Hashable, answer, size: int) -> None:
        if build != self._build:
            self._entries.clear()
            self._held = 0
            self._build = build
        if size * 8 > self.max_bytes or key in self._entries:
            return
        self._entries[key] = (answer, size)
        self._held += size
        while self._held > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._held -= dropped
