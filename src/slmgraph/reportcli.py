"""The report commands: each opens the graph, runs one report and writes its rows."""

import shutil
import sys
from functools import wraps
from itertools import islice
from pathlib import Path

import click

from slmgraph.formats import FORMATS
from slmgraph.options import DATA, ENDPOINT, STORE


def chosen_format(fmt: str | None) -> str:
    """The format asked for, else a table for a person at a terminal and JSON for a pipe."""
    return fmt or ("table" if sys.stdout.isatty() else "json")


def open_for_report(
    data_dir: Path | None,
    store_dir: Path | None,
    curated_only: bool = False,
    endpoint: str | None = None,
):
    """The graph, built first when its inputs changed (invalid entries end the command), or the
    build published at ``endpoint``."""
    if endpoint is None:
        from slmgraph import open_graph

        return open_graph(data_dir, store_dir, curated_only)
    if data_dir or store_dir:
        raise click.UsageError("--endpoint reads a published build; leave out --data and --store")
    from slmgraph.graph import Graph
    from slmgraph.remote import Endpoint

    remote = Endpoint(endpoint)
    remote.check()
    return Graph(remote, curated_only=curated_only)


def report(func):
    """Options every report shares; passes an open Graph and prints what the function returns."""

    @DATA
    @STORE
    @ENDPOINT
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help="Output format (default: table on a terminal, else json).",
    )
    @click.option(
        "--curated-only",
        is_flag=True,
        help="Only the curated, cited facts, without claims imported from the Hub.",
    )
    @click.option("--limit", type=click.IntRange(min=0), help="Print at most this many rows.")
    @wraps(func)
    def command(data_dir, store_dir, endpoint, fmt, curated_only, limit, **kwargs):
        from slmgraph.bulk import collector_paused

        graph = open_for_report(data_dir, store_dir, curated_only, endpoint)
        with collector_paused():  # a large report is many objects made once, and no cycles
            _print(graph, func(graph, **kwargs), fmt, limit)

    return command


def _print(graph, rows, fmt: str | None, limit: int | None) -> None:
    """Write a report's rows, after the notes on how its names were read. A report the lineage
    index keeps is read as it is written: its JSON ready-made, its other formats written by
    SQLite."""
    from slmgraph.formats import encoded, json_array
    from slmgraph.kept import KeptTree
    from slmgraph.queries import Rows, RowStream

    for reading in graph.readings:  # a name read loosely, a Hub link gone stale
        click.echo(f"note: {reading}", err=True)
    fmt = chosen_format(fmt)
    counted = not isinstance(rows, RowStream)
    if not counted:  # rows made as they are written: held only where they must be
        if fmt != "table" and limit is None:
            return write(encoded(rows, fmt))
        some = islice(rows, None if limit is None else limit + 1)
        rows = Rows(rows.columns, some)  # a table measures every row; a limit, one more
    size = len(rows)
    if limit is not None and size > limit:
        more = f"of {size} rows" if counted else "rows (there are more)"
        click.echo(f"note: the first {limit} {more}", err=True)
    else:
        limit = None
    if fmt == "table" and not (size if limit is None else limit):
        click.echo(getattr(rows, "empty", "no rows"), err=True)
        return
    if isinstance(rows, KeptTree):
        if fmt == "json":
            return write(json_array(rows.json(limit)))
        return write(rows.text(fmt, shutil.get_terminal_size().columns, limit))
    elif limit is not None:
        rows = Rows(getattr(rows, "columns", []), rows[:limit])
    write(encoded(rows, fmt))


def write(pieces) -> None:
    """Write pieces of UTF-8 to standard output as they come, past its text layer."""
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    for piece in pieces:
        if out is None:  # a stream of text only
            sys.stdout.write(bytes(piece).decode())
        else:
            out.write(piece)
    (out or sys.stdout).flush()


MAX_DEPTH = click.option(
    "--max-depth", type=click.IntRange(min=1), help="Only rows at most this many hops away."
)


@click.command()
@report
@click.argument("name")
@MAX_DEPTH
@click.option("--count", is_flag=True, help="Only count the descendants (within --max-depth).")
def descendants(graph, name, max_depth, count):
    """Every model deriving from NAME, transitively (a family covers its members)."""
    from slmgraph import reports

    root = graph.resolve(name, *reports.TRAINABLE)
    if count:
        number = reports.descendant_count(graph, root, max_depth)
        return reports.Rows(["id", "count"], [{"id": root, "count": number}])
    kept = reports.kept_descendants(graph, root, max_depth)
    return kept if kept is not None else reports.descendants(graph, root, max_depth)


@click.command()
@report
@click.argument("name")
@MAX_DEPTH
def ancestors(graph, name, max_depth):
    """The chains from NAME back to its roots."""
    from slmgraph import reports

    return reports.ancestors(graph, graph.resolve(name, *reports.TRAINABLE), max_depth)


@click.command()
@report
@click.argument("name")
@click.option("--transitive", is_flag=True, help="Add the training data of every ancestor.")
def datasets(graph, name, transitive):
    """The training data of NAME (and its family), with stages and synthetic-data generators."""
    from slmgraph import reports

    return reports.datasets(graph, graph.resolve(name, *reports.TRAINABLE), transitive)


@click.command()
@report
@click.argument("name")
def org(graph, name):
    """What organisation NAME developed, and who builds on its models."""
    from slmgraph import reports

    return reports.organisation(graph, graph.resolve(name, "organisation"))


@click.command()
@report
@click.argument("name")
def family(graph, name):
    """The members of model family NAME."""
    from slmgraph import reports

    return reports.family(graph, graph.resolve(name, "family"))


@click.command()
@report
@click.option("--org", "org_name", help="Only this organisation's models.")
@click.option("--since", help="Only releases on or after this date (YYYY[-MM[-DD]]).")
def timeline(graph, org_name, since):
    """Models and families by release date."""
    from slmgraph import reports

    org_id = graph.resolve(org_name, "organisation") if org_name is not None else None
    return reports.timeline(graph, org_id, since)


@click.command()
@report
@click.argument("name")
def show(graph, name):
    """Everything about one entity, with sources."""
    from slmgraph import entity_facts

    return entity_facts.show(graph, graph.resolve(name))


@click.command()
@report
@click.argument("name")
def synthetic(graph, name):
    """Models carrying text generated by NAME (a model, a family or an organisation)."""
    from slmgraph import generated, reports

    kinds = (*reports.TRAINABLE, "organisation")
    return generated.synthetic(graph, graph.resolve(name, *kinds))


@click.command("trained-on")
@report
@click.argument("dataset")
def trained_on(graph, dataset):
    """Models carrying DATASET's text: trained on it, themselves or through their family or
    an ancestor, or on a dataset built from it or that took its prompts. Certain where trained
    on it, or on a dataset it is a part of where the edge says that part (or the whole) was
    used; possible where the edge does not say which parts, or leaves that part's use open;
    left out where it names the parts and none used or of unknown use holds the text."""
    from slmgraph import generated

    return generated.trained_on(graph, graph.resolve(dataset, "dataset"))


@click.command()
@report
@click.argument("name", required=False)
@click.option("--summary", is_flag=True, help="Count the findings by rule, certainty and route.")
def audit(graph, name, summary):
    """Licence terms that bind every model (or model NAME, or family NAME's members): its own
    licence's, and those that reach it along its lineage, training data or generated data; each
    finding with its rule, certainty, clause and cited path. An aid to review, not legal
    advice."""
    from slmgraph import overviews, reports

    model = graph.resolve(name, *reports.TRAINABLE) if name else None
    return overviews.licence_audit(graph, model, summary)


@click.command()
@report
def disagreements(graph):
    """Base models the Hub claims for curated entries that the entries do not state (the
    curated statement wins)."""
    from slmgraph import overviews

    return overviews.disagreements(graph)


@click.command()
@report
def corrections(graph):
    """Every correction the curated entries make to the seed documents."""
    from slmgraph import overviews

    return overviews.corrections(graph)


def _key_values(ctx, param, values: tuple[str, ...]) -> dict[str, str]:
    if bad := [value for value in values if "=" not in value]:
        raise click.BadParameter(f"'{bad[0]}' is not KEY=VALUE (for example root=pythia)")
    return dict(value.split("=", 1) for value in values)


class _QueryCommand(click.Command):
    """`query --help` lists the canned queries with their parameters."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from slmgraph import paths, queries

        rows = [
            (name, " ".join(f"{p.name}=<{p.type}>" for p in found.params) or "-")
            for name, found in queries.discover(paths.queries_dir()).items()
        ]
        with formatter.section("Canned queries (NAME and its --param keys)"):
            formatter.write_dl(rows)


@click.command(cls=_QueryCommand)
@report
@click.argument("query")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_key_values,
    help="Bind a parameter of a canned query (entities by name).",
)
def query(graph, query, params):
    """Run QUERY: SPARQL text (- reads it from standard input), a .rq file or a canned
    query's name, printing its rows (SELECT), one row `result` (ASK) or one row per triple
    (CONSTRUCT, DESCRIBE)."""
    from slmgraph import overviews, queries

    if query == "-":
        query = queries.read_stdin_query(click.get_binary_stream("stdin").read())
    return overviews.run_query(graph, query, params)


REPORTS = [
    descendants,
    ancestors,
    datasets,
    org,
    family,
    timeline,
    show,
    synthetic,
    trained_on,
    audit,
    disagreements,
    corrections,
    query,
]
