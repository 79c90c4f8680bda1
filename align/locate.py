"""Comparable-corpus mode: find the source passages that an English text renders.

1. Retrieval: every English sentence is compared with every sentence of the Russian
   collection; cosines become ratio-margin scores (Artetxe & Schwenk 2019): a
   cosine divided by the mean cosine of both sentences with their k nearest
   neighbours on the other side, so a generic sentence on the same topic does not
   score like a rendering.
2. Chaining: renderings come in runs, in order. A Viterbi pass over the English
   sentences picks for each one either "no source" or one of its best Russian
   candidates, rewarding a candidate that follows the previous pick closely in the
   same Russian document. Runs of picks become passages.
3. Each passage pair is then handed to the sentence aligner (see ``pipeline``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LocateConfig:
    candidates: int = 8
    neighbours: int = 4
    # A lone sentence counts as a rendering only with a high margin and cosine and
    # enough words (short captions match anything).
    single_margin: float = 1.36
    single_cosine: float = 0.6
    single_words: int = 5
    # A run of two or more counts when its mean and best margins are high enough.
    run_mean_margin: float = 1.18
    run_best_margin: float = 1.3
    # Margin above which a sentence inside a run counts (the run supports it).
    run_margin: float = 1.06
    # Reward for a pick that continues the previous one (same document, close after it).
    continuity: float = 0.12
    max_forward: int = 6
    max_backward: int = 1
    # Passages closer than this (English and Russian sentences) are merged.
    merge_gap_en: int = 2
    merge_gap_ru: int = 8
    # Sentences of context added on each side of a passage before it is aligned.
    context: int = 2
    # Links at the edges of an aligned passage below this cosine are dropped as context.
    edge_cosine: float = 0.45


@dataclass(frozen=True)
class Passage:
    """English sentences [en_start, en_end) render Russian rows [ru_start, ru_end)."""

    en_start: int
    en_end: int
    ru_start: int
    ru_end: int
    score: float


@dataclass(frozen=True)
class Candidates:
    """Best Russian rows per English sentence, with cosine and margin scores."""

    rows: np.ndarray  # (m, k) int, rows of the collection matrix
    cosine: np.ndarray  # (m, k)
    margin: np.ndarray  # (m, k)


def retrieve(en_vectors: np.ndarray, ru_vectors: np.ndarray, config: LocateConfig = LocateConfig()) -> Candidates:
    """Top candidates of each English sentence in the collection, margin-scored."""
    m, n = len(en_vectors), len(ru_vectors)
    k = min(config.candidates, n)
    kn = min(config.neighbours, n)
    sims = en_vectors @ ru_vectors.T  # (m, n): m is one document, n the collection
    rows = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    cos = np.take_along_axis(sims, rows, axis=1)
    order = np.argsort(-cos, axis=1)
    rows, cos = np.take_along_axis(rows, order, axis=1), np.take_along_axis(cos, order, axis=1)
    en_nn = -np.partition(-sims, kn - 1, axis=1)[:, :kn].mean(axis=1)
    km = min(config.neighbours, m)
    ru_nn = -np.partition(-sims, km - 1, axis=0)[:km].mean(axis=0)
    margin = cos / np.maximum((en_nn[:, None] + ru_nn[rows]) / 2, 1e-6)
    return Candidates(rows=rows, cosine=cos, margin=margin)


def find_passages(cands: Candidates, doc_of_row: np.ndarray, en_words: np.ndarray,
                  config: LocateConfig = LocateConfig()) -> list[Passage]:
    """Viterbi over English sentences (each picks one candidate row or nothing), then
    runs of picks that pass the acceptance thresholds become passages."""
    picks = _viterbi(cands, doc_of_row, config)
    passages = []
    for run in _runs(picks, doc_of_row, config):
        en = [j for j, _ in run]
        ru = [r for _, r in run]
        margins = np.array([cands.margin[j][cands.rows[j] == r].max() for j, r in run])
        if len(run) == 1:
            j, r = run[0]
            cosine = cands.cosine[j][cands.rows[j] == r].max()
            if (margins[0] < config.single_margin or cosine < config.single_cosine
                    or en_words[j] < config.single_words):
                continue
        elif margins.mean() < config.run_mean_margin or margins.max() < config.run_best_margin:
            continue
        passages.append(Passage(min(en), max(en) + 1, min(ru), max(ru) + 1, float(margins.mean())))
    return passages


def _viterbi(cands: Candidates, doc_of_row: np.ndarray, config: LocateConfig) -> list[int | None]:
    m, k = cands.rows.shape
    emission = cands.margin - config.run_margin  # state c in 0..k-1; state k = no source
    score = np.zeros((m, k + 1))
    back = np.zeros((m, k + 1), dtype=np.int64)
    score[0, :k] = emission[0]
    score[0, k] = 0.0
    for j in range(1, m):
        prev_rows, rows = cands.rows[j - 1], cands.rows[j]
        step = rows[None, :] - prev_rows[:, None]  # (prev, cur)
        same_doc = doc_of_row[rows][None, :] == doc_of_row[prev_rows][:, None]
        close = same_doc & (step >= -config.max_backward) & (step <= config.max_forward)
        trans = np.where(close, config.continuity, -config.continuity)  # (k, k)
        from_cands = score[j - 1, :k, None] + trans  # (k, k)
        from_none = np.full((1, k), score[j - 1, k])
        total = np.vstack([from_cands, from_none])  # (k+1, k)
        back[j, :k] = total.argmax(axis=0)
        score[j, :k] = total.max(axis=0) + emission[j]
        back[j, k] = int(score[j - 1].argmax())
        score[j, k] = score[j - 1].max()
    picks: list[int | None] = [None] * m
    state = int(score[-1].argmax())
    for j in range(m - 1, -1, -1):
        picks[j] = None if state == k else int(cands.rows[j, state])
        state = int(back[j, state])
    return picks


def _runs(picks: list[int | None], doc_of_row: np.ndarray, config: LocateConfig) -> list[list[tuple[int, int]]]:
    """Group picks into runs: same document, close in both English and Russian order."""
    runs: list[list[tuple[int, int]]] = []
    for j, row in enumerate(picks):
        if row is None:
            continue
        if runs:
            last_j, last_row = runs[-1][-1]
            if (j - last_j <= config.merge_gap_en + 1 and doc_of_row[row] == doc_of_row[last_row]
                    and -config.max_backward <= row - last_row <= config.merge_gap_ru):
                runs[-1].append((j, row))
                continue
        runs.append([(j, row)])
    return runs
