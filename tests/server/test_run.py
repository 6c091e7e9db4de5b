"""More than one front process: each started with the same settings, all stopped together."""

import os
import signal
import time
from pathlib import Path

from slmgraph.server.config import ServerConfig
from tests.server.conftest import running_server, stop


def test_settings_reach_a_front_process_unchanged(tmp_path):
    config = ServerConfig(tmp_path / "store", deadline=2.5, fronts=3, allowed_services=("x",))
    assert ServerConfig.from_json(config.to_json()) == config


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    below, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        below |= frontier
    return below


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def _all_ended(processes: set[int]) -> bool:
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in processes)


def test_stopping_the_server_stops_every_front_and_worker(valid_store, tmp_path):
    options = ("--fronts", "2", "--workers", "2", "--quick-workers", "1")
    with running_server(valid_store, tmp_path / "server.log", *options) as server:
        processes = _descendants(server.process.pid)
        stop(server.process, 15)
        assert server.process.returncode == 0
    assert len(processes) >= 2 + 2 * 3  # two fronts, three workers each
    assert _all_ended(processes)


def test_ctrl_c_stops_every_front_and_worker(valid_store, tmp_path):
    with running_server(valid_store, tmp_path / "server.log", "--fronts", "2") as server:
        processes = _descendants(server.process.pid)
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=15)
    assert _all_ended(processes)
