"""What every engine does: run a task over items, hand each result's cache rows to the
driver, which writes them (`Engine.accept`); subclasses only say where the tasks run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from align.cache import SqliteStore
from align.embed import EMBEDDING_SCHEMA
from align.engine.tasks import Rows, Task, WorkerState
from align.wordcache import WORD_SCHEMA

log = logging.getLogger("align.engine")
Progress = Callable[[list, str], Iterator]  # (items, label) -> the items, reported as they pass (the CLI's bars)
SCHEMAS = {"embeddings": EMBEDDING_SCHEMA, "word_vectors": WORD_SCHEMA}
RETRIES = 3  # times the tasks of a lost worker are run again before the run fails


class Engine:
    """Runs tasks (`align.engine.tasks`) for the driver. ``state`` is the driver's own
    worker state: its models serve the driver's cache look-ups (and the tasks, for the
    local engine); ``progress`` reports long stages."""

    name = "local"

    def __init__(self, state: WorkerState, progress: Progress | None = None) -> None:
        self.state = state
        self.progress = progress
        self._stores: dict[str, SqliteStore] = {}

    def map(self, task: Task, items: Sequence[Any], shared: Any = None, label: str | None = None) -> list[Any]:
        """``task(state, shared, item)`` for every item, results in the order of the items."""
        raise NotImplementedError

    def map_models(self, task: Task, items: Sequence[Any], label: str | None = None) -> list[Any]:
        """Batches for a network (embedding, word vectors): a map, unless the engine has
        a better way to keep one model loaded per worker (Ray Data's actor pools)."""
        return self.map(task, items, label=label)

    def accept(self, rows: Rows) -> None:
        """Write the cache rows a task computed: only the driver writes the cache."""
        for table, table_rows in rows:
            store = self._stores.get(table)
            if store is None:
                store = self._stores[table] = SqliteStore(self.state.settings.cache.embeddings, table, SCHEMAS[table])
            store.put_many(table_rows)

    def tracked(self, items: list, label: str | None) -> Iterator:
        return iter(self.progress(items, label)) if self.progress and label else iter(items)

    def close(self) -> None:
        """Release the workers (nothing for the local engine)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
