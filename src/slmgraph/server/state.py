"""What the routes share: settings, the two worker lanes, the build in use and per-build caches.

A query whose text bounds its cost (``guard.Inspection.instant``: one pattern about one named
subject, cut lazily at the row cap) is answered in the server's own process: a worker's
deadline and memory cap would only add the round trip to it.

The main lane runs every kind of query under the full deadline. The quick lane is kept for
queries estimated cheap: one goes there when no main worker is free, so a burst of runaway
queries holding every main worker does not hold it up. A query slower than the quick deadline
there is stopped and run again in the main lane, so a wrong estimate only costs that time.
"""

import asyncio
import os
import time

from slmgraph.server import worker
from slmgraph.server.cache import AnswerCache
from slmgraph.server.config import ServerConfig
from slmgraph.server.pool import JobFailed, Unavailable, WorkerPool

# How long the build in use is taken as read: a swap is seen within this, and a busy server
# reads the link once for many requests rather than once for each.
BUILD_READ_FOR = 0.005


class ServerState:
    def __init__(self, config: ServerConfig):
        self.config = config
        memory = config.worker_memory
        self.pool = WorkerPool(config.store_dir, config.workers, memory)
        self.quick = WorkerPool(config.store_dir, config.quick_workers, memory)
        self.answers = AnswerCache(config.cache_bytes)
        self.here = InProcess(config.store_dir)
        self._cache: dict[tuple[str, str], object] = {}
        self._current = str(config.store_dir / "current")
        self._build: str | None = None  # None: no store is built
        self._build_read = -BUILD_READ_FOR

    async def start(self) -> None:
        await asyncio.gather(self.pool.start(), self.quick.start())

    async def close(self) -> None:
        await asyncio.gather(self.pool.close(), self.quick.close())

    def build(self) -> str:
        """The build in use, read again every few milliseconds, so a rebuild is picked up while
        serving."""
        now = time.monotonic()
        if now - self._build_read > BUILD_READ_FOR:
            self._build_read = now
            try:  # what store.current_build reads, in one system call
                self._build = os.path.basename(os.readlink(self._current))
            except OSError:
                self._build = None
        if self._build is None:
            raise Unavailable(f"no store is built at {self.config.store_dir}")
        return self._build

    async def run(self, job: str, cheap: bool = True, instant: bool = False, **kwargs):
        """Run ``job``; ``cheap`` lets it take the quick lane when the main lane is full, and
        ``instant`` runs it here."""
        if instant:
            return self.here.run(self.build(), job, **kwargs)
        return await self._run(self.build(), job, cheap, **kwargs)

    async def _run(self, build: str, job: str, cheap: bool, **kwargs):
        if cheap and self.quick.size and not self.pool.idle():
            try:
                return await self.quick.run(build, job, self.config.quick_deadline, **kwargs)
            except Unavailable:
                pass  # not quick after all (or the lane was full): the main lane takes it
        return await self.pool.run(build, job, self.config.deadline, **kwargs)

    async def per_build(self, job: str):
        """A job without arguments whose result only changes with the build (labels, VoID)."""
        key = (self.build(), job)
        if key not in self._cache:
            result = await self._run(key[0], job, True)
            self._cache = {k: v for k, v in self._cache.items() if k[0] == key[0]}
            self._cache[key] = result
        return self._cache[key]


class InProcess:
    """Jobs run in the server's process, on the build in use, opened here as a worker opens it."""

    def __init__(self, store_dir):
        self.jobs = worker.Jobs(store_dir)

    def run(self, build_id: str, job: str, **kwargs):
        reply = self.jobs.reply(build_id, job, kwargs)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "memory":  # answered 500, as any other failure here
            raise JobFailed(500, "MemoryError")
        raise JobFailed(reply[1], reply[2])
