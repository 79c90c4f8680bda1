"""Comparable-corpus mode: find the source passages that an English text renders.

1. Retrieval: the best Russian rows of each English sentence, from an exact
   (blocked) matrix product, or from an approximate nearest-neighbour index
   (faiss IVF, cached on disk) once the collection passes ``ann_threshold`` rows.
   Cosines become ratio-margin scores (Artetxe & Schwenk 2019): a cosine divided by
   the mean cosine of both sentences with their k nearest neighbours on the other
   side (near-identical Russian rows, i.e. duplicates, count once), so a generic
   sentence on the same topic does not score like a rendering.
2. Evidence: numbers and names (transliterated) shared or contradicted, and length
   agreement, adjust each candidate's score.
3. Chaining: renderings come in runs, in order. A Viterbi pass over the English
   sentences picks for each one either "no source" or one of its candidates,
   rewarding a candidate that follows the previous pick in the same document.
   Runs of picks that pass the acceptance thresholds become passages.
4. Duplicates: the Russian rows of accepted passages are masked and the search is
   repeated, so a text quoted twice in the collection yields a passage per copy.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class LocateConfig:
    candidates: int = 8
    neighbours: int = 4
    # Near-identical Russian rows (cosine above this) count once among the neighbours.
    duplicate_cosine: float = 0.93
    # Evidence weights, added to the margin: shared/contradicted numbers, shared names,
    # length agreement (log2(1 + short/long) - 1, in [-1, 0]).
    number_weight: float = 0.08
    name_weight: float = 0.05
    length_weight: float = 0.1
    # A lone sentence counts as a rendering only with a high margin and cosine and
    # enough words (short captions match anything).
    single_margin: float = 1.36
    single_cosine: float = 0.7
    single_words: int = 5
    # A lone quotation ("Trotsky wrote: “...”") claims to render something: its own
    # search hit counts at a lower bar.
    quote_margin: float = 1.25
    quote_cosine: float = 0.6
    # A lone sentence whose candidate lies inside (or within ``context`` rows of) a
    # passage the text already renders counts at the run bar and this cosine: the
    # text comes back to a document it quotes.
    region_cosine: float = 0.6
    # A run of two or more counts when its mean and best margins are high enough.
    run_mean_margin: float = 1.18
    run_best_margin: float = 1.3
    # Margin above which a sentence inside a run counts (the run supports it).
    run_margin: float = 1.06
    # Reward for a pick that continues the previous one in the same document within
    # max_forward rows; no penalty within skip_forward (abridged quotes), else a penalty.
    continuity: float = 0.12
    max_forward: int = 6
    skip_forward: int = 40
    max_backward: int = 1
    # An accepted run grows by neighbouring sentences whose candidate, within
    # skip_forward rows of its edge, has at least this margin.
    extend_margin: float = 0.95
    # Picks closer than this (English sentences) join one run.
    merge_gap_en: int = 2
    # Search rounds: each round masks the rows already found, to report every copy.
    rounds: int = 3
    # A later copy of an English passage must match within this cosine of the first.
    copy_tolerance: float = 0.04
    # Sentences of context added on each side of a passage before it is aligned.
    context: int = 2
    # Links at the edges of an aligned passage below this cosine are dropped as context.
    edge_cosine: float = 0.45
    # Collections with more rows than this are searched through a cached ANN index.
    ann_threshold: int = 200_000
    ann_probe: int = 32


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

    def __init__(self, vectors: np.ndarray, cache_dir: Path, probe: int) -> None:
        import faiss

        key = hashlib.blake2b(np.ascontiguousarray(vectors).data, digest_size=16).hexdigest()
        path = Path(cache_dir) / "index" / f"ivf-{len(vectors)}-{key}.faiss"
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


def make_search(vectors: np.ndarray, config: LocateConfig, cache_dir: Path) -> ExactSearch | AnnSearch:
    """Exact search for small collections, a cached ANN index (in ``cache_dir / "index"``) past
    ``ann_threshold`` rows."""
    if len(vectors) <= config.ann_threshold:
        return ExactSearch(vectors)
    return AnnSearch(vectors, cache_dir, config.ann_probe)


def _sorted(rows: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-sims, axis=1)
    return np.take_along_axis(rows, order, axis=1), np.take_along_axis(sims, order, axis=1)


def retrieve(en_vectors: np.ndarray, ru_vectors: np.ndarray, config: LocateConfig = LocateConfig(),
             search: ExactSearch | AnnSearch | None = None, text: Candidates | None = None,
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


_QUOTE_PAIRS = {"“": "”", "«": "»", '"': '"', "„": "“"}


def quotations(text: str, min_words: int = 6, max_share: float = 0.8) -> list[str]:
    """Quoted passages inside a sentence ("Trotsky wrote: “...”"), worth searching on
    their own: the narrative frame around a quotation dilutes the sentence embedding.
    A quotation left open runs to the end of the sentence (it continues in the next
    one). Scare quotes (fewer than ``min_words`` words) and quotations that are almost
    the whole sentence are skipped."""
    found, i = [], 0
    total = len(text.split())
    while i < len(text):
        close = _QUOTE_PAIRS.get(text[i])
        # A straight quote opens only after a space or punctuation and before a word.
        opens = close is not None and (close != text[i] or (
            (i == 0 or text[i - 1] in " ([:—–-") and i + 1 < len(text) and not text[i + 1].isspace()))
        if not opens:
            i += 1
            continue
        end = text.find(close, i + 1)
        end = len(text) if end < 0 else end
        quote = text[i + 1:end].strip(" ,.:;-–—")
        words = len(quote.split())
        if words >= min_words and words <= max_share * total:
            found.append(quote)
        i = end + 1
    return found


def with_quotations(cands: Candidates, score: np.ndarray, quote_cands: Candidates, quote_score: np.ndarray,
                    owner: np.ndarray) -> tuple[Candidates, np.ndarray]:
    """Add the candidates of quotations (quotation ``i`` lies in English sentence
    ``owner[i]``) to those of their sentences: per sentence, each Russian row keeps its
    best score (and is marked quoted when a quotation found it), and the best ``k`` rows stay."""
    rows, cosine, margin, best = cands.rows.copy(), cands.cosine.copy(), cands.margin.copy(), score.copy()
    quoted = np.zeros(rows.shape, dtype=bool)
    k = rows.shape[1]
    for j in np.unique(owner):
        pool: dict[int, tuple[float, float, float, bool]] = {}  # row -> (score, cosine, margin, quoted)
        sources = [(cands, score, j, False)] + [(quote_cands, quote_score, i, True)
                                                for i in np.flatnonzero(owner == j)]
        for source, values, at, is_quote in sources:
            for c, row in enumerate(source.rows[at]):
                entry = (float(values[at, c]), float(source.cosine[at, c]), float(source.margin[at, c]), is_quote)
                known = pool.get(int(row))
                if known is None or entry[0] > known[0]:
                    pool[int(row)] = entry[:3] + (is_quote or (known is not None and known[3]),)
                elif is_quote:
                    pool[int(row)] = known[:3] + (True,)
        top = sorted(pool.items(), key=lambda item: -item[1][0])[:k]
        for c, (row, (value, cos, mar, is_quote)) in enumerate(top):
            rows[j, c], best[j, c], cosine[j, c], margin[j, c], quoted[j, c] = row, value, cos, mar, is_quote
    return Candidates(rows, cosine, margin, cands.typical_neighbour, quoted), best


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"]))


def numbers(text: str) -> frozenset[str]:
    """Figures of a sentence, thousands separators and decimal marks ignored."""
    return frozenset(n.replace(",", "").replace(".", "") for n in _NUMBER.findall(text.replace("\u00a0", "")))


def names(text: str) -> frozenset[str]:
    """Capitalised words (not the first) as 4-letter Latin keys, Cyrillic transliterated."""
    words = _WORD.findall(text)[1:]
    keys = set()
    for word in words:
        if len(word) >= 4 and word[0].isupper():
            latin = "".join(_CYRILLIC.get(c, c) for c in word.lower())
            keys.add(latin.replace("y", "i").replace("j", "i")[:4])
    return frozenset(keys)


def evidence(en_texts: list[str], ru_text, rows: np.ndarray, config: LocateConfig = LocateConfig()) -> np.ndarray:
    """Score adjustment per candidate from numbers, names and length (``ru_text(row)`` -> str)."""
    bonus = np.zeros(rows.shape)
    for j, text in enumerate(en_texts):
        en_num, en_names, en_len = numbers(text), names(text), max(len(text), 1)
        for c, row in enumerate(rows[j]):
            other = ru_text(int(row))
            ru_num = numbers(other)
            if en_num and ru_num:
                bonus[j, c] += config.number_weight * (1 if en_num & ru_num else -1)
            if en_names & names(other):
                bonus[j, c] += config.name_weight
            short, long_ = sorted((en_len, max(len(other), 1)))
            bonus[j, c] += config.length_weight * (np.log2(1 + short / long_) - 1)
    return bonus


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
