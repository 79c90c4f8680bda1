"""From candidates to passages: a Viterbi pass chains picks into runs (renderings come in
order), runs that pass the acceptance thresholds become passages, and repeated rounds with
the rows found masked report every copy of a quoted text."""

from __future__ import annotations

import numpy as np

from align.locate.config import LocateConfig
from align.locate.search import Candidates
from align.model import Passage


def find_passages(cands: Candidates, doc_of_row: np.ndarray, en_words: np.ndarray,
                  config: LocateConfig = LocateConfig(), bonus: np.ndarray | None = None) -> list[Passage]:
    """Passages of every search round; each round masks the rows found before it, so
    every copy of a quoted text is reported. Sorted by English then Russian start."""
    score = cands.margin + (0.0 if bonus is None else bonus)
    unmasked = score
    found: list[Passage] = []
    best_cosine: dict[int, float] = {}  # per English sentence, over the passages found so far
    for _ in range(config.rounds):
        new = _accepted(cands, score, doc_of_row, en_words, config)
        if not new:
            break
        for passage, cosines in new:
            # Another copy must match as well as the first one (same text), not merely
            # paraphrase it (another author on the same subject).
            shared = [j for j in cosines if j in best_cosine]
            if not shared or (np.mean([cosines[j] for j in shared])
                              >= np.mean([best_cosine[j] for j in shared]) - config.copy_tolerance):
                found.append(passage)
            score = np.where((cands.rows >= passage.ru_start) & (cands.rows < passage.ru_end), -np.inf, score)
        for _, cosines in new:
            for j, c in cosines.items():
                best_cosine[j] = max(best_cosine.get(j, -1.0), c)
    found += _returns(cands, unmasked, doc_of_row, en_words, found, config)
    return sorted(found, key=lambda p: (p.en_start, p.ru_start))


def _returns(cands: Candidates, score: np.ndarray, doc_of_row: np.ndarray, en_words: np.ndarray,
             found: list[Passage], config: LocateConfig) -> list[Passage]:
    """Lone English sentences outside the passages found whose candidate lies inside
    one of them (give or take ``context`` rows): the text returning to a document it
    renders ("Trotsky reports that Moscow newspapers were delivered ten days late")."""
    covered = {j for p in found for j in range(p.en_start, p.en_end)}
    spans = [(int(doc_of_row[p.ru_start]), p.ru_start - config.context, p.ru_end + config.context) for p in found]
    returns = []
    for j in range(len(cands.rows)):
        if j in covered or en_words[j] < config.single_words:
            continue
        for c, row in enumerate(cands.rows[j]):
            if (score[j, c] >= config.run_mean_margin and cands.cosine[j, c] >= config.region_cosine
                    and any(doc == doc_of_row[row] and start <= row < end for doc, start, end in spans)):
                returns.append(Passage(j, j + 1, int(row), int(row) + 1, float(score[j, c])))
                break
    return returns


def _accepted(cands: Candidates, score: np.ndarray, doc_of_row: np.ndarray, en_words: np.ndarray,
              config: LocateConfig) -> list[tuple[Passage, dict[int, float]]]:
    """One Viterbi pass; runs that pass the acceptance thresholds, with the cosine of
    each English sentence's pick."""
    picks = _viterbi(cands.rows, score, doc_of_row, config)
    passages = []
    for run in _runs(picks, cands.rows, doc_of_row, config):
        values = np.array([score[j, c] for j, c in run])
        # Short sentences (captions, headings) ride along but do not make a run.
        long_ = [i for i, (j, _) in enumerate(run) if en_words[j] >= config.single_words]
        if not long_:
            continue
        if len(long_) == 1:
            # Alone: it must stand on its own.
            best = max(long_, key=lambda i: values[i])
            j, c = run[best]
            quote = cands.quoted is not None and cands.quoted[j, c]
            if quote and (values[best] < config.quote_margin or cands.cosine[j, c] < config.quote_cosine):
                continue
            if not quote and (values[best] < config.single_margin or cands.cosine[j, c] < config.single_cosine):
                continue
        elif values.mean() < config.run_mean_margin or values[long_].max() < config.run_best_margin:
            continue
        run = _extend(run, cands.rows, score, doc_of_row, config)
        en = [j for j, _ in run]
        ru = [int(cands.rows[j, c]) for j, c in run]
        passage = Passage(min(en), max(en) + 1, min(ru), max(ru) + 1, float(values.mean()))
        passages.append((passage, {j: float(cands.cosine[j, c]) for j, c in run}))
    return passages


def _extend(run: list[tuple[int, int]], rows: np.ndarray, score: np.ndarray, doc_of_row: np.ndarray,
            config: LocateConfig) -> list[tuple[int, int]]:
    """Grow an accepted run by neighbouring English sentences whose candidate lies just
    before (after) its Russian start (end) in the same document, with a margin above
    ``extend_margin``: the opening or closing sentences of a quote the chaining left out."""
    for direction in (-1, 1):
        while True:
            j0, c0 = run[0] if direction < 0 else run[-1]
            j, edge = j0 + direction, rows[j0, c0]
            if not 0 <= j < len(rows):
                break
            step = (rows[j] - edge) * direction
            ok = ((doc_of_row[rows[j]] == doc_of_row[edge]) & (step >= 0) & (step <= config.skip_forward)
                  & (score[j] >= config.extend_margin))
            if not ok.any():
                break
            c = int(np.argmax(np.where(ok, score[j], -np.inf)))
            run = [(j, c)] + run if direction < 0 else run + [(j, c)]
    return run


def _viterbi(rows: np.ndarray, score: np.ndarray, doc_of_row: np.ndarray,
             config: LocateConfig) -> list[int | None]:
    """For each English sentence the picked candidate column, or None (no source)."""
    m, k = rows.shape
    emission = score - config.run_margin  # state c in 0..k-1; state k = no source
    total = np.zeros((m, k + 1))
    back = np.zeros((m, k + 1), dtype=np.int64)
    total[0, :k] = emission[0]
    for j in range(1, m):
        step = rows[j][None, :] - rows[j - 1][:, None]  # (prev, cur)
        same_doc = doc_of_row[rows[j]][None, :] == doc_of_row[rows[j - 1]][:, None]
        near = same_doc & (step >= -config.max_backward) & (step <= config.max_forward)
        far = same_doc & (step > config.max_forward) & (step <= config.skip_forward)
        trans = np.where(near, config.continuity, np.where(far, 0.0, -config.continuity))
        options = np.vstack([total[j - 1, :k, None] + trans, np.full((1, k), total[j - 1, k])])
        back[j, :k] = options.argmax(axis=0)
        total[j, :k] = options.max(axis=0) + emission[j]
        back[j, k] = int(total[j - 1].argmax())
        total[j, k] = total[j - 1].max()
    picks: list[int | None] = [None] * m
    state = int(total[-1].argmax())
    for j in range(m - 1, -1, -1):
        picks[j] = None if state == k else state
        state = int(back[j, state])
    return picks


def _runs(picks: list[int | None], rows: np.ndarray, doc_of_row: np.ndarray,
          config: LocateConfig) -> list[list[tuple[int, int]]]:
    """Group picks (English sentence, candidate column) into runs: same document, close
    in English order, and in Russian order within the skip distance."""
    runs: list[list[tuple[int, int]]] = []
    for j, c in enumerate(picks):
        if c is None:
            continue
        row = rows[j, c]
        if runs:
            last_j, last_c = runs[-1][-1]
            last_row = rows[last_j, last_c]
            if (j - last_j <= config.merge_gap_en + 1 and doc_of_row[row] == doc_of_row[last_row]
                    and -config.max_backward <= row - last_row <= config.skip_forward):
                runs[-1].append((j, c))
                continue
        runs.append([(j, c)])
    return runs


def merge_overlapping(passages: list[Passage], doc_of_row: np.ndarray, pad: int) -> list[Passage]:
    """Passages of one document whose padded English and Russian ranges both overlap
    become one (aligned once); copies elsewhere in the document stay apart."""
    merged: list[Passage] = []
    for p in sorted(passages, key=lambda p: (int(doc_of_row[p.ru_start]), p.ru_start)):
        last = merged[-1] if merged else None
        if (last is not None and doc_of_row[last.ru_start] == doc_of_row[p.ru_start]
                and p.ru_start < last.ru_end + 2 * pad and p.en_start < last.en_end + 2 * pad
                and last.en_start < p.en_end + 2 * pad):
            merged[-1] = Passage(min(last.en_start, p.en_start), max(last.en_end, p.en_end), last.ru_start,
                                 max(last.ru_end, p.ru_end), max(last.score, p.score))
        else:
            merged.append(p)
    return merged
