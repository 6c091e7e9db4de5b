"""The progress of a step that cannot report itself, from the bytes the process reads."""

import threading
import time

from slmgraph import progress


def test_the_share_read_is_said_while_a_file_is_read(tmp_path):
    big = tmp_path / "big.nq"
    big.write_bytes(b"x" * 4_000_000)
    said: list[float] = []
    watched = progress.reading(big.stat().st_size, said.append, every=0.02)
    with watched, big.open("rb", buffering=0) as file:
        while file.read(250_000):
            time.sleep(0.02)
    assert len(said) >= 3
    assert said == sorted(said) and said[0] >= 0 and said[-1] <= 0.99
    assert said[-1] >= 0.5


def test_nothing_is_said_for_an_empty_file():
    said: list[float] = []
    with progress.reading(0, said.append, every=0.01):
        time.sleep(0.05)
    assert said == []


def test_read_all_is_set_once_the_whole_file_is_read_and_nothing_more_is_said(tmp_path):
    big = tmp_path / "big.nq"
    big.write_bytes(b"x" * 1_000_000)
    said: list[float] = []
    read_all = threading.Event()
    with progress.reading(big.stat().st_size, said.append, 0.01, read_all):
        with big.open("rb", buffering=0) as file:
            file.read(500_000)
            time.sleep(0.1)
            assert not read_all.is_set()  # half read
            file.read()
        assert read_all.wait(5)
        count = len(said)
        time.sleep(0.1)
        assert len(said) == count  # the poller stopped with the file read
