"""Bulk imports into the store: Parquet and JSON Lines, the Hub graph kept apart and kept across
curated rebuilds, curated entries winning, and a failed import losing nothing."""

import json
import sqlite3
import sys

import pyarrow
import pyarrow.parquet as parquet
import pytest
from click.testing import CliRunner

from slmgraph.cli import main
from tests.hubserver import RECORDED

RECORDS = json.loads(RECORDED.read_text())
CLAIMS_ON_CURATED = {  # the Hub says Pythia-70M derives from something its entry does not state
    "id": "EleutherAI/pythia-70m",
    "tags": ["base_model:finetune:someone/elsewhere"],
}


def cli(*args) -> tuple[int, str]:
    run = CliRunner().invoke(main, [str(a) for a in args])
    return run.exit_code, run.output


def write_parquet(path, records) -> None:
    rows = [r | {"cardData": json.dumps(r.get("cardData"))} for r in records]
    table = pyarrow.Table.from_pylist(
        [
            {k: r.get(k) for k in ("id", "author", "createdAt", "sha", "tags", "cardData")}
            for r in rows
        ]
    )
    parquet.write_table(table, path, row_group_size=2)


@pytest.fixture
def imported(tmp_path, catalogue_copy):
    bulk = tmp_path / "models.parquet"
    write_parquet(bulk, [*RECORDS, CLAIMS_ON_CURATED])
    store = tmp_path / "store"
    code, output = cli("import", "hf", "--from", bulk, "--data", catalogue_copy, "--store", store)
    assert code == 0, output
    return catalogue_copy, store, bulk


def descendants(data, store, *extra) -> set[tuple]:
    code, output = cli(
        "descendants", "pythia-70m", "--data", data, "--store", store, *extra, "--format", "json"
    )
    assert code == 0, output
    return {(r["id"], r["relation"], r["parent"], r["provenance"]) for r in json.loads(output)}


def test_a_parquet_dump_hangs_hub_models_under_curated_ones(imported):
    data, store, _ = imported
    found = descendants(data, store)
    assert ("someone/pythia-70m-sft", "trained-from", "pythia-70m", "hub") in found
    assert ("other/pythia-70m-sft-GGUF", "quantized", "someone/pythia-70m-sft", "hub") in found
    assert descendants(data, store, "--curated-only") == set()


def test_the_hub_graph_is_kept_across_curated_rebuilds_without_reimporting(imported):
    data, store, bulk = imported
    bulk.unlink()  # a rebuild that needed the dump again would fail now
    entry = data / "models" / "pythia-70m.yaml"
    entry.write_text(entry.read_text().replace("name: Pythia-70M", "name: Pythia 70M"))
    args = ["descendants", "pythia-70m", "--data", data, "--store", store, "--format", "json"]
    run = CliRunner().invoke(main, list(map(str, args)))
    assert run.exit_code == 0, run.output
    # the wait is said on stderr, once, before the report on stdout
    assert run.stderr.count("building it again, with the imported Hub graph kept") == 1
    found = {(r["id"], r["relation"], r["parent"], r["provenance"]) for r in json.loads(run.stdout)}
    assert ("someone/pythia-70m-sft", "trained-from", "pythia-70m", "hub") in found
    assert CliRunner().invoke(main, list(map(str, args))).stderr == ""  # built: nothing to say
    code, output = cli("show", "pythia-70m", "--data", data, "--store", store, "--format", "json")
    assert "Pythia 70M" in output
    code, output = cli("descendants", "pythia-70m", "--data", data, "--store", store)
    rows = {row["id"]: row for row in json.loads(output)}
    assert rows["someone/pythia-70m-sft"]["parent_name"] == "Pythia 70M"  # the renamed parent
    for shown in ("apache-2.0", "tatsu-lab/alpaca", "datasets/tatsu-lab/alpaca"):  # kept too
        code, output = cli("show", shown, "--data", data, "--store", store, "--format", "json")
        incoming = [r["value"] for r in json.loads(output) if r["direction"] == "in"]
        assert "someone/pythia-70m-sft" in incoming, (shown, output)


def test_a_hub_graph_imported_by_an_earlier_version_asks_for_a_new_import(imported):
    """An index without what this version keeps of the Hub (here: its facts but lineage)
    cannot be carried into a new build: the command says what to do, the build in use stays,
    and doing it (an import, which starts from the curated graph alone) brings the Hub back."""
    data, store, bulk = imported
    index = (store / "current").resolve() / "lineage.sqlite"
    with sqlite3.connect(index) as db:
        db.execute("DROP TABLE hub_fact")
    entry = data / "models" / "pythia-70m.yaml"
    entry.write_text(entry.read_text().replace("name: Pythia-70M", "name: Pythia 70M"))
    run = CliRunner().invoke(main, ["descendants", "pythia-70m", "--data", data, "--store", store])
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert run.stderr.splitlines()[-1] == (
        f"error: the Hub graph in {store} was imported by another version of slmgraph; "
        "run `slmgraph import hf` again, or delete hub.json there to go on without it"
    )
    assert (store / "current").resolve() == index.parent
    code, output = cli("import", "hf", "--from", bulk, "--data", data, "--store", store)
    assert code == 0, output
    code, output = cli("show", "apache-2.0", "--data", data, "--store", store, "--format", "json")
    assert "someone/pythia-70m-sft" in [r["value"] for r in json.loads(output)]


def test_curated_entries_win_and_disagreements_are_listed(imported):
    data, store, _ = imported
    code, output = cli(
        "ancestors", "pythia-70m", "--data", data, "--store", store, "--format", "json"
    )
    assert "someone/elsewhere" not in output
    code, output = cli("disagreements", "--data", data, "--store", store, "--format", "json")
    assert [(r["id"], r["claimed"], r["relation"]) for r in json.loads(output)] == [
        ("pythia-70m", "someone/elsewhere", "trained-from")
    ]


def test_a_claim_carries_its_provenance(imported):
    data, store, _ = imported
    code, output = cli(
        "show", "someone/pythia-70m-sft", "--data", data, "--store", store, "--format", "json"
    )
    rows = json.loads(output)
    (edge,) = [r for r in rows if r["property"] == "trained-from"]
    assert edge["source"].startswith("https://huggingface.co/someone/pythia-70m-sft/blob/")
    code, output = cli(
        "query",
        "--data",
        data,
        "--store",
        store,
        "--format",
        "json",
        "tests/data/hub/claim-provenance.rq",
    )
    (claim,) = json.loads(output)
    assert claim == {
        "declaredIn": "card",
        "relationFrom": "hub",
        "importedFrom": "models.parquet",
        "provenance": "hub",
    }


def test_a_jsonl_dump_reports_every_refused_and_doubted_claim(tmp_path, catalogue_copy):
    bulk = tmp_path / "models.jsonl"
    lines = [
        *RECORDS,
        {"id": "a/self", "tags": ["base_model:a/self"]},
        {"id": "a/card", "card": "---\nbase_model: [x\n---\n"},
        {"id": "a/path", "cardData": {"base_model": "/home/me/llama", "license": 7}},
        {"id": "a/self", "tags": ["base_model:a/self"]},  # listed again
    ]
    bulk.write_text("\n".join(json.dumps(r) for r in lines) + "\nnot json\n[1]\n")
    store = tmp_path / "store"
    code, output = cli("import", "hf", "--from", bulk, "--data", catalogue_copy, "--store", store)
    assert code == 0
    assert "refused: 1 self-loop" in output and "refused: 1 unparseable card YAML" in output
    assert "refused: 2 unreadable record" in output  # not JSON, and not an object
    assert "refused: 1 invalid base model" in output and "refused: 1 duplicate record" in output
    listed = json.loads((store / "hub-problems.json").read_text())
    assert {(d["kind"], d["repo"]) for d in listed} >= {
        ("self-loop", "a/self"),
        ("unparseable card YAML", "a/card"),
        ("invalid base model", "a/path"),
    }


def _imported_alone(tmp_path, data, record: dict):
    """The store after importing ``record`` alone, with no claim refused or doubted."""
    bulk, store = tmp_path / "models.jsonl", tmp_path / "store"
    bulk.write_text(json.dumps(record) + "\n")
    code, output = cli("import", "hf", "--from", bulk, "--data", data, "--store", store)
    assert code == 0, output
    assert json.loads((store / "hub-problems.json").read_text()) == []  # no missing parent
    return store


def test_a_base_model_written_in_other_letters_hangs_under_the_curated_entry(
    tmp_path, catalogue_copy
):
    record = {"id": "someone/pythia-70m-lora", "tags": ["base_model:adapter:eleutherai/Pythia-70M"]}
    store = _imported_alone(tmp_path, catalogue_copy, record)
    found = descendants(catalogue_copy, store)
    assert ("someone/pythia-70m-lora", "adapter", "pythia-70m", "hub") in found


def test_a_base_model_named_by_an_alias_of_the_curated_repo_hangs_under_the_entry(
    tmp_path, catalogue_copy
):
    entry = catalogue_copy / "models" / "pythia-70m.yaml"
    linked = "  huggingface: EleutherAI/pythia-70m\n"
    text = entry.read_text()
    assert linked in text
    entry.write_text(
        text.replace(linked, linked + "  huggingface_aliases:\n    - Old-Org/pythia-70m\n")
    )
    record = {"id": "someone/tuned-70m", "tags": ["base_model:finetune:old-org/Pythia-70M"]}
    store = _imported_alone(tmp_path, catalogue_copy, record)
    found = descendants(catalogue_copy, store)
    assert ("someone/tuned-70m", "trained-from", "pythia-70m", "hub") in found
    code, output = cli(
        "show", "Old-Org/pythia-70m", "--data", catalogue_copy, "--store", store, "--format", "json"
    )
    assert code == 0 and all(row["id"] == "pythia-70m" for row in json.loads(output)), output


def test_one_base_model_named_by_two_of_its_repos_is_one_claim(tmp_path, catalogue_copy):
    """The card names the repo and the Hub's tags an alias of it: one edge, the card's."""
    entry = catalogue_copy / "models" / "pythia-70m.yaml"
    linked = "  huggingface: EleutherAI/pythia-70m\n"
    entry.write_text(
        entry.read_text().replace(
            linked, linked + "  huggingface_aliases:\n    - Old-Org/pythia-70m\n"
        )
    )
    record = {
        "id": "someone/tuned-70m",
        "sha": "7" * 40,
        "tags": ["base_model:finetune:old-org/Pythia-70M"],
        "cardData": {"base_model": "EleutherAI/pythia-70m"},
    }
    store = _imported_alone(tmp_path, catalogue_copy, record)
    code, output = cli(
        "descendants", "pythia-70m", "--data", catalogue_copy, "--store", store, "--format", "json"
    )
    rows = [row for row in json.loads(output) if row["id"] == "someone/tuned-70m"]
    card = f"https://huggingface.co/someone/tuned-70m/blob/{'7' * 40}/README.md"
    # the card's naming, with the relation the Hub's tag gives
    assert [(r["relation"], r["parent"], r["source"]) for r in rows] == [
        ("trained-from", "pythia-70m", card)
    ]
    code, output = cli(
        "show", "someone/tuned-70m", "--data", catalogue_copy, "--store", store, "--format", "json"
    )
    assert code == 0, output
    claims = [row for row in json.loads(output) if row["value"] == "pythia-70m"]
    assert [(row["property"], row["source"]) for row in claims] == [("trained-from", card)]


def test_one_dataset_named_by_two_of_its_repos_is_one_claim(tmp_path, catalogue_copy):
    """The tags name the dataset's old repo, the card its new one: one training claim on the
    curated entry, declared on the card."""
    entry = catalogue_copy / "datasets" / "databricks-dolly-15k.yaml"
    linked = "  huggingface: databricks/databricks-dolly-15k\n"
    entry.write_text(
        entry.read_text().replace(linked, linked + "  huggingface_aliases:\n    - old/dolly-15k\n")
    )
    record = {
        "id": "someone/dolly-tuned",
        "sha": "8" * 40,
        "tags": ["dataset:old/dolly-15k", "dataset:databricks/databricks-dolly-15k"],
        "cardData": {"datasets": ["databricks/databricks-dolly-15k"]},
    }
    store = _imported_alone(tmp_path, catalogue_copy, record)
    code, output = cli(
        "show",
        "someone/dolly-tuned",
        "--data",
        catalogue_copy,
        "--store",
        store,
        "--format",
        "json",
    )
    assert code == 0, output
    card = f"https://huggingface.co/someone/dolly-tuned/blob/{'8' * 40}/README.md"
    claims = [r for r in json.loads(output) if r["property"] == "slm:trainedOn"]
    assert [(r["value"], r["source"]) for r in claims] == [("databricks-dolly-15k", card)]


def test_a_bad_bulk_file_is_one_line_and_leaves_the_store_as_it_was(imported, tmp_path):
    data, store, _ = imported
    before = descendants(data, store)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    code, output = cli("import", "hf", "--from", broken, "--data", data, "--store", store)
    assert code == 1 and "not a readable Parquet file" in output and "Traceback" not in output
    array = tmp_path / "models.json"  # a list of records, as a script might save one
    array.write_text(json.dumps(RECORDS, indent=2))
    code, output = cli("import", "hf", "--from", array, "--data", data, "--store", store)
    assert code == 1 and "a JSON array, not one record a line" in output, output
    assert len(output.strip().splitlines()) == 1
    assert descendants(data, store) == before


@pytest.mark.parametrize(
    ("package", "option"), [("pyarrow", "--from"), ("huggingface_hub", "--author")]
)
def test_a_missing_optional_package_is_one_line_and_exit_2(
    tmp_path, catalogue_copy, monkeypatch, package, option
):
    monkeypatch.setitem(sys.modules, package, None)  # as if not installed
    bulk = tmp_path / "models.parquet"
    bulk.write_bytes(b"PAR1")
    value = bulk if option == "--from" else "someone"
    code, output = cli(
        "import", "hf", option, value, "--data", catalogue_copy, "--store", tmp_path / "store"
    )
    assert code == 2 and f"this needs {package}" in output and "Traceback" not in output


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("SOMEONE/Pythia 70m SFT", "someone/pythia-70m-sft"),  # case and spacing
        ("pythia-70m-sft-gguf", "other/pythia-70m-sft-GGUF"),  # the name without its owner
        ("someone/pythia-70m-sft-lroa", "someone/pythia-70m-sft-lora"),  # a slip, same owner
        ("https://huggingface.co/other/pythia-70m-chat", "other/pythia-70m-chat"),
    ],
)
def test_hub_models_are_found_as_people_type_them(imported, typed, meant):
    data, store, _ = imported
    run = CliRunner().invoke(main, ["show", typed, "--data", str(data), "--store", str(store)])
    assert run.exit_code == 0, run.output
    assert {row["id"] for row in json.loads(run.stdout)} == {meant}


def test_a_curated_link_changed_since_the_import_is_said_on_every_report(imported):
    """Pythia-70M's entry moves to another repo: its Hub models still hang under the entry
    until the next import, and every report says so, naming the repo."""
    data, store, _ = imported
    entry = data / "models" / "pythia-70m.yaml"
    linked = entry.read_text()
    entry.write_text(linked.replace("huggingface: EleutherAI/pythia-70m\n", "huggingface: x/y\n"))
    args = ["family", "pythia", "--data", str(data), "--store", str(store)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    assert "EleutherAI/pythia-70m, x/y" in run.stderr and "slmgraph import hf" in run.stderr
    entry.write_text(linked)
    run = CliRunner().invoke(main, args)
    assert (run.exit_code, run.stderr) == (0, ""), run.output
