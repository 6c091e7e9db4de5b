"""The licence audit as a report: one model's, a family's, the whole catalogue's, and what a
table says when nothing is found; the helpers that build small catalogues for these tests and
for the rules' (``test_audit_rules``)."""

import json

from click.testing import CliRunner
from pyoxigraph import Store

from slmgraph import audit, overviews, rdf, reports
from slmgraph.cli import main
from tests.conftest import VALID, catalogue_of
from tests.oracle import Oracle

SOURCE = "https://example.org/card"


def _licence(spdx: str, *terms: tuple, kind: str = "licence") -> dict:
    return {
        "type": "licence",
        "id": spdx.lower(),
        "name": spdx,
        "spdx": spdx,
        "kind": kind,
        "text": f"https://example.org/licences/{spdx}",
        "terms": [{"fact": t[0], "clause": t[1], **(t[2] if len(t) > 2 else {})} for t in terms],
    }


LICENCES = [
    _licence("Free"),
    _licence("NC", ("non-commercial", "2.a.1")),
    _licence("SA", ("share-alike", "3.b.1")),
    _licence("Research", ("research-only", "1.a"), ("no-redistribution", "3.1")),
    _licence("RAIL", ("use-restrictions", "5"), ("outputs-derivatives", "1.b")),
    _licence(
        "Llama2",
        ("use-restrictions", "1.b.i"),
        ("user-threshold", "2", {"value": 700000000}),
        ("outputs-ban", "1.b.v"),
    ),
    _licence(
        "Llama31",
        ("use-restrictions", "1.b.i"),
        ("naming", "1.b.i", {"value": "Llama", "outputs": True}),
    ),
    _licence("Llama3", ("display", "1.b.i", {"value": "Built with Meta Llama 3"})),
    _licence("ToS", ("outputs-ban", "What you cannot do"), kind="terms"),
    {"type": "licence", "id": "closed", "name": "Closed", "spdx": "Closed"},
    {"type": "organisation", "id": "lab", "name": "Lab"},
    {"type": "organisation", "id": "other", "name": "Other"},
]


def model(entity_id: str, licence: str | None = None, parents=(), data=(), **extra) -> dict:
    entry = {"type": "model", "id": entity_id, "name": extra.pop("name", entity_id), **extra}
    if licence:
        entry["licence"] = licence
    entry["derived_from"] = [
        {"parent": p, "relation": "fine-tuned", "source": f"{SOURCE}/{entity_id}"} for p in parents
    ]
    entry["trained_on"] = [
        {"dataset": d, "stage": "sft", "source": f"{SOURCE}/{entity_id}/{d}"} for d in data
    ]
    return entry


def dataset(entity_id: str, licence: str | None = None, generated_by=()) -> dict:
    entry = {"type": "dataset", "id": entity_id, "name": entity_id}
    if licence:
        entry["licence"] = licence
    entry["generated_by"] = [{"model": m, "source": f"{SOURCE}/{entity_id}"} for m in generated_by]
    return entry


def findings(*entries: dict, of: str) -> list[dict]:
    """The audit of model ``of`` in a catalogue of ``entries``, checked against the oracle."""
    found = catalogue_of([*LICENCES, *entries], SOURCE)
    store = Store()
    store.bulk_extend(rdf.to_quads(found))
    rows = overviews.licence_audit(reports.Graph(store), of)
    oracle = Oracle(found)
    fields = ("rule", "certainty", "holder", "route", "licence", "clause")
    assert sorted(tuple(r[f] for f in fields) for r in oracle.audit(of)) == sorted(
        tuple(r[f] for f in fields) for r in rows
    )
    assert [p for row in rows for p in oracle.audit_path_problems(row)] == []
    return rows


def rules(rows: list[dict]) -> set[tuple[str, str, str]]:
    """The findings from upstream (the model's own licence is found along a route of its own)."""
    return {
        (row["rule"], row["certainty"], row["holder"])
        for row in rows
        if row["route"] != "own licence"
    }


def own(rows: list[dict]) -> set[tuple]:
    """The findings on each model's own licence, which name the model as their holder."""
    assert all(
        r["holder"] == r["id"] and r["path"] == [] for r in rows if r["route"] == "own licence"
    )
    return {
        (row["id"], row["rule"], row["certainty"], row["licence"], row["clause"], row["note"])
        for row in rows
        if row["route"] == "own licence"
    }


def test_a_models_own_licence_states_its_terms_and_an_unread_one_is_unknown():
    family = {"type": "family", "id": "fam", "name": "Fam", "derived_from": []}
    rows = findings(
        model("libre", "Free", family="fam"),
        model("bare", family="fam"),
        model("kept", "Research", family="fam"),
        model("shut", "Closed", family="fam"),
        family,
        of="fam",
    )
    unknown = "no licence text is recorded, so what it allows is unknown"
    assert own(rows) == {
        ("bare", "unknown", "informational", None, None, unknown),
        ("kept", "research-only", "firm", "Research", "1.a", "research use only"),
        ("kept", "no-redistribution", "firm", "Research", "3.1", "the weights may not be shared"),
        ("shut", "unknown", "informational", "Closed", None, unknown),
    }
    big = findings(model("big", "Llama2"), of="big")
    assert own(big) == {
        (
            "big",
            "use-restrictions",
            "firm",
            "Llama2",
            "1.b.i",
            "some uses are forbidden, and derivatives must pass the restrictions on",
        ),
        (
            "big",
            "user-threshold",
            "informational",
            "Llama2",
            "2",
            "a service with over 700000000 monthly active users needs the licensor's permission",
        ),
        (
            "big",
            "outputs-ban",
            "firm",
            "Llama2",
            "1.b.v",
            "outputs may not be used to improve models outside the licence's own lineage",
        ),
    }
    served = findings(model("api", "ToS"), of="api")
    assert own(served) == {
        (
            "api",
            "terms-of-service",
            "terms-only",
            "ToS",
            "What you cannot do",
            "the terms bind whoever generates data with the service",
        )
    }
    # a model's own terms are stated beside those that reach it from upstream
    named = findings(model("child", "Llama31", ["big"]), model("big", "Llama2"), of="child")
    assert {r[1] for r in own(named)} == {"use-restrictions", "naming"}
    assert ("user-threshold", "informational", "big") in rules(named)


def test_an_audit_without_findings_says_each_models_own_licence():
    rows = findings(model("libre", "Free"), model("also", "Free", ["libre"]), of="also")
    assert rows == [] and rows.empty.splitlines() == [
        "no findings: neither its own licence nor any upstream states a term that binds also",
        "also: its own licence, Free, states no term the rules act on",
    ]


def test_a_table_of_no_findings_says_so_on_standard_error(tmp_path):
    run = CliRunner().invoke(
        main,
        [
            "audit",
            "pythia-12b",
            "--data",
            str(VALID),
            "--store",
            str(tmp_path),
            "--format",
            "table",
        ],
    )
    assert run.exit_code == 0 and run.stdout == ""
    assert run.stderr.splitlines()[-1] == (
        "pythia-12b: its own licence, Apache-2.0, states no term the rules act on"
    )


def test_json_findings_are_a_public_interface(tmp_path):
    run = CliRunner().invoke(
        main,
        ["audit", "alpaca-7b", "--data", str(VALID), "--store", str(tmp_path), "--format", "json"],
    )
    assert run.exit_code == 0, run.output
    found = json.loads(run.output)
    assert found and all(
        {"id", "name", "rule", "certainty", "licence", "clause", "path"} <= row.keys()
        for row in found
    )
    assert ("non-commercial", "firm", "LicenseRef-LLaMA") in {
        (r["rule"], r["certainty"], r["licence"]) for r in found
    }
    summary = CliRunner().invoke(
        main,
        ["audit", "--summary", "--data", str(VALID), "--store", str(tmp_path), "--format", "json"],
    )
    summed = json.loads(summary.output)
    counted = {(r["rule"], r["certainty"], r["route"]): r["findings"] for r in summed}
    everything = json.loads(
        CliRunner()
        .invoke(main, ["audit", "--data", str(VALID), "--store", str(tmp_path), "--format", "json"])
        .output
    )
    assert sum(counted.values()) == len(everything)
    key = ("non-commercial", "firm", "own licence")
    assert counted[key] == sum(
        1 for r in everything if (r["rule"], r["certainty"], r["route"]) == key
    )
    for row in summed:  # each count of models is the number of distinct models found
        key = (row["rule"], row["certainty"], row["route"])
        models = {r["id"] for r in everything if (r["rule"], r["certainty"], r["route"]) == key}
        assert row["models"] == len(models), key


def test_the_whole_audit_is_written_as_found_and_cut_by_limit(tmp_path):
    """The whole catalogue's findings come model by model as they are found (never all held
    to be sorted): in every format the rows of the sorted list, and --limit's first rows,
    saying there are more without having counted them."""

    def run(*options):
        args = ["audit", "--data", str(VALID), "--store", str(tmp_path), *options]
        done = CliRunner().invoke(main, args, env={"COLUMNS": "200"})
        assert done.exit_code == 0, done.output
        return done

    everything = json.loads(run("--format", "json").stdout)
    assert len(everything) > 5
    rule = audit.RULE_IDS.index
    order = [
        (r["name"], r["id"], r["route"] != "own licence", rule(r["rule"]), r["holder"], r["route"])
        for r in everything
    ]
    assert order == sorted(order)
    first = run("--format", "json", "--limit", "2")
    assert json.loads(first.stdout) == everything[:2]
    assert "the first 2 rows (there are more)" in first.stderr
    csv_lines = run("--format", "csv").stdout.splitlines()
    assert len(csv_lines) == len(everything) + 1
    table = run("--format", "table").stdout.splitlines()
    assert len(table) >= len(everything) + 2 and table[2].startswith(everything[0]["id"])


def test_audit_of_a_family_is_its_members():
    family = {"type": "family", "id": "fam", "name": "Fam", "derived_from": []}
    rows = findings(
        model("base", "NC"),
        family,
        model("one", "Free", ["base"], family="fam"),
        model("two", "Free", family="fam"),
        of="fam",
    )
    assert {(r["id"], r["rule"]) for r in rows} == {("one", "non-commercial"), ("one", "drift")}


def test_a_table_at_80_columns_says_how_each_finding_binds(tmp_path):
    """Where a narrow table must drop columns, the route (own licence, weights, generated
    data) stays beside the holder: without it a reader cannot tell why a term binds."""
    args = ["audit", "alpaca-7b", "--data", str(VALID), "--store", str(tmp_path)]
    table = CliRunner().invoke(main, [*args, "--format", "table"], env={"COLUMNS": "80"})
    found = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    assert table.exit_code == 0, table.output
    header, _, *lines = table.stdout.splitlines()
    rows, notes = lines[: len(found)], lines[len(found) :]
    assert all(note.startswith("(") for note in notes[:1])  # the rows, then what is left out
    assert header.split()[:4] == ["rule", "certainty", "holder", "route"]
    assert max(map(len, table.stdout.splitlines())) <= 80
    assert {r["route"] for r in found} >= {"weights", "generated data"}
    for line, row in zip(rows, found, strict=True):
        assert [row["rule"], row["certainty"], row["holder"], row["route"]] == [
            cell.strip() for cell in _cells(line, header)[:4]
        ]


def _cells(line: str, header: str) -> list[str]:
    """A table line's cells, cut where the header's column names begin."""
    starts = [i for i, c in enumerate(header) if c != " " and (i == 0 or header[i - 1] == " ")]
    return [line[a:b] for a, b in zip(starts, [*starts[1:], None], strict=True)]
