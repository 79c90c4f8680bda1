"""On-disk cache of read and segmented documents.

Reading and segmenting a large PDF-extracted file costs seconds; its result depends
only on the file's path and bytes, the language, the reader the content goes to (text,
HTML, PDF, DOCX, ODT, EPUB: `align.ingest.formats`) and the code of the readers and the
splitter, so all of these make the key. A changed file or a changed reader is a miss.
A damaged entry is rebuilt; a folder that cannot be written costs only time.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from align.cache import CacheFolder, ensure_folder, log
from align.fileio import write_bytes_atomic
from align.ingest.formats import reader_name
from align.model import Document, Sentence

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _code_version() -> bytes:
    """Hash of the modules whose output is cached."""
    files = [_PACKAGE / "model.py", _PACKAGE / "segment.py", *sorted((_PACKAGE / "ingest").glob("*.py"))]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.digest()


def cached_document(path: Path, key: str, cache: CacheFolder,
                    make: Callable[[], tuple[Document, list[Sentence]]]) -> tuple[Document, list[Sentence]]:
    """``make()`` once per file content and ``key`` (language, reading mode); later calls
    load the pickled result from ``cache.documents``."""
    try:
        content = Path(path).read_bytes()
    except OSError:
        return make()  # the reader reports the problem with the file
    reader = reader_name(content, Path(path), len(content))
    digest = hashlib.sha256(_code_version() + f"\0{path}\0{key}\0{reader}\0".encode() + content).hexdigest()
    file = cache.documents / f"{digest}.pickle"
    writable = ensure_folder(cache.documents)
    if file.exists():
        try:
            return pickle.loads(file.read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # a damaged or outdated entry: rebuild it
    result = make()
    if writable:
        _store(file, result)
    return result


def _store(file: Path, result: tuple[Document, list[Sentence]]) -> None:
    """Pickle ``result`` into ``file``; a failed write (full disk, read-only folder) is logged, not raised."""
    try:
        write_bytes_atomic(file, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as error:
        log.warning("%s: cannot write the document cache (%s); going on without it", file.parent,
                    error.strerror or error)
