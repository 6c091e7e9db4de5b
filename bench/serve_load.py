"""Load test: `slmgraph serve` beside Oxigraph's own server, on the same dump, over loopback.

Five query shapes (the canned descendants of a root, bound as the editor binds it and by a
trailing VALUES clause; a tiny ASK, a 5,000-row SELECT, a CONSTRUCT of one entity), each at 1,
8 and 32 concurrent clients, in two modes: `repeated` sends the same text every time (what a
cache may answer) and `fresh` makes every request's text unique with a trailing comment (so no
cache can). Each run lasts a fixed time per server, taken
in alternating turns (``--slices``) so both servers see the same background load; the script
prints throughput, p50/p99 latency and our throughput as a multiple of Oxigraph's, and fails if
any request errs or the servers disagree on an answer. Loopback only, bounded time.

With ``--floor`` a third server runs beside them, ``python_floor.py``: the least a Python
server can do per request, to show how far any server written in Python can go here, under
uvicorn (``--floor uvicorn``, the default), granian, whose HTTP is written in Rust
(``--floor granian``), or as its own asyncio protocol on uvloop, with no framework at all
(``--floor raw``).

The clients are wrk's (``bench/wrk_load.lua`` shapes the requests): a client written in Python
spends more per request than either server's answer to a small query does, so it measured
itself rather than the servers.

    python bench/serve_load.py --duration 10
    python bench/serve_load.py --store ~/.cache/slmgraph/hub-store --root llama  # any built store

Needs ``pip install '.[bench]'`` (the ``oxigraph`` server binary, granian) and wrk (Debian:
``apt-get install wrk``).
"""

import argparse
import http.client
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from pyoxigraph import NamedNode, RdfFormat, parse

from slmgraph import paths, store
from slmgraph.server.canned import bound_text
from slmgraph.vocab import entity_iri

HERE = Path(__file__).parent
OUT = HERE / "out"
RUNS = itertools.count()  # each load run's fresh texts differ from every other run's
WRK = shutil.which("wrk") or "wrk"
LUA = HERE / "wrk_load.lua"
SOLUTIONS = "application/sparql-results+json"
FLOOR = "python floor"  # python_floor.py, with --floor
TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Shape:
    name: str
    query: str
    accept: str


def shapes(root: str, entity: str) -> list[Shape]:
    # The canned query bound as the editor binds it (our server answers it from the lineage
    # index), and bound by a trailing VALUES clause instead (which only an engine answers):
    # plain SPARQL either way, which both servers accept.
    canned = (paths.queries_dir() / "descendants.rq").read_text(encoding="utf-8")
    iri = entity_iri(entity)
    return [
        Shape(
            f"descendants of {root}, as the editor binds them",
            bound_text(canned, {"root": NamedNode(entity_iri(root))}),
            SOLUTIONS,
        ),
        Shape(
            f"descendants of {root}",
            f"{canned}\nVALUES ?root {{ <{entity_iri(root)}> }}\n",
            SOLUTIONS,
        ),
        Shape("tiny ASK", f"ASK {{ <{iri}> ?p ?o }}", SOLUTIONS),
        Shape("5,000-row SELECT", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", SOLUTIONS),
        Shape(
            "CONSTRUCT of one entity",
            f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}",
            TRIPLES,
        ),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _headers(accept: str) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}


def ask(port: int, query: str, accept: str = SOLUTIONS, timeout: float = 60) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("POST", "/sparql", urlencode({"query": query}), _headers(accept))
    response = connection.getresponse()
    return response.status, response.read()


def wait_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on port {port} exited with {process.returncode}")
        try:
            if ask(port, "ASK {}", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server on port {port} did not start")


def size(shape: Shape, body: bytes) -> int:
    """Rows, triples or the boolean: what both servers must agree on."""
    if shape.accept == TRIPLES:
        return len(list(parse(body, format=RdfFormat.N_TRIPLES)))
    document = json.loads(body)
    return (
        int(document["boolean"]) if "boolean" in document else len(document["results"]["bindings"])
    )


def load(port: int, shape: Shape, clients: int, duration: int, fresh: bool) -> dict:
    """``clients`` connections sending the query back to back for ``duration`` seconds, from
    wrk: a load generator in C, so that the clients' own cost does not set the pace."""
    env = {"QUERY": shape.query, "ACCEPT": shape.accept, "FRESH": "1" if fresh else "0"}
    command = [WRK, f"-t{min(clients, 2)}", f"-c{clients}", f"-d{duration}s", "--timeout", "60s"]
    command += ["-s", str(LUA), f"http://127.0.0.1:{port}/sparql"]
    done = subprocess.run(
        command, env=os.environ | env | {"RUN": str(next(RUNS))}, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"wrk failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def interleaved(servers, shape: Shape, clients: int, duration: int, fresh: bool, slices: int):
    """Each server's load in ``slices`` turns, taken in alternation, so that both see the same
    background load on a shared machine; the figures of each server over all its turns."""
    turns: dict[str, list[dict]] = {name: [] for name, _ in servers}
    for _ in range(slices):
        for name, port in servers:
            turns[name].append(load(port, shape, clients, max(1, duration // slices), fresh))
    return {name: _figures(measured) for name, measured in turns.items()}


def _figures(turns: list[dict]) -> dict:
    """Throughput over all turns, and latency quantiles of the turns' quantiles, each weighted
    by its turn's requests."""
    requests = sum(turn["requests"] for turn in turns)
    weighted = sorted(
        (latency, turn["requests"]) for turn in turns for latency in turn["latency_us"]
    )
    errors = {kind for turn in turns for kind, count in turn["errors"].items() if count}
    return {
        "requests": requests,
        "errors": sum(sum(turn["errors"].values()) for turn in turns),
        "error_kinds": sorted(errors),
        "throughput_rps": round(requests / sum(turn["duration_us"] / 1e6 for turn in turns), 1),
        "p50_ms": _quantile(weighted, 0.5),
        "p99_ms": _quantile(weighted, 0.99),
    }


def _quantile(weighted: list[tuple[float, int]], q: float) -> float:
    total = sum(weight for _, weight in weighted)
    seen = 0
    for latency, weight in weighted:
        seen += weight
        if seen >= q * total:
            return round(latency / 1000, 2)
    return round(weighted[-1][0] / 1000, 2)


def start_servers(args, work: Path, processes: list) -> tuple[int, int, str]:
    """Our server on the store (built from --data unless --store is given) and Oxigraph's on
    a dump of it; the ports and the build served."""
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    store_dir = args.store or work / "store"
    if args.store is None:
        store.ensure(args.data, paths.ontology_dir(), store_dir)
    build = store.current_build(store_dir)
    dump = work / "dump.nq"
    store.open_store(store_dir).dump(str(dump), format=RdfFormat.N_QUADS)
    oxi_dir = work / "oxigraph"
    subprocess.run([oxigraph, "load", "--location", oxi_dir, "--file", dump], check=True)
    subprocess.run([oxigraph, "optimize", "--location", oxi_dir], check=True)  # as it advises
    ours, theirs = free_port(), free_port()
    commands = (
        [sys.executable, "-m", "slmgraph", "serve", "--store", store_dir, "--no-build"]
        + ["--port", str(ours), "--row-cap", "10000"],
        [oxigraph, "serve-read-only", "--location", oxi_dir, "--bind", f"127.0.0.1:{theirs}"],
    )
    for command in commands:
        # stderr is dropped: the access log would measure the terminal
        processes.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
    for port, process in zip((ours, theirs), processes, strict=True):
        wait_ready(port, process)
    return ours, theirs, build


def start_floor(build_dir: Path, processes: list, server: str) -> int:
    """``python_floor.py`` on the same build, under ``server`` (uvicorn, as ours runs, or
    granian), in a process for each core (each with the store opened read-only): its port."""
    port = free_port()
    cores = str(os.cpu_count() or 1)
    if server == "raw":
        command = [sys.executable, str(HERE / "python_floor.py"), str(port)]
    elif server == "granian":
        command = [sys.executable, "-m", "granian", "--interface", "rsgi", "--no-ws"]
        command += ["--working-dir", str(HERE), "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", cores, "--log-level", "warning", "python_floor:rsgi_app"]
    else:
        command = [sys.executable, "-m", "uvicorn", "python_floor:app", "--app-dir", str(HERE)]
        command += ["--port", str(port), "--http", "httptools", "--no-access-log"]
        command += ["--workers", cores, "--log-level", "warning"]
    env = os.environ | {"SLMGRAPH_FLOOR_STORE": str(build_dir)}
    processes.append(subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL))
    wait_ready(port, processes[-1])
    return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per run")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--root", default="llama", help="id whose descendants are asked for")
    parser.add_argument("--entity", default="llama-7b", help="id the ASK and CONSTRUCT are about")
    parser.add_argument("--data", type=Path, default=paths.data_dir())
    parser.add_argument("--store", type=Path, help="serve this built store instead of --data")
    parser.add_argument("--modes", nargs="+", default=["repeated", "fresh"])
    parser.add_argument(
        "--shapes", nargs="+", help="only the shapes whose names hold one of these words"
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=2,
        help="turns per server, alternating, in --duration (wrk counts only the requests "
        "answered within a turn, so a turn should outlast the slowest answer many times)",
    )
    parser.add_argument(
        "--floor",
        nargs="?",
        const="uvicorn",
        choices=["uvicorn", "granian", "raw"],
        help="also load python_floor.py, the least a Python server can do per request, under "
        "this HTTP server (default uvicorn)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="slmgraph-bench-"))
    processes: list[subprocess.Popen] = []
    runs = []
    try:
        ours, theirs, build = start_servers(args, work, processes)
        servers = [("slmgraph", ours), ("oxigraph", theirs)]
        if args.floor:
            build_dir = (args.store or work / "store") / "builds" / build
            servers.append((FLOOR, start_floor(build_dir, processes, args.floor)))
        for shape in shapes(args.root, args.entity):
            if args.shapes and not any(w.lower() in shape.name.lower() for w in args.shapes):
                continue
            answers = {name: ask(port, shape.query, shape.accept) for name, port in servers}
            sizes = {name: size(shape, body) for name, (_, body) in answers.items()}
            assert len(set(sizes.values())) == 1, f"{shape.name}: the servers disagree: {sizes}"
            for mode, clients in itertools.product(args.modes, args.clients):
                run = {"shape": shape.name, "size": sizes["slmgraph"], "mode": mode}
                fresh = mode == "fresh"
                run["clients"] = clients
                for _, port in servers:
                    load(port, shape, clients, 1, fresh)  # warm-up, not counted
                run |= interleaved(servers, shape, clients, args.duration, fresh, args.slices)
                theirs = run["oxigraph"]["throughput_rps"]
                for name, key in (("slmgraph", "ratio"), (FLOOR, "floor_ratio")):
                    if name in run and theirs:
                        run[key] = round(run[name]["throughput_rps"] / theirs, 2)
                runs.append(run)
                print(_row(run), flush=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    report = {"build": build, "duration_s": args.duration, "runs": runs}
    (OUT / "serve_load.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nbuild {build}, {args.duration} s per run; requests/s, p50 and p99 in ms\n")
    floor = " floor req/s | floor ratio |" if args.floor else ""
    print(
        "| query | mode | clients | slmgraph req/s | p50 | p99 "
        f"| Oxigraph req/s | p50 | p99 | ratio |{floor}"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|---:|" * bool(args.floor))
    for run in runs:
        print(_row(run))
    failed = {
        f"{run['shape']} {run['mode']} x{run['clients']} {name}": run[name]["error_kinds"]
        for run in runs
        for name in ("slmgraph", "oxigraph", FLOOR)
        if name in run and run[name]["errors"]
    }
    if failed:
        sys.exit("errors under load: " + json.dumps(failed))


def _row(run: dict) -> str:
    ours, theirs = run["slmgraph"], run["oxigraph"]
    floor = run.get(FLOOR)
    return (
        f"| {run['shape']} ({run['size']}) | {run['mode']} | {run['clients']} "
        f"| {ours['throughput_rps']} | {ours['p50_ms']} | {ours['p99_ms']} "
        f"| {theirs['throughput_rps']} | {theirs['p50_ms']} | {theirs['p99_ms']} "
        f"| {run.get('ratio') or '-'}x |"
        + (f" {floor['throughput_rps']} | {run.get('floor_ratio') or '-'}x |" if floor else "")
    )


if __name__ == "__main__":
    main()
