"""What the scale benches share: a plain bulk load to stand beside ours, and a whole process's
wall time and peak memory, each measured on its own."""

import subprocess
import sys

FLOOR_LOAD = """
import sys
from pyoxigraph import NamedNode, RdfFormat, Store
store = Store(sys.argv[1])
graph = {"to_graph": NamedNode(sys.argv[3])} if len(sys.argv) > 3 else {}
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_TRIPLES, **graph)
store.flush()
"""


def rss_of(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) measured by a fresh wrapper process, so each is its own."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    seconds, megabytes = out.stdout.split()
    return float(seconds), float(megabytes)
