"""Wall time of a whole lineage-report process on a warm cache, beside importing pyoxigraph.

    python bench/report_speed.py [--runs 21]

Prints the median (and spread) of each, and their ratio. Runs the two commands alternately so that
machine noise hits both alike.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall_times(command: list[str], env: dict, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    script = shutil.which("slmgraph", path=str(Path(sys.executable).parent)) or "slmgraph"
    cache = tempfile.mkdtemp(prefix="slmgraph-bench-")
    env = {**os.environ, "SLMGRAPH_CACHE": cache}
    report = [script, "descendants", "pythia", "--format", "json"]
    floor = [sys.executable, "-c", "import pyoxigraph"]
    subprocess.run(report, env=env, check=True, stdout=subprocess.DEVNULL)  # build: warm the cache

    results: dict[str, list[float]] = {"floor": [], "report": []}
    for _ in range(args.runs):  # interleave the two commands
        results["floor"] += wall_times(floor, env, 1)
        results["report"] += wall_times(report, env, 1)
    shutil.rmtree(cache, ignore_errors=True)

    print(f"runs: {args.runs} each, interleaved; python {sys.version.split()[0]}")
    for name, command in (("floor", floor), ("report", report)):
        times = sorted(results[name])
        shown = " ".join([Path(command[0]).name, *command[1:]])
        median = statistics.median(times) * 1000
        p10, p90 = times[len(times) // 10] * 1000, times[-len(times) // 10 - 1] * 1000
        print(f"{name:7s} median {median:7.1f} ms   p10 {p10:6.1f}   p90 {p90:6.1f}   ({shown})")
    ratio = statistics.median(results["report"]) / statistics.median(results["floor"])
    print(f"ratio report / floor: {ratio:.2f}")


if __name__ == "__main__":
    main()
