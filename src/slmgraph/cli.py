"""The command line: thin click commands over the library; heavy imports stay inside commands."""

import errno
import logging
import os
import sys
from pathlib import Path

import click

from slmgraph.formats import FORMATS
from slmgraph.hubcli import import_
from slmgraph.options import DATA, ENDPOINT, STORE, defaults
from slmgraph.reportcli import REPORTS, chosen_format, open_for_report
from slmgraph.treecli import tree

# Exit codes, as the README documents them.
DATA_OR_QUERY_PROBLEM = 1
USAGE = 2
REMOTE_STORE = 3  # a remote store that cannot be reached, refuses or answers with an error
INTERNAL = 70
OPTIONAL_PACKAGES = {"pyarrow", "huggingface_hub"}  # the 'hub' extra: Parquet and the Hub API


def _fail(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s); nothing was built", err=True)
    sys.exit(DATA_OR_QUERY_PROBLEM)


def _exit_for(error: Exception) -> None:
    """Say what went wrong in one line (every problem, for entries) and exit with its code."""
    from slmgraph.files import CannotWrite
    from slmgraph.names import UnknownName
    from slmgraph.problems import CatalogError
    from slmgraph.queries import QueryNotFound, QueryProblem
    from slmgraph.reports import BadValue, NotForThisReport
    from slmgraph.store import StoreProblem

    if isinstance(error, CatalogError):
        _fail(error.problems)
    usage = UnknownName | NotForThisReport | BadValue | StoreProblem | CannotWrite | QueryNotFound
    if isinstance(error, usage):
        click.echo(f"error: {error}", err=True)
        sys.exit(USAGE)
    if isinstance(error, ModuleNotFoundError) and error.name in OPTIONAL_PACKAGES:
        click.echo(
            f"error: this needs {error.name}; install it with pip install 'slmgraph[hub]'",
            err=True,
        )
        sys.exit(USAGE)
    from slmgraph.hub import BulkFileProblem
    from slmgraph.hubapi import HubUnavailable, NoSuchModel

    if isinstance(error, NoSuchModel):
        click.echo(f"error: {error}; check the repo id", err=True)
        sys.exit(USAGE)

    if isinstance(error, QueryProblem | HubUnavailable | BulkFileProblem):
        click.echo(f"error: {error}", err=True)
        sys.exit(DATA_OR_QUERY_PROBLEM)
    from slmgraph.remote import EndpointProblem

    if isinstance(error, EndpointProblem):
        click.echo(f"error: {error}", err=True)
        sys.exit(REMOTE_STORE)
    if isinstance(error, BrokenPipeError):  # the reader went away (| head): nothing to say
        sys.exit(0)
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        click.echo(
            f"error: cannot write ({error.strerror}); free some space or write elsewhere", err=True
        )
        sys.exit(USAGE)
    click.echo(
        f"error: internal error ({type(error).__name__}: {error}); please report it", err=True
    )
    sys.exit(INTERNAL)


class _Notes(logging.Handler):
    """What the library says of a long step (a store built again) as a note on stderr, where
    the report's own notes go, and whichever stream is stderr at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"note: {record.getMessage()}", err=True)


_NOTES = logging.getLogger("slmgraph.store")
_NOTES.addHandler(_Notes())
_NOTES.setLevel(logging.INFO)
_NOTES.propagate = False


class _Guarded(click.Group):
    """Every command's errors end as one line and a documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            _exit_for(error)


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
@DATA
@STORE
@ENDPOINT
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
def stats(data_dir, store_dir, endpoint, fmt):
    """Counts of models, families, datasets, organisations, edges and cited edges."""
    import json

    from slmgraph import overviews
    from slmgraph.formats import render

    counts = overviews.stats(open_for_report(data_dir, store_dir, endpoint=endpoint))
    fmt = chosen_format(fmt)
    if fmt == "json":
        click.echo(json.dumps(counts, indent=2))
    else:
        click.echo(render([{"what": k, "count": v} for k, v in counts.items()], fmt))


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
@click.option(
    "--named",
    is_flag=True,
    help="N-Quads: the curated graph as the named graph publish writes (for bulk loaders).",
)
def export(data_dir, store_dir, fmt, output, named):
    """Dump the graph: deterministic bytes, one prefix map, JSON-LD compacted with our context."""
    from slmgraph import export as exporter
    from slmgraph import files, paths

    if output and not output.parent.is_dir():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="-o")
    graph = open_for_report(data_dir, store_dir)
    if not output:
        exporter.write(graph.store, fmt, paths.ontology_dir(), sys.stdout.buffer, named)
        return
    with files.whole(output) as out:
        exporter.write(graph.store, fmt, paths.ontology_dir(), out, named)


@main.command()
@DATA
@STORE
def validate(data_dir, store_dir):
    """Check the entries, then the built graph against SHACL shapes and violation queries."""
    from slmgraph import paths
    from slmgraph import validate as validator

    failures = validator.validate(
        open_for_report(data_dir, store_dir).store, paths.ontology_dir(), paths.queries_dir()
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
@click.option(
    "--fronts",
    type=click.IntRange(1),
    help="HTTP processes sharing the port, each answering small queries itself and with its "
    "own workers (default: one a core, at most 8).",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Query worker processes of each front (default: the cores shared among the fronts, "
    "at least 2).",
)
@click.option(
    "--quick-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Workers kept for queries estimated cheap, so they never wait behind slow ones.",
)
@click.option(
    "--worker-memory",
    default=2048,
    show_default=True,
    type=click.IntRange(64),
    help="MB of data one query worker may hold; a query needing more is answered 503.",
)
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
    from slmgraph.server.config import ServerConfig, default_fronts, default_workers
    from slmgraph.server.run import serve as run_server

    data_dir, store_dir = defaults(data_dir, store_dir)
    if not no_build:
        store.open_healthy(data_dir, paths.ontology_dir(), store_dir)
    elif store.current_build(store_dir) is None:
        raise store.StoreProblem(f"no build in {store_dir} to serve; leave out --no-build")
    _can_listen(host, port)
    options["fronts"] = options["fronts"] or default_fronts()
    options["workers"] = options["workers"] or default_workers(options["fronts"])
    options["allowed_services"] = tuple(options["allowed_services"])
    run_server(ServerConfig(store_dir=store_dir, **options), host, port)


def _can_listen(host: str, port: int) -> None:
    """Fail in one line, before any worker starts, where the server could not listen."""
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as error:  # the port taken or not ours to take, or no such host
        reason = os.strerror(error.errno) if (error.errno or 0) > 0 else "no such host"
        message = f"cannot listen on {host}:{port} ({reason})"
        raise click.BadParameter(message, param_hint="--port") from None


@main.command()
@DATA
@STORE
@click.option(
    "--to", "to", required=True, metavar="URL", help="The store's Graph Store Protocol endpoint."
)
@click.option(
    "--update",
    metavar="URL",
    help="The store's SPARQL Update endpoint: stage the graphs, then switch them atomically.",
)
@click.option(
    "--chunk",
    default=50_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Triples per request.",
)
def publish(data_dir, store_dir, to, update, chunk):
    """Upload the build (curated graph, Hub graph, ontology, each a named graph) to a SPARQL
    1.1 store; credentials from $SLMGRAPH_USER/$SLMGRAPH_PASSWORD or netrc."""
    from slmgraph import paths, store
    from slmgraph import publish as publisher
    from slmgraph.hubcli import Status

    data_dir, store_dir = defaults(data_dir, store_dir)
    opened = store.open_healthy(data_dir, paths.ontology_dir(), store_dir)
    state = publisher.state_file(store_dir, to)
    build = store.current_build(store_dir)
    job = publisher.plan(opened, to, build, state, chunk, staged=update is not None)
    if any(job.sent.values()):
        click.echo(f"note: resuming: {sum(job.sent.values())} chunk(s) were sent before", err=True)
    if update is None:
        click.echo(
            "note: without --update the graphs are replaced in place (the Graph Store Protocol "
            "cannot switch graphs): readers may see a graph half sent until this ends",
            err=True,
        )
    status = Status()

    def progress(graph, done, total):
        status(f"{graph}: {done:,} of {total:,} triples ({done / max(total, 1):.0%})")

    publisher.publish(opened, job, state, update, progress)
    status.done()
    sizes = ", ".join(f"<{graph}> {size:,}" for graph, size in job.sizes.items())
    how = "staged, then switched in one update" if update else "replaced in place"
    click.echo(f"published build {job.build} to {to} ({how}): {sizes} triples")


main.add_command(import_)
main.add_command(tree)
for command in REPORTS:
    main.add_command(command)
