"""Hub records to claims: relations no more precise than the source, and every claim the
import refuses or doubts."""

import pytest

from slmgraph import hub


def model(record: dict) -> hub.HubModel:
    doubts: list[hub.Doubt] = []
    found = hub.to_model(record, doubts)
    assert doubts == []
    return found


def parents(record: dict) -> list[tuple]:
    return [(p.repo, p.relation, p.relation_from, p.declared_in) for p in model(record).parents]


def test_the_hubs_finetune_is_no_more_than_trained_from():
    record = {
        "id": "a/child",
        "tags": ["base_model:b/base", "base_model:finetune:b/base"],
        "cardData": {"base_model": "b/base"},
    }
    assert parents(record) == [("b/base", "trained-from", "hub", "card")]


@pytest.mark.parametrize(
    ("tag", "relation"),
    [("adapter", "adapter"), ("quantized", "quantized"), ("merge", "merged")],
)
def test_the_hubs_other_relations_map_to_typed_edges(tag, relation):
    assert parents({"id": "a/c", "tags": [f"base_model:{tag}:b/p"]}) == [
        ("b/p", relation, "hub", "hub")
    ]


def test_a_relation_stated_on_the_card_says_so():
    record = {"id": "a/c", "cardData": {"base_model": "b/p", "base_model_relation": "adapter"}}
    assert parents(record) == [("b/p", "adapter", "card", "card")]


def test_a_base_model_without_relation_is_based_on():
    assert parents({"id": "a/c", "cardData": {"base_model": ["b/p", "c/q"]}}) == [
        ("b/p", "based-on", None, "card"),
        ("c/q", "based-on", None, "card"),
    ]


def test_the_raw_card_header_is_read_when_card_data_is_missing():
    found = model(
        {
            "id": "a/c",
            "card": "---\nbase_model: b/p\ndatasets:\n- d/x\nlicense: other\n"
            "license_name: llama2\n---\n# A model\n",
            "tags": ["arxiv:2307.09288"],
        }
    )
    assert [p.repo for p in found.parents] == ["b/p"]
    assert (found.datasets, found.licence, found.papers) == (["d/x"], "llama2", ["2307.09288"])


def test_unreadable_records_and_cards_are_refused_with_a_reason():
    doubts: list[hub.Doubt] = []
    assert hub.to_model({"id": "not a repo"}, doubts) is None
    broken = hub.to_model({"id": "a/c", "card": "---\nbase_model: [b/p\n---\n"}, doubts)
    assert broken is not None and broken.parents == []
    for odd in ({"cardData": "{not json"}, {"cardData": "[1, 2]"}, {"card": 5}, {"card": ["---"]}):
        assert hub.to_model({"id": "a/odd", **odd}, doubts).parents == []
    assert [(d.kind, d.refused) for d in doubts] == [
        ("unreadable record", True),
        ("unparseable card YAML", True),
        *[("unreadable card data", True)] * 4,
    ]


def test_a_base_model_or_dataset_named_by_its_page_or_with_spaces_is_its_repo_id():
    found = model(
        {
            "id": "a/c",
            "tags": ["base_model:adapter: b/q ", "dataset:https://huggingface.co/datasets/d/y"],
            "cardData": {
                "base_model": ["https://huggingface.co/b/p", " c/r"],
                "datasets": ["https://huggingface.co/datasets/d/x/", "squad"],
            },
        }
    )
    assert [(p.repo, p.declared_in) for p in found.parents] == [
        ("b/p", "card"),
        ("c/r", "card"),
        ("b/q", "hub"),
    ]
    assert found.datasets == ["d/x", "d/y", "squad"]  # a canonical dataset has no owner


def test_names_that_are_no_repo_ids_are_refused_and_listed_and_the_rest_kept():
    doubts: list[hub.Doubt] = []
    record = {
        "id": "a/c",
        "tags": ["base_model:", "base_model:finetune:", "dataset:", "base_model:b/ok"],
        "baseModels": {"relation": ["odd"], "models": [{"id": 5}, "y"]},
        "cardData": {
            "base_model": ["/home/me/llama", "b/p@main", 7, {"name": "x"}, "b/ok"],
            "datasets": ["../data", ""],
        },
    }
    found = hub.to_model(record, doubts)
    assert [p.repo for p in found.parents] == ["b/ok"] and found.datasets == []
    refused = [(d.kind, d.detail.split(" as ")[0]) for d in doubts if d.refused]
    assert refused == [
        ("invalid base model", "names ''"),  # the typed tag's empty parent
        ("invalid base model", "names 5"),  # baseModels'
        ("invalid base model", "names 'y'"),
        ("invalid base model", "names '/home/me/llama'"),
        ("invalid base model", "names 'b/p@main'"),
        ("invalid base model", "names 7"),
        ("invalid base model", "names {'name': 'x'}"),
        ("invalid base model", "names ''"),  # the untyped tag's
        ("invalid dataset", "names '../data'"),
        ("invalid dataset", "names ''"),
        ("invalid dataset", "names ''"),
    ]
    assert len(doubts) == len(refused)


def test_fields_of_the_wrong_kind_are_left_out_not_fatal():
    doubts: list[hub.Doubt] = []
    found = hub.to_model(
        {
            "id": "a/c",
            "author": {"name": "a"},
            "sha": 12,
            "createdAt": "last year",
            "cardData": {
                "license": ["other", "mit"],
                "license_name": 3,
                "base_model": "b/p",
                "base_model_relation": ["adapter"],
            },
        },
        doubts,
    )
    assert (found.author, found.sha, found.created, found.licence) == (None, None, None, None)
    assert [(p.repo, p.relation) for p in found.parents] == [("b/p", "based-on")]
    assert [(d.kind, d.refused) for d in doubts] == [("invalid date", False)]


def test_a_repo_listed_again_in_any_case_is_its_last_record():
    records = [
        {"id": "a/x", "tags": ["base_model:finetune:b/p"]},
        {"id": "a/y"},
        {"id": "A/X", "tags": ["base_model:adapter:b/q"]},
        {"id": "a/x", "tags": ["base_model:quantized:b/r"]},
    ]
    doubts: list[hub.Doubt] = []
    models = hub.distinct([hub.to_model(r, doubts) for r in records], doubts)
    assert [(m.repo, [p.repo for p in m.parents]) for m in models] == [
        ("a/y", []),
        ("a/x", ["b/r"]),
    ]
    assert [(d.kind, d.repo, d.refused) for d in doubts] == [
        ("duplicate record", "a/x", True),
        ("duplicate record", "A/X", True),
    ]


def test_quality_checks_refuse_or_doubt_every_suspect_claim():
    records = [
        {"id": "a/self", "tags": ["base_model:finetune:a/self"]},
        {"id": "a/x", "tags": ["base_model:finetune:a/y"]},
        {"id": "a/y", "tags": ["base_model:finetune:a/x"]},
        {"id": "a/orphan", "tags": ["base_model:finetune:gone/model"]},
        {"id": "a/curated-child", "tags": ["base_model:finetune:EleutherAI/pythia-70m"]},
        {"id": "a/merge", "tags": ["base_model:merge:a/old"]},
        {"id": "a/old", "createdAt": "2024-01-01T00:00:00.000Z"},
        {"id": "a/early", "createdAt": "2023-01-01T00:00:00.000Z", "tags": ["base_model:a/old"]},
    ]
    models, doubts = hub.checked(
        [hub.to_model(r, []) for r in records], known={"EleutherAI/pythia-70m"}
    )
    found = sorted((d.kind, d.repo, d.refused) for d in doubts)
    assert found == [
        ("child before parent", "a/early", False),
        ("merge with one parent", "a/merge", False),
        ("missing parent", "a/orphan", False),
        ("mutual claim", "a/x", True),
        ("mutual claim", "a/y", True),
        ("self-loop", "a/self", True),
    ]
    kept = {m.repo: [p.repo for p in m.parents] for m in models}
    assert kept["a/self"] == [] and kept["a/x"] == [] and kept["a/orphan"] == ["gone/model"]
    assert kept["a/curated-child"] == ["EleutherAI/pythia-70m"]


def test_a_repo_id_has_one_spelling_whatever_case_a_card_writes_it_in():
    records = [
        {"id": "EleutherAI/pythia-1b"},
        {
            "id": "someone/tuned",
            "tags": ["base_model:finetune:EleutherAI/Pythia-1B", "dataset:Tatsu-Lab/Alpaca"],
            "cardData": {"base_model": "eleutherai/pythia-1b", "datasets": ["tatsu-lab/alpaca"]},
        },
        {"id": "someone/other", "tags": ["base_model:finetune:Meta/Curated-Model"]},
    ]
    models = [hub.to_model(r, []) for r in records]
    links = hub.respelled(models, ["meta/curated-model", "datasets/tatsu-lab/alpaca"])
    for model in models:  # as the import does next: one parent a repo, whatever its spelling
        hub.one_per_entity(model, lambda key: links.get(key, key))
    tuned, other = models[1], models[2]
    assert [p.repo for p in tuned.parents] == ["EleutherAI/pythia-1b"]  # one edge, as imported
    assert tuned.parents[0].declared_in == "card"  # the first spelling's claim stands
    assert tuned.parents[0].relation == "trained-from"  # with the relation the tag gives
    assert tuned.datasets == ["tatsu-lab/alpaca"] and tuned.on_card == {"tatsu-lab/alpaca"}
    assert [p.repo for p in other.parents] == ["meta/curated-model"]  # as the curated link has it
    assert links == {
        "meta/curated-model": "meta/curated-model",
        "datasets/tatsu-lab/alpaca": "datasets/tatsu-lab/alpaca",
    }
    _, doubts = hub.checked(models, set(links.values()))
    assert doubts == []  # no parent is missing for being written in other letters
    curated = hub.respelled([hub.HubModel("Meta/curated-model")], ["meta/Curated-Model"])
    assert curated == {"meta/Curated-Model": "Meta/curated-model"}  # as the Hub spells it
    elsewhere = [
        hub.to_model({"id": "a/one", "tags": ["base_model:Gone/Model", "dataset:Some/Data"]}, []),
        hub.to_model({"id": "a/two", "tags": ["base_model:gone/model", "dataset:some/data"]}, []),
    ]
    hub.respelled(elsewhere, [])  # neither imported nor curated: the first spelling met stands
    for model in elsewhere:
        hub.one_per_entity(model, lambda key: key)
    assert {p.repo for m in elsewhere for p in m.parents} == {"Gone/Model"}
    assert {d for m in elsewhere for d in m.datasets} == {"Some/Data"}


def test_a_card_built_to_blow_up_is_refused_in_a_short_line():
    """YAML aliases make a list of lists whose text grows with the power of its depth; JSON or
    card data nested past what a parser's recursion allows is no record."""
    levels = ['a: &a ["x", "x", "x", "x", "x", "x"]']
    for n in range(1, 6):
        levels.append(f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join([f'*{chr(96 + n)}'] * 6)}]")
    card = "---\n" + "\n".join(levels) + "\nbase_model: *f\ndatasets: *f\n---\n"
    doubts: list[hub.Doubt] = []
    found = hub.to_model({"id": "a/bomb", "card": card}, doubts)
    assert found.parents == [] and found.datasets == []
    assert len(doubts) == 12 and all(len(d.detail) < 300 for d in doubts)
    deep = "[" * 100_000 + "]" * 100_000
    line = hub._record('{"id": "a/deep", "x": ' + deep + "}", 7)
    assert line == {"_unreadable": "line 7: nested too deep to read"}
    nested = hub.to_model({"id": "a/deep", "cardData": '{"x": ' + deep + "}"}, doubts)
    assert nested.parents == [] and doubts[-1].kind == "unreadable card data"
