"""Hub-scale import and reports, each beside its floor, on a generated Hub-shaped dump.

    python bench/hub_scale.py --models 100000 [--runs 3] [--work DIR]

Import: wall time and peak RSS of `slmgraph import hf --from DUMP` into a fresh on-disk store,
beside two plain pyoxigraph on-disk `bulk_load`s of the same Hub triples (exported from that
store): as N-Triples into the default graph, and into the named graph the import writes (a
named graph costs Oxigraph's loader about half as much again). Reports: wall time of whole
`slmgraph` processes on the imported store, beside
`python -c "import pyoxigraph"`. Lookups: in one process, the descendant count of the largest
root beside `rustworkx.descendants` on the same edges in memory (rustworkx is installed for
the bench only), and the ancestors, transitive datasets and name lookup of the deepest leaf.
Runs alternate so that machine noise hits both alike; medians are printed with their ratio.
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from statistics import median

from measure import FLOOR_LOAD, rss_of

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/slmgraph-hub-scale"))
    parser.add_argument(
        "--reports-only", action="store_true", help="Reuse the store imported by a past run."
    )
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
    triples = args.work / "hub.nt"
    store = args.work / "store"
    if not args.reports_only:
        _imports(slmgraph, dump, store, triples, args)
    deepest = _reports(slmgraph, store, args.runs)
    _lookups(store, ROOT, deepest, max(21, args.runs))


def _imports(slmgraph: str, dump: Path, store: Path, triples: Path, args) -> None:
    from slmgraph.vocab import HUB_GRAPH

    steps = {
        "pyoxigraph bulk_load, N-Triples into the default graph (floor)": [],
        "pyoxigraph bulk_load, the same into the Hub's named graph (floor)": [],
        "slmgraph import hf --from (fresh store)": [],
    }
    floor_default, floor_named, ours = steps.values()
    target = args.work / "floor"
    for run in range(args.runs):
        shutil.rmtree(store, ignore_errors=True)
        ours.append(rss_of([slmgraph, "import", "hf", "--from", str(dump), "--store", str(store)]))
        if run == 0:
            _export_hub(store, triples)
        for times, graph in ((floor_default, []), (floor_named, [HUB_GRAPH])):
            shutil.rmtree(target, ignore_errors=True)
            load = [sys.executable, "-c", FLOOR_LOAD, str(target), str(triples), *graph]
            times.append(rss_of(load))
    print(f"Hub-shaped dump of {args.models:,} models ({dump.stat().st_size / 1e6:.0f} MB)")
    print(f"| step (median of {args.runs}) | wall | peak RSS |")
    print("| --- | ---: | ---: |")
    for name, times in steps.items():
        wall, peak = median(t[0] for t in times), max(t[1] for t in times)
        print(f"| {name} | {wall:.1f} s | {peak:.0f} MB |")
    mine = median(t[0] for t in ours)
    print(
        f"ratio: {mine / median(t[0] for t in floor_default):.2f}x the default-graph floor, "
        f"{mine / median(t[0] for t in floor_named):.2f}x the named-graph floor"
    )


def _export_hub(store: Path, triples: Path) -> None:
    from pyoxigraph import NamedNode, RdfFormat, Store

    from slmgraph.vocab import HUB_GRAPH

    opened = Store.read_only(str((store / "current").resolve()))
    with triples.open("wb") as out:
        opened.dump(out, format=RdfFormat.N_TRIPLES, from_graph=NamedNode(HUB_GRAPH))


ROOT = "meta-llama/Llama-2-7b-hf"  # the generator's largest root


def _reports(slmgraph: str, store: Path, runs: int) -> str:
    """Whole report processes; returns the deepest descendant of the largest root."""
    probe = [slmgraph, "descendants", ROOT, "--store", str(store), "--format", "json"]
    out = subprocess.run(probe, check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    deepest = max(rows, key=lambda r: r["depth"])["id"]
    table = [*probe[:-1], "table"]
    on = ["--store", str(store), "--format", "json"]
    commands = {
        f"descendants of Llama-2-7B, JSON ({len(rows):,} rows)": probe,
        "the same as a table, 80 columns": ["env", "COLUMNS=80", *table],
        "the same as a table, 120 columns": ["env", "COLUMNS=120", *table],
        "the same as a table, 200 columns": ["env", "COLUMNS=200", *table],
        "the same, --count": [*probe, "--count"],
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
        "show of Llama-2-7B (every edge into it)": [
            slmgraph,
            "show",
            ROOT,
            "--store",
            str(store),
            "--format",
            "json",
        ],
        "timeline (every dated model and family)": [slmgraph, "timeline", *on],
        "org meta (its releases and who builds on them)": [slmgraph, "org", "meta", *on],
        "disagreements (Hub claims against curated lineage)": [slmgraph, "disagreements", *on],
        "stats (every model, claim and edge counted)": [slmgraph, "stats", *on],
        "audit --summary (every model's licence findings)": [
            slmgraph,
            "audit",
            "--summary",
            *on,
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
    return deepest


def _lookups(store: Path, root: str, deepest: str, runs: int) -> None:
    """In one process: the descendant count beside rustworkx on the same edges in memory, and
    the lookups of the deepest leaf."""
    import sqlite3
    import time

    import rustworkx

    from slmgraph import open_graph, reports

    graph = open_graph(store_dir=store)
    start = graph.resolve(root)
    index = sqlite3.connect((store / "current").resolve() / "lineage.sqlite")
    edges = index.execute("SELECT child, parent FROM edge").fetchall()
    node = {key: number for number, key in index.execute("SELECT id, key FROM node")}
    dag = rustworkx.PyDiGraph()
    dag.add_nodes_from(range(max(node.values()) + 1))
    dag.add_edges_from_no_data([(parent, child) for child, parent in edges])

    def timed(call) -> float:
        began = time.perf_counter()
        call()
        return time.perf_counter() - began

    steps = {
        f"descendant count of {root}": lambda: reports.descendant_count(graph, start),
        "rustworkx.descendants, same edges in memory (floor)": lambda: len(
            rustworkx.descendants(dag, node[start])
        ),
        f"ancestors of {deepest}": lambda: reports.ancestors(graph, deepest),
        f"datasets --transitive of {deepest}": lambda: reports.datasets(graph, deepest, True),
        f"name lookup of {deepest}": lambda: graph.resolve(deepest),
    }
    assert steps[f"descendant count of {root}"]() == list(steps.values())[1]()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, call in steps.items():
            times[name].append(timed(call))
    print("| in one process | median |")
    print("| --- | ---: |")
    for name in steps:
        print(f"| {name} | {median(times[name]) * 1000:.1f} ms |")
    count, floor = (median(times[name]) for name in list(steps)[:2])
    print(f"count ratio: {count / floor:.2f}x rustworkx")


if __name__ == "__main__":
    main()
