import json

import pytest

from slmgraph import reference
from slmgraph.paths import data_dir
from slmgraph.schema import check_date, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.3B", (1_300_000_000, None)),
        ("125M", (125_000_000, None)),
        ("8x7B", (None, 8)),
        ("46.7B", (46_700_000_000, None)),
        ("1.5T", (1_500_000_000_000, None)),
    ],
)
def test_sizes_parse(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["7 billion", "1.3b", "B", "8x", "x7B", "-1B"])
def test_malformed_sizes_are_refused(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


@pytest.mark.parametrize("text", ["2023", "2023-04", "2024-02-29"])
def test_dates_accepted(text):
    assert check_date(text) == text


@pytest.mark.parametrize("text", ["23", "2023/04", "2023-13", "2023-02-29", "April 2023"])
def test_bad_dates_refused(text):
    with pytest.raises(ValueError):
        check_date(text)


def test_generated_json_schema_is_current():
    on_disk = json.loads((data_dir() / "schema.json").read_text())
    assert on_disk == reference.json_schema(), "data/schema.json is stale: run `slmgraph schema`"


def test_generated_field_reference_is_current():
    on_disk = (data_dir() / "README.md").read_text()
    assert on_disk == reference.field_reference(), "data/README.md is stale: run `slmgraph schema`"


def test_field_reference_lists_every_field_of_every_entry_type():
    text = reference.field_reference()
    for _, model in reference.SECTIONS:
        for name in model.model_fields:
            assert f"| `{name}` |" in text
