import pytest
from pyoxigraph import Store

from slmgraph import generated, overviews, rdf, reports
from slmgraph.names import UnknownName
from tests.conftest import catalogue_of
from tests.oracle import Oracle, same_rows

SOURCE = "https://example.org/paper"


def _edges(rows):
    return {(r["id"], r["relation"], r["parent"], r["depth"]) for r in rows}


def test_descendants_of_a_family_cover_its_members(graph):
    rows = reports.descendants(graph, "pythia")
    assert _edges(rows) == {
        ("pythia-12b", "member-of", "pythia", 1),
        ("pythia-70m", "member-of", "pythia", 1),
        ("dolly-v2-12b", "fine-tuned", "pythia-12b", 2),
    }
    dolly = next(r for r in rows if r["id"] == "dolly-v2-12b")
    assert dolly["source"] == "https://huggingface.co/databricks/dolly-v2-12b"
    assert dolly["method"] == "instruction-tuning"
    # tree order: a child comes right after its parent
    order = [r["id"] for r in rows]
    assert order.index("dolly-v2-12b") == order.index("pythia-12b") + 1


def test_descendants_of_a_leaf_are_empty(graph):
    assert reports.descendants(graph, "dolly-v2-12b") == []


def test_ancestors_trace_back_to_the_root_and_give_it_a_row(graph):
    rows = reports.ancestors(graph, "vicuna-13b")
    assert [(r["id"], r["relation"], r["parent"], r["depth"]) for r in rows] == [
        ("vicuna-13b", "fine-tuned", "llama-13b", 1),
        ("llama-13b", "member-of", "llama", 2),
        ("llama", None, None, 2),
    ]
    assert rows[-1]["name"] == "LLaMA"


def test_ancestors_of_a_family_without_any_are_empty(graph):
    assert reports.ancestors(graph, "llama") == []


def test_datasets_direct_and_transitive(graph):
    direct = reports.datasets(graph, "dolly-v2-12b")
    assert [(r["id"], r["stage"], r["via"]) for r in direct] == [
        ("databricks-dolly-15k", "sft", "dolly-v2-12b")
    ]
    transitive = reports.datasets(graph, "dolly-v2-12b", transitive=True)
    assert [(r["id"], r["stage"], r["via"], r["depth"]) for r in transitive] == [
        ("databricks-dolly-15k", "sft", "dolly-v2-12b", 0),
        ("the-pile", "pretraining", "pythia", 2),
    ]


def test_datasets_come_once_through_the_nearest_model(graph):
    rows = reports.datasets(graph, "pythia-12b", transitive=True)
    assert [(r["id"], r["via"], r["depth"]) for r in rows] == [("the-pile", "pythia", 1)]


def test_datasets_mark_synthetic_data_with_its_generator(graph):
    [row] = reports.datasets(graph, "alpaca-7b")
    assert row["generated_by"] == "text-davinci-003"


def test_family_data_counts_as_the_members_own(graph):
    assert [r["id"] for r in reports.datasets(graph, "pythia-70m")] == ["the-pile"]


def test_organisation_developed_and_builders(graph):
    rows = reports.organisation(graph, "meta")
    developed = {r["id"]: r["open_weights"] for r in rows if r["section"] == "developed"}
    assert developed == {"llama": None, "llama-7b": True, "llama-13b": True}
    builders = [
        (r["id"], r["organisation"], r["base"]) for r in rows if r["section"] == "builds-on"
    ]
    # the nearest base only: LLaMA-7B, not also the LLaMA family it belongs to
    assert builders == [("alpaca-7b", "stanford", "llama-7b")]


def test_a_builder_reached_only_through_a_distillation_builds_on_outputs_not_weights():
    """A student trained on a teacher's outputs carries none of its weights, nor does a model
    tuned from the student; a model tuned from the teacher does."""

    def model(entity_id, org, *parents):
        edges = [{"parent": p, "relation": r, "source": SOURCE} for r, p in parents]
        return {"type": "model", "id": entity_id, "name": entity_id, "organisation": [org]} | (
            {"derived_from": edges} if edges else {}
        )

    found = catalogue_of(
        [
            *({"type": "organisation", "id": o, "name": o} for o in ("lab", "b", "c")),
            model("teacher", "lab"),
            model("student", "b", ("distilled", "teacher")),
            model("student-tuned", "c", ("fine-tuned", "student")),
            model("tuned", "b", ("fine-tuned", "teacher")),
            model("both", "c", ("distilled", "teacher"), ("merged", "tuned")),
        ],
        SOURCE,
    )
    store = Store()
    store.bulk_extend(rdf.to_quads(found))
    rows = reports.organisation(reports.Graph(store), "lab")
    assert {(r["id"], r["section"], r["base"]) for r in rows if r["section"] != "developed"} == {
        ("student", "via-distillation", "teacher"),
        ("student-tuned", "via-distillation", "teacher"),
        ("tuned", "builds-on", "teacher"),
        ("both", "builds-on", "teacher"),  # its merge carries the teacher's weights
    }
    assert same_rows(rows, Oracle(found).organisation("lab"))


def test_an_organisation_covers_its_units_at_any_depth():
    """A lab of a division of a company: its releases are the company's and the division's, its
    builds on the company's models are no outside builder's, and its generated text counts as
    theirs; not the other way round."""

    def entry(kind, entity_id, org, **fields):
        return {
            "type": kind,
            "id": entity_id,
            "name": entity_id.upper(),
            "organisation": [org],
        } | fields

    found = catalogue_of(
        [
            {"type": "organisation", "id": "company", "name": "Company"},
            {"type": "organisation", "id": "division", "name": "Division", "unit_of": "company"},
            {"type": "organisation", "id": "lab", "name": "Lab", "unit_of": ["division"]},
            {"type": "organisation", "id": "outside", "name": "Outside"},
            entry("model", "base", "company", released="2023"),
            entry("model", "kept", "company", open_weights=False),
            entry("model", "tuned", "lab", released="2024",
                  derived_from=[{"parent": "base", "relation": "fine-tuned", "source": SOURCE}]),
            entry("dataset", "lab-text", "lab",
                  generated_by=[{"model": "tuned", "source": SOURCE}]),
            entry("model", "student", "outside", released="2024-05",
                  derived_from=[{"parent": "tuned", "relation": "fine-tuned", "source": SOURCE}],
                  trained_on=[{"dataset": "lab-text", "stage": "sft", "source": SOURCE}]),
        ],
        SOURCE,
    )  # fmt: skip
    store = Store()
    store.bulk_extend(rdf.to_quads(found))
    graph, oracle = reports.Graph(store), Oracle(found)
    rows = reports.organisation(graph, "company")
    assert [(r["id"], r["section"], r["organisation"], r.get("base")) for r in rows] == [
        ("tuned", "developed", "lab", None),  # newest first, undated last
        ("base", "developed", None, None),
        ("kept", "developed", None, None),
        ("lab-text", "developed", "lab", None),
        ("student", "builds-on", "outside", "tuned"),  # the nearest base, the lab's
    ]
    # developed is not released: a model whose weights were never published says so
    assert {r["id"]: r.get("open_weights") for r in rows} == {
        "tuned": None,
        "base": None,
        "kept": False,
        "lab-text": None,
        "student": None,
    }
    assert [r["id"] for r in reports.organisation(graph, "lab") if r["section"] == "developed"] == [
        "tuned",
        "lab-text",
    ]
    assert [r["id"] for r in reports.timeline(graph, org="division")] == ["tuned"]
    assert {r["id"] for r in generated.synthetic(graph, "company")} == {"student"}
    assert generated.synthetic(graph, "outside") == []
    for org in ("company", "division", "lab", "outside"):
        assert same_rows(reports.organisation(graph, org), oracle.organisation(org)), org
        assert same_rows(generated.synthetic(graph, org), oracle.synthetic(org)), org
        assert same_rows(reports.timeline(graph, org=org), oracle.timeline(org=org)), org


def test_family_members_smallest_first(graph):
    assert [r["id"] for r in reports.family(graph, "pythia")] == ["pythia-70m", "pythia-12b"]


def test_timeline_filters(graph):
    everything = reports.timeline(graph)
    assert [r["released"] for r in everything] == sorted(r["released"] for r in everything)
    assert {r["id"] for r in reports.timeline(graph, org="openai")} == {
        "chatgpt",
        "text-davinci-003",
    }
    assert all(r["released"] >= "2023-04" for r in reports.timeline(graph, since="2023-04"))


def test_corrections_and_stats(graph):
    [correction] = overviews.corrections(graph)
    assert (correction["id"], correction["seed"], correction["says"]) == (
        "pythia",
        "awesome-slm",
        "meta",
    )
    stats = overviews.stats(graph)
    assert stats["models"] == 9 and stats["families"] == 2
    assert stats["lineage_edges"] == 3 and stats["cited_edges"] == stats["edges"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LLaMA", "llama"),
        ("llama", "llama"),
        ("Dolly 2.0", "dolly-v2-12b"),
        ("dolly v2 12B", "dolly-v2-12b"),
        ("the pile", "the-pile"),
        ("PILE", "the-pile"),
    ],
)
def test_names_resolve_case_insensitively(graph, name, expected):
    assert graph.resolve(name) == expected


def test_timeline_compares_dates_not_strings(graph):
    # LLaMA (2023-02-24) is before 2023-02-25; a release known only to its month still counts
    ids = {r["id"] for r in reports.timeline(graph, since="2023-02-25")}
    assert "llama" not in ids and "pythia" in ids
    with pytest.raises(reports.BadValue):
        reports.timeline(graph, since="2024-1")


def test_unknown_name_suggests(graph):
    with pytest.raises(UnknownName) as error:
        graph.resolve("Pythonia")
    assert "Pythia" in error.value.suggestions


def test_wrong_kind_is_refused(graph):
    with pytest.raises(reports.NotForThisReport, match="dataset"):
        graph.resolve("the pile", "model", "family")


def test_run_query_accepts_names_and_files(graph, tmp_path):
    rows = overviews.run_query(graph, "family", {"family": "LLaMA"})
    assert {r["name"] for r in rows} == {"LLaMA-7B", "LLaMA-13B"}
    path = tmp_path / "ask.rq"
    path.write_text("ASK { ?m slm:fineTunedFrom ?p }")
    assert overviews.run_query(graph, str(path), {}) == [{"result": True}]
