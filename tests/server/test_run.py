"""More than one front process: each started with the same settings, all stopped together."""

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


def _started(pid: int, at_least: int) -> set[int]:
    """The processes below ``pid`` once there are ``at_least`` of them: a server answers as
    soon as one front is ready, while the other may still be starting its workers."""
    deadline = time.monotonic() + 60
    while len(below := _descendants(pid)) < at_least and time.monotonic() < deadline:
        time.sleep(0.2)
    return below


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def _all_ended(processes: set[int]) -> bool:
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in processes)


def test_stopping_the_server_stops_every_front_and_worker(valid_store, tmp_path):
    options = ("--fronts", "2", "--workers", "2", "--quick-workers", "1")
    with running_server(valid_store, tmp_path / "server.log", *options) as server:
        processes = _started(server.process.pid, at_least=2 + 2 * 3)  # two fronts of three workers
        stop(server.process, 15)
        assert server.process.returncode == 0
    assert len(processes) >= 2 + 2 * 3
    assert _all_ended(processes)


def test_ctrl_c_stops_every_front_and_worker(valid_store, tmp_path):
    options = ("--fronts", "2", "--workers", "2", "--quick-workers", "1")
    with running_server(valid_store, tmp_path / "server.log", *options) as server:
        processes = _started(server.process.pid, at_least=2 + 2 * 3)
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=15)
    assert _all_ended(processes)
