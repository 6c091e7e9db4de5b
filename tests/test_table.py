"""A table fits the width it is given; checked against the rule written out cell by cell."""

import textwrap

from hypothesis import example, given, settings
from hypothesis import strategies as st

from slmgraph.formats import render
from slmgraph.table import KEY_COLUMNS

ROWS = [{"id": "a", "name": "A | pipe", "depth": 1}, {"id": "b", "name": "B", "extra": None}]


def test_table_fits_the_width_and_cuts_long_cells_with_an_ellipsis():
    rows = [
        {"id": f"m{i}", "source": f"https://example.org/{i}" + "x" * 120, "depth": i}
        for i in range(3)
    ]
    lines = render(rows, "table", width=80).splitlines()
    assert max(map(len, lines)) <= 80
    assert lines[2].endswith("…  0") and lines[2].startswith("m0  https://example.org/")
    assert "x" * 120 in render(rows, "json")  # JSON and CSV keep every value whole
    assert "x" * 120 in render(rows, "csv")


def test_table_columns_line_up():
    lines = render(ROWS, "table", width=80).splitlines()
    assert lines[0] == "id  name      depth"  # "extra" has no value in any row
    assert lines[2] == "a   A | pipe  1"
    assert lines[3] == "b   B"


def test_a_table_leaves_out_columns_without_a_value_for_those_with_one():
    rows = [
        {"id": f"m{i}", "via": None, "zero": 0, "no": False, "note": "", "what": "w" * 30}
        for i in range(3)
    ]
    header = render(rows, "table", width=60).splitlines()[0].split()
    assert header == ["id", "zero", "no", "what"]  # via is a key column, and still empty
    assert "via" in render(rows, "csv").splitlines()[0]  # other formats keep every column


def test_a_table_that_leaves_out_columns_says_which_under_its_rows():
    rows = [  # two rows that differ only in a column a narrow table has no room for
        {"id": model, "dataset": "sharegpt", "trained_on": trained, "note": "n" * 30}
        for model, trained in [
            ("amberchat", "evol-instruct"),
            ("amberchat", "sharegpt"),
            ("belle", "sharegpt"),
        ]
    ]
    lines = render(rows, "table", width=20).splitlines()
    assert lines[2] == lines[3] == "amberchat"
    notes = [  # first the columns alike in every row, then the key column last in order
        f"(in every row: dataset sharegpt, note {'n' * 30})",
        "(not shown at this width: trained_on; --format json has every column)",
    ]
    wrapped = [line for n in notes for line in textwrap.wrap(n, 20, break_on_hyphens=False)]
    assert lines[5:] == wrapped and max(map(len, lines)) <= 20
    # a little wider, the alike columns make room for the one that tells the rows apart
    assert render(rows, "table", width=24).splitlines()[2:5] == [
        "amberchat  evol-instruct",
        "amberchat  sharegpt",
        "belle      sharegpt",
    ]
    assert len(render(rows, "table", width=100).splitlines()) == 5  # room for all: no note


def test_a_column_alike_in_every_row_gives_way_before_a_cell_is_cut():
    rows = [  # the same value in every row of one column, and long values in another
        {"id": "wizardlm-7b", "property": p, "value": f"https://github.com/nlpxucan/{v}"}
        for p, v in (("rdfs:seeAlso", "WizardLM"), ("dcterms:source", "WizardLM/blob/main/LICENSE"))
    ]
    lines = render(rows, "table", width=72).splitlines()
    assert lines[2:] == [
        "rdfs:seeAlso    https://github.com/nlpxucan/WizardLM",
        "dcterms:source  https://github.com/nlpxucan/WizardLM/blob/main/LICENSE",
        "(in every row: id wizardlm-7b)",
    ]
    assert render(rows, "table", width=100).splitlines()[0].split() == ["id", "property", "value"]


def test_a_column_alike_in_every_row_of_a_lineage_table_is_kept():
    """A lineage table's rows are edges of a tree, as the index keeps them: its columns give
    way by their kind alone."""
    rows = [
        {"id": child, "relation": "fine-tuned", "parent": "llama-7b", "depth": 1, "note": "n" * 9}
        for child in ("alpaca-7b", "vicuna-7b")
    ]
    assert (
        render(rows, "table", width=40).splitlines()[0] == "id         relation    parent    depth"
    )
    assert "(in every row" not in render(rows, "table", width=40)


def test_a_table_writes_paths_and_lists_as_their_text():
    """A licence audit's path (a list of hops) and a list of values: as wide as their text,
    the same table as with that text in their place."""
    hops = [{"from": "goat-7b", "relation": "adapter", "to": "llama-7b"}]
    rows = [
        {"id": "goat-7b", "path": hops, "clauses": ["1.a", "2.a.i"]},
        {"id": "koala-13b", "path": [], "clauses": ["3"]},
    ]
    as_text = [
        {"id": "goat-7b", "path": "goat-7b -adapter-> llama-7b", "clauses": "1.a, 2.a.i"},
        {"id": "koala-13b", "path": "", "clauses": "3"},
    ]
    for width in range(20, 220, 3):  # a path's width is its text's, not its count of hops
        assert render(rows, "table", width=width) == render(as_text, "table", width=width)
    assert "goat-7b -adapter-> llama-7b  1.a, 2.a.i" in render(rows, "table", width=200)


def plain_table(rows: list[dict], width: int) -> list[str]:
    """The table rule written out cell by cell: every column that has a value in some row
    (all of them if none has) at its natural width; while that is too wide, the last of the
    columns with one value in all of several rows (not in a lineage table) dropped and said
    under the table; then the last minor columns dropped while even their floors (22 for a
    key column, 8 for another) do not fit, then the last key columns but the first; then the
    widest of the other columns narrowed a character at a time down to its floor, and only
    then the widest key column; the last minor columns dropped while the first column would
    be cut. Long cells end in an ellipsis, and a lineage table's first column is indented by
    depth; spaces that end a line go (other white space is text). Under it, wrapped to the
    width, the columns with a value that it left out."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    cells = {k: ["" if row.get(k) is None else str(row.get(k)) for row in rows] for k in keys}
    if {"depth", "parent"} <= set(keys):
        depths = [int(row.get("depth") or 1) for row in rows]
        cells[keys[0]] = ["  " * (d - 1) + c for d, c in zip(depths, cells[keys[0]], strict=True)]
    natural = {k: max([len(k), *map(len, cells[k])]) for k in keys}
    floor = {k: min(natural[k], 22 if k in KEY_COLUMNS else 8) for k in keys}
    shown = [k for k in keys if any(row.get(k) not in (None, "") for row in rows)] or list(keys)
    tree = {"depth", "parent"} <= set(keys)
    alike = {  # several rows, one value of one type in all of them (not in a lineage table)
        k: cells[k][0]
        for k in shown
        if not tree
        and len(rows) > 1
        and rows[0].get(k) not in (None, "")
        and len({(type(row.get(k)), row.get(k)) for row in rows}) == 1
    }
    same = [k for k in shown if k in alike]
    while same and len(shown) > 1 and sum(natural[k] for k in shown) + 2 * len(shown) - 2 > width:
        shown.remove(same.pop())
    while sum(floor[k] for k in shown) + 2 * (len(shown) - 1) > width and len(shown) > 1:
        minor = [k for k in shown if k not in KEY_COLUMNS]
        shown.remove(minor[-1] if minor else shown[-1])

    def narrowed() -> list[int]:
        widths = [natural[k] for k in shown]
        while sum(widths) + 2 * (len(widths) - 1) > width:
            slack = [w - floor[k] for w, k in zip(widths, shown, strict=True)]
            minor = [r if k not in KEY_COLUMNS else 0 for r, k in zip(slack, shown, strict=True)]
            if max(minor) > 0:  # the other columns give way before a key column is cut
                slack = minor
            widest = slack.index(max(slack))
            if slack[widest] <= 0:
                return [natural[k] for k in shown]
            widths[widest] -= 1
        return widths

    widths = narrowed()
    while widths[0] < natural[shown[0]]:  # the first column is cut: a minor column goes
        minor = [k for k in shown[1:] if k not in KEY_COLUMNS]
        if not minor:
            break
        shown.remove(minor[-1])
        widths = narrowed()

    def line(texts: list[str]) -> str:
        cut = [t if len(t) <= w else t[: w - 1] + "…" for t, w in zip(texts, widths, strict=True)]
        return "  ".join(t.ljust(w) for t, w in zip(cut, widths, strict=True))[:width].rstrip(" ")

    rule = "  ".join("-" * w for w in widths)[:width]
    body = [line([cells[k][n] for k in shown]) for n in range(len(rows))]
    filled = [k for k in keys if any(row.get(k) not in (None, "") for row in rows)]
    left_out = [k for k in filled if k not in shown and k not in alike]
    said = [f"{k} {v}" for k, v in alike.items() if k not in shown]
    notes = [f"(in every row: {', '.join(said)})"] if said else []
    if left_out:
        notes.append(
            f"(not shown at this width: {', '.join(left_out)}; --format json has every column)"
        )
    wrapped = [textwrap.wrap(n, max(width, 20), break_on_hyphens=False) for n in notes]
    return [line(shown), rule, *body, *(text for lines in wrapped for text in lines)]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40)
VALUE = st.one_of(st.none(), TEXT, st.integers(0, 10**6))
COLUMN = st.sampled_from(["id", "name", "relation", "parent", "source", "note", "licence"])


@given(
    rows=st.lists(st.dictionaries(COLUMN, VALUE, min_size=1), min_size=1, max_size=12),
    depths=st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=12, max_size=12),
    width=st.integers(10, 160),
)
@example(  # a lineage table whose first column is minor and widest when indented
    rows=[
        {"note": None, "parent": ""},
        {"id": None},
        {"id": None},
        {"id": None, "relation": None},
        {"source": None},
    ],
    depths=[None, None, None, None, 4, *[None] * 7],
    width=41,
)
@settings(max_examples=300, deadline=None)
def test_a_table_is_the_rule_applied_cell_by_cell(rows, depths, width):
    if rows[0].get("parent") is not None:  # some tables are lineage tables, indented by depth
        for row, depth in zip(rows, depths, strict=False):  # more depths than rows
            row["depth"] = depth
    assert render(rows, "table", width=width).split("\n") == plain_table(rows, width)


def test_the_other_columns_give_way_before_a_key_column_is_cut():
    """Three ids that share their first 24 characters stay whole: the names and sources are
    cut first (cut ids would make the rows read as one)."""
    rows = [
        {
            "id": f"deepseek-r1-distill-{size}",
            "name": f"DeepSeek-R1-Distill-{size.title()}",
            "source": f"https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-{size.title()}",
        }
        for size in ("qwen-14b", "qwen-32b", "llama-8b")
    ]
    lines = render(rows, "table", width=56).splitlines()
    assert [line.split()[0] for line in lines[2:]] == [row["id"] for row in rows]
    assert lines[2].split()[1:] == ["DeepSeek-R1…", "https://hug…"]
