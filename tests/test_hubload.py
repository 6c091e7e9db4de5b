"""The Hub's claims loaded with the lineage index written beside the load: both land, and a
failure of either reaches the caller, with no index written after a failed load."""

import sqlite3
import threading

import pytest
from pyoxigraph import NamedNode, Store

from slmgraph import hubload, lineage
from slmgraph.vocab import HUB_GRAPH

CLAIM = "<https://e.example/child> <https://e.example/from> <https://e.example/parent> .\n"
EDGE = "someone/child\tfine-tuned\tsomeone/parent\thttps://e.example/card\t\t2026-01-01\n"


def written(tmp_path, claims: str = CLAIM) -> tuple:
    files = tmp_path / "written"
    files.mkdir()
    (files / "hub.nt").write_text(claims * 5000)  # several reads of the progress poller
    (files / "edges.tsv").write_text(EDGE)
    (files / "names.tsv").write_text("")
    (files / "facts.tsv").write_text("")
    build = tmp_path / "build"
    return Store(str(build)), build, files


def test_the_claims_and_the_index_both_land(tmp_path):
    store, build, files = written(tmp_path)
    said = []
    hubload.load(store, build, files, said.append)
    assert len(store) == 1 and store.contains_named_graph(NamedNode(HUB_GRAPH))
    index = lineage.open_index(build)
    assert index.count("someone/parent", False, None) == 1
    assert said[-1] == "loading: the last stage, and indexing the lineage"


def test_a_failed_load_writes_no_index_and_says_why(tmp_path):
    store, build, files = written(tmp_path, "<https://e.example/child> this is not N-Triples\n")
    with pytest.raises(SyntaxError):
        hubload.load(store, build, files, lambda step: None)
    for thread in threading.enumerate():  # whatever the load left running, finished
        if thread is not threading.current_thread():
            thread.join(5)
    assert lineage.open_index(build) is None


def test_a_failed_index_fails_the_load(tmp_path):
    store, build, files = written(tmp_path)
    (files / "edges.tsv").write_text("too\tfew\tfields\n")
    with pytest.raises(TypeError):
        hubload.load(store, build, files, lambda step: None)
    assert not (build / lineage.FILE).exists()


def test_an_index_written_beside_the_load_is_whole(tmp_path):
    store, build, files = written(tmp_path)
    hubload.load(store, build, files, lambda step: None)
    db = sqlite3.connect(build / lineage.FILE)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
