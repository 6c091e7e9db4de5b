"""How far a long step has gone, for a progress line on a terminal."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_IO = Path("/proc/self/io")


def bytes_read() -> int | None:
    """The bytes this process has read so far (Linux), or None where that is not known."""
    try:
        for line in _IO.read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


@contextmanager
def reading(
    size: int,
    say: Callable[[float], None],
    every: float = 1.0,
    read_all: threading.Event | None = None,
) -> Iterator[None]:
    """While the body reads a file of ``size`` bytes in code that cannot report (a bulk load
    in Rust), ``say`` the share read so far, every ``every`` seconds, until ``read_all`` is set
    once the whole file has been read (it never is where reads cannot be counted)."""
    start = bytes_read()
    if start is None or size <= 0:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(every):
            now = bytes_read()
            if now is None:
                continue
            say(min(0.99, (now - start) / size))
            if read_all is not None and now - start >= size:
                read_all.set()
                return  # nothing more to say: what follows is not reading

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
