"""Files written whole: beside their place under a hidden name, then renamed into it, so that a
reader never sees one half written and a failure leaves the file as it was."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class CannotWrite(OSError):
    """A file that cannot be written where it was asked for, said in one line with the fix."""


@contextlib.contextmanager
def whole(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` with; ``path`` takes its content once the block ends."""
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        try:
            out = open(staging, "wb")  # noqa: SIM115 (closed by the with below, before the rename)
        except OSError as error:
            raise CannotWrite(f"cannot write {path} ({error.strerror}); choose another") from None
        with out:
            yield out
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
