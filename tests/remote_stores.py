"""The engines' servers for the remote tests, each started with its defaults on a free
loopback port in a temporary directory: Oxigraph's server (``pip install oxigraph``), Virtuoso
open source with Debian's configuration (``apt-get install virtuoso-opensource``), and
``slmgraph serve``, which serves a build as it is (nothing to publish)."""

import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from slmgraph.cli import main
from tests.server.conftest import free_port, running_server, stop

DEBIAN_VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = ("dba", "dba")  # a new Virtuoso database's administrator


@dataclass
class Engine:
    name: str
    query: str  # the SPARQL endpoint the reports read
    store: str | None  # the Graph Store Protocol endpoint publish writes to (None: no need)
    update: str | None  # the SPARQL Update endpoint publish switches graphs with
    process: subprocess.Popen


def missing(*programs: str) -> list[str]:
    return [program for program in programs if shutil.which(program) is None]


NEEDED = pytest.mark.skipif(
    bool(missing("oxigraph", "virtuoso-t")),
    reason="needs Oxigraph's server and Virtuoso (.ci/run installs both)",
)


def cli(*args, env=None) -> tuple[int, str, str]:
    """A command in this process: exit code, standard output and standard error."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


@contextmanager
def oxigraph(directory: Path):
    port = free_port()
    command = ["oxigraph", "serve", "--location", str(directory / "db")]
    command += ["--bind", f"127.0.0.1:{port}"]
    base = f"http://127.0.0.1:{port}"
    with _running(command, directory / "oxigraph.log", base + "/query") as process:
        yield Engine("oxigraph", base + "/query", base + "/store", base + "/update", process)


@contextmanager
def virtuoso(directory: Path):
    """Debian's virtuoso.ini with the database in ``directory`` and free ports: nothing else
    changed (its ResultSetMaxRows of 10,000 included)."""
    sql_port, http_port = free_port(), free_port()
    text = DEBIAN_VIRTUOSO_INI.read_text()
    text = text.replace("/var/lib/virtuoso-opensource-7/db", str(directory))
    text = re.sub(r"(\[Parameters\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{sql_port}", text)
    text = re.sub(r"(\[HTTPServer\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{http_port}", text)
    ini = directory / "virtuoso.ini"
    ini.write_text(text)
    command = ["virtuoso-t", "+configfile", str(ini), "+foreground"]
    base = f"http://127.0.0.1:{http_port}"
    with _running(command, directory / "virtuoso.out", base + "/sparql") as process:
        yield Engine(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-graph-crud-auth",
            base + "/sparql-auth",
            process,
        )


@contextmanager
def slmgraph(directory: Path, store: Path):
    """Our own server on the build itself, with its defaults (row cap, deadline)."""
    with running_server(store, directory / "slmgraph.log") as server:
        yield Engine("slmgraph", server.url + "/sparql", None, None, server.process)


@contextmanager
def _running(command: list[str], log: Path, ready: str):
    with open(log, "w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited early:\n{log.read_text()}")
            try:
                if httpx.get(ready, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield process
    finally:
        stop(process, 30)
