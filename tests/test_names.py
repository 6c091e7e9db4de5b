import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slmgraph import paths, reports, store
from slmgraph.names import Label, UnknownName, WrongKind, close_matches, find, normalise

TABLE = Path(__file__).parent / "data" / "names.tsv"
KINDS = {
    "any": (),
    "trainable": ("model", "family"),
    "organisation": ("organisation",),
    "family": ("family",),
    "dataset": ("dataset",),
}
LABELS = [
    Label("llama", "family", "LLaMA"),
    Label("llama-2", "family", "Llama 2"),
    Label("llama-2-7b", "model", "meta-llama/Llama-2-7b-hf"),
    Label("llama-2-7b", "model", "Llama-2-7B"),
    Label("the-pile", "dataset", "The Pile"),
    Label("the-pile", "dataset", "Pile"),
    Label("mistral-7b", "model", "Mistral-7B-v0.1"),
    Label("mistral-7b-instruct", "model", "Mistral-7B-Instruct-v0.1"),
    Label("mistral-ai", "organisation", "Mistral AI"),
    Label("mistral", "family", "Mistral"),
    Label("paper", "publication", "Mistral 7B"),
]


@pytest.mark.parametrize(
    ("typed", "kinds", "expected"),
    [
        ("LLaMA", (), "llama"),
        ("llama_2", (), "llama-2"),
        ("LLAMA  2", (), "llama-2"),
        ("ＬＬａＭＡ", (), "llama"),
        ("Llama\u20112", (), "llama-2"),
        ("the pile", (), "the-pile"),
        ("https://huggingface.co/meta-llama/Llama-2-7b-hf/", (), "llama-2-7b"),
        ("Llama-2-7b-hf", (), "llama-2-7b"),
        ("llama2-7b", (), "llama-2-7b"),
        ("Mistral 7B", (), "mistral-7b"),  # never the publication of the same name
        ("mistral 7b instruct", (), "mistral-7b-instruct"),
        ("Mistral", ("organisation",), "mistral-ai"),
        ("Mistral", ("model", "family"), "mistral"),
        ("Mistral", (), "mistral"),
    ],
)
def test_spellings_find_their_entity(typed, kinds, expected):
    assert find(typed, LABELS, kinds).entity == expected


def test_a_wrong_kind_names_the_entity_of_the_right_kind():
    labels = [Label("minimax", "organisation", "MiniMax"), Label("m01", "family", "MiniMax-01")]
    with pytest.raises(WrongKind) as error:
        find("MiniMax", labels, ("family",))
    assert (
        str(error.value)
        == "'MiniMax' is an organisation; did you mean the model family MiniMax-01?"
    )
    with pytest.raises(WrongKind) as error:
        find("Llama 2", LABELS, ("organisation",))
    assert str(error.value) == "'Llama 2' is a model family; this report takes an organisation"


def test_typos_resolve_only_when_one_entity_is_clearly_closest():
    assert find("Pythya", [Label("pythia", "family", "Pythia")]).how == "close"
    with pytest.raises(UnknownName):  # a different number is a different model, not a typo
        find("llama-3-7b", [Label("llama-2-7b", "model", "Llama-2-7B")])


def test_unknown_name_suggests_close_labels():
    with pytest.raises(UnknownName) as error:
        find("zzzz", LABELS)
    assert error.value.suggestions == [] and str(error.value) == "unknown name 'zzzz'"
    assert len(close_matches("model", [f"model{i}" for i in range(9)])) == 5


def test_separators_fold_but_letters_do_not():
    assert normalise("Dolly_v2 - 12B") == "dolly-v2-12b"
    assert normalise("llama2") != normalise("llama 2")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_names_fold_as_through_unicode_normalisation(text):
    # a trailing no-break space sends the same name through NFKC, which makes it a space
    assert normalise(text) == normalise(text + "\u00a0")


def _table() -> list[dict]:
    with TABLE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def test_the_table_of_spellings_is_large_and_varied():
    rows = _table()
    assert len(rows) >= 150
    assert {"hf", "compact", "paper", "unicode", "typo", "kind", "seed"} <= {
        r["origin"] for r in rows
    }


@pytest.fixture(scope="module")
def real_graph(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("names-store")
    store.ensure(paths.data_dir(), paths.ontology_dir(), store_dir)
    return reports.Graph(store.open_store(store_dir))


def test_every_spelling_in_the_table_resolves_to_its_entity(real_graph):
    wrong = []
    for row in _table():
        try:
            got = real_graph.resolve(row["spelling"], *KINDS[row["kinds"]])
        except LookupError as error:
            got = f"error: {error}"
        if got != row["id"]:
            wrong.append(f"{row['spelling']!r} ({row['kinds']}): {got}, expected {row['id']}")
    assert not wrong, "\n".join(wrong)


def test_a_name_several_entities_answer_to_names_them_all():
    labels = [Label("c4", "dataset", "allenai/c4"), Label("mc4", "dataset", "allenai/c4")]
    with pytest.raises(UnknownName) as error:
        find("allenai/c4", labels)
    assert str(error.value) == "'allenai/c4' names several entities: c4, mc4; give one of these ids"
