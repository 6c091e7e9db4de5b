import csv
import io
import json

import pytest

from slmgraph.formats import render
from slmgraph.queries import Rows

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


def test_an_empty_answer_keeps_its_header():
    empty = Rows(["id", "name", "depth"])
    assert render(empty, "csv") == "id,name,depth"
    assert render(empty, "markdown").splitlines()[0] == "| id | name | depth |"
    assert render(empty, "json") == "[]"


def test_empty_and_unknown():
    assert render([], "json") == "[]"
    with pytest.raises(ValueError):
        render(ROWS, "yaml")


def test_json_has_one_row_to_a_line_even_when_a_value_looks_like_a_row_boundary():
    rows = [
        {"id": "a", "note": "x},{y"},
        {"id": "b", "note": [{"from": "a"}, {"from": "b"}]},
        {"id": "c", "note": None},
    ]
    text = render(rows, "json")
    assert json.loads(text) == rows
    assert text.splitlines()[1:-1] == [
        '  {"id":"a","note":"x},{y"},',
        '  {"id":"b","note":[{"from":"a"},{"from":"b"}]},',
        '  {"id":"c","note":null}',
    ]
    plain = [{"id": "a", "note": "ü"}, {"id": "b", "note": None}]
    assert render(plain, "json").splitlines() == [
        "[",
        '  {"id":"a","note":"ü"},',
        '  {"id":"b","note":null}',
        "]",
    ]


@pytest.mark.parametrize("size", [1, 3, 7, 9])
def test_json_made_a_block_of_rows_at_a_time_is_one_array_a_row_to_a_line(monkeypatch, size):
    """A large report's JSON is made a block of rows at a time (a million findings at once
    would be gigabytes): the blocks join into one array, a row to a line, whatever the
    block's size and wherever a value looks like a row boundary."""
    from slmgraph import formats

    rows = Rows(["a", "b"], [{"a": i, "b": "x},{y" if i == 4 else "z"} for i in range(8)])
    whole = b"".join(formats.encoded(rows, "json"))
    monkeypatch.setattr(formats, "_JSON_BLOCK", size)
    text = b"".join(formats.encoded(rows, "json"))
    assert text == whole and json.loads(text) == rows
    lines = text.decode().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 10
