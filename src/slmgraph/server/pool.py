"""A pool of worker processes with a deadline per job: a late worker is killed and replaced.

Each worker runs one job at a time, so a runaway query holds one worker and the others keep
answering. A job waits for a free worker and then runs, both within the same deadline. A
worker may hold ``memory`` MB of data (an rlimit it sets on itself): a query that needs more
is answered 503 and its worker is replaced.
"""

import asyncio
import collections
import contextlib
import logging
import pickle
import sys
from pathlib import Path

from slmgraph.server.worker import FRAME

log = logging.getLogger("slmgraph.server")


class Unavailable(Exception):
    """The job could not be answered in time (HTTP 503); the message says why."""


class Late(Unavailable):
    """The job ran until its deadline and was stopped."""


class JobFailed(Exception):
    """The worker reported a problem: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Worker:
    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.out_of_memory = False
        self.stderr = asyncio.get_running_loop().create_task(self._relay_stderr())

    async def _relay_stderr(self) -> None:
        """Log what the worker prints, noting an allocation refused at its memory cap."""
        async for line in self.process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if text.startswith("memory allocation of") and text.endswith("failed"):
                self.out_of_memory = True  # what Rust prints before it aborts
            log.warning("query worker %d: %s", self.process.pid, text)

    async def died_of_memory(self) -> bool:
        """After the worker died: whether it was an allocation past its memory cap."""
        await self.process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.stderr), 2)
        return self.out_of_memory

    async def send(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(FRAME.pack(len(data)) + data)
        await self.process.stdin.drain()

    async def receive(self):
        header = await self.process.stdout.readexactly(FRAME.size)
        (size,) = FRAME.unpack(header)
        return pickle.loads(await self.process.stdout.readexactly(size))

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


def _over_memory(memory: int) -> JobFailed:
    return JobFailed(
        503,
        f"the query needed more memory than a query worker may use ({memory} MB); "
        "simplify it or add a LIMIT",
    )


class WorkerPool:
    def __init__(self, store_dir: Path, size: int, memory: int):
        self.store_dir = store_dir
        self.size = size
        self.memory = memory
        # Free workers, the one freed last on top (its caches are the warmest); jobs waiting for
        # one, oldest first: a freed worker goes straight to the oldest, so none is passed over.
        self._idle: list[Worker] = []
        self._waiting: collections.deque[asyncio.Future] = collections.deque()
        self._all: set[Worker] = set()
        self._starting: set[asyncio.Task] = set()
        self.killed = 0  # workers stopped at a deadline, for logs and tests

    async def start(self) -> None:
        await asyncio.gather(*(self._add() for _ in range(self.size)))

    async def close(self) -> None:
        for task in list(self._starting):
            task.cancel()
        await asyncio.gather(*(worker.stop() for worker in list(self._all)))
        self._all.clear()

    async def _add(self) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "slmgraph.server.worker",
            str(self.store_dir),
            str(self.memory),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        worker = Worker(process)
        self._all.add(worker)
        try:
            ready = await worker.receive()
        except (asyncio.IncompleteReadError, ConnectionError):
            log.error("a query worker failed to start (exit code %s)", await process.wait())
            self._all.discard(worker)
            return
        assert ready[0] == "ready"
        self._free(worker)

    def _free(self, worker: Worker) -> None:
        """Hand ``worker`` to the job that has waited longest, or keep it for the next one."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a job that gave up leaves its waiter cancelled
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _take(self, deadline: float) -> Worker:
        """A free worker, waiting at most ``deadline`` seconds for one."""
        if self._idle:
            return self._idle.pop()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(deadline):
                return await waiter
        except BaseException as stopped:  # out of time, or cancelled (the client went away)
            if waiter.done() and not waiter.cancelled():
                self._free(waiter.result())  # handed over just as the job gave up: pass it on
            if isinstance(stopped, TimeoutError):
                raise Unavailable(
                    f"the server is busy: no query worker became free within {deadline:g} s; "
                    "retry later"
                ) from None
            raise

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._all.discard(worker)

        async def replace() -> None:
            await worker.stop()
            await self._add()

        task = asyncio.get_running_loop().create_task(replace())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    def idle(self) -> int:
        """How many workers are free right now."""
        return len(self._idle)

    async def run(self, build_id: str, job: str, deadline: float, **kwargs):
        """Run ``job`` on a worker and return its result, within ``deadline`` seconds."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + deadline
        worker = await self._take(deadline)
        try:
            async with asyncio.timeout_at(give_up):
                await worker.send((build_id, job, kwargs))
                reply = await worker.receive()
        except TimeoutError:
            self.killed += 1
            self._replace(worker)
            raise Late(
                f"the query was stopped at its deadline of {deadline:g} s; "
                "simplify it or add a LIMIT"
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError):
            self._replace(worker)
            if await worker.died_of_memory():
                raise _over_memory(self.memory) from None
            raise JobFailed(500, "the query worker died while answering") from None
        except BaseException:  # cancelled (client gone): the job may still run, so kill it
            self._replace(worker)
            raise
        if reply[0] == "memory":  # a MemoryError in Python: start afresh rather than fragmented
            self._replace(worker)
            raise _over_memory(self.memory)
        self._free(worker)
        if reply[0] == "ok":
            return reply[1]
        raise JobFailed(reply[1], reply[2])
