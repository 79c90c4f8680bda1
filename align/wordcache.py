"""The word model as a component: chosen by name, its results cached on disk.

A re-run flags the same links again: with every text cached it needs neither the
word network nor its forward passes. Entries live in the ``word_vectors`` table of
the cache's SQLite file, keyed by sha256 of the model id and the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from align.cache import CacheFolder, SqliteStore
from align.embed import find_offline
from align.errors import InputError
from align.tokens import E5_LAYERS, E5Words, TransformerWords, WordModel, Words, check_token_model

WORD_SCHEMA = "words INTEGER NOT NULL, dim INTEGER NOT NULL, spans BLOB NOT NULL, vectors BLOB NOT NULL"
E5_WORD_ENCODERS = frozenset({"use-m3", "e5-small", "use-m3+e5-small"})  # "auto" gives these e5-small words
NO_TOKEN_ENCODERS = frozenset({"use-m3", "use-m3+e5-small"})  # not transformers of their own


class CachedWordModel:
    """A word model whose results are kept in the cache; the network runs only for misses."""

    def __init__(self, model: WordModel, cache_path: Path) -> None:
        self.model = model
        self.model_id = model.model_id
        self.store = SqliteStore(cache_path, "word_vectors", WORD_SCHEMA)

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def words(self, texts: Sequence[str], *, keep: bool = True) -> list[Words]:
        """``model.words(texts)``, computing only the texts not cached before; ``keep``
        off: what is computed is not stored (see `UnkeptWords`)."""
        keys = {text: self._key(text) for text in texts}
        stored = self.store.get_many(list(keys.values()))
        found = {text: _decode(text, stored[key]) for text, key in keys.items() if key in stored}
        misses = [text for text in keys if text not in found]
        if misses:
            fresh = self.model.words(misses)
            found.update(zip(misses, fresh))
            if keep:
                self.store.put_many([(keys[text], *_encode(words)) for text, words in zip(misses, fresh)])
        return [found[text] for text in texts]


class UnkeptWords:
    """A cached word model that reads the cache but stores nothing: for a stage whose
    batches depend on what it finds (locate's relation labels), so that the cache's rows
    come only from the planned chunks every engine cuts alike (`engine.plan.word_rows`):
    a text's vectors differ slightly with the batch it is computed in."""

    def __init__(self, words: CachedWordModel) -> None:
        self.cached = words
        self.model_id = words.model_id

    def words(self, texts: Sequence[str]) -> list[Words]:
        return self.cached.words(texts, keep=False)


def _encode(words: Words) -> tuple[int, int, bytes, bytes]:
    """A table row (after the key): word count, dimension, spans, vectors."""
    spans = np.asarray(words.spans, dtype=np.int64).reshape(-1, 2)
    vectors = np.ascontiguousarray(words.vectors, dtype=np.float64)
    return len(spans), vectors.shape[1] if vectors.ndim == 2 else 0, spans.tobytes(), vectors.tobytes()


def _decode(text: str, row: tuple) -> Words:
    n, dim, spans, vectors = row
    pairs = tuple(map(tuple, np.frombuffer(spans, dtype=np.int64).reshape(n, 2).tolist()))
    return Words(text, pairs, np.frombuffer(vectors, dtype=np.float64).reshape(n, dim))


def load_word_model(name: str, encoder_name: str, cache: CacheFolder) -> WordModel:
    """The flags' word model, disk-cached in ``cache``; its network loads on first miss.

    ``name``: "auto" (e5-small for the encoders use-m3, e5-small, use-m3+e5-small,
    else "encoder"), "e5-small" (hidden states after layer 8, the flags' default),
    "encoder" (the sentence encoder ``encoder_name``'s own token embeddings), or a
    sentence-transformers name or path (its token embeddings). ``InputError`` for a
    model without token embeddings, such as use-m3."""
    return CachedWordModel(_network(name, encoder_name, cache), cache.embeddings)


def word_model_name(name: str, encoder_name: str) -> str:
    """What the word model ``name`` stands for beside the encoder ``encoder_name``, "auto"
    and "encoder" resolved: "e5-small" (layer 8), or "<model>:tokens", a
    sentence-transformers model's own token embeddings (its last layer). This is the name
    the run signature records."""
    if name == "auto":
        name = "e5-small" if encoder_name in E5_WORD_ENCODERS else "encoder"
    if name == "e5-small" or name.endswith(":tokens"):
        return name
    model = encoder_name if name == "encoder" else name
    if model in NO_TOKEN_ENCODERS:
        raise InputError(None, f"{model} has no token embeddings: choose the word model e5-small")
    return f"{model}:tokens"


def _network(name: str, encoder_name: str, cache: CacheFolder) -> WordModel:
    """The uncached word model ``name`` stands for (see `word_model_name`)."""
    resolved = word_model_name(name, encoder_name)
    if resolved == "e5-small":
        return E5Words(cache.e5_model)
    model = resolved.removesuffix(":tokens")
    if model == "e5-small":  # its token embeddings: all 12 layers, "query: " prefix
        return E5Words(cache.e5_model, layer=E5_LAYERS)
    folder = find_offline(model)
    check_token_model(folder, model)
    return TransformerWords(folder, model_id=f"{model}|words")
