"""The Hub's claims loaded into a build, with the build's lineage index written meanwhile."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from slmgraph import lineage, lineage_build, progress
from slmgraph.vocab import HUB_GRAPH


def load(store: Store, build_dir: Path, written: Path, say: Callable[[str], None]) -> None:
    """Load ``written/hub.nt`` into the Hub graph of ``store`` (the build in ``build_dir``)
    and write the build's lineage index: its curated edges, and the Hub edges, names and other
    facts that ``edges.tsv``, ``names.tsv`` and ``facts.tsv`` list one per line (tab-separated
    ``lineage.Edge``, ``HubName`` and ``HubFact`` fields). ``say`` is told how far it has
    gone."""
    curated_edges, names = lineage_build.curated_part(store)  # read before the load takes the cores

    def index() -> None:
        lineage_build.write(
            build_dir,
            curated_edges,
            _tsv(written / "edges.tsv", lineage.Edge),
            names,
            _tsv(written / "names.tsv", lineage.HubName),
            _tsv(written / "facts.tsv", lineage.HubFact),
        )

    _beside_load(store, written / "hub.nt", index, say)


def _beside_load(store: Store, claims: Path, index: Callable[[], None], say) -> None:
    """Load ``claims`` and run ``index`` meanwhile, from the moment the loader has read them
    all: its last stage (merging what it sorted, then the flush) keeps one core busy for a
    minute and a half at a million models and leaves the other to the index."""
    read_all, failed = threading.Event(), []
    loaded = True  # false once the load has failed: the index is then not written

    def run() -> None:
        read_all.wait()
        if not loaded:
            return
        say("loading: the last stage, and indexing the lineage")
        try:
            index()
        except BaseException as error:  # raised in the loading thread, as its own
            failed.append(error)

    indexing = threading.Thread(target=run, daemon=True)  # never outlives an interrupt
    indexing.start()
    try:
        with progress.reading(
            claims.stat().st_size,
            lambda done: say(f"loading: {done:.0%} of the claims read"),
            read_all=read_all,
        ):
            store.bulk_load(
                path=str(claims), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(HUB_GRAPH)
            )
        read_all.set()  # where reads are not counted, the index is written from here on
        store.flush()
    except BaseException:
        loaded = False
        read_all.set()
        raise
    indexing.join()
    if failed:
        raise failed[0]


def _tsv(path: Path, kind: type) -> Iterator:
    """The records of a file of tab-separated fields, one a line, each made a ``kind``."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield kind(*line.rstrip("\n").split("\t"))
