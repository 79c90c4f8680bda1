"""Where the per-document work runs: in the driver's process (`local.py`), in a local
process pool (`pool.py`, ``--workers N``) or on a Ray cluster (`ray_engine.py`,
``--engine ray``). Every engine runs the same tasks (`tasks.py`) on the items the driver
planned, and only the driver writes (the cache rows here, the outputs through the export
registry), so a build's outputs are the same on every engine."""

from __future__ import annotations

from align.components import Components
from align.engine.base import Engine, Progress
from align.engine.local import LocalEngine
from align.engine.tasks import worker_state
from align.errors import InputError
from align.settings import Settings

ENGINES = ("local", "ray")

__all__ = ["ENGINES", "Engine", "open_engine"]


def open_engine(settings: Settings, components: Components, progress: Progress | None = None) -> Engine:
    """The engine ``settings`` ask for (``engine``, ``workers``, ``address``), its driver
    state over ``components`` (no model is loaded twice in the driver)."""
    if settings.address and settings.engine != "ray":
        raise InputError(None, "--address names a Ray cluster: give --engine ray too")
    state = worker_state(settings, components)
    if settings.engine == "ray":
        from align.engine.ray_engine import RayEngine

        return RayEngine(state, settings.workers, settings.address, progress)
    if settings.workers > 1:
        from align.engine.pool import PoolEngine

        return PoolEngine(state, settings.workers, progress)
    return LocalEngine(state, progress)
