"""What the routes share: settings, the worker pool, the build in use and per-build caches."""

from slmgraph import store
from slmgraph.server.config import ServerConfig
from slmgraph.server.pool import Unavailable, WorkerPool


class ServerState:
    def __init__(self, config: ServerConfig):
        self.config = config
        self.pool = WorkerPool(config.store_dir, config.workers)
        self._cache: dict[tuple[str, str], object] = {}

    def build(self) -> str:
        """The build in use, read on every request so a rebuild is picked up while serving."""
        build_id = store.current_build(self.config.store_dir)
        if build_id is None:
            raise Unavailable(f"no store is built at {self.config.store_dir}")
        return build_id

    async def run(self, job: str, **kwargs):
        return await self.pool.run(self.build(), job, self.config.deadline, **kwargs)

    async def per_build(self, job: str):
        """A job without arguments whose result only changes with the build (labels, VoID)."""
        key = (self.build(), job)
        if key not in self._cache:
            result = await self.pool.run(key[0], job, self.config.deadline)
            self._cache = {k: v for k, v in self._cache.items() if k[0] == key[0]}
            self._cache[key] = result
        return self._cache[key]
