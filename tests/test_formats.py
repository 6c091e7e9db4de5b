import csv
import io
import json

import pytest

from slmgraph.formats import render

ROWS = [{"id": "a", "name": "A | pipe", "depth": 1}, {"id": "b", "name": "B", "extra": None}]


def test_json_is_an_array_of_objects_with_every_key():
    assert json.loads(render(ROWS, "json")) == [
        {"id": "a", "name": "A | pipe", "depth": 1, "extra": None},
        {"id": "b", "name": "B", "depth": None, "extra": None},
    ]


def test_csv_round_trips():
    rows = list(csv.DictReader(io.StringIO(render(ROWS, "csv"))))
    assert rows[0] == {"id": "a", "name": "A | pipe", "depth": "1", "extra": ""}


def test_markdown_escapes_pipes():
    assert "A \\| pipe" in render(ROWS, "markdown")


def test_table_aligns_columns():
    lines = render(ROWS, "table").splitlines()
    assert lines[0].split() == ["id", "name", "depth", "extra"]
    assert len({line.index("depth") for line in lines[:1]}) == 1
    assert lines[2].startswith("a   A | pipe")


def test_empty_and_unknown():
    assert render([], "json") == "[]"
    with pytest.raises(ValueError):
        render(ROWS, "yaml")
