"""Each rule of the licence audit (``audit_rules``) on a small catalogue of its own: a case that
must fire and a near miss that must not."""

from pathlib import Path

from slmgraph import audit
from tests.test_audit import SOURCE, dataset, findings, model, rules


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
        next(r for r in fired if r["rule"] == "naming" and r["holder"] == "base")["note"]
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


def test_an_outputs_ban_binds_whoever_trained_on_the_outputs():
    """Not a model built on one the licensor trained on its own outputs: the licensor was free
    to, and what is built on that model took no outputs itself. A model a third party trained
    on them carries the ban to what is built on it, and the path says through which."""
    generated = [
        model("big", "Llama2", organisation="lab"),
        dataset("synthetic", generated_by=["big"]),
        model("own", "Free", data=["synthetic"], organisation="lab"),
    ]
    rows = findings(*generated, model("tune", "Free", ["own"], organisation="other"), of="tune")
    assert not {r for r in rules(rows) if r[0] == "outputs-ban"}
    theirs = model("theirs", "Free", data=["synthetic"], organisation="other")
    rows = findings(*generated, theirs, model("tune", "Free", ["own", "theirs"]), of="tune")
    (row,) = [r for r in rows if r["rule"] == "outputs-ban"]
    assert [hop["to"] for hop in row["path"]] == ["theirs", "synthetic", "big"]


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


def test_display_duty_is_a_reminder_through_weights_only():
    fired = findings(model("base", "Llama3"), model("child", "Free", ["base"]), of="child")
    assert ("display", "informational", "base") in rules(fired)
    note = next(r for r in fired if r["rule"] == "display")["note"]
    assert (
        note == "a product or service built on it must display 'Built with Meta Llama 3', "
        "where the clause says"
    )
    own = findings(model("base", "Llama3"), of="base")
    assert [(r["rule"], r["certainty"], r["route"]) for r in own] == [
        ("display", "informational", "own licence")
    ]
    through_data = findings(
        model("base", "Llama3"),
        dataset("synthetic", generated_by=["base"]),
        model("other", "Free", data=["synthetic"]),
        of="other",
    )
    assert not {r for r in rules(through_data) if r[0] == "display"}


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
    said = placeholder[0]["licence"], placeholder[0]["note"]  # the licence is named, not its text
    assert said == ("Closed", "no licence text is recorded, so what it allows is unknown")
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


def test_every_rule_is_documented():
    documented = Path(__file__).parents[1].joinpath("README.md").read_text()
    assert all(f"`{rule}`" in documented for rule in audit.RULE_IDS)
