"""Every default location: bundled resources and the per-user cache."""

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    """A bundled directory: inside the installed wheel, else at the source tree's root."""
    bundled = _PACKAGE / "bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE.parents[1] / name


def data_dir() -> Path:
    return _resource("data")


def ontology_dir() -> Path:
    return _resource("ontology")


def queries_dir() -> Path:
    return _resource("queries")


def cache_dir() -> Path:
    """``$SLMGRAPH_CACHE``, else ``$XDG_CACHE_HOME/slmgraph``, else ``~/.cache/slmgraph``."""
    if explicit := os.environ.get("SLMGRAPH_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "slmgraph"


def default_store() -> Path:
    return cache_dir() / "store"
