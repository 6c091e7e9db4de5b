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


def test_table_fits_the_width_and_cuts_long_cells_with_an_ellipsis():
    rows = [
        {"id": f"m{i}", "source": "https://example.org/" + "x" * 120, "depth": i} for i in range(3)
    ]
    lines = render(rows, "table", width=80).splitlines()
    assert max(map(len, lines)) <= 80
    assert lines[2].endswith("…  0") and lines[2].startswith("m0  https://example.org/")
    assert "x" * 120 in render(rows, "json")  # JSON and CSV keep every value whole
    assert "x" * 120 in render(rows, "csv")


def test_table_columns_line_up():
    lines = render(ROWS, "table", width=80).splitlines()
    assert lines[0] == "id  name      depth  extra"
    assert lines[2] == "a   A | pipe  1"
    assert lines[3] == "b   B"


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
