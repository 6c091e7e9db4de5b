"""Render report rows as a table, JSON, CSV or Markdown."""

import csv
import io
import json
import shutil

FORMATS = ("table", "json", "csv", "markdown")


def columns(rows: list[dict]) -> list[str]:
    """The columns the rows declare (so that an empty answer keeps its header), then every
    other key any row has, in first-seen order."""
    declared = getattr(rows, "columns", [])
    return list(dict.fromkeys([*declared, *(key for row in rows for key in row)]))


def _cell(value: object) -> str:
    """One value as text; a path of hops reads as a chain.

    >>> hops = [{"from": "a", "relation": "fine-tuned", "to": "b"}]
    >>> _cell(hops + [{"from": "b", "relation": "trained-on", "to": "c"}])
    'a -fine-tuned-> b -trained-on-> c'
    """
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


def render(rows: list[dict], fmt: str, width: int | None = None) -> str:
    """One report in one format; JSON is an array of objects (absent values as null). A table
    fits ``width`` columns (default: the terminal's, or ``$COLUMNS``): long cells are cut short
    with an ellipsis, while JSON and CSV keep every value whole.

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
        return _table(keys, cells, width or shutil.get_terminal_size().columns)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


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


def _table(keys: list[str], cells: list[list[str]], width: int) -> str:
    if not keys:
        return ""
    natural = [max(len(x) for x in [k, *(r[i] for r in cells)]) for i, k in enumerate(keys)]
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

    def line(values: list[str]) -> str:
        parts = (_cut(values[i], w).ljust(w) for i, w in zip(shown, widths, strict=True))
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join(text[:width] for text in [line(keys), rule, *map(line, cells)])


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


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
