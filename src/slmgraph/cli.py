"""The command line: thin click commands over the library; heavy imports stay inside commands."""

import sys
from functools import wraps
from pathlib import Path

import click

from slmgraph.formats import FORMATS
from slmgraph.hubcli import import_
from slmgraph.options import DATA, STORE, defaults

# Exit codes, as the README documents them.
DATA_OR_QUERY_PROBLEM = 1
USAGE = 2
INTERNAL = 70
OPTIONAL_PACKAGES = {"pyarrow", "huggingface_hub"}  # the 'hub' extra: Parquet and the Hub API


def _format(fmt: str | None) -> str:
    """The format asked for, else a table for a person at a terminal and JSON for a pipe."""
    return fmt or ("table" if sys.stdout.isatty() else "json")


def _fail(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s); nothing was built", err=True)
    sys.exit(DATA_OR_QUERY_PROBLEM)


def _graph(data_dir: Path | None, store_dir: Path | None, curated_only: bool = False):
    """The graph, built first when its inputs changed (invalid entries end the command)."""
    from slmgraph import open_graph

    return open_graph(data_dir, store_dir, curated_only)


def _exit_for(error: Exception) -> None:
    """Say what went wrong in one line (every problem, for entries) and exit with its code."""
    from slmgraph.names import UnknownName
    from slmgraph.problems import CatalogError
    from slmgraph.queries import QueryNotFound, QueryProblem
    from slmgraph.reports import BadValue, NotForThisReport
    from slmgraph.store import StoreProblem

    if isinstance(error, CatalogError):
        _fail(error.problems)
    if isinstance(error, UnknownName | NotForThisReport | BadValue | StoreProblem | QueryNotFound):
        click.echo(f"error: {error}", err=True)
        sys.exit(USAGE)
    if isinstance(error, ModuleNotFoundError) and error.name in OPTIONAL_PACKAGES:
        click.echo(
            f"error: this needs {error.name}; install it with pip install 'slmgraph[hub]'",
            err=True,
        )
        sys.exit(USAGE)
    from slmgraph.hub import BulkFileProblem
    from slmgraph.hubapi import HubUnavailable

    if isinstance(error, QueryProblem | HubUnavailable | BulkFileProblem):
        click.echo(f"error: {error}", err=True)
        sys.exit(DATA_OR_QUERY_PROBLEM)
    if isinstance(error, BrokenPipeError):  # the reader went away (| head): nothing to say
        sys.exit(0)
    click.echo(
        f"error: internal error ({type(error).__name__}: {error}); please report it", err=True
    )
    sys.exit(INTERNAL)


class _Guarded(click.Group):
    """Every command's errors end as one line and a documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            _exit_for(error)


def report(func):
    """Options every report shares; passes an open Graph and prints what the function returns."""

    @DATA
    @STORE
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
    @wraps(func)
    def command(data_dir, store_dir, fmt, curated_only, **kwargs):
        from slmgraph.formats import render

        graph = _graph(data_dir, store_dir, curated_only)
        rows = func(graph, **kwargs)
        for reading in graph.readings:  # a name matched loosely: say how it was read
            click.echo(f"note: {reading}", err=True)
        fmt = _format(fmt)
        if fmt == "table" and not rows:
            click.echo("no rows", err=True)
            return
        click.echo(render(rows, fmt))

    return command


@click.group(cls=_Guarded)
@click.version_option(package_name="slmgraph")
def main() -> None:
    """slmgraph: the knowledge graph of language-model lineage."""


@main.command()
@DATA
def check(data_dir: Path | None) -> None:
    """Validate the YAML entries and list every problem with file, line and fix."""
    from slmgraph import catalog

    data_dir, _ = defaults(data_dir, None)
    found, problems = catalog.check(data_dir)
    if problems:
        _fail(sorted(problems))
    click.echo(f"ok: {len(found.records)} entries, {len(found.seed_maps)} seed maps in {data_dir}")


@main.command()
@DATA
@STORE
def build(data_dir: Path | None, store_dir: Path | None) -> None:
    """Validate the entries and build the store atomically (only when the inputs changed)."""
    from slmgraph import paths, store

    data_dir, store_dir = defaults(data_dir, store_dir)
    store.open_healthy(data_dir, paths.ontology_dir(), store_dir)
    click.echo(f"store {store_dir} is at build {store.current_build(store_dir)}")


@main.command()
@report
@click.argument("name")
def descendants(graph, name):
    """Every model deriving from NAME, transitively (a family covers its members)."""
    from slmgraph import reports

    return reports.descendants(graph, graph.resolve(name, *reports.TRAINABLE))


@main.command()
@report
@click.argument("name")
def ancestors(graph, name):
    """The chains from NAME back to its roots."""
    from slmgraph import reports

    return reports.ancestors(graph, graph.resolve(name, *reports.TRAINABLE))


@main.command()
@report
@click.argument("name")
@click.option("--transitive", is_flag=True, help="Add the training data of every ancestor.")
def datasets(graph, name, transitive):
    """The training data of NAME (and its family), with stages and synthetic-data generators."""
    from slmgraph import reports

    return reports.datasets(graph, graph.resolve(name, *reports.TRAINABLE), transitive)


@main.command()
@report
@click.argument("name")
def org(graph, name):
    """What organisation NAME released, and who builds on its models."""
    from slmgraph import reports

    return reports.organisation(graph, graph.resolve(name, "organisation"))


@main.command()
@report
@click.argument("name")
def family(graph, name):
    """The members of model family NAME."""
    from slmgraph import reports

    return reports.family(graph, graph.resolve(name, "family"))


@main.command()
@report
@click.option("--org", "org_name", help="Only this organisation's models.")
@click.option("--since", help="Only releases on or after this date (YYYY[-MM[-DD]]).")
def timeline(graph, org_name, since):
    """Models and families by release date."""
    from slmgraph import reports

    org_id = graph.resolve(org_name, "organisation") if org_name is not None else None
    return reports.timeline(graph, org_id, since)


@main.command()
@report
@click.argument("name")
def show(graph, name):
    """Everything about one entity, with sources."""
    from slmgraph import reports

    return reports.show(graph, graph.resolve(name))


@main.command()
@report
@click.argument("name")
def synthetic(graph, name):
    """Models carrying text generated by NAME (a model, a family or an organisation)."""
    from slmgraph import reports

    kinds = (*reports.TRAINABLE, "organisation")
    return reports.synthetic(graph, graph.resolve(name, *kinds))


@main.command()
@report
@click.argument("name", required=False)
@click.option("--summary", is_flag=True, help="Count the findings by rule and certainty.")
def audit(graph, name, summary):
    """Licence terms that reach every model (or model NAME, or family NAME's members) along its
    lineage, training data or generated data: each finding with its rule, certainty, clause
    and cited path. An aid to review, not legal advice."""
    from slmgraph import reports

    model = graph.resolve(name, *reports.TRAINABLE) if name else None
    return reports.licence_audit(graph, model, summary)


@main.command()
@report
def disagreements(graph):
    """Base models the Hub claims for curated entries that the entries do not state (the
    curated statement wins)."""
    from slmgraph import reports

    return reports.disagreements(graph)


@main.command()
@report
def corrections(graph):
    """Every correction the curated entries make to the seed documents."""
    from slmgraph import reports

    return reports.corrections(graph)


@main.command()
@DATA
@STORE
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
def stats(data_dir, store_dir, fmt):
    """Counts of models, families, datasets, organisations, edges and cited edges."""
    import json

    from slmgraph import reports
    from slmgraph.formats import render

    counts = reports.stats(_graph(data_dir, store_dir))
    fmt = _format(fmt)
    if fmt == "json":
        click.echo(json.dumps(counts, indent=2))
    else:
        click.echo(render([{"what": k, "count": v} for k, v in counts.items()], fmt))


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


@main.command(cls=_QueryCommand)
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
    """Run QUERY: a canned query's name or a .rq file, printing its rows (SELECT), one row
    `result` (ASK) or one row per triple (CONSTRUCT, DESCRIBE)."""
    from slmgraph import reports

    return reports.run_query(graph, query, params)


@main.command()
@DATA
@STORE
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples", "nquads", "jsonld"]),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
def export(data_dir, store_dir, fmt, output):
    """Dump the graph: deterministic bytes, one prefix map, JSON-LD compacted with our context."""
    from slmgraph import export as exporter
    from slmgraph import paths

    if output and not output.parent.is_dir():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="-o")
    data = exporter.dump(_graph(data_dir, store_dir).store, fmt, paths.ontology_dir())
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@DATA
@STORE
def validate(data_dir, store_dir):
    """Check the entries, then the built graph against SHACL shapes and violation queries."""
    from slmgraph import paths
    from slmgraph import validate as validator

    failures = validator.validate(
        _graph(data_dir, store_dir).store, paths.ontology_dir(), paths.queries_dir()
    )
    for failure in failures:
        click.echo(failure, err=True)
    if failures:
        sys.exit(1)
    click.echo("ok: entries, SHACL shapes and violation queries all pass")


@main.command()
@DATA
@click.option("--fix", is_flag=True, help="Rewrite files in canonical form.")
def lint(data_dir, fix):
    """Check (or with --fix, rewrite) that entry files are in canonical form."""
    from slmgraph.lint import lint as run_lint

    data_dir, _ = defaults(data_dir, None)
    changed, problems = run_lint(data_dir, fix)
    for path in changed:
        click.echo(f"{path}: {'rewritten' if fix else 'not canonical; run slmgraph lint --fix'}")
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or (changed and not fix):
        sys.exit(DATA_OR_QUERY_PROBLEM)
    click.echo(f"ok: {len(changed)} file(s) rewritten" if fix else "ok: every file is canonical")


@main.command()
@DATA
def schema(data_dir):
    """Regenerate data/schema.json and data/README.md from the entry schema."""
    from slmgraph import reference

    data_dir, _ = defaults(data_dir, None)
    for path in reference.write(data_dir):
        click.echo(f"wrote {path}")


@main.command()
@DATA
@STORE
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=7878,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option("--deadline", default=10.0, show_default=True, help="Seconds a query may run.")
@click.option("--row-cap", default=10_000, show_default=True, help="Most rows in one answer.")
@click.option("--max-request-bytes", default=64 * 1024, show_default=True, help="Largest body.")
@click.option("--workers", type=int, help="Query worker processes (default: cores, at least 2).")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests from any site.")
@click.option(
    "--allow-service",
    "allowed_services",
    multiple=True,
    metavar="IRI",
    help="An endpoint SERVICE clauses may call (repeatable; default: none).",
)
@click.option("--no-build", is_flag=True, help="Serve the store as built; never (re)build it.")
def serve(data_dir, store_dir, host, port, no_build, **options):
    """Serve the SPARQL endpoint, entity pages and web UI (read-only)."""
    from slmgraph import paths, store
    from slmgraph.server.config import ServerConfig, default_workers
    from slmgraph.server.run import serve as run_server

    data_dir, store_dir = defaults(data_dir, store_dir)
    if not no_build:
        store.open_healthy(data_dir, paths.ontology_dir(), store_dir)
    options["workers"] = options["workers"] or default_workers()
    options["allowed_services"] = tuple(options["allowed_services"])
    run_server(ServerConfig(store_dir=store_dir, **options), host, port)


main.add_command(import_)
