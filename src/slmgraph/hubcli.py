"""The `import` commands: Hub model metadata into the store's Hub graph."""

import sys
from pathlib import Path

import click

from slmgraph.options import DATA, STORE, defaults


@click.group(name="import")
def import_() -> None:
    """Import lineage declared elsewhere, kept apart from the curated graph."""


@import_.command(name="hf")
@DATA
@STORE
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A bulk file of Hub model records (.jsonl or .parquet) instead of the Hub API.",
)
@click.option("--author", help="From the Hub API: every model of this user or organisation.")
@click.option(
    "--model", "repo", help="From the Hub API: this model, its ancestors and descendants."
)
@click.option("--depth", default=1, show_default=True, help="Hops each way from --model.")
@click.option("--all", "everything", is_flag=True, help="From the Hub API: every model.")
def import_hf(data_dir, store_dir, source, author, repo, depth, everything):
    """Hugging Face Hub model metadata: base models (typed as far as the Hub says), training
    datasets, licences and papers, each a claim with its provenance, in the store's Hub graph.

    A bulk file (--from) replaces the Hub graph; the Hub API (--author, --model or --all, at
    HF_ENDPOINT with HF_TOKEN) adds to what earlier API imports fetched, kept in the store's
    hub-fetch/ cache so that an interrupted fetch goes on where it stopped. Claims refused or
    doubted are counted here and listed in hub-problems.json."""
    from slmgraph import hub, hubimport, paths

    data_dir, store_dir = defaults(data_dir, store_dir)
    modes = [m for m in (source, author, repo, everything) if m]
    if len(modes) != 1:
        raise click.UsageError("give one of --from FILE, --author NAME, --model REPO or --all")
    if source is not None:
        records, origin = hub.read_records(source), source.name
    else:
        records, origin = _fetched(store_dir, author, repo, depth), "Hugging Face Hub API"
    status = Status()
    summary = hubimport.import_records(
        status.counted(records), origin, data_dir, paths.ontology_dir(), store_dir, None, status
    )
    status.done()
    _say_import(summary)


class Status:
    """One line on a terminal's standard error saying what the import is doing."""

    def __init__(self):
        self.shown = sys.stderr.isatty()
        self.width = 0

    def __call__(self, text: str) -> None:
        if self.shown:
            click.echo("\r" + text.ljust(self.width), err=True, nl=False)
            self.width = len(text)

    def counted(self, records):
        """The records, counted as they are read."""
        count = 0
        for count, record in enumerate(records, start=1):
            if count % 10_000 == 0:
                self(f"reading: {count:,} records")
            yield record
        self(f"reading: {count:,} records")

    def done(self) -> None:
        if self.shown and self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)


def _fetched(store_dir: Path, author: str | None, repo: str | None, depth: int) -> list[dict]:
    """Fetch from the Hub API into the store's cache; every record any API import fetched."""
    from slmgraph import hubapi

    caches = store_dir / "hub-fetch"
    caches.mkdir(parents=True, exist_ok=True)
    key = f"author-{author}" if author else f"model-{repo}-{depth}" if repo else "all"
    fetcher = hubapi.Fetcher(caches / (key.replace("/", "--") + ".jsonl"))
    if author:
        for _ in fetcher.listing(author=author):
            pass
    elif repo:
        fetcher.walk(repo, depth)
    else:
        for _ in fetcher.listing():
            pass
    records: dict[str, dict] = {}
    for cache in sorted(caches.glob("*.jsonl")):
        records |= hubapi.Fetcher.read(cache)
    return list(records.values())


def _say_import(summary: dict) -> None:
    click.echo(
        f"imported {summary['models']} models, {summary['claims']} claims "
        f"({summary['triples']} triples) from {summary['source']}"
    )
    kinds: dict[tuple[str, bool], int] = {}
    for doubt in summary["doubts"]:
        kinds[(doubt.kind, doubt.refused)] = kinds.get((doubt.kind, doubt.refused), 0) + 1
    for (kind, refused), count in sorted(kinds.items()):
        click.echo(f"  {'refused' if refused else 'doubted'}: {count} {kind}", err=True)
    if kinds:
        click.echo(f"  every one listed in {summary['problems']}", err=True)
