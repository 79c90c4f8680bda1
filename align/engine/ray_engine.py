"""The same build on a Ray cluster (``--engine ray``, the optional extra ``align[cluster]``).

- Model stages (embedding, word vectors): Ray Data ``map_batches`` over an actor pool of
  ``workers`` actors, each loading the models once; one row is one chunk the driver
  planned, so every text is embedded in the same batch as on one machine.
- Pair alignment, locating and flagging: Ray tasks (``max_retries``: a task whose worker
  died runs again); a worker process keeps its models between tasks.
- The locate collection and its search are put in the object store once (``ray.put``)
  and read once per worker process.
- Results (vectors among them) travel back to the driver, which writes the cache and the
  outputs: workers never write either.
"""

from __future__ import annotations

import logging
import pickle
import warnings
from collections.abc import Sequence
from typing import Any

from align.engine.base import RETRIES, Engine, Progress
from align.engine.tasks import Task, WorkerState, run_task, worker_state
from align.errors import InputError
from align.settings import Settings

INSTALL_HINT = "--engine ray needs Ray: pip install 'align[cluster]'"
OBJECT_STORE_BYTES = 200_000_000  # a Ray instance started by this run: a small object store

_STATE: WorkerState | None = None  # per Ray worker process: the models, loaded on its first task
_SHARED: dict[str, Any] = {}  # per worker process: shared inputs by object id, read once


def _state(settings: Settings) -> WorkerState:
    global _STATE
    if _STATE is None or _STATE.settings != settings:
        from align.components import load_components

        _STATE = worker_state(settings, load_components(settings, progress=False))
    return _STATE


def _call(settings: Settings, task: Task, shared: list, item: Any):
    """One task in a Ray worker; ``shared`` is ``[ObjectRef]`` (wrapped, so Ray passes the
    reference and the worker reads the object once) or ``[]``."""
    import ray

    value = None
    if shared:
        key = shared[0].hex()
        if key not in _SHARED:
            _SHARED.clear()
            _SHARED[key] = ray.get(shared[0])
        value = _SHARED[key]
    return run_task(_state(settings), task, value, item)


class ModelActor:
    """A Ray Data actor: the models loaded once; each row is one pickled (task, item)."""

    def __init__(self, settings: Settings) -> None:
        self.state = _state(settings)

    def __call__(self, batch: dict) -> dict:
        out = []
        for job in batch["job"]:
            task, item = pickle.loads(job)
            out.append(pickle.dumps(run_task(self.state, task, None, item), protocol=pickle.HIGHEST_PROTOCOL))
        return {"index": batch["index"], "result": out}


def _quiet(ray: Any) -> None:
    """No Ray Data progress lines or notices on the driver's stderr: the CLI reports."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="ray")


class RayEngine(Engine):
    """Tasks on a Ray cluster: ``address`` ("auto", "ray://…") or, when empty, a Ray
    instance of this process with ``workers`` CPUs."""

    name = "ray"

    def __init__(self, state: WorkerState, workers: int, address: str = "", progress: Progress | None = None) -> None:
        super().__init__(state, progress)
        try:
            import ray
        except ImportError:
            raise InputError(None, INSTALL_HINT) from None
        self.ray = ray
        self.workers = workers
        _quiet(ray)
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {"address": address} if address else {
                "num_cpus": workers, "object_store_memory": OBJECT_STORE_BYTES}
            try:
                ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING, **options)
            except ConnectionError as error:
                raise InputError(None, f"cannot reach the Ray cluster {address or '(local)'}: {error}") from None
        self._remote = ray.remote(max_retries=RETRIES, retry_exceptions=False, num_cpus=1)(_call)

    def map(self, task: Task, items: Sequence[Any], shared: Any = None, label: str | None = None) -> list[Any]:
        items = list(items)
        if not items:
            return []
        settings = self.state.settings
        wrapped = [self.ray.put(shared)] if shared is not None else []
        refs = [self._remote.remote(settings, task, wrapped, item) for item in items]
        results = []
        for ref in self.tracked(refs, label):
            result, rows = self._get(ref)
            self.accept(rows)
            results.append(result)
        return results

    def map_models(self, task: Task, items: Sequence[Any], label: str | None = None) -> list[Any]:
        """Ray Data over an actor pool: rows are the driver's chunks, results come back
        by their index (the order Ray Data yields them in does not matter)."""
        items = list(items)
        if not items:
            return []
        import ray.data

        rows = [{"index": i, "job": pickle.dumps((task, item), protocol=pickle.HIGHEST_PROTOCOL)}
                for i, item in enumerate(items)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
        pool = ray.data.ActorPoolStrategy(min_size=1, max_size=min(self.workers, len(rows)))
        # Ray Data restarts a lost actor and runs its batch again by default.
        computed = dataset.map_batches(ModelActor, fn_constructor_args=(self.state.settings,), batch_size=1,
                                       compute=pool, num_cpus=1)
        results: list[Any] = [None] * len(items)
        for row in computed.iter_rows():
            result, cache_rows = pickle.loads(row["result"])
            self.accept(cache_rows)
            results[int(row["index"])] = result
        return results

    def _get(self, ref: Any) -> Any:
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as error:
            cause = getattr(error, "cause", None)
            if isinstance(cause, InputError):
                raise InputError(cause.path, cause.problem) from None
            raise

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
