import pytest

from slmgraph.names import UnknownName, close_matches, normalise, resolve

LABELS = [
    ("llama", "LLaMA"),
    ("llama-2", "Llama 2"),
    ("the-pile", "The Pile"),
    ("the-pile", "Pile"),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("LLaMA", "llama"),
        ("llama_2", "llama-2"),
        ("LLAMA  2", "llama-2"),
        ("the pile", "the-pile"),
        ("PILE", "the-pile"),
        ("  The-Pile ", "the-pile"),
    ],
)
def test_spellings_resolve(typed, expected):
    assert resolve(typed, LABELS) == expected


def test_separators_fold_but_letters_do_not():
    assert normalise("Dolly_v2 - 12B") == "dolly-v2-12b"
    assert normalise("llama2") != normalise("llama 2")


def test_unknown_name_lists_close_labels_once():
    with pytest.raises(UnknownName) as error:
        resolve("lamma", LABELS)
    assert error.value.suggestions == ["LLaMA", "Llama 2"]
    assert "did you mean" in str(error.value)


def test_nothing_close_gives_no_suggestion():
    with pytest.raises(UnknownName) as error:
        resolve("zzzz", LABELS)
    assert error.value.suggestions == []
    assert str(error.value) == "unknown name 'zzzz'"


def test_close_matches_limits_to_five():
    assert len(close_matches("model", [f"model{i}" for i in range(9)])) == 5
