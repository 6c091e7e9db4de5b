"""Options, defaults and the output file the command groups share."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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


@contextlib.contextmanager
def written_whole(path: Path, option: str) -> Iterator[BinaryIO]:
    """A file to write ``path`` with: written beside it and renamed once whole, so that a
    failure leaves ``path`` as it was. A path that cannot be written is the user's to change."""
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        try:
            out = open(staging, "wb")  # noqa: SIM115 (closed by the with below, before the rename)
        except OSError as error:
            message = f"cannot write {path}: {error.strerror}"
            raise click.BadParameter(message, param_hint=option) from None
        with out:
            yield out
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
