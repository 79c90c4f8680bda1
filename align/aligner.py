"""Sentence alignment: coarse-to-fine banded dynamic programming over sentence vectors.

The aligner sees only L2-normalised sentence vectors, sentence lengths and paragraph
ids. A link of ``a`` source and ``b`` target sentences is scored by the cosine of the
normalised *sums* of their vectors (merges are composed from single-sentence vectors,
so every sentence is embedded once), made relative to each sentence's nearest
neighbours (margin), times a length-agreement factor, minus small penalties for
merges and for merges across paragraph boundaries. Each unlinked sentence (1-0,
0-1) costs a fixed penalty. The path maximising the summed link values is found first on
downsampled documents (vectors of neighbouring sentences averaged), then refined in
a narrow band around the coarse path at each finer level, so time and memory grow
linearly with document length (as in Vecalign).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from align.model import Link


@dataclass(frozen=True)
class AlignConfig:
    """Tunable parameters of the aligner (one default for every language pair)."""

    max_per_side: int = 3
    band: int = 10
    coarse_size: int = 600
    neighbours: int = 4
    merge_penalty: float = 0.015
    paragraph_penalty: float = 0.08
    # Value of a 1-0 or 0-1 link (per sentence left unlinked); measured on Text+Berg dev.
    skip_penalty: float = 0.08


@dataclass(frozen=True)
class Side:
    """What the aligner needs of one side: vectors, char lengths, paragraph ids."""

    vectors: np.ndarray
    lengths: np.ndarray
    paragraphs: np.ndarray

    @classmethod
    def of(cls, vectors: np.ndarray, lengths=None, paragraphs=None) -> "Side":
        n = len(vectors)
        return cls(
            vectors=np.asarray(vectors, dtype=np.float32),
            lengths=np.ones(n) if lengths is None else np.asarray(lengths, dtype=np.float64),
            paragraphs=np.zeros(n, dtype=np.int64) if paragraphs is None else np.asarray(paragraphs),
        )


def link_types(max_per_side: int) -> list[tuple[int, int]]:
    """Allowed (source, target) sizes: 1-0, 0-1, 1-n, n-1 up to the maximum, and 2-2."""
    types = [(1, 0), (0, 1)]
    for a in range(1, max_per_side + 1):
        for b in range(1, max_per_side + 1):
            if a == 1 or b == 1 or (a == 2 and b == 2):
                types.append((a, b))
    return types


def align_vectors(src: Side, tgt: Side, config: AlignConfig = AlignConfig()) -> list[Link]:
    """Align two sides; every sentence ends up in exactly one link, links in order."""
    n, m = len(src.vectors), len(tgt.vectors)
    if n == 0 or m == 0:
        return [Link((i,), (), 0.0) for i in range(n)] + [Link((), (j,), 0.0) for j in range(m)]
    lo, hi = _band_from_coarse(src.vectors, tgt.vectors, config)
    return _BandedAligner(src, tgt, lo, hi, config).run()


def _downsample(vectors: np.ndarray) -> np.ndarray:
    """Average consecutive pairs of vectors (the last one alone if odd), renormalised."""
    n = len(vectors)
    pairs = vectors[: n - n % 2].reshape(-1, 2, vectors.shape[1]).sum(axis=1)
    if n % 2:
        pairs = np.vstack([pairs, vectors[-1:]])
    return _normalise(pairs)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _band_from_coarse(src: np.ndarray, tgt: np.ndarray, config: AlignConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise target range [lo, hi] to search, from an alignment of halved documents."""
    n, m = len(src), len(tgt)
    if n <= config.coarse_size and m <= config.coarse_size:
        return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    coarse_src, coarse_tgt = _downsample(src), _downsample(tgt)
    coarse_config = replace(config, max_per_side=2, paragraph_penalty=0.0)
    lo_c, hi_c = _band_from_coarse(coarse_src, coarse_tgt, coarse_config)
    coarse_links = _BandedAligner(Side.of(coarse_src), Side.of(coarse_tgt), lo_c, hi_c, coarse_config).run()
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    i = j = 0
    for link in coarse_links:
        i2, j2 = i + len(link.src), j + len(link.tgt)
        rows = slice(min(2 * i, n), min(2 * i2, n) + 1)
        lo[rows] = np.minimum(lo[rows], min(2 * j, m))
        hi[rows] = np.maximum(hi[rows], min(2 * j2, m))
        i, j = i2, j2
    lo = np.maximum.accumulate(np.clip(lo - config.band, 0, m))
    hi = np.minimum.accumulate(np.clip(hi + config.band, 0, m)[::-1])[::-1]
    lo[0], hi[-1] = 0, m
    return lo, np.maximum(hi, lo)


class _BandedAligner:
    """Dynamic programming inside a band: row i (source prefix) covers targets lo[i]..hi[i]."""

    def __init__(self, src: Side, tgt: Side, lo: np.ndarray, hi: np.ndarray, config: AlignConfig):
        self.src, self.tgt, self.config = src, tgt, config
        self.n, self.m = len(src.vectors), len(tgt.vectors)
        self.k = config.max_per_side
        self.types = link_types(config.max_per_side)
        # Widen so every cell a link can start from is inside its own row's band.
        self.lo = np.maximum(lo - self.k, 0)
        self.hi = np.minimum(hi, self.m)
        self.lo = np.minimum(self.lo, self.hi)
        # Keep the band connected: row i must reach the first column of row i+1.
        self.hi[:-1] = np.maximum(self.hi[:-1], self.lo[1:])
        self._similarities()
        self._norms()
        self._length_ratio = _length_ratio(src.lengths, tgt.lengths)

    def _similarities(self) -> None:
        """Cosines of source sentence p (row p+1's band) with targets, plus cumulative sums."""
        n = self.n
        # Source sentence p is used by rows p+1 .. p+k; its targets lie in [lo[p+1]-k, hi[p+k]].
        self.sim_lo = np.maximum(self.lo[1:] - self.k, 0)
        sim_hi = np.minimum(self.hi[np.minimum(np.arange(1, n + 1) + self.k - 1, n)], self.m)
        sim_width = int((sim_hi - self.sim_lo).max()) + 1
        self.sim = np.zeros((n, sim_width), dtype=np.float32)
        cols = self.sim_lo[:, None] + np.arange(sim_width)[None, :]
        valid = cols < self.m
        cols_clipped = np.minimum(cols, self.m - 1)
        for start in range(0, n, 512):
            rows = slice(start, min(start + 512, n))
            block = np.einsum("rd,rcd->rc", self.src.vectors[rows], self.tgt.vectors[cols_clipped[rows]])
            self.sim[rows] = np.where(valid[rows], block, 0.0)
        self.sim_cum = np.concatenate([np.zeros((n, 1), np.float32), np.cumsum(self.sim, axis=1)], axis=1)
        self._neighbour_means(valid)

    def _neighbour_means(self, valid: np.ndarray) -> None:
        """Mean of each sentence's k best cosines on the other side (the margin baseline)."""
        kn = self.config.neighbours
        masked = np.where(valid, self.sim, -np.inf)
        kth = min(kn, masked.shape[1])
        top = -np.sort(-masked, axis=1)[:, :kth]
        top = np.where(np.isfinite(top), top, np.nan)
        self.src_nn = np.nan_to_num(np.nanmean(top, axis=1), nan=0.0)
        tgt_nn = np.full(self.m, -np.inf)
        tgt_best = np.full((self.m, kn), -np.inf)
        rows, cols = np.nonzero(valid)
        values = self.sim[rows, cols]
        targets = self.sim_lo[rows] + cols
        order = np.lexsort((-values, targets))
        targets, values = targets[order], values[order]
        starts = np.searchsorted(targets, np.arange(self.m))
        ends = np.searchsorted(targets, np.arange(self.m), side="right")
        for j in range(self.m):
            chosen = values[starts[j]: min(ends[j], starts[j] + kn)]
            if len(chosen):
                tgt_best[j, : len(chosen)] = chosen
                tgt_nn[j] = chosen.mean()
        self.tgt_nn = np.where(np.isfinite(tgt_nn), tgt_nn, 0.0)
        self.src_nn_cum = np.concatenate([[0.0], np.cumsum(self.src_nn)])
        self.tgt_nn_cum = np.concatenate([[0.0], np.cumsum(self.tgt_nn)])

    def _norms(self) -> None:
        """Norm of the sum of each run of up to k consecutive vectors, per side."""
        self.src_norm = _run_norms(self.src.vectors, self.k)
        self.tgt_norm = _run_norms(self.tgt.vectors, self.k)
        self.src_len_cum = np.concatenate([[0.0], np.cumsum(self.src.lengths)])
        self.tgt_len_cum = np.concatenate([[0.0], np.cumsum(self.tgt.lengths)])

    def _block_dot(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        """Sum of cosines between sources i-a..i-1 and targets j-b..j-1, for each j in js."""
        total = np.zeros(len(js), dtype=np.float64)
        for p in range(i - a, i):
            c_hi = js - self.sim_lo[p]
            c_lo = c_hi - b
            total += self.sim_cum[p, c_hi] - self.sim_cum[p, c_lo]
        return total

    def _values(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        """Value of the link (sources i-a..i-1, targets j-b..j-1) for each end column j."""
        cfg = self.config
        cos = self._block_dot(i, a, js, b) / (self.src_norm[a][i - a] * self.tgt_norm[b][js - b])
        nn = 0.5 * ((self.src_nn_cum[i] - self.src_nn_cum[i - a]) / a
                    + (self.tgt_nn_cum[js] - self.tgt_nn_cum[js - b]) / b)
        src_len = (self.src_len_cum[i] - self.src_len_cum[i - a]) * self._length_ratio
        tgt_len = self.tgt_len_cum[js] - self.tgt_len_cum[js - b]
        agreement = np.log2(1.0 + np.minimum(src_len, tgt_len) / np.maximum(np.maximum(src_len, tgt_len), 1e-9))
        value = (cos - nn) * agreement
        if (a, b) != (1, 1):
            value -= cfg.merge_penalty * (a + b - 2)
        if cfg.paragraph_penalty:
            crossings = float(self.src.paragraphs[i - 1] != self.src.paragraphs[i - a])
            tgt_par = self.tgt.paragraphs
            crossings = crossings + (tgt_par[js - 1] != tgt_par[js - b])
            value -= cfg.paragraph_penalty * crossings
        return value

    def run(self) -> list[Link]:
        n = self.n
        neg = -np.inf
        score = [np.full(self.hi[i] - self.lo[i] + 1, neg) for i in range(n + 1)]
        back = [np.full(self.hi[i] - self.lo[i] + 1, -1, dtype=np.int8) for i in range(n + 1)]
        for i in range(n + 1):
            js = np.arange(self.lo[i], self.hi[i] + 1)
            row, row_back = score[i], back[i]
            if i == 0:
                row[js == 0] = 0.0
            for t, (a, b) in enumerate(self.types):
                if a > i:
                    continue
                if a == 0:
                    continue  # 0-1 links are handled along the row below
                prev_lo, prev_hi = self.lo[i - a], self.hi[i - a]
                jp = js - b
                ok = (jp >= prev_lo) & (jp <= prev_hi)
                if not ok.any():
                    continue
                cand = np.full(len(js), neg)
                prev = score[i - a][jp[ok] - prev_lo]
                cand[ok] = prev + (self._values(i, a, b, js[ok]) if b else -self.config.skip_penalty)
                better = cand > row
                row[better], row_back[better] = cand[better], t
            # 0-1 links: a running maximum along the row (value 0 each).
            # 0-1 links: row[c] = max(row[c], row[c-1] - skip), as one running maximum.
            ramp = self.config.skip_penalty * np.arange(len(js))
            running = np.maximum.accumulate(row + ramp) - ramp
            from_left = running > row + 1e-9  # tolerance: the ramp round trip is inexact
            row_back[from_left] = self.types.index((0, 1))
            row[from_left] = running[from_left]
        return self._trace(score, back)

    def _trace(self, score: list[np.ndarray], back: list[np.ndarray]) -> list[Link]:
        links: list[Link] = []
        i, j = self.n, self.m
        while i > 0 or j > 0:
            a, b = self.types[int(back[i][j - self.lo[i]])]
            src_ids = tuple(range(i - a, i))
            tgt_ids = tuple(range(j - b, j))
            links.append(Link(src_ids, tgt_ids, self._cosine(i, a, j, b)))
            i, j = i - a, j - b
        links.reverse()
        return links

    def _cosine(self, i: int, a: int, j: int, b: int) -> float:
        if a == 0 or b == 0:
            return 0.0
        src_sum = self.src.vectors[i - a:i].sum(axis=0)
        tgt_sum = self.tgt.vectors[j - b:j].sum(axis=0)
        return float(src_sum @ tgt_sum / (np.linalg.norm(src_sum) * np.linalg.norm(tgt_sum) + 1e-12))


def _length_ratio(src_lengths: np.ndarray, tgt_lengths: np.ndarray, prior: float = 10.0) -> float:
    """Target/source length ratio of the document, shrunk towards 1 for short documents."""
    ratio = max(tgt_lengths.sum(), 1.0) / max(src_lengths.sum(), 1.0)
    size = min(len(src_lengths), len(tgt_lengths))
    return float(np.exp(np.log(ratio) * size / (size + prior)))


def _run_norms(vectors: np.ndarray, k: int) -> dict[int, np.ndarray]:
    """norms[a][i] = |v_i + ... + v_{i+a-1}| for every start i (0 beyond the end)."""
    n = len(vectors)
    norms: dict[int, np.ndarray] = {0: np.ones(n + 1)}
    running = np.zeros_like(vectors, dtype=np.float64)
    for a in range(1, k + 1):
        full = np.ones(n + 1)
        if a <= n:
            running = running[: n - a + 1] + vectors[a - 1:].astype(np.float64)
            full[: n - a + 1] = np.linalg.norm(running, axis=1)
        norms[a] = np.maximum(full, 1e-9)
    return norms
