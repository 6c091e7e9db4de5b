import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from slmgraph import store
from slmgraph.cli import main
from tests.conftest import INVALID, VALID


@pytest.fixture
def run(tmp_path_factory, valid_store):
    """Invoke the CLI on the valid fixture catalogue and its session store."""

    def invoke(*args: str, data=VALID, store=valid_store):
        return CliRunner().invoke(main, [*args, "--data", str(data), "--store", str(store)])

    return invoke


def test_descendants_json_contract(run):
    result = run("descendants", "Pythia", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"id", "name", "relation", "parent", "depth"} <= set(rows[0])
    assert {
        "id": "dolly-v2-12b",
        "relation": "fine-tuned",
        "parent": "pythia-12b",
        "depth": 2,
    }.items() <= next(r for r in rows if r["id"] == "dolly-v2-12b").items()


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_every_report_format(run, fmt):
    result = run("ancestors", "vicuna-13b", "--format", fmt)
    assert result.exit_code == 0
    assert "llama-13b" in result.output


def test_unknown_name_exits_2_with_suggestions(run):
    result = run("descendants", "pythonia")
    assert result.exit_code == 2
    assert "did you mean: Pythia" in result.output


def test_a_clear_typo_is_read_and_said(run):
    result = run("descendants", "pythya", "--format", "json")
    assert result.exit_code == 0
    assert "note: read 'pythya' as pythia" in result.stderr
    assert {row["id"] for row in json.loads(result.stdout)} >= {"pythia-12b", "dolly-v2-12b"}


def test_wrong_kind_exits_2(run):
    result = run("org", "pythia")
    assert result.exit_code == 2
    assert "is a model family" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["datasets", "alpaca", "--transitive"],
        ["org", "Meta"],
        ["family", "LLaMA"],
        ["timeline", "--org", "OpenAI", "--since", "2022"],
        ["show", "the pile"],
        ["corrections"],
        ["query", "family", "--param", "family=pythia"],
    ],
)
def test_reports_answer_in_json(run, args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all({"id", "name"} <= set(row) for row in rows if "id" in rows[0])


def test_stats_json_keys(run):
    result = run("stats", "--format", "json")
    counts = json.loads(result.output)
    for key in (
        "models",
        "families",
        "datasets",
        "organisations",
        "publications",
        "lineage_edges",
        "cited_edges",
    ):
        assert isinstance(counts[key], int)


def test_check_reports_problems_and_exits_1(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    shutil.copy(INVALID / "bad-size.yaml", data / "models" / "bad-size.yaml")
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert result.exit_code == 1
    assert f"{data}/models/bad-size.yaml:6:" in result.output


def test_failed_build_keeps_the_previous_store(tmp_path):
    data, store_dir = tmp_path / "data", tmp_path / "store"
    shutil.copytree(VALID, data)
    assert (
        CliRunner()
        .invoke(main, ["build", "--data", str(data), "--store", str(store_dir)])
        .exit_code
        == 0
    )
    first = store.current_build(store_dir)
    shutil.copy(INVALID / "unknown-licence.yaml", data / "models" / "odd-licence.yaml")
    failed = CliRunner().invoke(main, ["build", "--data", str(data), "--store", str(store_dir)])
    assert failed.exit_code == 1 and "nothing was built" in failed.output
    assert store.current_build(store_dir) == first
    assert len(store.open_store(store_dir)) > 0


def test_export_to_file(run, tmp_path):
    out = tmp_path / "graph.ttl"
    assert run("export", "--format", "turtle", "-o", str(out)).exit_code == 0
    assert out.read_text().startswith("@prefix")


def test_validate_passes_on_valid_data(run):
    result = run("validate")
    assert result.exit_code == 0, result.output


def test_lint_flags_non_canonical_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    path = data / "organisations" / "openai.yaml"
    path.write_text(
        "type: organisation\nid: openai\nname: OpenAI\nsources: [https://openai.com/]\n"
    )
    assert CliRunner().invoke(main, ["lint", "--data", str(data)]).exit_code == 1
    assert CliRunner().invoke(main, ["lint", "--data", str(data), "--fix"]).exit_code == 0
    assert path.read_text().startswith("id: openai\ntype: organisation\n")
    assert CliRunner().invoke(main, ["lint", "--data", str(data)]).exit_code == 0


def test_installed_console_script_works_from_outside_the_repository(tmp_path):
    beside_python = os.path.dirname(sys.executable)
    script = shutil.which("slmgraph", path=beside_python + os.pathsep + os.environ["PATH"])
    assert script, "the slmgraph console script is not installed (pip install -e .)"
    env = {**os.environ, "SLMGRAPH_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [script, "descendants", "pythia", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    ids = {row["id"] for row in json.loads(result.stdout)}
    assert {"pythia-12b", "dolly-v2-12b"} <= ids
    assert (tmp_path / "cache" / "store" / "current").is_symlink()


def test_a_report_on_a_built_store_skips_heavy_imports(valid_store):
    """Reports should cost little more than importing pyoxigraph: no YAML, pydantic or rdflib."""
    program = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from slmgraph.cli import main\n"
        f"args = ['descendants', 'pythia', '--data', {str(VALID)!r}, "
        f"'--store', {str(valid_store)!r}]\n"
        "assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = {'yaml', 'pydantic', 'rdflib', 'pyshacl', 'pyld'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


REPORTS_ON_THE_REAL_DATA = [
    ["descendants", "llama"],
    ["ancestors", "stablevicuna-13b"],
    ["datasets", "vicuna-13b", "--transitive"],
    ["org", "meta"],
    ["family", "pythia"],
    ["timeline", "--since", "2024"],
    ["show", "llama-2-7b"],
    ["synthetic", "openai"],
    ["trained-on", "books3"],
    ["audit"],
    ["corrections"],
    ["stats"],
    ["query", "family", "--param", "family=qwen2.5"],
]


@pytest.mark.parametrize("args", REPORTS_ON_THE_REAL_DATA, ids=lambda a: " ".join(a))
def test_tables_fit_80_columns(args, tmp_path_factory):
    store_dir = tmp_path_factory.getbasetemp() / "real-store-for-tables"
    result = CliRunner().invoke(
        main, [*args, "--format", "table", "--store", str(store_dir)], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) > 2
    assert max(map(len, lines)) <= 80, max(lines, key=len)


def test_an_empty_table_says_so_on_stderr_and_exits_0(run):
    result = run("descendants", "dolly-v2-12b", "--format", "table")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "no rows\n"
    assert run("descendants", "dolly-v2-12b", "--format", "csv").stdout.startswith("id,name,")
