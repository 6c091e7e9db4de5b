"""A report as a table that fits the terminal: which columns it shows, how wide, what it says
under its rows about the columns it left out."""

import textwrap
from collections.abc import Iterator
from itertools import chain, repeat, takewhile
from operator import add, sub
from typing import NamedTuple

from slmgraph.cells import cell, texts


def _measured(values: list) -> tuple[list, int]:
    """A column's cells and the length of the longest as text: text and whole numbers as they
    are (the row's format call writes a number), anything else made text."""
    kinds = set(map(type, values))
    if kinds == {str}:  # (a list has a length too, but not that of its text)
        return values, max(map(len, values))
    if kinds == {int}:
        return values, max(len(str(max(values))), len(str(min(values))))
    made = texts(values)
    return made, max(map(len, made), default=0)


class Columns:
    """A table's columns, each read from the rows when first asked for, with its
    width (its header or longest cell). A lineage table's first column is indented by depth,
    so that it reads as a tree."""

    def __init__(self, rows: list[dict], keys: list[str]):
        self.rows, self.keys = rows, keys
        self.tree = {"depth", "parent"} <= set(keys)
        self.read: dict[int, tuple[list[str], int]] = {}

    def __getitem__(self, i: int) -> list:
        return self._read(i)[0]

    def natural(self, i: int) -> int:
        return self._read(i)[1]

    def _read(self, i: int) -> tuple[list, int]:
        if i not in self.read:
            values = list(map(dict.get, self.rows, repeat(self.keys[i])))
            if i == 0 and self.tree:
                depths = list(map(dict.get, self.rows, repeat("depth")))
                if set(map(type, depths)) != {int}:
                    depths = [int(depth or 1) for depth in depths]
                indents = list(map("  ".__mul__, map(sub, depths, repeat(1))))
                try:
                    values = list(map(add, indents, values))
                except TypeError:  # not text only
                    values = list(map(add, indents, texts(values)))
            cells, longest = _measured(values)
            self.read[i] = cells, max(longest, len(self.keys[i]))
        return self.read[i]

    def filled(self, i: int) -> bool:
        """Whether any row has a value in the column (nothing, empty text and an empty list
        are none; zero and "no" are values)."""
        values = map(dict.get, self.rows, repeat(self.keys[i]))
        return any(value is not None and value != "" and value != [] for value in values)

    def same(self, i: int) -> str | None:
        """The value every row holds in the column, as text, when there are several rows and
        they all hold one (a column that tells no row from another). None in a lineage
        table: each of its rows is an edge of the tree, read whole, as the kept reports are."""
        if self.tree:
            return None
        values = list(map(dict.get, self.rows, repeat(self.keys[i])))
        first = values[0] if len(values) > 1 else None
        if first is None or first == "" or values.count(first) < len(values):
            return None
        return cell(first) if set(map(type, values)) == {type(first)} else None  # not 1, True

    def width(self, i: int, cap: int) -> int:
        """The column's width up to ``cap``, reading cells only until one is ``cap`` long:
        a column that may not be shown is not made text whole."""
        if len(self.keys[i]) >= cap:
            return cap
        if i == 0 and self.tree:  # its cells are indented: measured as shown
            return min(cap, self.natural(i))
        cells = filter(None, map(dict.get, self.rows, repeat(self.keys[i])))
        try:  # the lengths until a long one; -1 marks the end of a column without one
            lengths = list(takewhile(cap.__gt__, chain(map(str.__len__, cells), (-1,))))
        except TypeError:  # a cell that is not text (a list has a length, but not its text's)
            return min(cap, self.natural(i))
        return max(len(self.keys[i]), max(lengths)) if lengths[-1:] == [-1] else cap


# Columns a reader cannot do without; the others (names, sources, notes) give way first.
KEY_COLUMNS = {
    "id",
    "relation",
    "parent",
    "depth",
    "stage",
    "reuses",
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
    "route",
    "what",
    "count",
    "generated_by",
    "trained_on",
}


class Plan(NamedTuple):
    """How a table fits a width: the columns shown (by place) with their widths and natural
    widths (a longer cell is cut), where every line is cut when even that is too wide, and the
    lines above and below the rows."""

    shown: list[int]
    widths: list[int]
    natural: list[int]
    cut_at: int | None
    head: list[str]
    note: list[str]


def plan(keys: list[str], columns, width: int) -> Plan:
    """Fit the ``columns`` (a ``Columns`` or a ``Measured``) of a table to ``width``: where
    they do not all fit even at their narrowest, the last minor columns give way, then the last
    key columns but the first (a column cut to a few characters, or to none, would pass for a
    narrow one or not be seen at all); and the last minor columns give way too while the
    first column, which names each row, would otherwise be cut."""
    key = [name in KEY_COLUMNS for name in keys]
    floor = [  # a key column is always shown; whether another is needs only its floor
        min(columns.natural(i), _FLOOR[k]) if k else columns.width(i, _FLOOR[k])
        for i, k in enumerate(key)
    ]
    # a column no row has a value in says nothing at any width: it gives way to one that does
    filled = [i for i in range(len(keys)) if columns.filled(i)]
    shown = list(filled) or list(range(len(keys)))  # a copy: columns are removed from it
    # one value in every row tells no row from another: said below the table, it gives way
    # before any cell is cut (its columns read for it only then)
    same = {}
    if _wider(columns, shown, width):
        same = {i: value for i in shown if (value := columns.same(i)) is not None}
    alike = list(same)
    while alike and len(shown) > 1 and _wider(columns, shown, width):
        shown.remove(alike.pop())
    while sum(floor[i] for i in shown) + 2 * (len(shown) - 1) > width and len(shown) > 1:
        minor = [i for i in shown if not key[i]]  # then key columns, but never the first
        shown.remove(minor[-1] if minor else shown[-1])
    while True:  # the first column names the row: it is not cut while a minor one can go
        natural = [columns.natural(i) for i in shown]
        widths = _fit(natural, [key[i] for i in shown], width) or natural
        minor = [i for i in shown[1:] if not key[i]]
        if widths[0] >= natural[0] or not minor:
            break
        shown.remove(minor[-1])
    names = [_cut([keys[i]], w)[0] for i, w in zip(shown, widths, strict=True)]
    header = "  ".join(f"{{:<{w}}}" for w in widths).format(*names).rstrip(" ")
    rule = "  ".join("-" * w for w in widths)
    cut_at = width if sum(widths) + 2 * (len(widths) - 1) > width else None
    if cut_at:  # too wide even at the narrowest
        header, rule = header[:width].rstrip(" "), rule[:width]
    left_out = [keys[i] for i in filled if i not in shown and i not in same]
    said = [f"{keys[i]} {value}" for i, value in same.items() if i not in shown]
    note = _left_out(said, left_out, width)
    return Plan(shown, widths, natural, cut_at, [header, rule], note)


def _wider(columns, shown: list[int], width: int) -> bool:
    """Whether the columns at their natural widths are wider than ``width`` (each read only
    until it is as wide)."""
    return sum(columns.width(i, width) for i in shown) + 2 * (len(shown) - 1) > width


class Measured:
    """A table's columns known by the length of each one's longest cell as text (0 when no row
    has a value), as the lineage index measures a report it keeps."""

    def __init__(self, keys: list[str], longest: list[int]):
        self.keys, self.longest = keys, longest

    def natural(self, i: int) -> int:
        return max(self.longest[i], len(self.keys[i]))

    def width(self, i: int, cap: int) -> int:
        return min(cap, self.natural(i))

    def filled(self, i: int) -> bool:
        return self.longest[i] > 0

    def same(self, i: int) -> None:
        return None  # a kept report is large: its columns are not read for one value


def lines(keys: list[str], columns: Columns, width: int) -> Iterator[str]:
    """The lines of a table of ``columns`` that fits ``width`` (see ``plan``). Only the
    columns shown are made text whole."""
    if not keys:
        return iter([""])
    fitted = plan(keys, columns, width)
    cells = [columns[i] for i in fitted.shown]
    cells = [
        _cut(c, w) if n > w else c
        for c, w, n in zip(cells, fitted.widths, fitted.natural, strict=True)
    ]
    fields = [f"{{:<{w}}}" for w in fitted.widths]  # a row's cells padded in one C call
    if cells[-1] and type(cells[-1][0]) is int:  # a number never ends in a space: no padding
        lines = map("  ".join([*fields[:-1], "{}"]).format, *cells)
    else:  # the padding after the last cell goes (and with it, any spaces that end the cell)
        lines = map(str.rstrip, map("  ".join(fields).format, *cells), repeat(" "))
    if fitted.cut_at:
        lines = (line[: fitted.cut_at].rstrip(" ") for line in lines)
    return iter(["\n".join([*fitted.head, *lines, *fitted.note])])  # one block: one write


def _left_out(alike: list[str], names: list[str], width: int) -> list[str]:
    """The lines under a table that had to leave columns out: the value of each that is the
    same in every row, and the names of the others, so that rows that differ only there are
    not taken for repeats."""
    texts = [f"(in every row: {', '.join(alike)})"] if alike else []
    if names:
        texts.append(
            f"(not shown at this width: {', '.join(names)}; --format json has every column)"
        )
    return [
        line
        for text in texts
        for line in textwrap.wrap(text, max(width, 20), break_on_hyphens=False)
    ]


def _cut(cells: list, width: int) -> list[str]:
    """Cells as text, those longer than ``width`` cut short with an ellipsis."""
    return [c if len(c) <= width else c[: width - 1] + "…" for c in map(str, cells)]


_FLOOR = {True: 22, False: 8}  # how narrow a key column, and another, may become


def _fit(widths: list[int], key: list[bool], width: int) -> list[int] | None:
    """Narrow the widest columns, one character at a time, until the table fits ``width``: the
    other columns first, down to 8 characters, and only then the key columns, down to 22 (a
    key column cut can make two rows read as one). None when even that is too wide.

    >>> _fit([10, 40, 30], [True, False, False], 60)
    [10, 23, 23]
    >>> _fit([28, 28, 32], [True, False, False], 60)
    [28, 14, 14]
    """
    widths = list(widths)
    floor = [min(w, _FLOOR[k]) for w, k in zip(widths, key, strict=True)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        minor = [i for i, k in enumerate(key) if not k and widths[i] > floor[i]]
        widest = max(minor or range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[widest] <= floor[widest]:
            return None
        widths[widest] -= 1
    return widths
