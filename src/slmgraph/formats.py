"""Render report rows as a table, JSON, CSV or Markdown."""

import csv
import io
import shutil
from collections.abc import Iterator
from itertools import chain, repeat
from operator import add, itemgetter

import orjson

FORMATS = ("table", "json", "csv", "markdown")


def columns(rows: list[dict]) -> list[str]:
    """The columns the rows declare (so that an empty answer keeps its header), then every
    other key any row has, in first-seen order."""
    declared = getattr(rows, "columns", [])
    return list(dict.fromkeys(chain(declared, chain.from_iterable(rows))))


def _cell(value: object) -> str:
    """One value as text; a path of hops reads as a chain.

    >>> hops = [{"from": "a", "relation": "fine-tuned", "to": "b"}]
    >>> _cell(hops + [{"from": "b", "relation": "trained-on", "to": "c"}])
    'a -fine-tuned-> b -trained-on-> c'
    """
    if type(value) is str:  # most cells: first, before the other tests
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(hop, dict) for hop in value):
        if not value:
            return ""
        return " ".join([value[0]["from"], *(f"-{h['relation']}-> {h['to']}" for h in value)])
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


_EMPTY = {None: ""}


def _aligned(rows: list[dict], keys: list[str]) -> list[dict]:
    """The rows, each with exactly ``keys`` in that order (a report's own rows mostly are)."""
    if all(map(keys.__eq__, map(list, rows))):
        return rows
    return [{key: row.get(key) for key in keys} for row in rows]


def _widest(values) -> int:
    """The length of a column's longest value as text."""
    if set(map(type, values)) <= {str, type(None)}:
        return max(map(len, filter(None, values)), default=0)
    return max(map(len, _texts(values)), default=0)


def _texts(values) -> Iterator[str]:
    """A column's values as text; the usual columns (text and nulls, or whole numbers) in
    C-level maps, without a Python step per cell."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return map(_EMPTY.get, values, values)
    if kinds == {int}:
        return map(str, values)
    return map(_cell, values)


def render(rows: list[dict], fmt: str, width: int | None = None) -> str:
    """One report in one format, as one string (see ``lines``).

    >>> print(render([{"id": "pythia-12b", "name": "Pythia-12B", "depth": 1}], "markdown"))
    | id | name | depth |
    | --- | --- | --- |
    | pythia-12b | Pythia-12B | 1 |
    """
    return "\n".join(lines(rows, fmt, width))


def lines(rows: list[dict], fmt: str, width: int | None = None) -> Iterator[str]:
    """One report in one format, line by line (JSON may come as one block of lines), so that
    a long one is written as it is made.
    JSON is an array of objects (absent values as null). A table fits ``width`` columns
    (default: the terminal's, or ``$COLUMNS``): long cells are cut short with an ellipsis,
    while JSON and CSV keep every value whole."""
    keys = columns(rows)
    if fmt == "json":
        return _json(rows, keys)
    if fmt == "csv":
        return _csv(rows, keys)
    if fmt == "markdown":
        return _markdown(rows, keys)
    if fmt == "table":  # built a column at a time: a list comprehension per column is fast
        aligned = _aligned(rows, keys)
        values = [list(map(itemgetter(key), aligned)) for key in keys]
        if {"depth", "parent"} <= set(keys):  # indent lineage rows so the table reads as a tree
            depths = (int(row.get("depth") or 1) - 1 for row in rows)
            values[0] = list(map(add, map("  ".__mul__, depths), _texts(values[0])))
        return _table(keys, values, width or shutil.get_terminal_size().columns)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def _json(rows: list[dict], keys: list[str]) -> Iterator[str]:
    """An array of objects, one to a line, so that a line is a row for grep and diff."""
    if not rows:
        yield "[]"
        return
    rows = _aligned(rows, keys)
    # orjson writes the whole array at once, some ten times faster than the standard library;
    # the rows are then one to a line if "},{" occurs only between them (no value has it)
    text = orjson.dumps(rows).decode()
    if text.count("},{") == len(rows) - 1:
        yield "[\n  " + text[1:-1].replace("},{", "},\n  {") + "\n]"
        return
    yield "["
    for row in rows[:-1]:
        yield f"  {orjson.dumps(row).decode()},"
    yield f"  {orjson.dumps(rows[-1]).decode()}"
    yield "]"


def _csv(rows: list[dict], keys: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for values in [keys, *([_cell(row.get(k)) for k in keys] for row in rows)]:
        writer.writerow(values)
        yield buffer.getvalue()[:-1]
        buffer.seek(0)
        buffer.truncate()


def _markdown(rows: list[dict], keys: list[str]) -> Iterator[str]:
    yield "| " + " | ".join(keys) + " |"
    yield "| " + " | ".join(["---"] * len(keys)) + " |"
    for row in rows:
        yield "| " + " | ".join(_cell(row.get(k)).replace("|", "\\|") for k in keys) + " |"


# Columns a reader cannot do without; the others (names, sources, notes) give way first.
KEY_COLUMNS = {
    "id",
    "relation",
    "parent",
    "depth",
    "stage",
    "via",
    "dataset",
    "section",
    "organisation",
    "base",
    "direction",
    "property",
    "value",
    "rule",
    "certainty",
    "licence",
    "holder",
    "what",
    "count",
}


def _table(keys: list[str], values: list, width: int) -> Iterator[str]:
    """The lines of a table of ``values``, given a column at a time (only the columns that
    fit are made text)."""
    if not keys:
        return iter([""])
    natural = [max(len(key), _widest(column)) for key, column in zip(keys, values, strict=True)]
    shown = list(range(len(keys)))

    def fit() -> list[int] | None:
        return _fit([natural[i] for i in shown], [keys[i] in KEY_COLUMNS for i in shown], width)

    widths = fit()
    while widths is None:  # too many columns even at their narrowest: drop the last minor one
        minor = [i for i in shown if keys[i] not in KEY_COLUMNS]
        if not minor:
            widths = [natural[i] for i in shown]
            break
        shown.remove(minor[-1])
        widths = fit()

    padded = [
        _padded([keys[i], *_texts(values[i])], w, natural[i])
        for i, w in zip(shown, widths, strict=True)
    ]
    lines = map(str.rstrip, map("  ".join, zip(*padded, strict=True)))
    if sum(widths) + 2 * (len(widths) - 1) > width:  # too wide even at the narrowest
        lines = (line[:width] for line in lines)
    header = next(lines)
    return iter([header, "  ".join("-" * w for w in widths)[:width], *lines])


def _padded(column: list[str], width: int, natural: int) -> list[str]:
    """A column's cells padded to ``width``, the longer ones cut short with an ellipsis."""
    if natural > width:
        column = [c if len(c) <= width else c[: width - 1] + "…" for c in column]
    return list(map(str.ljust, column, repeat(width, len(column))))


def _fit(widths: list[int], key: list[bool], width: int) -> list[int] | None:
    """Narrow the widest columns, one character at a time, until the table fits ``width``; a
    key column keeps up to 22 characters, another up to 8. None when even that is too wide.

    >>> _fit([10, 40, 30], [True, False, False], 60)
    [10, 23, 23]
    """
    widths = list(widths)
    floor = [min(w, 22 if k else 8) for w, k in zip(widths, key, strict=True)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[widest] <= floor[widest]:
            return None
        widths[widest] -= 1
    return widths
