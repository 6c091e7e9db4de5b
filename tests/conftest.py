import shutil
from pathlib import Path

import pytest

from slmgraph import lineage, paths, store
from slmgraph.reports import Graph

TESTS = Path(__file__).parent
VALID = TESTS / "data" / "valid"
INVALID = TESTS / "data" / "invalid"


@pytest.fixture(scope="session")
def valid_store(tmp_path_factory) -> Path:
    """A store built from the valid fixture catalogue, shared read-only by the session."""
    store_dir = tmp_path_factory.mktemp("store")
    store.ensure(VALID, paths.ontology_dir(), store_dir)
    return store_dir


@pytest.fixture(scope="session")
def graph(valid_store) -> Graph:
    """The fixture catalogue's graph as the commands open it: with the build's lineage index."""
    index = lineage.open_index((valid_store / "current").resolve())
    assert index is not None
    return Graph(store.open_store(valid_store), lineage=index)


@pytest.fixture
def catalogue_copy(tmp_path) -> Path:
    """A writable copy of the valid fixture catalogue."""
    target = tmp_path / "data"
    shutil.copytree(VALID, target)
    return target


@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> Path:
    """A store built from the bundled (real) catalogue, shared read-only by the session."""
    store_dir = tmp_path_factory.mktemp("real-store")
    store.ensure(paths.data_dir(), paths.ontology_dir(), store_dir)
    return store_dir


@pytest.fixture(scope="session")
def real_graph_with_index(real_store) -> Graph:
    """The real catalogue's graph as the commands open it."""
    index = lineage.open_index((real_store / "current").resolve())
    return Graph(store.open_store(real_store), lineage=index)


def largest_families(graph: Graph, count: int) -> list[str]:
    """The ids of the ``count`` families with the most descendants, largest first."""
    from slmgraph import reports

    families = [row["id"] for row in graph.select("labels") if row["class"] == "family"]
    sizes = {family: reports.descendant_count(graph, family) for family in set(families)}
    return sorted(sizes, key=lambda family: (-sizes[family], family))[:count]
