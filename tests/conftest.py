import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from slmgraph import catalog, hub, hubimport, lineage, paths, reports, store
from slmgraph.reports import Graph
from tests.oracle import Oracle

TESTS = Path(__file__).parent
VALID = TESTS / "data" / "valid"
INVALID = TESTS / "data" / "invalid"
BENCH = TESTS.parent / "bench"


def catalogue_of(entries, source: str) -> catalog.Catalog:
    """A catalogue of entries as their YAML would give them, each citing ``source``, checked
    across records as the loader checks the bundled data."""
    from slmgraph.checks import cross_record_problems
    from slmgraph.schema import ENTRY

    records = {
        entry["id"]: catalog.Record(
            ENTRY.validate_python(entry | {"sources": [source]}), Path("case.yaml"), {}
        )
        for entry in entries
    }
    found = catalog.Catalog(records, {})
    assert cross_record_problems(found) == []
    return found


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
    families = [row["id"] for row in graph.select("labels") if row["class"] == "family"]
    sizes = {family: reports.descendant_count(graph, family) for family in set(families)}
    return sorted(sizes, key=lambda family: (-sizes[family], family))[:count]


def indexed(store_dir: Path) -> reports.Graph:
    """A built store's graph with its lineage index, as the commands open it."""
    index = lineage.open_index((store_dir / "current").resolve())
    return reports.Graph(store.open_store(store_dir), lineage=index)


# A model that names its curated parent by two of the parent's repo ids, on its card and in the
# Hub's tags: one edge with two citations, of which every report gives the least.
TWO_NAMES_FOR_ONE_PARENT = {
    "id": "someone/chinese-llama-7b-sft",
    "author": "someone",
    "createdAt": "2023-06-01T00:00:00.000Z",
    "sha": "5" * 40,
    "tags": [
        "base_model:finetune:hfl/chinese-llama-lora-7b",
        "base_model:finetune:ziqingyang/chinese-llama-lora-7b",
        "license:apache-2.0",
    ],
    "cardData": {"base_model": "hfl/chinese-llama-lora-7b", "license": "apache-2.0"},
}


# Base models and datasets as real cards name them: by the link to their page, with spaces
# around them, by a local path or by a number (the last two are refused); and a repo listed
# twice
AS_CARDS_WRITE_THEM = [
    {
        "id": "someone/pythia-1b-linked",
        "createdAt": "2023-06-01T00:00:00.000Z",
        "cardData": {
            "base_model": "https://huggingface.co/EleutherAI/pythia-1b",
            "datasets": [" tatsu-lab/alpaca ", "https://huggingface.co/datasets/someone/notes"],
        },
    },
    {
        "id": "someone/pythia-1b-local",
        "createdAt": "2023-06-02T00:00:00.000Z",
        "tags": ["base_model:adapter:someone/pythia-1b-linked "],
        "cardData": {"base_model": ["/home/me/pythia", 7], "license": ["mit"]},
    },
    {  # the first record again, later and in other letters, with other claims: it stands
        "id": "Someone/Pythia-1B-Linked",
        "createdAt": "2023-06-01T00:00:00.000Z",
        "tags": ["base_model:quantized:EleutherAI/pythia-1b", "dataset:someone/notes"],
    },
]


@dataclass
class HubShaped:
    """Generated Hub records imported beside the real catalogue, read with the lineage index
    and without it, and the oracle over the same records."""

    graph: reports.Graph
    unindexed: reports.Graph
    oracle: Oracle
    models: int
    hub_models: list[str]
    store_dir: Path


@pytest.fixture(scope="session")
def hub_shaped(tmp_path_factory) -> HubShaped:
    tmp_path = tmp_path_factory.mktemp("hub-shaped")
    dump = tmp_path / "hub.jsonl"
    generate = [sys.executable, str(BENCH / "hub_dump.py"), "--models", "3000", "--seed", "7"]
    subprocess.run([*generate, "--out", str(dump)], check=True, capture_output=True)
    with dump.open("a", encoding="utf-8") as out:
        out.writelines(
            json.dumps(r) + "\n" for r in [TWO_NAMES_FOR_ONE_PARENT, *AS_CARDS_WRITE_THEM]
        )
    data, store_dir = paths.data_dir(), tmp_path / "store"
    summary = hubimport.import_records(
        hub.read_records(dump), dump.name, data, paths.ontology_dir(), store_dir, "2026-01-02"
    )
    oracle = Oracle(catalog.load(data))
    oracle.add_hub([json.loads(line) for line in dump.read_text().splitlines()], "2026-01-02")
    return HubShaped(
        indexed(store_dir),
        reports.Graph(store.open_store(store_dir)),
        oracle,
        summary["models"],
        sorted(e.id for e in oracle.of("model") if "/" in e.id),
        store_dir,
    )
