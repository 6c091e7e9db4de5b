import os
import shutil

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from slmgraph import catalog, paths, store


def _count(store_dir) -> int:
    return len(store.open_store(store_dir))


def test_build_then_reuse_without_rebuilding(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    first = store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    built = (store_dir / "builds" / first).stat().st_mtime_ns
    assert store.ensure(catalogue_copy, paths.ontology_dir(), store_dir) == first
    assert (store_dir / "builds" / first).stat().st_mtime_ns == built
    assert _count(store_dir) > 0


def test_changed_data_rebuilds_and_switches(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    first = store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    (catalogue_copy / "models" / "pythia-70m.yaml").unlink()
    second = store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    assert second != first
    assert store.current_build(store_dir) == second
    ask = "ASK { <https://w3id.org/slmgraph/id/pythia-70m> ?p ?o }"
    assert not store.open_store(store_dir).query(ask)


def test_invalid_data_leaves_the_previous_store_usable(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    first = store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    before = _count(store_dir)
    (catalogue_copy / "models" / "pythia-70m.yaml").write_text("id: pythia-70m\ntype: model\n")
    with pytest.raises(catalog.CatalogError):
        store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    assert store.current_build(store_dir) == first
    assert _count(store_dir) == before


def test_interrupted_build_leaves_the_previous_store_and_is_cleaned_up(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    first = store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)

    def quads_then_crash():
        yield Quad(
            NamedNode("http://example.org/s"),
            NamedNode("http://example.org/p"),
            Literal("o"),
            DefaultGraph(),
        )
        raise KeyboardInterrupt  # as if the user pressed ctrl-c halfway

    with pytest.raises(KeyboardInterrupt):
        store._write_build(store_dir, "crashed", quads_then_crash(), [])
    assert store.current_build(store_dir) == first
    assert not (store_dir / "builds" / "crashed").exists()
    partial = next((store_dir / "builds").glob(".crashed.*.partial"))
    dead = partial.with_name(f".crashed.{2**22 + 12345}.partial")  # a pid no process has
    partial.rename(dead)

    (catalogue_copy / "models" / "pythia-70m.yaml").unlink()
    store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)
    assert not dead.exists()


def test_old_builds_are_pruned_but_the_previous_one_is_kept(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    ids = [store.ensure(catalogue_copy, paths.ontology_dir(), store_dir)]
    for name in ("pythia-70m", "llama-13b"):
        victim = next(catalogue_copy.rglob(f"{name}.yaml"))
        text = victim.read_text()
        victim.write_text(text.replace("open_weights: true", "open_weights: false"))
        ids.append(store.ensure(catalogue_copy, paths.ontology_dir(), store_dir))
    kept = sorted(p.name for p in (store_dir / "builds").iterdir() if not p.name.startswith("."))
    assert kept == sorted(ids[1:])


def test_opening_an_unbuilt_store_says_how_to_build(tmp_path):
    with pytest.raises(FileNotFoundError, match="slmgraph build"):
        store.open_store(tmp_path / "nothing")


def test_content_hash_ignores_where_the_data_lives(catalogue_copy, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.copytree(catalogue_copy, moved)
    os.utime(moved / "models" / "pythia-70m.yaml", (0, 0))
    assert store.content_hash(moved, paths.ontology_dir()) == store.content_hash(
        catalogue_copy, paths.ontology_dir()
    )


def test_input_fingerprints_stay_bounded(catalogue_copy, tmp_path):
    store_dir = tmp_path / "store"
    entry = catalogue_copy / "models" / "pythia-70m.yaml"
    for step in range(store._MEMOS_KEPT + 5):
        os.utime(entry, ns=(step * 10**9, step * 10**9))
        store._cached_content_hash(catalogue_copy, paths.ontology_dir(), store_dir)
    assert len(list((store_dir / "inputs").iterdir())) == store._MEMOS_KEPT
