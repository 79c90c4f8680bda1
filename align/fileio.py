"""Atomic output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from align.errors import InputError


def ensure_output_dir(path: Path) -> Path:
    """Create the output folder if needed and check that it can be written."""
    if path.exists() and not path.is_dir():
        raise InputError(path, "output path exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(path, f"cannot create output folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(path, "output folder is not writable")
    return path


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file next to ``path``; it replaces ``path`` only on success."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(handle, mode, **kwargs) as out:
            yield out
        os.chmod(tmp, _permissions(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _permissions(path: Path) -> int:
    """The replaced file's mode, else what a plain ``open`` would give (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_open(path) as out:
        out.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as out:
        out.write(data)
