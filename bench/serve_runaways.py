"""Under attack: how long a simple query waits while runaway queries hold the workers.

Each round sends as many runaway queries as there are main workers (of every front) plus one,
then, while they run, one simple query (every text distinct, so none comes from the answer
cache), and records how long the simple query took and whether it was answered. The server runs
twice in one run: as configured by default, and with ``--quick-workers 0`` (no quick lane, how it
was before), so the two stand side by side. Loopback only; bounded by rounds x deadline.

    python bench/serve_runaways.py --rounds 10 --fronts 2 --workers 2 --deadline 5
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from serve_load import ask, free_port, wait_ready

from slmgraph import paths, store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?s WHERE { ?s a ?class } LIMIT 5"


def attack(port: int, workers: int, serial: str) -> tuple[float, int]:
    """One round: the simple query's (seconds, status) while ``workers`` + 1 runaways run."""
    threads = [
        threading.Thread(
            target=ask, args=(port, f"{RUNAWAY} # {serial} {n}"), kwargs={"timeout": 120}
        )
        for n in range(workers + 1)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the runaways reach the workers
    started = time.perf_counter()
    status, _ = ask(port, f"{SIMPLE} # {serial}", timeout=120)
    outcome = (time.perf_counter() - started, status)
    for thread in threads:
        thread.join()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--fronts", type=int, default=2, help="HTTP front processes")
    parser.add_argument("--workers", type=int, default=2, help="main-lane workers of each front")
    parser.add_argument("--deadline", type=float, default=5.0)
    parser.add_argument("--data", type=Path, default=paths.data_dir())
    args = parser.parse_args()
    store_dir = Path(tempfile.mkdtemp(prefix="slmgraph-runaways-")) / "store"
    store.ensure(args.data, paths.ontology_dir(), store_dir)
    variants = {"slmgraph serve": [], "slmgraph serve --quick-workers 0": ["--quick-workers", "0"]}
    workers = args.fronts * args.workers
    print(
        f"{workers + 1} runaways against {workers} main workers ({args.fronts} fronts), deadline "
        f"{args.deadline:g} s, one simple query in each of {args.rounds} rounds\n"
    )
    print("| server | simple queries | answered | median ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for name, extra in variants.items():
        port = free_port()
        command = [sys.executable, "-m", "slmgraph", "serve", "--store", store_dir, "--no-build"]
        command += ["--port", str(port), "--fronts", str(args.fronts)]
        command += ["--workers", str(args.workers)]
        command += ["--deadline", str(args.deadline), *extra]
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port, process)
            outcomes = []
            for round_ in range(args.rounds):
                serial = f"{name} {round_} {time.time()}"
                outcomes.append(attack(port, workers, serial))
        finally:
            process.terminate()
            process.wait(timeout=15)
        took = [seconds for seconds, _ in outcomes]
        answered = sum(status == 200 for _, status in outcomes)
        print(
            f"| `{name}` | {len(outcomes)} | {answered} | {statistics.median(took) * 1000:.0f} "
            f"| {max(took) * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
