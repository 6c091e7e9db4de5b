"""Render report rows as a table, JSON, CSV or Markdown."""

import csv
import io
import shutil
from collections.abc import Iterable, Iterator
from itertools import chain, islice

import orjson

from slmgraph import table
from slmgraph.cells import cell

FORMATS = ("table", "json", "csv", "markdown")


def columns(rows: list[dict]) -> list[str]:
    """The columns the rows declare (so that an empty answer keeps its header), then every
    other key any row has, in first-seen order."""
    declared = getattr(rows, "columns", [])
    if not isinstance(rows, list):  # rows made as they are written are read once, to write
        return list(declared)
    if declared and set().union(*rows) <= set(declared):  # a report's rows, mostly
        return list(declared)
    return list(dict.fromkeys(chain(declared, chain.from_iterable(rows))))


def _aligned(rows: list[dict], keys: list[str]) -> list[dict]:
    """The rows, each with exactly ``keys`` in that order (a report's own rows mostly are)."""
    if all(map(keys.__eq__, map(list, rows))):
        return rows
    return [{key: row.get(key) for key in keys} for row in rows]


def render(rows: list[dict], fmt: str, width: int | None = None) -> str:
    """One report in one format, as one string (see ``lines``).

    >>> print(render([{"id": "pythia-12b", "name": "Pythia-12B", "depth": 1}], "markdown"))
    | id | name | depth |
    | --- | --- | --- |
    | pythia-12b | Pythia-12B | 1 |
    """
    return "\n".join(lines(rows, fmt, width))


def lines(rows: list[dict], fmt: str, width: int | None = None) -> Iterator[str]:
    """One report in one format, line by line (JSON and a table come as one block of lines).
    JSON is an array of objects (absent values as null). A table fits ``width`` columns
    (default: the terminal's, or ``$COLUMNS``): long cells are cut short with an ellipsis,
    while JSON and CSV keep every value whole."""
    keys = columns(rows)
    if fmt == "json":
        return iter([b"".join(_json(rows, keys)).decode().removesuffix("\n")])
    if fmt == "csv":
        return _csv(rows, keys)
    if fmt == "markdown":
        return _markdown(rows, keys)
    if fmt == "table":
        width = width or shutil.get_terminal_size().columns
        return table.lines(keys, table.Columns(rows, keys), width)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def encoded(rows: list[dict], fmt: str, width: int | None = None) -> Iterator[bytes]:
    """One report in one format as UTF-8, in pieces to write one after another (see ``lines``),
    so that a long one is written as it is made. JSON comes straight from orjson: at a
    million Hub models a report may be a hundred megabytes, and each copy as text costs
    that again."""
    if fmt == "json":
        yield from _json(rows, columns(rows))
        return
    block: list[str] = []
    for line in lines(rows, fmt, width):
        block.append(line)
        if len(block) == 4096:
            yield ("\n".join(block) + "\n").encode()
            block.clear()
    if block:
        yield ("\n".join(block) + "\n").encode()


def _json(rows: Iterable[dict], keys: list[str]) -> Iterator[bytes]:
    """An array of objects, one to a line, so that a line is a row for grep and diff."""
    rows = iter(rows)
    opening = b"[\n  "
    while block := list(islice(rows, _JSON_BLOCK)):
        yield opening
        yield _json_block(_aligned(block, keys))
        opening = b",\n  "
    yield b"[]\n" if opening == b"[\n  " else b"\n]\n"


_JSON_BLOCK = 8192  # rows made JSON at once: the whole of a million at once would be gigabytes


def _json_block(rows: list[dict]) -> bytes:
    """Rows as JSON objects joined as ``json_array`` joins them. orjson writes a block at
    once, some ten times faster than the standard library; the rows are then one to a line
    if "},{" occurs only between them (no value has it)."""
    text = orjson.dumps(rows)
    if text.count(b"},{") == len(rows) - 1:
        return text[1:-1].replace(b"},{", b"},\n  {")
    return b",\n  ".join(map(orjson.dumps, rows))


def json_array(objects: Iterable[bytes]) -> Iterator[bytes]:
    """Objects already JSON as an array written as ``encoded`` writes one, a block of rows
    at a time as they come.

    >>> b"".join(json_array([b'{"a":1}', b'{"a":2}']))
    b'[\\n  {"a":1},\\n  {"a":2}\\n]\\n'
    """
    objects = iter(objects)
    opening = b"[\n  "
    while block := list(islice(objects, 4096)):
        yield opening + b",\n  ".join(block)
        opening = b",\n  "
    yield b"[]\n" if opening == b"[\n  " else b"\n]\n"


def _csv(rows: list[dict], keys: list[str]) -> Iterator[str]:
    """Rows of CSV; a value holding a comma, a quote or either line break is quoted (the
    writer quotes what its line ending holds: "\r\n" here, and "\n" ends each line)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for values in [keys, *([cell(row.get(k)) for k in keys] for row in rows)]:
        writer.writerow(values)
        yield buffer.getvalue()[:-2]
        buffer.seek(0)
        buffer.truncate()


def _markdown(rows: list[dict], keys: list[str]) -> Iterator[str]:
    yield "| " + " | ".join(keys) + " |"
    yield "| " + " | ".join(["---"] * len(keys)) + " |"
    for row in rows:
        yield "| " + " | ".join(cell(row.get(k)).replace("|", "\\|") for k in keys) + " |"
