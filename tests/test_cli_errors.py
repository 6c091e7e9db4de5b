"""Bad input of every kind: a one-line error, the documented exit code, never a traceback, and
the store built before still answers byte for byte."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VALID

DATA, USAGE = 1, 2  # the exit codes the README documents


def slmgraph(*args: str, cwd: Path | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "slmgraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def _alias_bomb() -> str:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 9)}]")
    return "\n".join(lines) + "\n"


# (name, how to break the data copy or the work folder, command, expected exit code, a phrase)
CASES = [
    ("param without =", None, ["query", "descendants", "--param", "root"], USAGE, "KEY=VALUE"),
    ("query file missing", None, ["query", "missing.rq"], USAGE, "no such file"),
    (
        "query is a directory",
        lambda d, w: (w / "dir.rq").mkdir(),
        ["query", "dir.rq"],
        USAGE,
        "directory",
    ),
    (
        "query not UTF-8",
        lambda d, w: _write(w / "latin.rq", b"SELECT * WHERE {\n ?s ?p \xff }"),
        ["query", "latin.rq"],
        DATA,
        "latin.rq:2: not UTF-8",
    ),
    (
        "query syntax",
        lambda d, w: _write(w / "bad.rq", "SELECT WHERE {"),
        ["query", "bad.rq"],
        DATA,
        "SPARQL syntax",
    ),
    (
        "typed query syntax",
        None,
        ["query", "SELECT * WHERE { ?s ?p"],
        DATA,
        "<query>:1:23: SPARQL syntax error at the end of the line; expected",
    ),
    (
        "typed query with an undeclared prefix",
        None,
        ["query", "SELECT * WHERE { ?s slm:label ?o . ?o foo:bar 'a:b' }"],
        DATA,
        "<query>:1: SPARQL syntax: the prefix 'foo:' is not declared; add a PREFIX line",
    ),
    (
        "parameter the query does not select",
        lambda d, w: _write(w / "n.rq", "# param: m entity\nSELECT ?p WHERE { ?m ?p ?o }"),
        ["query", "n.rq", "--param", "m=pythia"],
        DATA,
        "n.rq: ?m is given a value but not selected; add it to the SELECT clause",
    ),
    (
        "query is an update",
        lambda d, w: _write(w / "up.rq", "PREFIX a: <a:>\nINSERT DATA { a:a a:b a:c }"),
        ["query", "up.rq"],
        DATA,
        "is an update",
    ),
    (
        "bad param type",
        lambda d, w: _write(w / "p.rq", "# param: x blob thing\nSELECT ?x WHERE { ?x ?p ?o }"),
        ["query", "p.rq"],
        DATA,
        "p.rq:1: parameter type 'blob'",
    ),
    ("unknown canned query", None, ["query", "descendents"], USAGE, "descendants"),
    ("unknown name", None, ["descendants", "Pythonia"], USAGE, "Pythia"),
    ("wrong kind", None, ["family", "the pile"], USAGE, "dataset"),
    ("export into a missing folder", None, ["export", "-o", "no/such/dir/x.ttl"], USAGE, "no/such"),
    ("since not a date", None, ["timeline", "--since", "notadate"], USAGE, "not a date"),
    ("since half a date", None, ["timeline", "--since", "2024-1"], USAGE, "not a date"),
    ("empty organisation", None, ["timeline", "--org", ""], USAGE, "empty"),
    ("port out of range", None, ["serve", "--port", "99999"], USAGE, "99999"),
    ("data folder missing", None, ["check", "--data", "/nonexistent"], USAGE, "does not exist"),
    (
        "store is a file",
        lambda d, w: _write(w / "afile", "x"),
        ["build", "--store", "afile"],
        USAGE,
        "afile",
    ),
    (
        "symlink loop",
        lambda d, w: (d / "models" / "loop.yaml").symlink_to("loop.yaml"),
        ["descendants", "pythia"],
        DATA,
        "loop.yaml:1: cannot read",
    ),
    (
        "directory named like an entry",
        lambda d, w: (d / "models" / "x.yaml").mkdir(),
        ["build"],
        DATA,
        "x.yaml:1: is a directory",
    ),
    (
        "deep nesting",
        lambda d, w: _write(d / "models" / "deep.yaml", "id: deep\nname: " + "[" * 600 + "]" * 600),
        ["build"],
        DATA,
        "nested more than",
    ),
    (
        "alias bomb",
        lambda d, w: _write(d / "models" / "bomb.yaml", _alias_bomb()),
        ["build"],
        DATA,
        "aliases",
    ),
    (
        "huge file",
        lambda d, w: _write(d / "models" / "big.yaml", "id: big\ndescription: " + "x" * 1_100_000),
        ["check"],
        DATA,
        "bytes, more than",
    ),
    (
        "entry not UTF-8",
        lambda d, w: _write(d / "models" / "enc.yaml", b"id: enc\ntype: model\nname: caf\xe9\n"),
        ["check"],
        DATA,
        "enc.yaml:3: not UTF-8",
    ),
    (
        "export to a file that cannot be written",
        None,
        ["export", "--format", "nquads", "-o", "/proc/slmgraph.nq"],
        USAGE,
        "cannot write /proc/slmgraph.nq",
    ),
    (
        "a picture to a file that cannot be written",
        None,
        ["tree", "llama-7b", "--out", "/proc/llama.svg"],
        USAGE,
        "cannot write /proc/llama.svg",
    ),
    (
        "empty data folder",
        lambda d, w: shutil.rmtree(d) or d.mkdir(),
        ["check"],
        DATA,
        "no entry files",
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A store built from the fixture catalogue, and what it answers before any bad input."""
    root = tmp_path_factory.mktemp("errors")
    store = root / "store"
    result = slmgraph("build", "--data", str(VALID), "--store", str(store))
    assert result.returncode == 0, result.stderr
    return store, _answers(store)


def _answers(store: Path) -> tuple[str, str]:
    report = slmgraph("ancestors", "vicuna-13b", "--data", str(VALID), "--store", str(store))
    dump = slmgraph("export", "--format", "nquads", "--store", str(store), "--data", str(VALID))
    assert report.returncode == dump.returncode == 0
    return report.stdout, dump.stdout


@pytest.mark.parametrize(
    ("name", "setup", "args", "code", "phrase"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_gets_one_clear_line(tmp_path, built, name, setup, args, code, phrase):
    store, before = built
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    if setup:
        setup(data, tmp_path)
    extra = [] if "--data" in args or args[0] == "serve" else ["--data", str(data)]
    if "--store" not in args and args[0] not in ("check", "lint", "schema"):
        extra += ["--store", str(store)]
    result = slmgraph(*args, *extra, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert phrase in result.stderr, result.stderr
    assert _answers(store) == before


def test_a_deleted_or_corrupted_build_is_rebuilt_not_trusted(tmp_path):
    store = tmp_path / "store"
    args = ("ancestors", "vicuna-13b", "--data", str(VALID), "--store", str(store))
    first = slmgraph(*args)
    build = (store / "current").resolve()
    shutil.rmtree(build)
    assert slmgraph(*args).stdout == first.stdout
    for part in (store / "current").resolve().iterdir():
        if part.is_file():
            part.write_bytes(b"\x00garbage")
    again = slmgraph(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_lint_reports_what_it_cannot_touch(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    _write(data / "organisations" / "x.yaml", "id: x  # why\ntype: organisation\nname: 'a # b'\n")
    _write(data / "organisations" / "empty.yaml", "")
    _write(data / "organisations" / "broken.yaml", "id: [\n")
    before = (data / "organisations" / "x.yaml").read_text()
    result = slmgraph("lint", "--fix", "--data", str(data))
    assert result.returncode == DATA
    assert "x.yaml:1: has comments" in result.stderr
    assert "empty.yaml:1: empty file" in result.stderr
    assert "broken.yaml:2: YAML syntax" in result.stderr
    assert (data / "organisations" / "x.yaml").read_text() == before
    assert (data / "organisations" / "empty.yaml").read_text() == ""


def test_query_help_lists_the_canned_queries():
    result = slmgraph("query", "--help")
    assert "descendants" in result.stdout and "root=<entity>" in result.stdout


def test_queries_that_used_to_fail_now_answer(tmp_path, built):
    store, _ = built
    common = ("--data", str(VALID), "--store", str(store), "--format", "json")
    check = Path(__file__).parents[1] / "queries" / "checks" / "lineage-cycle-violation.rq"
    by_path = slmgraph("query", str(check), *common, cwd=tmp_path)  # from outside the repository
    assert by_path.returncode == 0 and by_path.stdout.strip() == "[]"
    _write(
        tmp_path / "c.rq", "CONSTRUCT { ?m slm:fineTunedFrom ?p } WHERE { ?m slm:fineTunedFrom ?p }"
    )
    construct = slmgraph("query", "c.rq", *common, cwd=tmp_path)
    assert construct.returncode == 0, construct.stderr
    assert {
        "subject": "https://w3id.org/slmgraph/id/dolly-v2-12b",
        "predicate": "https://w3id.org/slmgraph/ontology#fineTunedFrom",
        "object": "https://w3id.org/slmgraph/id/pythia-12b",
    } in json.loads(construct.stdout)


def test_a_query_typed_or_piped_answers_as_the_same_text_in_a_file(tmp_path, built):
    """SPARQL given on the command line, or on standard input with -, is the query a .rq file
    of the same text would be, its header's parameters bound by --param."""
    store, _ = built
    common = ("--data", str(VALID), "--store", str(store), "--format", "json")
    text = "# param: m entity\nSELECT ?m ?p WHERE { ?m slm:fineTunedFrom ?p } ORDER BY ?p"
    _write(tmp_path / "q.rq", text)
    from_file = slmgraph("query", "q.rq", "--param", "m=Dolly v2 12B", *common, cwd=tmp_path)
    typed = slmgraph("query", text, "--param", "m=Dolly v2 12B", *common)
    piped = subprocess.run(
        [sys.executable, "-m", "slmgraph", "query", "-", "--param", "m=Dolly v2 12B", *common],
        input=text.encode(),
        capture_output=True,
        timeout=120,
    )
    rows = json.loads(from_file.stdout)
    assert [row["p"] for row in rows] == ["pythia-12b"]
    assert typed.stdout == from_file.stdout == piped.stdout.decode()
    ask = slmgraph("query", "ASK { ?m slm:fineTunedFrom ?p }", *common)
    assert json.loads(ask.stdout) == [{"result": True}]
    latin = subprocess.run(
        [sys.executable, "-m", "slmgraph", "query", "-", *common],
        input="# é\nASK {}".encode("latin-1"),
        capture_output=True,
        timeout=120,
    )
    assert latin.returncode == DATA
    assert latin.stderr.decode().strip() == (
        "error: <stdin>:1: not UTF-8 text; give the query as UTF-8"
    )


def test_an_output_that_is_a_link_or_a_pipe_is_written_through_not_replaced(tmp_path, built):
    """A rename onto such a path would replace the link, or the device (/dev/null as root)."""
    store, _ = built
    target, link, pipe = tmp_path / "target.ttl", tmp_path / "link.ttl", tmp_path / "pipe"
    link.symlink_to(target)
    os.mkfifo(pipe)
    args = ["export", "--format", "turtle", "--data", str(VALID), "--store", str(store)]
    assert slmgraph(*args, "--output", str(link)).returncode == 0
    assert link.is_symlink() and "slmgraph" in target.read_text()
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE)
    assert slmgraph(*args, "--output", str(pipe)).returncode == 0
    assert b"slmgraph" in reader.communicate(timeout=60)[0] and pipe.is_fifo()


def test_a_full_disk_is_one_line_and_exit_2(built):
    store, _ = built
    with open("/dev/full", "w") as full:  # a device that answers every write: no space left
        result = subprocess.run(
            [sys.executable, "-m", "slmgraph", "ancestors", "vicuna-13b", "--format", "json"]
            + ["--data", str(VALID), "--store", str(store)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == USAGE and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: cannot write (No space left on device); free some space or write elsewhere"
    )


def test_a_failing_service_call_is_one_line_and_exit_3(tmp_path, built):
    store, _ = built
    query = tmp_path / "far.rq"
    query.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    result = slmgraph("query", str(query), "--data", str(VALID), "--store", str(store))
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "a SERVICE call failed" in result.stderr and len(result.stderr.splitlines()) == 1


def test_serve_says_in_one_line_where_it_cannot_listen_or_has_nothing_to_serve(tmp_path, built):
    store, _ = built
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = slmgraph("serve", "--store", str(store), "--no-build", "--port", port)
    assert result.returncode == USAGE and "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port} (Address already in use)" in result.stderr
    empty = slmgraph("serve", "--store", str(tmp_path / "nothing"), "--no-build")
    assert empty.returncode == USAGE and "Traceback" not in empty.stderr
    assert (
        empty.stderr.strip()
        == f"error: no build in {tmp_path / 'nothing'} to serve; leave out --no-build"
    )
