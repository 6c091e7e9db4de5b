"""Render report rows as a table, JSON, CSV or Markdown."""

import csv
import io
import json

FORMATS = ("table", "json", "csv", "markdown")


def columns(rows: list[dict]) -> list[str]:
    """Every key any row has, in first-seen order."""
    return list(dict.fromkeys(key for row in rows for key in row))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(rows: list[dict], fmt: str) -> str:
    """One report in one format; JSON is an array of objects (absent values as null).

    >>> print(render([{"id": "pythia-12b", "name": "Pythia-12B", "depth": 1}], "markdown"))
    | id | name | depth |
    | --- | --- | --- |
    | pythia-12b | Pythia-12B | 1 |
    """
    keys = columns(rows)
    if fmt == "json":
        return json.dumps(
            [{k: row.get(k) for k in keys} for row in rows], indent=2, ensure_ascii=False
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(row.get(k)) for k in keys} for row in rows)
        return buffer.getvalue().rstrip("\n")
    cells = [[_cell(row.get(k)) for k in keys] for row in rows]
    if fmt == "markdown":
        lines = [keys, ["---"] * len(keys), *[[c.replace("|", "\\|") for c in r] for r in cells]]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    if fmt == "table":
        if {"depth", "parent"} <= set(keys):  # indent lineage rows so the table reads as a tree
            for row, line in zip(rows, cells, strict=True):
                line[0] = "  " * (int(row.get("depth") or 1) - 1) + line[0]
        return _table(keys, cells)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def _table(keys: list[str], cells: list[list[str]]) -> str:
    if not keys:
        return "(no rows)"
    widths = [max(len(x) for x in [k, *(r[i] for r in cells)]) for i, k in enumerate(keys)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(keys), rule, *map(line, cells)])
