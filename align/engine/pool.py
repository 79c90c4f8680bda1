"""A local process pool (``--workers N``): spawned processes, each loading the models
once (in its initializer, the networks on first use); a shared input (the locate
collection and its index) is pickled to a file once per stage and read once per worker.
A worker that dies (killed, out of memory) breaks the pool: a fresh pool runs the tasks
that had not finished, up to `RETRIES` times."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from align.engine.base import RETRIES, Engine, Progress, log
from align.engine.tasks import Task, WorkerState, run_task, worker_state
from align.settings import Settings

WATCH_SECONDS = 1.0  # how often a wait for a task looks whether every worker is alive
_STATE: WorkerState | None = None  # the worker's models, set by `_start_worker`
_SHARED: tuple[str, Any] | None = None  # (file, object): the stage's shared input, read once


def _start_worker(settings: Settings, threads: int) -> None:
    """Load the models once per worker; the networks' threads are limited so that the
    workers together use the machine's cores, not N times as many."""
    global _STATE
    import align.embed
    from align.components import load_components

    align.embed.TORCH_THREADS = threads  # read when a network loads
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except ImportError:  # BLAS keeps its own thread count
        pass
    _STATE = worker_state(settings, load_components(settings, progress=False))


def _call(task: Task, shared_file: str | None, item: Any):
    global _SHARED
    shared = None
    if shared_file is not None:
        if _SHARED is None or _SHARED[0] != shared_file:
            _SHARED = (shared_file, pickle.loads(Path(shared_file).read_bytes()))
        shared = _SHARED[1]
    assert _STATE is not None
    return run_task(_STATE, task, shared, item)


class PoolEngine(Engine):
    """``workers`` spawned processes (``concurrent.futures``, start method 'spawn': no
    inherited locks or threads)."""

    name = "pool"

    def __init__(self, state: WorkerState, workers: int, progress: Progress | None = None) -> None:
        super().__init__(state, progress)
        self.workers = workers
        self.threads = max(1, (os.cpu_count() or 1) // workers)
        self._pool: ProcessPoolExecutor | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="align-pool-")
        self._stage = 0

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(self.state.settings, self.threads))
        return self._pool

    def worker_pids(self) -> list[int]:
        """The workers' process ids (for tests that kill one)."""
        return list(self._pool._processes) if self._pool is not None else []  # type: ignore[attr-defined]

    def map(self, task: Task, items: Sequence[Any], shared: Any = None, label: str | None = None) -> list[Any]:
        items = list(items)
        shared_file = self._share(shared)
        results: dict[int, Any] = {}
        for attempt in range(RETRIES + 1):
            todo = [i for i in range(len(items)) if i not in results]
            if not todo:
                break
            futures: dict[int, Future] = {}
            try:
                for i in todo:
                    futures[i] = self.submit(task, shared_file, items[i])
                for i in self.tracked(todo, label if attempt == 0 else None):
                    self._take(results, i, futures[i])
            except BrokenProcessPool:
                self._harvest(results, futures)
                if attempt == RETRIES:
                    raise
                log.warning("a worker process died; running its %d unfinished tasks again",
                            len(items) - len(results))
                self._restart()
        return [results[i] for i in range(len(items))]

    def submit(self, task: Task, shared_file: str | None, item: Any) -> Future:
        return self.pool().submit(_call, task, shared_file, item)

    def _take(self, results: dict[int, Any], i: int, future: Future) -> None:
        result, rows = self._result(future)
        self.accept(rows)
        results[i] = result

    def _result(self, future: Future) -> Any:
        """The future's result; a worker found dead while waiting breaks the pool even if
        the executor has not noticed (a worker killed while it starts or while it holds the
        task queue's lock can leave the executor waiting for ever)."""
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except TimeoutError:
                processes = getattr(self._pool, "_processes", None) or {}
                if any(process.exitcode is not None for process in list(processes.values())):
                    raise BrokenProcessPool("a worker process died") from None

    def _harvest(self, results: dict[int, Any], futures: dict[int, Future]) -> None:
        """Keep the results that finished before the pool broke."""
        for i, future in futures.items():
            if i not in results and future.done() and not future.cancelled() and future.exception() is None:
                self._take(results, i, future)

    def _share(self, shared: Any) -> str | None:
        if shared is None:
            return None
        self._stage += 1
        path = Path(self._folder.name) / f"shared-{self._stage}.pickle"
        path.write_bytes(pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL))
        return str(path)

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._folder.cleanup()
