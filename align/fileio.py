"""Atomic output: a file is written to a temporary file beside the target, then renamed;
a set of files is written to a folder beside the output folder, then swapped in."""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from align.errors import InputError

log = logging.getLogger("align")


def ensure_output_dir(path: Path) -> Path:
    """Create the output folder if needed and check that it can be written."""
    if path.exists() and not path.is_dir():
        raise InputError(path, "output path exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(path, f"cannot create output folder ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK) or not os.access(path.resolve().parent, os.W_OK | os.X_OK):
        raise InputError(path, "output folder (or the folder holding it) is not writable")
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
        return 0o666 & ~_umask()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as out:
        out.write(data)


def write_file_set(folder: Path, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
                   owned: Collection[str]) -> None:
    """Put ``files`` (name → bytes, or (name, bytes) pairs made one at a time, so that only
    one file is held in memory) into ``folder`` as one set: they are written into a new
    folder beside it, which then takes the folder's place in one atomic exchange, so a crash,
    Ctrl-C, kill or an error while the files are made leaves either the previous complete
    set or the new one. A name may hold folders (``editions/book.html``): they are created,
    and the top-level entry (``editions``) is the set's, like a file. Entries of the old
    folder named in ``owned`` (outputs of an earlier run) are dropped; any other entry (a
    README, a user's file) is carried over as a hard link or copy.

    A symlinked folder is followed (its target is replaced). Where a folder cannot be
    exchanged (a mount point), the files are replaced one by one, each atomically, with a
    warning. Staging folders of runs that were killed are removed first."""
    folder = Path(folder).resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(folder)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{os.getpid()}.", suffix=".new"))
    try:
        names, tops = [], set()
        for name, data in files.items() if isinstance(files, Mapping) else files:
            tops.add(_top(name))
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            with open(staging / name, "wb") as out:
                out.write(data)
            os.chmod(staging / name, _permissions(folder / name))
            names.append(name)
        if not folder.exists():
            os.chmod(staging, 0o777 & ~_umask())
            os.rename(staging, folder)
            return
        if os.path.ismount(folder):
            log.warning("%s is a mount point: its files are replaced one by one, not as one set", folder)
            _replace_one_by_one(staging, folder, names, owned)
        else:
            os.chmod(staging, folder.stat().st_mode & 0o7777)
            for entry in folder.iterdir():
                if entry.name not in owned and entry.name not in tops:
                    _carry(entry, staging / entry.name)
            _exchange(staging, folder)  # staging now holds the previous set
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _top(name: str) -> str:
    """The top-level entry of a relative file name; names leaving the folder are refused."""
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        raise ValueError(f"output name {name!r} must be a path inside the output folder")
    return parts[0]


def _replace_one_by_one(staging: Path, folder: Path, files: Collection[str], owned: Collection[str]) -> None:
    """Move each new file over its old copy (atomic per file), then drop the owned entries
    of an earlier run that this one did not write."""
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, folder / name)
    tops = {_top(name) for name in files}
    for entry in folder.iterdir():
        if entry.name in owned and entry.name not in tops:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _remove_stale_staging(folder: Path) -> None:
    """Staging folders ``.NAME.PID.*.new`` beside ``folder`` whose process is gone (a
    killed run); those of a run still going are left alone."""
    for entry in folder.parent.glob(f".{folder.name}.*.new"):
        pid = entry.name[len(folder.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_output_path(output: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output that is an input file, an input folder, or a folder holding an
    input (writing it would replace or move the inputs)."""
    target = Path(output).resolve()
    for path in inputs:
        source = Path(path).resolve()
        if target == source or target in source.parents:
            what = "folder" if source.is_dir() else "file"
            raise InputError(output, f"output path would overwrite the input {what} {path}; choose another output")


def _carry(entry: Path, target: Path) -> None:
    """Hard-link ``entry`` (a file or a folder tree) to ``target``; copy where links fail."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    if entry.is_dir() and not entry.is_symlink():
        shutil.copytree(entry, target, symlinks=True, copy_function=link)
    elif entry.is_symlink():
        os.symlink(os.readlink(entry), target)
    else:
        link(str(entry), str(target))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); elsewhere, three
    renames (a crash between them leaves the previous set under a hidden name beside it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(b))
    aside = b.with_name(f".{b.name}.{os.getpid()}.old")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
