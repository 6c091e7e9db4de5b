"""The on-disk Oxigraph store: content-addressed builds and an atomic switch between them.

Layout of a store directory::

    STORE/builds/<hash>/   one immutable Oxigraph database per distinct input, with its
                           lineage index (lineage.sqlite) beside the database files
    STORE/current          symlink to the build in use, replaced atomically
    STORE/hub.json         what the imported Hub graph is, when one was imported

A failed or interrupted build never touches ``current``: readers keep the previous build. A
build with an imported Hub graph starts from a hard-linked copy of the previous build, so a
change to the curated entries never imports the Hub again.
"""

import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from slmgraph import __version__, files, hubload, lineage, lineage_build
from slmgraph.vocab import ONTOLOGY_GRAPH

log = logging.getLogger("slmgraph.store")
# The modules whose code decides what a build contains: editing one invalidates the cache.
_BUILDER_MODULES = (
    "schema.py",
    "catalog.py",
    "checks.py",
    "names.py",
    "rdf.py",
    "vocab.py",
    "store.py",
    "lineage.py",
    "edgerows.py",  # what the lineage index keeps of each edge
    "kept.py",  # and of each large report
    "trees.py",  # the order it keeps each report in
)


_MEMOS_KEPT = 16  # fingerprints remembered: enough for a few checkouts, never a growing pile


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology loaded beside the data (the SHACL shapes are for validation only)."""
    return [ontology_dir / "slm.ttl"]


def _inputs(data_dir: Path, ontology_dir: Path) -> list[tuple[str, str]]:
    """(name, path) of every input file, sorted; plain strings, as this runs before every report."""
    here = os.path.dirname(__file__)
    inputs = [(f"code/{name}", os.path.join(here, name)) for name in _BUILDER_MODULES]
    for root, dirs, names in os.walk(data_dir):
        dirs.sort()
        relative = os.path.relpath(root, data_dir)
        # a directory named like an entry is an input too: the catalogue check refuses it
        for file in sorted(f for f in names + dirs if f.endswith(".yaml")):
            inputs.append(
                (f"data/{os.path.normpath(os.path.join(relative, file))}", os.path.join(root, file))
            )
    return inputs + [(f"ontology/{p.name}", str(p)) for p in ontology_files(ontology_dir)]


class StoreProblem(OSError):
    """A store location that cannot be used, said in one line with the fix."""


def content_hash(data_dir: Path, ontology_dir: Path) -> str:
    """A short hash of every input of a build: the entries, the ontology and the builder's code."""
    digest = hashlib.sha256(__version__.encode())
    for name, path in _inputs(data_dir, ontology_dir):
        try:
            with open(path, "rb") as file:
                content = file.read()
        except OSError as error:  # the catalogue check will report it; the hash just differs
            content = f"unreadable: {error.strerror}".encode()
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


def _cached_content_hash(data_dir: Path, ontology_dir: Path, store_dir: Path) -> str:
    """The content hash, recomputed only when a path, size or mtime changed since the last call."""
    stats = hashlib.sha256(f"{data_dir.absolute()}\0{ontology_dir.absolute()}".encode())
    for name, path in _inputs(data_dir, ontology_dir):
        try:
            stat = os.stat(path)
        except OSError:
            return content_hash(data_dir, ontology_dir)  # never remembered: it cannot be trusted
        stats.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    memo = store_dir / "inputs" / stats.hexdigest()[:32]
    if memo.is_file():
        return memo.read_text()
    value = content_hash(data_dir, ontology_dir)
    try:  # remembering is only a speed-up: a read-only store still answers
        memo.parent.mkdir(parents=True, exist_ok=True)
        with files.whole(memo) as out:
            out.write(value.encode())
        _prune_memos(memo.parent)
    except OSError:
        pass
    return value


def _prune_memos(directory: Path) -> None:
    """Keep the newest fingerprints; another process may be pruning or staging at the same time."""
    ages = {}
    for path in directory.iterdir():
        if not path.name.startswith("."):  # a staging file of another process
            try:
                ages[path] = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue
    for old in sorted(ages, key=ages.get, reverse=True)[_MEMOS_KEPT:]:
        old.unlink(missing_ok=True)


def current_build(store_dir: Path) -> str | None:
    """The hash of the build in use, or None when nothing was built yet."""
    link = store_dir / "current"
    return Path(os.readlink(link)).name if link.is_symlink() else None


def open_store(store_dir: Path) -> Store:
    """Open the build in use, read-only (many readers may share it)."""
    if current_build(store_dir) is None:
        raise FileNotFoundError(f"no store built at {store_dir}; run `slmgraph build`")
    return Store.read_only(str((store_dir / "current").resolve()))


def open_curated(data_dir: Path, ontology_dir: Path, store_dir: Path) -> Store:
    """The build of the curated graph alone, made if needed, read-only; ``current`` stays."""
    build_id = ensure(data_dir, ontology_dir, store_dir, with_hub=False)
    return Store.read_only(str(store_dir / "builds" / build_id))


def ensure(data_dir: Path, ontology_dir: Path, store_dir: Path, with_hub: bool = True) -> str:
    """Make ``current`` match the inputs, building only when they changed; return the build hash.
    Without ``with_hub``, make sure the build of the curated graph alone exists, and leave
    ``current`` as it is: what a Hub import starts from, whatever the Hub graph in use.

    Raises CatalogError (and changes nothing) when the entries are invalid, and StoreProblem
    when the store directory cannot be written.
    """
    if store_dir.exists() and not store_dir.is_dir():
        raise StoreProblem(f"store {store_dir} is a file; give a directory with --store")
    hub = hub_import(store_dir) if with_hub else None
    build_id = _with_hub(_cached_content_hash(data_dir, ontology_dir, store_dir), hub)
    build = store_dir / "builds" / build_id
    if build.is_dir() and (not with_hub or current_build(store_dir) == build_id):
        return build_id
    try:
        if not build.is_dir():
            from slmgraph import catalog, rdf

            quads = rdf.to_quads(catalog.load(data_dir))
            base = _hub_base(store_dir) if hub else None
            if base is not None:  # a minute at a million Hub models: say what the wait is
                log.info(
                    "the entries or slmgraph changed since the store was built: building it "
                    "again, with the imported Hub graph kept and its lineage index made anew"
                )
            _write_build(store_dir, build_id, quads, ontology_files(ontology_dir), base, hub)
        if with_hub:
            _switch(store_dir, build_id)
    except StoreProblem:  # says its own fix
        raise
    except OSError as error:
        raise StoreProblem(
            f"cannot write the store at {store_dir} ({error.strerror or error}); "
            "choose another with --store or SLMGRAPH_CACHE"
        ) from None
    return build_id


def open_healthy(data_dir: Path, ontology_dir: Path, store_dir: Path) -> Store:
    """The current build, opened read-only, after ``ensure``; a build that cannot be opened or
    read (deleted or corrupted) is thrown away and built again, never trusted."""
    build_id = ensure(data_dir, ontology_dir, store_dir)
    try:
        store = open_store(store_dir)
        store.query("ASK { ?s ?p ?o }")
        return store
    except (OSError, RuntimeError):  # pyoxigraph says "Corruption: …" with a RuntimeError
        shutil.rmtree(store_dir / "builds" / build_id, ignore_errors=True)
    ensure(data_dir, ontology_dir, store_dir)
    return open_store(store_dir)


def hub_import(store_dir: Path) -> dict | None:
    """What the store's imported Hub graph is (source, date, counts), or None."""
    try:
        return json.loads((store_dir / "hub.json").read_text())
    except (OSError, ValueError):
        return None


def _with_hub(curated_id: str, hub: dict | None) -> str:
    if hub is None:
        return curated_id
    return hashlib.sha256(f"{curated_id}\0{hub['stamp']}".encode()).hexdigest()[:16]


def _hub_base(store_dir: Path) -> Path:
    """The build holding the imported Hub graph, which a new curated build starts from."""
    current = store_dir / "current"
    if not current.resolve().is_dir():
        raise StoreProblem(
            f"the Hub graph imported into {store_dir} is gone with its build; "
            "run `slmgraph import hf` again, or delete hub.json there to go on without it"
        )
    return current.resolve()


def import_hub(
    data_dir: Path,
    ontology_dir: Path,
    store_dir: Path,
    written: Path,
    hub: dict,
    say: Callable[[str], None] = lambda step: None,
):
    """Make a new build: the curated graph's, with the Hub graph and lineage index that
    ``hubload.load`` makes of the files in ``written``. ``say`` is told how far it has gone."""
    curated_id = ensure(data_dir, ontology_dir, store_dir, with_hub=False)
    build_id = _with_hub(curated_id, hub)
    partial = _partial(store_dir, build_id, store_dir / "builds" / curated_id)
    store = Store(str(partial))
    hubload.load(store, partial, written, say)
    del store
    _finish(store_dir, partial, build_id)
    with files.whole(store_dir / "hub.json") as out:
        out.write(json.dumps(hub, indent=2).encode())
    _switch(store_dir, build_id)
    return build_id


def _partial(store_dir: Path, build_id: str, base: Path | None) -> Path:
    """A fresh partial build directory: empty, or a hard-linked copy of ``base``."""
    builds = store_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(builds)
    partial = builds / f".{build_id}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    if base is not None:
        Store.read_only(str(base)).backup(str(partial))
    return partial


def _finish(store_dir: Path, partial: Path, build_id: str) -> None:
    try:
        partial.rename(store_dir / "builds" / build_id)
    except OSError:  # another process finished the same build first
        shutil.rmtree(partial, ignore_errors=True)


def _write_build(
    store_dir: Path,
    build_id: str,
    quads,
    ontology: list[Path],
    base: Path | None = None,
    hub: dict | None = None,
) -> None:
    partial = _partial(store_dir, build_id, base)
    store = Store(str(partial))
    if base is not None:  # keep its Hub graph, replace the rest
        store.update(f"DROP SILENT DEFAULT ; DROP SILENT GRAPH <{ONTOLOGY_GRAPH}>")
    store.bulk_extend(quads)
    for path in ontology:
        store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=NamedNode(ONTOLOGY_GRAPH))
    store.flush()
    if base is None:  # compacted (quick at a curated build's size), its scans run a quarter faster
        store.optimize()
    try:  # a build that keeps a Hub graph keeps its edges and names in the index too
        base_index = lineage.open_index(base) if base is not None else None
        if base is not None and base_index is None:
            raise sqlite3.DatabaseError("no lineage index")
        kept = ((), (), ())
        if base_index is not None:
            kept = (base_index.hub_edges(), base_index.hub_names(), base_index.hub_facts())
        lineage_build.index_build(store, partial, *kept)
    except sqlite3.DatabaseError:
        del store  # its lock goes with it, and the partial build with nothing left in it
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreProblem(
            f"the Hub graph in {store_dir} was imported by another version of slmgraph; "
            "run `slmgraph import hf` again, or delete hub.json there to go on without it"
        ) from None
    if hub is not None and (moved := _relinked(store, hub)):
        (partial / RELINKED).write_text(json.dumps(moved))
    del store
    _finish(store_dir, partial, build_id)


RELINKED = "relinked.json"  # in a build: Hub repos whose curated entry changed since the import


def _relinked(store: Store, hub: dict) -> list[str]:
    """The Hub repos a curated entry now covers, or no longer covers, or covers as another
    entry, compared with the links the Hub graph was written with."""
    from slmgraph.graph import Graph
    from slmgraph.hubimport import links

    now = links(Graph(store, curated_only=True))[0]
    then = dict(hub.get("links", []))
    return sorted(repo for repo in now.keys() | then.keys() if now.get(repo) != then.get(repo))


def relinked(store_dir: Path) -> list[str]:
    """The Hub repos whose curated entry changed since the Hub graph was imported: their Hub
    claims still name what the import linked them to."""
    try:
        return json.loads(((store_dir / "current").resolve() / RELINKED).read_text())
    except (OSError, ValueError):
        return []


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
