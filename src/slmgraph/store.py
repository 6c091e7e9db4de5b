"""The on-disk Oxigraph store: content-addressed builds and an atomic switch between them.

Layout of a store directory::

    STORE/builds/<hash>/   one immutable Oxigraph database per distinct input
    STORE/current          symlink to the build in use, replaced atomically

A failed or interrupted build never touches ``current``: readers keep the previous build.
"""

import hashlib
import os
import shutil
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from slmgraph import __version__
from slmgraph.vocab import ONTOLOGY_GRAPH

# The modules whose code decides what a build contains: editing one invalidates the cache.
_BUILDER_MODULES = ("schema.py", "catalog.py", "checks.py", "rdf.py", "vocab.py", "store.py")


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology loaded beside the data (the SHACL shapes are for validation only)."""
    return [ontology_dir / "slm.ttl"]


def content_hash(data_dir: Path, ontology_dir: Path) -> str:
    """A short hash of every input of a build: the entries, the ontology and the builder's code."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    inputs = [(f"code/{name}", here / name) for name in _BUILDER_MODULES]
    inputs += [(f"data/{p.relative_to(data_dir)}", p) for p in sorted(data_dir.rglob("*.yaml"))]
    inputs += [(f"ontology/{p.name}", p) for p in ontology_files(ontology_dir)]
    for name, path in inputs:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def current_build(store_dir: Path) -> str | None:
    """The hash of the build in use, or None when nothing was built yet."""
    link = store_dir / "current"
    return Path(os.readlink(link)).name if link.is_symlink() else None


def open_store(store_dir: Path) -> Store:
    """Open the build in use, read-only (many readers may share it)."""
    if current_build(store_dir) is None:
        raise FileNotFoundError(f"no store built at {store_dir}; run `slmgraph build`")
    return Store.read_only(str((store_dir / "current").resolve()))


def ensure(data_dir: Path, ontology_dir: Path, store_dir: Path) -> str:
    """Make ``current`` match the inputs, building only when they changed; return the build hash.

    Raises CatalogError (and changes nothing) when the entries are invalid.
    """
    build_id = content_hash(data_dir, ontology_dir)
    if current_build(store_dir) == build_id:
        return build_id
    if not (store_dir / "builds" / build_id).is_dir():
        from slmgraph import catalog, rdf

        quads = rdf.to_quads(catalog.load(data_dir))
        _write_build(store_dir, build_id, quads, ontology_files(ontology_dir))
    _switch(store_dir, build_id)
    return build_id


def _write_build(store_dir: Path, build_id: str, quads, ontology: list[Path]) -> None:
    builds = store_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(builds)
    partial = builds / f".{build_id}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    store = Store(str(partial))
    store.bulk_extend(quads)
    for path in ontology:
        store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=NamedNode(ONTOLOGY_GRAPH))
    store.flush()
    del store
    try:
        partial.rename(builds / build_id)
    except OSError:  # another process finished the same build first
        shutil.rmtree(partial, ignore_errors=True)


def _switch(store_dir: Path, build_id: str) -> None:
    """Point ``current`` at a finished build in one atomic rename, then drop old builds."""
    previous = current_build(store_dir)
    staging = store_dir / f".current.{os.getpid()}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(Path("builds") / build_id)
    os.replace(staging, store_dir / "current")
    keep = {build_id, previous}
    for build in (store_dir / "builds").iterdir():
        if not build.name.startswith(".") and build.name not in keep:
            shutil.rmtree(build, ignore_errors=True)


def _remove_abandoned(builds: Path) -> None:
    """Delete partial builds left by processes that no longer run."""
    for partial in builds.glob(".*.partial"):
        pid = int(partial.name.split(".")[-2])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(partial, ignore_errors=True)
        except PermissionError:
            pass
