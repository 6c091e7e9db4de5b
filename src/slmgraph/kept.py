"""Descendants reports as the lineage index keeps them, read in tree order: as each row's JSON,
ready-made, or as lines of a table, CSV or Markdown that SQLite writes from each edge's values
(a table to the report's column widths, kept measured at each depth). A hundred thousand rows
then never become Python values, whatever the format."""

import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path

import orjson

from slmgraph import edgerows, formats, table
from slmgraph.lineage import Index
from slmgraph.queries import Rows

COLUMNS = edgerows.COLUMNS
_INDENT = "2 * (depth - 1)"  # a lineage table's first column, indented to read as a tree
# The length of each column's longest cell as text (0 where no row has a value), over rows of
# ``walk`` joined with ``edge_row``; the first column as a lineage table shows it, indented
WIDTHS = ", ".join(
    "coalesce({}, 0)".format(
        f"max({_INDENT} + length(id))"
        if column == "id"
        else "length(max(depth))"
        if column == "depth"
        else f"max(length({column}))"
    )
    for column in COLUMNS
)
_ROWS = """
FROM walk JOIN edge_row USING (edge)
WHERE ancestor = (SELECT node.id FROM node WHERE key = ?) AND depth <= ?
ORDER BY position LIMIT ?
"""
_JSON = "SELECT CAST(head || depth || tail AS BLOB)" + _ROWS
_SIZE = """
SELECT COUNT(*) FROM walk WHERE ancestor = (SELECT node.id FROM node WHERE key = ?) AND depth <= ?
"""
# A large report's widths, kept for each depth: the widest at those within the report's depth
_KEPT_WIDTHS = f"""
SELECT {", ".join(f"max({column}_width)" for column in COLUMNS)} FROM walk_width
WHERE ancestor = (SELECT id FROM node WHERE key = ?) AND depth <= ? HAVING COUNT(*)
"""
_SOME_WIDTHS = f"SELECT {WIDTHS} FROM (SELECT depth, {', '.join(edgerows.CELLS)} {_ROWS})"
_TEXT = "SELECT CAST({line} AS BLOB)" + _ROWS
# Rows from one position up to another, in order, for a process writing its share of the lines
_SHARE = """
SELECT CAST({line} AS BLOB) FROM walk JOIN edge_row USING (edge)
WHERE ancestor = (SELECT node.id FROM node WHERE key = ?) AND depth <= ?
  AND position >= ? AND position < ?
ORDER BY position
"""
_POSITION = """
SELECT position FROM walk WHERE ancestor = (SELECT node.id FROM node WHERE key = ?) AND depth <= ?
ORDER BY position LIMIT 1 OFFSET ?
"""
_NO_LIMIT = 1 << 62
SHARED_FROM = 20_000  # rows: a shorter report costs less to write than a second process


class KeptTree:
    """The descendants report of ``root`` at most ``max_depth`` hops down, read only when
    written, from an index that keeps it."""

    columns = COLUMNS

    def __init__(self, db: sqlite3.Connection, root: str, max_depth: int | None):
        self.db, self.root, self.max_depth = db, root, max_depth or _NO_LIMIT

    def _bounds(self, limit: int | None) -> tuple:
        return self.root, self.max_depth, _NO_LIMIT if limit is None else limit

    def __len__(self) -> int:
        return self.db.execute(_SIZE, self._bounds(None)[:2]).fetchone()[0]

    def json(self, limit: int | None = None) -> Iterator[bytes]:
        """Each of the first ``limit`` rows as the JSON of its ``edgerows.row``."""
        return map(itemgetter(0), self.db.execute(_JSON, self._bounds(limit)))

    def rows(self, limit: int | None = None) -> Rows:
        return Rows(COLUMNS, orjson.loads(b"".join(formats.json_array(self.json(limit)))))

    def text(self, fmt: str, width: int, limit: int | None = None) -> Iterator[bytes]:
        """The first ``limit`` rows as ``formats`` writes them in ``fmt`` (not JSON; a table
        ``width`` wide), in UTF-8."""
        if fmt == "table":
            fitted = table.plan(COLUMNS, table.Measured(COLUMNS, self._widths(limit)), width)
            head, line, note = fitted.head, _table_line(fitted), fitted.note
        else:  # the header as formats writes it, the rows as SQLite does
            head, line, note = list(formats.lines(Rows(COLUMNS, []), fmt)), _LINES[fmt], []
        yield ("\n".join(head) + "\n").encode()
        total = len(self)
        count = min(total, _NO_LIMIT if limit is None else limit)
        shares = min(os.cpu_count() or 1, 1 + count // SHARED_FROM)
        if shares > 1 and hasattr(os, "fork"):
            yield from self._shared(line, count, total, shares)
        else:
            yield from _blocks(self.db.execute(_TEXT.format(line=line), self._bounds(limit)))
        if note:
            yield ("\n".join(note) + "\n").encode()

    def _shared(self, line: str, count: int, total: int, shares: int) -> Iterator[bytes]:
        """The lines of the first ``count`` of ``total`` rows, written by ``shares`` processes
        at once, each a run of them in its own connection (SQLite's writing is most of the
        time, and threads of one process contend for its allocator); the first run streams,
        the others follow."""
        starts = [self._position(count * k // shares) for k in range(shares)]
        ends = [*starts[1:], self._position(count) if count < total else _NO_LIMIT]
        query = _SHARE.format(line=line)
        path = self.db.execute("PRAGMA database_list").fetchone()[2]
        runs: list[_Run] = []
        try:
            for span in zip(starts[1:], ends[1:], strict=True):
                runs.append(_Run(path, query, (self.root, self.max_depth, *span)))
            for run in runs:  # every process forked before any thread starts
                run.start()
            first = (self.root, self.max_depth, starts[0], ends[0])
            yield from _blocks(self.db.execute(query, first))
            for run in runs:
                yield run.lines()
        finally:
            for run in runs:
                run.stop()

    def _position(self, offset: int) -> int:
        return self.db.execute(_POSITION, (self.root, self.max_depth, offset)).fetchone()[0]

    def _widths(self, limit: int | None) -> list[int]:
        bounds = self._bounds(limit)
        if limit is None and (found := self.db.execute(_KEPT_WIDTHS, bounds[:2]).fetchone()):
            return list(found)  # a large report, kept measured
        return list(self.db.execute(_SOME_WIDTHS, bounds).fetchone())


def _blocks(lines: sqlite3.Cursor) -> Iterator[bytes]:
    while block := lines.fetchmany(4096):
        yield b"\n".join(map(itemgetter(0), block)) + b"\n"


class _Run:
    """A forked process writing the lines of a run of rows into a pipe, which a thread empties
    as it fills (so the process never waits for the reader)."""

    def __init__(self, path: str, query: str, parameters: tuple):
        read, written = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the process: its own connection, its lines into the pipe, gone
            os.close(read)
            status = 1
            try:
                db = Index(Path(path)).db  # the parent's connection is not the child's to use
                with os.fdopen(written, "wb") as pipe:
                    pipe.writelines(_blocks(db.execute(query, parameters)))
                status = 0
            finally:
                os._exit(status)
        os.close(written)
        self.parts: list[bytes] = []
        self.reader = threading.Thread(target=self._read, args=(read,), daemon=True)

    def start(self) -> None:
        self.reader.start()

    def _read(self, read: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            self.parts.append(pipe.read())

    def lines(self) -> bytes:
        self.reader.join()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status != 0:
            raise RuntimeError(f"a process writing the report's rows failed (status {status})")
        return b"".join(self.parts)

    def stop(self) -> None:
        """End the process if it is still there (the reader went away before its lines)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def _table_line(fitted: table.Plan) -> str:
    """The SQL expression of a row's line in a table as ``table`` writes it: each cell
    shown cut to its column's width with an ellipsis and padded (in characters, not bytes),
    the first indented by depth, the whole line cut where even the table's narrowest is too
    wide, and spaces that end a line gone. One ``printf`` a row, the indent a field of its
    own; a cut cell is two fields, so no string is made for it: its first characters, by
    precision, then the one that ends it or the ellipsis."""
    fields, values = [], []
    last = len(fitted.shown) - 1
    for place, (i, width, natural) in enumerate(
        zip(fitted.shown, fitted.widths, fitted.natural, strict=True)
    ):
        cell, padded = COLUMNS[i], place != last  # the last cell is not padded
        room, longer = str(width), f"length({cell}) > {width}"
        if cell == "id":  # indented by depth, the indent itself cut short of the width
            indent = f"min({_INDENT}, {width - 1})"
            room, longer = f"{width} - {indent}", f"{_INDENT} + length(id) > {width}"
            fields.append("%*s")
            values += [indent, "''"]
        if natural <= width:
            fields.append("%-!*s  " if padded else "%-!s")
            values += [*([room] if padded else []), cell]
            continue
        ending = f"iif({longer}, '…', substr({cell}, {room}, 1))"
        fields.append("%-!*.*s%-!1s  " if padded else "%-!.*s%s")  # padded: its width first
        values += [*([f"{room} - 1"] if padded else []), f"{room} - 1", cell, ending]
    line = _printf("".join(fields), values)
    if fitted.cut_at:
        return f"rtrim(substr({line}, 1, {fitted.cut_at}), ' ')"
    if COLUMNS[fitted.shown[-1]] == "depth":  # a number never ends in a space
        return line
    return f"rtrim({line}, ' ')"


def _csv_field(column: str) -> str:
    """A value as CSV writes it: quoted, its quotes doubled, where it holds a comma, a quote
    or a line break (``printf`` writes nothing for a null)."""
    if column == "depth":
        return column
    special = " OR ".join(f"instr({column}, {c})" for c in ("','", "'\"'", "char(10)", "char(13)"))
    return f"iif({special}, '\"' || replace({column}, '\"', '\"\"') || '\"', {column})"


def _printf(pattern: str, values: list[str]) -> str:
    return f"printf('{pattern}', {', '.join(values)})"  # one string a row, not one a value


# A row's line in CSV, and in Markdown (a bar in a value escaped), as ``formats`` writes them
_LINES = {
    "csv": _printf(",".join(["%s"] * len(COLUMNS)), list(map(_csv_field, COLUMNS))),
    "markdown": _printf(
        "| " + " | ".join(["%s"] * len(COLUMNS)) + " |",
        [f"replace({column}, '|', '\\|')" for column in COLUMNS],
    ),
}
