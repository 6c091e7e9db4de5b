"""What the scale benches share: a plain bulk load to stand beside ours, and a whole process's
wall time and peak memory, each measured on its own."""

import os
import subprocess
import sys
import time

FLOOR_LOAD = """
import sys
from pyoxigraph import NamedNode, RdfFormat, Store
store = Store(sys.argv[1])
graph = {"to_graph": NamedNode(sys.argv[3])} if len(sys.argv) > 3 else {}
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_TRIPLES, **graph)
store.flush()
"""


def rss_of(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) measured by a fresh wrapper process, so each is its own.
    The peak is that of the command's processes together (sampled every 0.1 s), or of its
    largest process if that was higher: an import reads in one process while another loads."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    wrapper = subprocess.Popen(
        [sys.executable, "-c", probe, *command], stdout=subprocess.PIPE, text=True
    )
    together = 0
    while wrapper.poll() is None:
        together = max(together, _tree_rss(wrapper.pid))
        time.sleep(0.1)
    out = wrapper.stdout.read()
    if wrapper.returncode:
        raise subprocess.CalledProcessError(wrapper.returncode, command)
    seconds, megabytes = out.split()
    return float(seconds), max(float(megabytes), together / 2**20)


def _tree_rss(root: int) -> int:
    """Bytes resident now in process ``root`` and every process under it, pages shared by a
    fork counted once (their proportional share, from Linux's /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])  # after the name
            except OSError:  # ended meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total * 1024
