"""Load test: `slmgraph serve` beside the Oxigraph server, on the same dump, same query, loopback.

Both servers get the canned descendants query (``queries/descendants.rq``) for one root, sent by a
fixed number of concurrent clients for a fixed time; the script reports throughput and p50/p99
latency, and fails if any request errs. Bounded: loopback only, a fixed duration per server.

    python bench/serve_load.py --duration 15 --clients 8 --root llama

Needs ``pip install oxigraph`` (it ships the ``oxigraph`` server binary).
"""

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from pyoxigraph import RdfFormat

from slmgraph import paths, store
from slmgraph.vocab import entity_iri

OUT = Path(__file__).parent / "out"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lineage_query(root: str) -> str:
    # A trailing VALUES clause binds the root in plain SPARQL, which both servers accept.
    text = (paths.queries_dir() / "descendants.rq").read_text(encoding="utf-8")
    return f"{text}\nVALUES ?root {{ <{entity_iri(root)}> }}\n"


def ask(port: int, body: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("POST", "/sparql", body, _HEADERS)
    response = connection.getresponse()
    return response.status, response.read()


_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Accept": "application/sparql-results+json",
}


def wait_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on port {port} exited with {process.returncode}")
        try:
            if ask(port, urlencode({"query": "ASK {}"}), timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server on port {port} did not start")


def load(port: int, body: str, clients: int, duration: float) -> dict:
    """Each client sends the query back to back on one kept-alive connection until time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("POST", "/sparql", body, _HEADERS)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as error:
                failed.append(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "throughput_rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
    }


def rows(port: int, body: str) -> int:
    status, data = ask(port, body)
    assert status == 200, (status, data[:200])
    return len(json.loads(data)["results"]["bindings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--root", default="llama", help="id whose descendants are asked for")
    parser.add_argument("--data", type=Path, default=paths.data_dir())
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    work = Path(tempfile.mkdtemp(prefix="slmgraph-bench-"))
    processes = []
    try:
        store_dir = work / "store"
        build = store.ensure(args.data, paths.ontology_dir(), store_dir)
        dump = work / "dump.nq"
        store.open_store(store_dir).dump(str(dump), format=RdfFormat.N_QUADS)
        oxi_dir = work / "oxigraph"
        subprocess.run([oxigraph, "load", "--location", oxi_dir, "--file", dump], check=True)

        ours, theirs = free_port(), free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "slmgraph", "serve", "--store", store_dir, "--no-build"]
                + ["--port", str(ours)],
                stderr=subprocess.DEVNULL,  # the access log would measure the terminal
            )
        )
        processes.append(
            subprocess.Popen(
                [oxigraph, "serve-read-only", "--location", oxi_dir]
                + ["--bind", f"127.0.0.1:{theirs}"],
                stderr=subprocess.DEVNULL,
            )
        )
        body = urlencode({"query": lineage_query(args.root)})
        for port, process in zip((ours, theirs), processes, strict=True):
            wait_ready(port, process)
        counts = {rows(ours, body), rows(theirs, body)}
        assert len(counts) == 1, f"the servers disagree on the answer: {counts}"
        results = {}
        for name, port in (("slmgraph serve", ours), ("oxigraph serve-read-only", theirs)):
            load(port, body, args.clients, 2.0)  # warm-up, not counted
            results[name] = load(port, body, args.clients, args.duration)
        report = {
            "build": build,
            "root": args.root,
            "rows": counts.pop(),
            "clients": args.clients,
            "duration_s": args.duration,
            "results": results,
        }
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "serve_load.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"descendants of {report['root']} ({report['rows']} rows), {args.clients} clients, "
        f"{args.duration:g} s each, build {build}\n"
    )
    print("| server | requests/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['throughput_rps']} | {r['p50_ms']} | {r['p99_ms']} "
            f"| {r['requests']} | {r['errors']} |"
        )
    if any(r["errors"] for r in results.values()):
        sys.exit(
            "errors under load: " + json.dumps({k: v["error_kinds"] for k, v in results.items()})
        )


if __name__ == "__main__":
    main()
