"""Settings of one server instance; the CLI fills them, tests build them directly."""

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MOST_FRONTS = 8  # past this, another HTTP process adds memory more than it adds speed


def cores() -> int:
    return os.cpu_count() or 1


def default_fronts() -> int:
    # Small queries are answered in the HTTP process itself: one a core keeps every core busy.
    return min(cores(), MOST_FRONTS)


def default_workers(fronts: int = 1) -> int:
    # At least two, so one runaway query never holds the only worker; together, about a core each.
    return max(2, cores() // fronts)


@dataclass(frozen=True)
class ServerConfig:
    store_dir: Path
    deadline: float = 10.0  # seconds a query may run before its worker is killed
    row_cap: int = 10_000  # rows (or triples) in one answer; more is announced, never silent
    max_request_bytes: int = 64 * 1024  # body or query string; larger requests get 413
    fronts: int = 1  # HTTP processes sharing the port, each with its own workers and caches
    workers: int = field(default_factory=default_workers)  # main-lane workers of each front
    quick_workers: int = 1  # a lane for queries estimated cheap, so they never queue behind others
    quick_deadline: float = 0.5  # seconds in the quick lane; a slower query moves to the main lane
    worker_memory: int = 2048  # MB of data one worker may hold; more answers 503, worker replaced
    cache_bytes: int = 64 * 1024 * 1024  # answer bodies kept in memory for repeated requests
    cors: bool = False
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call
    max_age: int = 60  # Cache-Control max-age for answers derived from the build
    access_log: bool = True

    def to_json(self) -> str:
        """The settings as text, for the front processes, which start afresh."""
        return json.dumps(dataclasses.asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> "ServerConfig":
        settings = json.loads(text)
        settings["store_dir"] = Path(settings["store_dir"])
        settings["allowed_services"] = tuple(settings["allowed_services"])
        return cls(**settings)
