"""Settings of one server instance; the CLI fills them, tests build them directly."""

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_workers() -> int:
    # At least two, so one runaway query never holds the only worker.
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerConfig:
    store_dir: Path
    deadline: float = 10.0  # seconds a query may run before its worker is killed
    row_cap: int = 10_000  # rows (or triples) in one answer; more is announced, never silent
    max_request_bytes: int = 64 * 1024  # body or query string; larger requests get 413
    workers: int = field(default_factory=default_workers)
    quick_workers: int = 1  # a lane for queries estimated cheap, so they never queue behind others
    quick_deadline: float = 0.5  # seconds in the quick lane; a slower query moves to the main lane
    worker_memory: int = 2048  # MB of data one worker may hold; more answers 503, worker replaced
    cache_bytes: int = 64 * 1024 * 1024  # answer bodies kept in memory for repeated requests
    cors: bool = False
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call
    max_age: int = 60  # Cache-Control max-age for answers derived from the build
    access_log: bool = True
