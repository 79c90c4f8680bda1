"""The serial engine: every task in the driver's own process, with the driver's models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from align.engine.base import Engine
from align.engine.tasks import Task, run_task


class LocalEngine(Engine):
    """One process; the default (``--workers 1``)."""

    def map(self, task: Task, items: Sequence[Any], shared: Any = None, label: str | None = None) -> list[Any]:
        results = []
        for item in self.tracked(list(items), label):
            result, rows = run_task(self.state, task, shared, item)
            self.accept(rows)
            results.append(result)
        return results
