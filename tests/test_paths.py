from slmgraph import paths


def test_bundled_directories_exist():
    for directory in (paths.data_dir(), paths.ontology_dir(), paths.queries_dir()):
        assert directory.is_dir(), directory
    assert (paths.ontology_dir() / "slm.ttl").is_file()
    assert (paths.queries_dir() / "descendants.rq").is_file()


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SLMGRAPH_CACHE", str(tmp_path / "explicit"))
    assert paths.default_store() == tmp_path / "explicit" / "store"
    monkeypatch.delenv("SLMGRAPH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == tmp_path / "xdg" / "slmgraph"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_dir() == tmp_path / "home" / ".cache" / "slmgraph"
