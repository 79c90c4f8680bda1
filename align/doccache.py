"""On-disk cache of read and segmented documents.

Reading and segmenting a large PDF-extracted file costs seconds; its result depends
only on the file's path and bytes, the language and the code of the reader and the
splitter, so all of these make the key. A changed file or a changed reader is a miss.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from align.fileio import write_bytes_atomic
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


def cached_document(path: Path, lang: str, cache_dir: Path,
                    make: Callable[[], tuple[Document, list[Sentence]]]) -> tuple[Document, list[Sentence]]:
    """``make()`` once per file content; later calls load the pickled result."""
    try:
        content = Path(path).read_bytes()
    except OSError:
        return make()  # the reader reports the problem with the file
    key = hashlib.sha256(_code_version() + f"\0{path}\0{lang}\0".encode() + content).hexdigest()
    file = cache_dir / "documents" / f"{key}.pickle"
    if file.exists():
        try:
            return pickle.loads(file.read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # a damaged or outdated entry: rebuild it
    result = make()
    file.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(file, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result
