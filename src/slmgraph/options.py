"""Options and defaults the command groups share."""

from pathlib import Path

import click

DATA = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Directory of YAML entries (default: the bundled data).",
)
STORE = click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Store directory (default: a per-user cache).",
)

ENDPOINT = click.option(
    "--endpoint",
    metavar="URL",
    help="Read a published build from this SPARQL endpoint instead of the local store "
    "(credentials from $SLMGRAPH_USER/$SLMGRAPH_PASSWORD or netrc).",
)


def defaults(data_dir: Path | None, store_dir: Path | None) -> tuple[Path, Path]:
    """The entries and store to use: those given, else the bundled data and the user's cache."""
    from slmgraph import paths

    return data_dir or paths.data_dir(), store_dir or paths.default_store()
