"""Every canned query as the editor sends it, against a running `slmgraph serve`: bound through
``/canned/NAME`` with a value for each parameter, over the curated and Hub graphs. Prints each
one's status, seconds and rows, and exits non-zero if any failed, which at a store's size means
past the deadline. Start the server anew before a run: an answer asked before comes from its
cache.

    slmgraph serve --store STORE --no-build --port 7878 &
    python bench/canned_at_endpoint.py --url http://127.0.0.1:7878

A value is given for every parameter a canned query declares; ``--value name=text`` changes
one (a name as the form takes it: an id, a name or an alias).
"""

import argparse
import json
import sys
import time
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from slmgraph import paths, queries
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH

VALUES = {
    "root": "llama-2-7b",
    "start": "llama-2-7b",
    "model": "vicuna-13b",
    "entity": "llama-2-7b",
    "family": "llama-2",
    "org": "meta",
    "key": "llama-2-7b",
    "generator": "openai",
}
SOLUTIONS = "application/sparql-results+json"


def ask(url: str, name: str, values: dict[str, str], timeout: float) -> tuple[int, float, str]:
    """The status, the seconds and the rows (or the message) of one canned query."""
    query = queries.discover(paths.queries_dir())[name]
    given = {p.name: values[p.name] for p in query.params if p.name in values}
    try:
        with urlopen(f"{url}/canned/{name}?{urlencode(given)}", timeout=timeout) as answer:
            text = json.load(answer)["query"]
    except HTTPError as refused:  # a value the form cannot bind
        return refused.code, 0.0, json.load(refused)["error"]
    form = [("query", text)] + [("default-graph-uri", g) for g in (CURATED_GRAPH, HUB_GRAPH)]
    request = Request(f"{url}/sparql", urlencode(form).encode(), {"Accept": SOLUTIONS})
    started = time.perf_counter()
    try:
        with urlopen(request, timeout=timeout) as answer:
            body, status = answer.read(), answer.status
            cut = answer.headers.get("X-SPARQL-Truncated") == "true"
    except HTTPError as refused:
        seconds = time.perf_counter() - started
        return refused.code, seconds, refused.read().decode(errors="replace").strip()
    seconds = time.perf_counter() - started
    rows = len(json.loads(body)["results"]["bindings"])
    return status, seconds, f"{rows:,}" + (" (cut at the row cap)" if cut else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7878")
    parser.add_argument("--value", action="append", default=[], help="NAME=TEXT")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    values = VALUES | dict(item.split("=", 1) for item in args.value)
    failed = []
    print("| canned query | status | seconds | rows |\n|---|---:|---:|---:|")
    for name in sorted(queries.discover(paths.queries_dir())):
        status, seconds, rows = ask(args.url, name, values, args.timeout)
        print(f"| {name} | {status} | {seconds:.2f} | {rows} |", flush=True)
        if status != 200:
            failed.append(name)
    if failed:
        sys.exit(f"not answered: {', '.join(failed)}")


if __name__ == "__main__":
    main()
