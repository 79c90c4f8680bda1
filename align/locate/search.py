"""Retrieval: the best Russian rows of each English sentence, margin-scored.

An exact (blocked) matrix product, or an approximate nearest-neighbour index (faiss IVF,
cached on disk) once the collection passes ``ann_threshold`` rows. Cosines become
ratio-margin scores (Artetxe & Schwenk 2019): a cosine divided by the mean cosine of both
sentences with their k nearest neighbours on the other side (near-identical Russian rows,
i.e. duplicates, count once), so a generic sentence on the same topic does not score like
a rendering.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from align.locate.config import LocateConfig


@dataclass(frozen=True)
class Candidates:
    """Best Russian rows per English sentence, with cosine and margin scores."""

    rows: np.ndarray  # (m, k) int, rows of the collection matrix
    cosine: np.ndarray  # (m, k)
    margin: np.ndarray  # (m, k)
    # Median similarity of the queries with their nearest Russian rows: the floor of a
    # Russian row's neighbourhood when the English text is too short to give one.
    typical_neighbour: float
    quoted: np.ndarray | None = None  # (m, k) bool: the hit of a quotation inside the sentence


class ExactSearch:
    """Top-k inner products by a blocked matrix product (bounded memory)."""

    def __init__(self, vectors: np.ndarray, block: int = 65536) -> None:
        self.vectors = vectors
        self.block = block

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        best_rows = np.zeros((len(queries), 0), dtype=np.int64)
        best_sims = np.zeros((len(queries), 0), dtype=np.float32)
        for start in range(0, len(self.vectors), self.block):
            sims = queries @ self.vectors[start:start + self.block].T
            kk = min(k, sims.shape[1])
            top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            best_rows = np.hstack([best_rows, top + start])
            best_sims = np.hstack([best_sims, np.take_along_axis(sims, top, axis=1)])
            if best_rows.shape[1] > k:
                keep = np.argpartition(-best_sims, k - 1, axis=1)[:, :k]
                best_rows = np.take_along_axis(best_rows, keep, axis=1)
                best_sims = np.take_along_axis(best_sims, keep, axis=1)
        return _sorted(best_rows, best_sims)


class AnnSearch:
    """faiss inverted-file index (inner product, flat lists), built once and cached."""

    def __init__(self, vectors: np.ndarray, index_dir: Path, probe: int) -> None:
        import faiss

        key = hashlib.blake2b(np.ascontiguousarray(vectors).data, digest_size=16).hexdigest()
        path = Path(index_dir) / f"ivf-{len(vectors)}-{key}.faiss"
        self.vectors, self.path, self.build_seconds = vectors, path, 0.0
        if path.exists():
            self.index = faiss.read_index(str(path))
        else:
            started = time.perf_counter()
            self.index = build_ivf(vectors)
            self.build_seconds = time.perf_counter() - started
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            faiss.write_index(self.index, str(partial))
            partial.replace(path)
        self.index.nprobe = probe

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims, rows = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return _sorted(rows.astype(np.int64), sims)


def build_ivf(vectors: np.ndarray, seed: int = 0):
    """IVF-flat index, about 2·sqrt(n) lists, k-means (10 rounds) on 40 sampled rows per list."""
    import faiss

    n, dim = vectors.shape
    lists = max(1, int(2 * np.sqrt(n)))
    sample = np.random.default_rng(seed).choice(n, size=min(n, 40 * lists), replace=False)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10
    index.train(np.ascontiguousarray(vectors[np.sort(sample)], dtype=np.float32))
    for start in range(0, n, 100_000):
        index.add(np.ascontiguousarray(vectors[start:start + 100_000], dtype=np.float32))
    return index


Search = ExactSearch | AnnSearch


def make_search(vectors: np.ndarray, config: LocateConfig, index_dir: Path) -> Search:
    """Exact search for small collections, an ANN index cached in ``index_dir`` past
    ``ann_threshold`` rows."""
    if len(vectors) <= config.ann_threshold:
        return ExactSearch(vectors)
    return AnnSearch(vectors, index_dir, config.ann_probe)


def _sorted(rows: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-sims, axis=1)
    return np.take_along_axis(rows, order, axis=1), np.take_along_axis(sims, order, axis=1)


def retrieve(en_vectors: np.ndarray, ru_vectors: np.ndarray, config: LocateConfig = LocateConfig(),
             search: Search | None = None, text: Candidates | None = None,
             text_vectors: np.ndarray | None = None) -> Candidates:
    """Top candidates of each English sentence in the collection, margin-scored.

    For queries that are quotations inside the sentences of an English text, pass the
    sentences' ``text_vectors`` and candidates (``text``): a Russian row is compared
    with the sentences of the text, and short quotations do not lower the floor."""
    search = search or ExactSearch(ru_vectors)
    rows, cos = search.search(en_vectors, min(config.candidates, len(ru_vectors)))
    valid = rows >= 0  # an ANN index may return fewer hits than asked
    rows, cos = np.where(valid, rows, 0), np.where(valid, cos, -1.0)
    # English side: mean of the k best cosines, each duplicate Russian text counted once.
    vecs = ru_vectors[rows]  # (m, k, d)
    pair = np.einsum("mkd,mld->mkl", vecs, vecs)
    dup = np.triu(pair > config.duplicate_cosine, 1).any(axis=1)  # a copy of a better-ranked row
    distinct = np.where(dup | ~valid, -np.inf, cos)
    kn = min(config.neighbours, rows.shape[1])
    top = -np.sort(-distinct, axis=1)[:, :kn]
    en_nn = np.where(np.isfinite(top), top, 0.0).sum(axis=1) / np.maximum(np.isfinite(top).sum(axis=1), 1)
    # Russian side: each candidate row against the English sentences of this text.
    text_vectors = en_vectors if text_vectors is None else text_vectors
    unique, inverse = np.unique(rows, return_inverse=True)
    back = ru_vectors[unique] @ text_vectors.T
    km = min(config.neighbours, len(text_vectors))
    ru_nn = -np.partition(-back, km - 1, axis=1)[:, :km].mean(axis=1)
    # A short English text gives few neighbours: floor at the text's typical English side.
    if text is None:
        typical = float(np.median(en_nn))
    else:  # a short quotation has few close neighbours: floor it at the text's sentences
        typical = text.typical_neighbour
        en_nn = np.maximum(en_nn, typical)
    ru_nn = np.maximum(ru_nn, typical)
    margin = cos / np.maximum((en_nn[:, None] + ru_nn[inverse.reshape(rows.shape)]) / 2, 1e-6)
    return Candidates(rows=rows, cosine=cos, margin=np.where(valid, margin, 0.0), typical_neighbour=typical)
