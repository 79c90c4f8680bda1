"""Disk cache of word vectors (``align.tokens.word_vectors``), keyed by layer and text.

A re-run flags the same links again: with every text cached it needs neither the
word model nor its forward passes. Entries live in the embedding cache's SQLite file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from align.embed import E5_DIRNAME, SQL_VARS, default_cache_dir
from align.tokens import Words, word_vectors


def cached_word_vectors(texts: Sequence[str], layer: int, cache_dir: Path | None = None) -> list[Words]:
    """``word_vectors(texts, layer)``, computing only the texts not cached before."""
    path = Path(cache_dir or default_cache_dir()) / "embeddings.sqlite3"
    keys = {text: hashlib.sha256(f"{E5_DIRNAME}|words|{layer}\0{text}".encode("utf-8", "surrogatepass")).digest()
            for text in texts}
    found: dict[str, Words] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=60)) as db:
        db.execute("CREATE TABLE IF NOT EXISTS word_vectors (key BLOB PRIMARY KEY, words INTEGER NOT NULL, "
                   "dim INTEGER NOT NULL, spans BLOB NOT NULL, vectors BLOB NOT NULL) WITHOUT ROWID")
        by_key = {key: text for text, key in keys.items()}
        key_list = list(by_key)
        for start in range(0, len(key_list), SQL_VARS):
            chunk = key_list[start:start + SQL_VARS]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, words, dim, spans, vectors FROM word_vectors WHERE key IN ({marks})"
            for key, n, dim, spans, vectors in db.execute(query, chunk):
                text = by_key[key]
                pairs = tuple(map(tuple, np.frombuffer(spans, dtype=np.int64).reshape(n, 2).tolist()))
                found[text] = Words(text, pairs, np.frombuffer(vectors, dtype=np.float64).reshape(n, dim))
        misses = [text for text in keys if text not in found]
        if misses:
            rows = []
            for text, words in zip(misses, word_vectors(misses, layer)):
                found[text] = words
                spans = np.asarray(words.spans, dtype=np.int64).reshape(-1, 2)
                vectors = np.ascontiguousarray(words.vectors, dtype=np.float64)
                rows.append((keys[text], len(spans), vectors.shape[1] if vectors.ndim == 2 else 0,
                             spans.tobytes(), vectors.tobytes()))
            db.executemany("INSERT OR REPLACE INTO word_vectors VALUES (?, ?, ?, ?, ?)", rows)
            db.commit()
    return [found[text] for text in texts]
