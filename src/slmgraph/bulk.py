"""Pausing the cyclic garbage collector while a catalogue is read or turned into RDF."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading 20,000 entries or writing a million quads allocates millions of objects and no
    reference cycles; the collector would scan every live one again and again, for nothing.

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
