"""The one exception type for bad input: the CLI prints it as a single line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file and the problem."""

    def __init__(self, path: Path | str | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)

    def __reduce__(self):  # raised in a worker process, re-raised in the driver
        return InputError, (self.path, self.problem)
