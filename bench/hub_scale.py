"""Hub-scale import and reports, each beside its floor, on a generated Hub-shaped dump.

    python bench/hub_scale.py --models 100000 [--runs 3] [--work DIR]

Import: wall time and peak RSS of `slmgraph import hf --from DUMP` into a fresh on-disk store,
beside a plain pyoxigraph on-disk `bulk_load` of the same Hub triples (exported from that store
as N-Quads). Reports: wall time of whole `slmgraph` processes on the imported store, beside
`python -c "import pyoxigraph"`. Runs alternate so that machine noise hits both alike; medians
are printed with their ratio.
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from statistics import median

HERE = Path(__file__).parent
FLOOR_LOAD = """
import sys
from pyoxigraph import RdfFormat, Store
store = Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_QUADS)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/slmgraph-hub-scale"))
    args = parser.parse_args()
    slmgraph = shutil.which("slmgraph", path=str(Path(sys.executable).parent)) or "slmgraph"
    args.work.mkdir(parents=True, exist_ok=True)
    dump = args.work / f"hub-{args.models}.jsonl"
    if not dump.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "hub_dump.py"),
                "--models",
                str(args.models),
                "--out",
                str(dump),
            ],
            check=True,
        )
    nquads = args.work / "hub.nq"
    store = args.work / "store"
    ours, floor = [], []
    for run in range(args.runs):
        shutil.rmtree(store, ignore_errors=True)
        ours.append(rss_of([slmgraph, "import", "hf", "--from", str(dump), "--store", str(store)]))
        if run == 0:
            _export_hub(store, nquads)
        target = args.work / "floor"
        shutil.rmtree(target, ignore_errors=True)
        floor.append(rss_of([sys.executable, "-c", FLOOR_LOAD, str(target), str(nquads)]))
    print(f"Hub-shaped dump of {args.models:,} models ({dump.stat().st_size / 1e6:.0f} MB)")
    print("| step | median wall | peak RSS |")
    print("| --- | ---: | ---: |")
    print(
        f"| pyoxigraph bulk_load of the Hub triples (floor) | {median([f[0] for f in floor]):.1f} s"
        f" | {max(f[1] for f in floor):.0f} MB |"
    )
    print(
        f"| slmgraph import hf --from (fresh store) | {median([o[0] for o in ours]):.1f} s"
        f" | {max(o[1] for o in ours):.0f} MB |"
    )
    print(f"ratio: {median([o[0] for o in ours]) / median([f[0] for f in floor]):.2f}x the floor")
    _reports(slmgraph, store, args.runs)


def _export_hub(store: Path, nquads: Path) -> None:
    from pyoxigraph import NamedNode, RdfFormat, Store

    from slmgraph.vocab import HUB_GRAPH

    opened = Store.read_only(str((store / "current").resolve()))
    with nquads.open("wb") as out:
        opened.dump(out, format=RdfFormat.N_QUADS, from_graph=NamedNode(HUB_GRAPH))


def _reports(slmgraph: str, store: Path, runs: int) -> None:
    probe = [
        slmgraph,
        "descendants",
        "meta-llama/Llama-2-7b-hf",
        "--store",
        str(store),
        "--format",
        "json",
    ]
    out = subprocess.run(probe, check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    deepest = max(rows, key=lambda r: r["depth"])["id"] if rows else None
    commands = {
        f"descendants of Llama-2-7B ({len(rows):,} rows)": probe,
        f"ancestors of {deepest}": [
            slmgraph,
            "ancestors",
            deepest,
            "--store",
            str(store),
            "--format",
            "json",
        ],
        f"datasets --transitive of {deepest}": [
            slmgraph,
            "datasets",
            deepest,
            "--transitive",
            "--store",
            str(store),
            "--format",
            "json",
        ],
        "show of one Hub model (name lookup)": [
            slmgraph,
            "show",
            deepest,
            "--store",
            str(store),
            "--format",
            "json",
        ],
        'python -c "import pyoxigraph" (floor)': [sys.executable, "-c", "import pyoxigraph"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds, megabytes = rss_of(command)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], megabytes)
    print("| report | median wall | peak RSS |")
    print("| --- | ---: | ---: |")
    for name in commands:
        print(f"| {name} | {median(times[name]):.2f} s | {peaks[name]:.0f} MB |")


if __name__ == "__main__":
    main()
