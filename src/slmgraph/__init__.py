"""slmgraph: a curated, cited knowledge graph of language-model lineage.

A small flat API for scripts and notebooks; the CLI calls the same functions.

>>> import tempfile
>>> import slmgraph
>>> graph = slmgraph.open_graph(store_dir=tempfile.mkdtemp())  # built from the bundled data
>>> dolly = graph.resolve("Dolly-v2-12B")
>>> [(row["relation"], row["parent"]) for row in slmgraph.ancestors(graph, dolly)][:3]
[('member-of', 'dolly-v2'), (None, None), ('fine-tuned', 'pythia-12b')]
>>> "alpaca-7b" in {row["id"] for row in slmgraph.synthetic(graph, graph.resolve("OpenAI"))}
True
"""

from importlib import import_module

__version__ = "0.1.0"

# Names importable from the package itself, loaded on first use to keep start-up light.
_EXPORTS = (
    {
        name: "slmgraph.reports"
        for name in [
            "Graph",
            "ancestors",
            "datasets",
            "descendant_count",
            "descendants",
            "family",
            "organisation",
            "show",
            "timeline",
        ]
    }
    | {name: "slmgraph.generated" for name in ["synthetic", "trained_on"]}
    | {
        name: "slmgraph.overviews"
        for name in ["corrections", "disagreements", "licence_audit", "run_query", "stats"]
    }
)


def open_graph(data_dir=None, store_dir=None, curated_only=False):
    """The graph of ``data_dir`` (default: bundled entries), built into ``store_dir`` if needed,
    with the Hub graph imported there beside it unless ``curated_only``.

    Raises ``slmgraph.problems.CatalogError`` listing every problem when the entries are invalid,
    and ``slmgraph.store.StoreProblem`` when ``store_dir`` cannot be written.
    """
    from pathlib import Path

    from slmgraph import lineage, paths, reports, store

    data = Path(data_dir) if data_dir else paths.data_dir()
    location = Path(store_dir) if store_dir else paths.default_store()
    opened = store.open_healthy(data, paths.ontology_dir(), location)
    index = lineage.open_index((location / "current").resolve())
    graph = reports.Graph(opened, curated_only=curated_only, lineage=index)
    if (moved := store.relinked(location)) and not curated_only:
        graph.readings.append(
            f"{len(moved)} Hub repo(s) link to curated entries differently than when the Hub "
            f"was imported ({', '.join(moved[:3])}{', …' if len(moved) > 3 else ''}); "
            "run `slmgraph import hf` again to hang their Hub models under the entries"
        )
    return graph


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'slmgraph' has no attribute '{name}'")
