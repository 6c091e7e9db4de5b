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
    """A file to write ``path`` with; ``path`` takes its content once the block ends. A path
    that is no plain file (a device such as /dev/stdout, a pipe, a link) is written where it is:
    renaming a file onto it would replace the device or link itself."""
    plain = not path.is_symlink() and (path.is_file() or not path.exists())
    staging = path.with_name(f".{path.name}.{os.getpid()}") if plain else path
    try:
        try:
            out = open(staging, "wb")  # noqa: SIM115 (closed by the with below, before the rename)
        except OSError as error:
            raise CannotWrite(f"cannot write {path} ({error.strerror}); choose another") from None
        try:
            with out:
                yield out
        except CannotWrite:
            raise
        except OSError as error:  # the disk full, the reader of a pipe gone
            raise CannotWrite(f"cannot write {path} ({error.strerror}); choose another") from None
        if plain:
            os.replace(staging, path)
    finally:
        if plain:
            staging.unlink(missing_ok=True)
