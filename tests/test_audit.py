"""Each rule of the licence audit on a small catalogue of its own: a case that must fire and a
near miss that must not."""

import json
from pathlib import Path

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
    assert sorted((r["rule"], r["holder"], r["route"]) for r in oracle.audit(of)) == sorted(
        (r["rule"], r["holder"], r["route"]) for r in rows
    )
    assert [p for row in rows for p in oracle.audit_path_problems(row)] == []
    return rows


def rules(rows: list[dict]) -> set[tuple[str, str, str]]:
    return {(row["rule"], row["certainty"], row["holder"]) for row in rows}


def test_non_commercial_is_firm_through_weights_and_disputed_through_data():
    rows = findings(
        model("base", "NC"),
        dataset("chats", "NC"),
        model("child", "Free", ["base"], ["chats"]),
        of="child",
    )
    assert ("non-commercial", "firm", "base") in rules(rows)
    assert ("non-commercial", "disputed", "chats") in rules(rows)
    near = findings(
        model("base", "Free"),
        dataset("chats", "Free"),
        model("child", "Free", ["base"], ["chats"]),
        of="child",
    )
    assert not {r for r in rules(near) if r[0] == "non-commercial"}


def test_a_finding_carries_clause_and_every_cited_hop():
    rows = findings(
        model("root", "NC"), model("mid", "NC", ["root"]), model("leaf", "NC", ["mid"]), of="leaf"
    )
    (row,) = [r for r in rows if r["holder"] == "root"]
    assert row["clause"] == "2.a.1" and row["clause_url"] == "https://example.org/licences/NC"
    assert row["path"] == [
        {"from": "leaf", "relation": "fine-tuned", "to": "mid", "source": f"{SOURCE}/leaf"},
        {"from": "mid", "relation": "fine-tuned", "to": "root", "source": f"{SOURCE}/mid"},
    ]


def test_share_alike_fires_when_the_child_changes_licence():
    assert ("share-alike", "firm", "base") in rules(
        findings(model("base", "SA"), model("child", "Free", ["base"]), of="child")
    )
    assert rules(findings(model("base", "SA"), model("child", "SA", ["base"]), of="child")) == set()


def test_clause_elimination_when_a_permissive_child_drops_use_restrictions():
    assert ("clause-elimination", "firm", "base") in rules(
        findings(model("base", "RAIL"), model("child", "Free", ["base"]), of="child")
    )
    assert (
        rules(findings(model("base", "RAIL"), model("child", "RAIL", ["base"]), of="child"))
        == set()
    )


def test_clause_elimination_reaches_models_trained_on_outputs_when_they_count_as_derivatives():
    rows = findings(
        model("teacher", "RAIL"),
        dataset("distilled", generated_by=["teacher"]),
        model("student", "Free", data=["distilled"]),
        of="student",
    )
    assert ("clause-elimination", "disputed", "teacher") in rules(rows)
    near = findings(  # Llama 2's use restrictions do not reach outputs
        model("teacher", "Llama2"),
        dataset("distilled", generated_by=["teacher"]),
        model("student", "Free", data=["distilled"]),
        of="student",
    )
    assert not {r for r in rules(near) if r[0] == "clause-elimination"}


def test_naming_duty_of_llama_3_1():
    fired = findings(
        model("base", "Llama31"),
        model("hermes", "Llama31", ["base"], name="Hermes-3-8B"),
        of="hermes",
    )
    assert ("naming", "firm", "base") in rules(fired)
    assert (
        next(r for r in fired if r["rule"] == "naming")["note"]
        == "the model's name must begin with 'Llama'"
    )
    near = findings(
        model("base", "Llama31"),
        model("storm", "Llama31", ["base"], name="Llama-3.1-Storm-8B"),
        of="storm",
    )
    assert rules(near) == set()
    through_outputs = findings(
        model("base", "Llama31"),
        dataset("synthetic", generated_by=["base"]),
        model("other", "Llama31", data=["synthetic"], name="Other-7B"),
        of="other",
    )
    assert ("naming", "disputed", "base") in rules(through_outputs)


def test_llama_2_outputs_may_not_improve_other_models():
    generated = [model("llama", "Llama2"), dataset("synthetic", generated_by=["llama"])]
    rows = findings(
        *generated, model("mistral-tune", "Free", data=["synthetic"]), of="mistral-tune"
    )
    assert ("outputs-ban", "disputed", "llama") in rules(rows)
    near = findings(
        *generated, model("llama-tune", "Llama2", ["llama"], ["synthetic"]), of="llama-tune"
    )
    assert not {r for r in rules(near) if r[0] == "outputs-ban"}
    student = model("student", "Free", ["llama"], ["synthetic"])
    student["derived_from"][0]["relation"] = "distilled"  # the teacher's outputs, not its weights
    rows = findings(*generated, student, of="student")
    assert ("outputs-ban", "disputed", "llama") in rules(rows)


def test_prompts_taken_carry_no_responses():
    """A preference set that took only a rated set's prompts: the rated set's licence reaches
    the model, and so do the terms of whoever wrote those prompts, but not of the models that
    wrote only its responses, unless the model also trains on the rated set itself."""
    prompts = dataset("prompts", generated_by=["writer"])
    rated = dataset("rated", "NC", generated_by=["llama", "writer"])
    rated["generated_by"][0]["wrote"] = "responses"
    rated["derived_from"] = [{"dataset": "prompts", "source": SOURCE}]
    mix = dataset("mix") | {
        "derived_from": [{"dataset": "rated", "reuses": "prompts", "source": SOURCE}]
    }
    entries = [model("llama", "Llama2"), model("writer", "ToS"), prompts, rated, mix]
    rows = findings(*entries, model("tune", "Free", data=["mix"]), of="tune")
    assert rules(rows) == {
        ("non-commercial", "disputed", "rated"),
        ("terms-of-service", "terms-only", "writer"),
    }
    assert [h["relation"] for h in next(r for r in rows if r["holder"] == "rated")["path"]] == [
        "trained-on",
        "prompts-from",
    ]
    whole = findings(*entries, model("tune", "Free", data=["mix", "rated"]), of="tune")
    assert ("outputs-ban", "disputed", "llama") in rules(whole)
    path = next(r for r in whole if r["holder"] == "rated")["path"]
    assert [h["relation"] for h in path] == ["trained-on"]  # reached whole: said once


def test_user_threshold_is_informational():
    assert ("user-threshold", "informational", "base") in rules(
        findings(model("base", "Llama2"), model("child", "Llama2", ["base"]), of="child")
    )
    assert (
        rules(findings(model("base", "Free"), model("child", "Llama2", ["base"]), of="child"))
        == set()
    )


def test_research_only_is_not_mere_non_commercial():
    rows = findings(model("base", "NC"), model("child", "NC", ["base"]), of="child")
    assert rules(rows) == {("non-commercial", "firm", "base")}


def test_research_only_base_and_redistribution_of_its_weights():
    shared = findings(
        model("base", "Research"), model("child", "Free", ["base"], open_weights=True), of="child"
    )
    assert {("research-only", "firm", "base"), ("no-redistribution", "firm", "base")} <= rules(
        shared
    )
    kept = findings(
        model("base", "Research"), model("child", "Free", ["base"], open_weights=False), of="child"
    )
    assert ("no-redistribution", "firm", "base") not in rules(kept)
    assert ("research-only", "firm", "base") in rules(kept)


def test_terms_of_service_bind_the_generating_party_only():
    rows = findings(
        model("gpt", "ToS"),
        dataset("chats", "Free", generated_by=["gpt"]),
        model("tune", "Free", data=["chats"]),
        of="tune",
    )
    assert rules(rows) == {("terms-of-service", "terms-only", "gpt")}
    (row,) = rows
    assert row["note"] == "the terms bind whoever generated the data with the service"
    human = findings(dataset("chats", "Free"), model("tune", "Free", data=["chats"]), of="tune")
    assert rules(human) == set()


def test_drift_names_the_restrictions_a_child_drops():
    rows = findings(model("base", "Llama2"), model("child", "NC", ["base"]), of="child")
    (drift,) = [r for r in rows if r["rule"] == "drift"]
    assert drift["clause"] == "1.b.i; 2; 1.b.v" and drift["certainty"] == "firm"
    assert (
        drift["note"]
        == "the model's licence drops use-restrictions, user-threshold, outputs-ban of its parent's"
    )
    assert not [
        r
        for r in findings(model("base", "Free"), model("child", "NC", ["base"]), of="child")
        if r["rule"] == "drift"
    ]


def test_drift_from_a_family_and_its_member_is_said_once_by_the_member():
    """A model whose family derives from a family, and which itself derives from a member of
    that family, drifts from the member's licence: the family's would say the same again."""
    families = [
        {"type": "family", "id": "base-family", "name": "Base family", "licence": "Llama2"},
        {
            "type": "family",
            "id": "child-family",
            "name": "Child family",
            "derived_from": [
                {"parent": "base-family", "relation": "fine-tuned", "source": f"{SOURCE}/f"}
            ],
        },
    ]
    base = model("base", "Llama2", family="base-family")
    child = model("child", "NC", ["base"], family="child-family")
    rows = findings(*families, base, child, of="child")
    assert [(r["rule"], r["holder"]) for r in rows if r["rule"] == "drift"] == [("drift", "base")]


def test_unknown_licences_propagate_as_unknown():
    rows = findings(
        model("base"), model("mid", "Free", ["base"]), model("leaf", "Free", ["mid"]), of="leaf"
    )
    assert rules(rows) == {("unknown", "informational", "base")}
    assert len(rows[0]["path"]) == 2
    placeholder = findings(model("base", "Closed"), model("child", "Free", ["base"]), of="child")
    assert rules(placeholder) == {("unknown", "informational", "base")}
    assert (
        rules(findings(model("base", "Free"), model("child", "Free", ["base"]), of="child"))
        == set()
    )


def test_a_licensor_is_not_bound_by_its_own_licence():
    own = findings(
        model("base", "NC", organisation=["lab"]),
        model("child", "Free", ["base"], organisation=["lab"]),
        of="child",
    )
    assert rules(own) == set()
    other = findings(
        model("base", "NC", organisation=["lab"]),
        model("child", "Free", ["base"], organisation=["other"]),
        of="child",
    )
    assert ("non-commercial", "firm", "base") in rules(other)


def test_an_audit_without_findings_says_each_models_own_licence():
    family = {"type": "family", "id": "fam", "name": "Fam", "derived_from": []}
    rows = findings(
        model("libre", "Free", family="fam"),
        model("bare", family="fam"),
        model("kept", "Research", family="fam"),
        family,
        of="fam",
    )
    assert rows == [] and rows.empty.splitlines() == [
        "no findings: no term of a licence upstream of these models applies to them",
        "bare: no licence of its own is recorded",
        "kept: its own licence, Research, states: research-only (1.a), no-redistribution (3.1)",
        "libre: its own licence, Free, states no term the rules act on",
    ]
    one = findings(model("big", "Llama2"), of="big")
    assert one.empty.splitlines()[1:] == [
        "big: its own licence, Llama2, states: use-restrictions (1.b.i), user-threshold 700000000"
        " (2), outputs-ban (1.b.v)"
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


def test_every_rule_is_documented():
    documented = Path(__file__).parents[1].joinpath("README.md").read_text()
    assert all(f"`{rule}`" in documented for rule in audit.RULE_IDS)


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
    counted = {(r["rule"], r["certainty"]): r["findings"] for r in summed}
    everything = json.loads(
        CliRunner()
        .invoke(main, ["audit", "--data", str(VALID), "--store", str(tmp_path), "--format", "json"])
        .output
    )
    assert sum(counted.values()) == len(everything)
    assert counted[("non-commercial", "firm")] == sum(
        1 for r in everything if (r["rule"], r["certainty"]) == ("non-commercial", "firm")
    )
    for row in summed:  # each count of models is the number of distinct models found
        key = (row["rule"], row["certainty"])
        models = {r["id"] for r in everything if (r["rule"], r["certainty"]) == key}
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
    order = [(r["name"], r["id"], rule(r["rule"]), r["holder"], r["route"]) for r in everything]
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
