"""Sentence alignment: coarse-to-fine banded dynamic programming over sentence vectors.

The aligner sees L2-normalised sentence vectors, sentence lengths and paragraph ids.
A link of ``a`` source and ``b`` target sentences is scored by the cosine of the
normalised *sums* of their vectors (merges are composed from single-sentence vectors,
so every sentence is embedded once), made relative to each sentence's nearest
neighbours (margin) and divided by the document's typical best margin (so scores
are scale-free across encoders), times a length-agreement factor, minus small
penalties for merges and for merges across paragraph boundaries, plus a bonus per
anchor pair inside the link (a number or name that two sentences share and no other
sentence near either has). Each unlinked sentence (1-0, 0-1) costs a penalty in the
same units, more inside a paragraph (or, without paragraphs, a quotation or dialogue
turn) than for a whole paragraph left out, weighed by how free the translation is
(its median best margin): a free translation is weakly similar everywhere, so a weak
match there is no evidence of an omission. The best path is found
first on downsampled documents, then refined in a narrow band around the coarse
path at each finer level, so time and memory grow linearly (as in Vecalign).
Given an encoder callback, each unlinked sentence of the first path is re-scored as
part of its neighbouring link with a real embedding of the joined text, and so is any
close call between two neighbouring links and their merge (either way round); then
the DP runs again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from align.model import Link, Sentence
from align.text import DIGITS_RE, LETTERS_RE, is_capitalised

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class AlignConfig:
    """Tunable parameters of the aligner (one default for every language pair)."""

    max_per_side: int = 5
    band: int = 10
    coarse_size: int = 600
    neighbours: int = 4
    # Penalties are in units of the document's typical best margin (see `_scale`).
    merge_penalty: float = 0.25
    # Merge bonus per continuation cue at a boundary inside a merge (see `continuations`).
    continuation_bonus: float = 0.25
    # Count a bracket left open and closed by a following sentence as two cues.
    bracket_cues: bool = True
    paragraph_penalty: float = 2.0
    skip_penalty: float = 0.2
    # Extra cost of leaving unlinked a sentence that shares its paragraph with others, when
    # both sides have paragraphs: translators drop whole paragraphs, while a sentence
    # missing inside a translated paragraph is nearly always merged into a neighbour's
    # rendering by a free translation. 0 switches it off.
    paragraph_skip_penalty: float = 0.5
    # Cost of a link that starts a paragraph on one side but not on the other, times the
    # agreement of the two sides' paragraph counts (fewer / more): paragraphs that match in
    # number are rendered one by one, so their starts coincide. 0 switches it off.
    paragraph_start_penalty: float = 0.5
    # Without paragraphs, the sentences of one quotation or dialogue turn (`speech_units`)
    # stand in for a paragraph in the cost of leaving a sentence out, with this extra cost
    # (weaker evidence than a paragraph: a faithful translation may drop a quoted sentence).
    speech_units: bool = True
    speech_skip_penalty: float = 0.25
    dash_turns: bool = True
    # Without paragraphs, the cost of a link that opens a speech turn (a line led by a
    # dialogue dash or an opening quote) on one side but not on the other, times the
    # agreement of the two sides' numbers of turns. 0 switches it off.
    turn_start_penalty: float = 0.5
    # The four structure costs above weigh fully in a document whose median best margin
    # (cosine) is at most `free_margin` (a free translation), not at all from `close_margin`
    # (a close one), linearly between. close_margin <= free_margin: always fully.
    free_margin: float = 0.2
    close_margin: float = 0.4
    # A 1-1 link is worth at least a 1-0 plus a 0-1 plus this: a sentence put in place of
    # another is a mistranslation (flagged as such), not an omission and an addition.
    substitution_margin: float = 0.15
    scale_free: bool = True
    # Least unit (cosine): an encoder that barely tells a sentence's match from its
    # neighbours (e5-small on Icelandic) would otherwise turn noise into confident values.
    min_scale: float = 0.15
    # Compose a merge as the sum of its sentence vectors weighted by length ** power: the
    # embedding of a joined text leans towards its longer part (0 = plain sum).
    length_power: float = 0.25
    # Subtract each side's mean vector (documents of at least this many sentences on
    # both sides; short passages have no meaningful mean). 0 switches centring off.
    centre_min_sentences: int = 10
    # Re-score merges near the first path with real embeddings when `embed` is given.
    recheck: bool = True
    # The re-check also embeds two neighbouring links joined when their merge is valued
    # within this of the two apart (a 2-2 whose sides split the content at different
    # points looks like two weak 1-1 links to composed vectors). Negative: off.
    recheck_close: float = 0.2
    # The re-check also embeds a link of the path with two or more sentences on each side
    # when its best split into two links is valued within `recheck_close` of it (the
    # same close call, the other way round).
    recheck_splits: bool = True
    # An unlinked sentence shorter than this (characters) is left to the composed value:
    # a joined text's embedding all but ignores a short piece ("24 a !", "Literatur :"),
    # so the real cosine cannot say whether the piece belongs to its neighbour.
    recheck_min_chars: int = 12
    # Value of each anchor pair inside a link: two sentences sharing a number or name that
    # no other sentence within `anchor_window` on either side has (see `anchor_pairs`).
    # 0 switches anchors off.
    anchor_bonus: float = 1.0
    anchor_window: int = 5


@dataclass(frozen=True)
class Side:
    """What the aligner needs of one side: vectors, char lengths, paragraph ids."""

    vectors: np.ndarray
    lengths: np.ndarray
    paragraphs: np.ndarray
    # Cues (0, 1 or 2) that sentence k runs on into sentence k+1 (see `continuations`).
    joins: np.ndarray

    @classmethod
    def of_sentences(cls, vectors: np.ndarray, sentences: Sequence[Sentence]) -> Side:
        """The side of sentences with their vectors: lengths in characters, paragraph ids."""
        return cls.of(vectors, [len(s.text) for s in sentences], [s.paragraph for s in sentences])

    @classmethod
    def of(cls, vectors: np.ndarray, lengths=None, paragraphs=None, joins=None) -> Side:
        n = len(vectors)
        return cls(
            vectors=np.asarray(vectors, dtype=np.float32),
            lengths=np.ones(n) if lengths is None else np.asarray(lengths, dtype=np.float64),
            paragraphs=np.zeros(n, dtype=np.int64) if paragraphs is None else np.asarray(paragraphs),
            joins=np.zeros(n) if joins is None else np.asarray(joins, dtype=np.float64),
        )


_OPEN_END = re.compile(r"[,;:\-\u2013\u2014]\s*$")
_LOWER_START = re.compile(r"^\W*[^\W\d_]", re.UNICODE)


def continuations(texts: Sequence[str], brackets: bool = True) -> np.ndarray:
    """Per sentence, how many cues say it runs on into the next one: it ends in a comma,
    semicolon, colon or dash; the next one starts with a lower-case letter. Both mark a
    clause that a segmenter split off, which translations often keep in one sentence.
    With ``brackets``, a bracket left open and closed within the next 4 sentences counts
    as two cues at each boundary up to the closing one (a reference or aside split at an
    abbreviation: ``( « Alpine Journal » No .`` | ``293 , Nov .`` | ``1956 ) .``)."""
    joins = np.zeros(len(texts))
    for k in range(len(texts) - 1):
        first = _LOWER_START.match(texts[k + 1])
        joins[k] = bool(_OPEN_END.search(texts[k])) + bool(first and first.group()[-1].islower())
    if brackets:
        joins += 2 * _inside_brackets(texts)
    return joins


def _inside_brackets(texts: Sequence[str], reach: int = 4) -> np.ndarray:
    """1 for each sentence that leaves a bracket open which one of the next ``reach``
    sentences closes (an unclosed bracket, e.g. a scanning error, marks nothing)."""
    net = [t.count("(") + t.count("[") - t.count(")") - t.count("]") for t in texts]
    inside = np.zeros(len(texts))
    for k in range(len(texts)):
        depth, end = net[k], k
        while depth > 0 and end < min(k + reach, len(texts) - 1):
            end += 1
            depth += net[end]
        if depth <= 0:
            inside[k:end] = 1.0
    return inside


_QUOTES = "\"'«»“”„‘’‹›"
_QUOTE_MARK = re.compile(f"[{re.escape(_QUOTES)}]")
_DIALOGUE_DASH = re.compile(r"^\s*(?:--|\u2014)")
_SPEECH_MAX = 8  # sentences of one speech unit at most (an unbalanced quote must not run on)


def _quote_balance(text: str) -> int:
    """Quotes opened minus quotes closed in ``text``, each mark read by its context (a mark
    after a space or at the start, before a non-space, opens; one after a non-space, before
    a space, punctuation or the end, closes; one between letters is an apostrophe)."""
    balance = 0
    for mark in _QUOTE_MARK.finditer(text):
        k = mark.start()
        before = text[k - 1] if k else " "
        after = text[k + 1] if k + 1 < len(text) else " "
        if before.isalnum() and after.isalnum():
            continue
        if (before.isspace() or before in "([\u2014\u2013-") and not after.isspace():
            balance += 1
        elif not before.isspace() and (after.isspace() or not after.isalnum()):
            balance -= 1
    return balance


def opens_turn(text: str) -> bool:
    """Whether a sentence opens a speech turn: led by a dialogue dash or an opening quote."""
    return bool(_DIALOGUE_DASH.match(text)) or (text.lstrip()[:1] in _QUOTES and _quote_balance(text[:2]) > 0)


def speech_units(texts: Sequence[str], dash_turns: bool = True) -> np.ndarray:
    """Unit ids of one-sentence-per-line text without paragraphs: the sentences of one
    quotation (from the one that opens it to the one that closes it) share a unit, and
    with ``dash_turns`` so do a line opening with a dialogue dash (``-- Ну что? -- сказал
    он.``) and the lines after it up to the next dash or quotation; any other sentence is
    a unit of its own. A speech unit holds at most `_SPEECH_MAX` sentences."""
    units = np.zeros(len(texts), dtype=np.int64)
    unclosed = []  # units ended with a quote still open: not speech after all (a stray mark)
    unit, depth, turn, size = -1, 0, False, 0
    for k, text in enumerate(texts):
        opens_turn = bool(_DIALOGUE_DASH.match(text))
        starts_quote = text.lstrip()[:1] in _QUOTES
        carry = depth > 0 or (dash_turns and turn and not opens_turn and not starts_quote)
        if not carry or size >= _SPEECH_MAX:
            if depth > 0:
                unclosed.append(unit)
            unit, size, depth, turn = unit + 1, 0, 0, False
        turn = turn or opens_turn
        depth = max(depth + _quote_balance(text), 0)
        units[k] = unit
        size += 1
    if depth > 0:
        unclosed.append(unit)
    alone = np.isin(units, unclosed)
    units[alone] = len(texts) + np.flatnonzero(alone)  # ids no other sentence has
    return units


_ANCHOR_TOKEN = re.compile(f"{DIGITS_RE.pattern}|{LETTERS_RE.pattern}")
_ANCHOR_DIGITS = 2  # a figure anchors from two digits ("3" is too common)
_ANCHOR_LETTERS = 4  # a capitalised word from four letters ("The", "Am" are not names)


def anchor_tokens(text: str) -> set[str]:
    """Tokens that count or name something: runs of 2+ digits, capitalised words of 4+ letters,
    compared as written (between Cyrillic and Latin only figures and Latin-script names anchor)."""
    return {t for t in _ANCHOR_TOKEN.findall(text)
            if len(t) >= (_ANCHOR_DIGITS if t.isdigit() else _ANCHOR_LETTERS) and (t.isdigit() or is_capitalised(t))}


def _local_unique(tokens: list[set[str]], window: int) -> list[set[str]]:
    """Each sentence's tokens that no other sentence within ``window`` contains."""
    return [own.difference(*tokens[max(0, k - window):k], *tokens[k + 1:k + 1 + window])
            for k, own in enumerate(tokens)]


def anchor_pairs(src: Sequence[str], tgt: Sequence[str], window: int = 5) -> list[tuple[int, int]]:
    """(source, target) sentences sharing an anchor token (a number or a name, see
    `anchor_tokens`) that no other sentence within ``window`` on either side contains;
    one pair per shared token. Such a token pins its two sentences to one link."""
    src_tokens = _local_unique([anchor_tokens(t) for t in src], window)
    tgt_tokens = _local_unique([anchor_tokens(t) for t in tgt], window)
    where: dict[str, list[int]] = {}
    for q, tokens in enumerate(tgt_tokens):
        for token in tokens:
            where.setdefault(token, []).append(q)
    return [(p, q) for p, tokens in enumerate(src_tokens) for token in tokens for q in where.get(token, ())]


def link_types(max_per_side: int) -> list[tuple[int, int]]:
    """Allowed (source, target) sizes: 1-0, 0-1, 1-n and n-1 up to the maximum, and
    m-n with m + n <= 5 (2-2, 2-3, 3-2)."""
    types = [(1, 0), (0, 1)]
    for a in range(1, max_per_side + 1):
        for b in range(1, max_per_side + 1):
            if min(a, b) == 1 or a + b <= 5:
                types.append((a, b))
    return types


def align_vectors(src: Side, tgt: Side, config: AlignConfig = AlignConfig(), embed: Embed | None = None,
                  texts: tuple[Sequence[str], Sequence[str]] | None = None) -> list[Link]:
    """Align two sides; every sentence ends up in exactly one link, links in order.

    With ``embed`` (texts → normalised vectors) and ``texts`` (sentences of each side),
    merges near the path are re-scored with embeddings of their joined text.
    """
    n, m = len(src.vectors), len(tgt.vectors)
    if n == 0 or m == 0:
        return [Link((i,), (), 0.0) for i in range(n)] + [Link((), (j,), 0.0) for j in range(m)]
    if texts is not None:
        src, tgt = (replace(side, joins=continuations(text, config.bracket_cues))
                    for side, text in zip((src, tgt), texts))
    centre = 0 < config.centre_min_sentences <= min(n, m)
    means = (_mean(src), _mean(tgt)) if centre else (np.zeros(1), np.zeros(1))
    src, tgt = _centred(src, means[0]), _centred(tgt, means[1])
    lo, hi = _band_from_coarse(src.vectors, tgt.vectors, config)
    anchors = (anchor_pairs(*texts, config.anchor_window)
               if texts is not None and config.anchor_bonus else [])
    units = (tuple(speech_units(text, config.dash_turns) for text in texts)
             if texts is not None and config.speech_units else None)
    turns = (tuple(np.array([opens_turn(t) for t in text]) for text in texts)
             if texts is not None and config.turn_start_penalty else None)
    aligner = _BandedAligner(src, tgt, lo, hi, config, anchors, units, turns)
    links = aligner.run()
    if (embed is not None and texts is not None and config.recheck
            and aligner.recheck(links, texts, lambda batch, side: _normalise(np.asarray(embed(batch)) - means[side]))):
        links = aligner.run()
    return links


def _mean(side: Side) -> np.ndarray:
    """Document mean vector (zero for a single sentence, which would vanish)."""
    return side.vectors.mean(axis=0) if len(side.vectors) > 1 else np.zeros(side.vectors.shape[1], np.float32)


def _centred(side: Side, mean: np.ndarray) -> Side:
    """Vectors minus the document mean, renormalised: removes the component every
    sentence shares (e5's unrelated pairs sit near cosine 0.78), so composed merges and
    margins behave alike across encoders."""
    return replace(side, vectors=_normalise(side.vectors, mean))


def _downsample(vectors: np.ndarray) -> np.ndarray:
    """Average consecutive pairs of vectors (the last one alone if odd), renormalised."""
    n = len(vectors)
    pairs = vectors[: n - n % 2].reshape(-1, 2, vectors.shape[1]).sum(axis=1)
    if n % 2:
        pairs = np.vstack([pairs, vectors[-1:]])
    return _normalise(pairs)


def _normalise(vectors: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Unit rows as float32 (``mean`` taken off first), `VALUE_ROWS` rows at a time: a
    long document's temporaries stay small."""
    out = np.empty(vectors.shape, dtype=np.float32)
    for start in range(0, len(vectors), VALUE_ROWS):
        block = vectors[start:start + VALUE_ROWS]
        if mean is not None:
            block = block - mean
        out[start:start + VALUE_ROWS] = block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
    return out


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


VALUE_ROWS = 4096  # band rows whose link values are worked out at once (memory)


class _BandedAligner:
    """DP inside a band: row i (source prefix) covers targets lo[i]..hi[i], stored as
    columns 0..width-1 of (n+1, width) arrays; link values are computed for the whole
    band at once, one array per link type."""

    def __init__(self, src: Side, tgt: Side, lo: np.ndarray, hi: np.ndarray, config: AlignConfig,
                 anchors: Sequence[tuple[int, int]] = (), units: tuple[np.ndarray, np.ndarray] | None = None,
                 turns: tuple[np.ndarray, np.ndarray] | None = None):
        self.src, self.tgt, self.config = src, tgt, config
        self.n, self.m = len(src.vectors), len(tgt.vectors)
        self.k = config.max_per_side
        self.types = link_types(config.max_per_side)
        # Widen so every cell a link can start from is inside its own row's band.
        self.lo = np.minimum(np.maximum(lo - self.k, 0), np.minimum(hi, self.m))
        self.hi = np.minimum(hi, self.m).astype(np.int64)
        # Keep the band connected: row i must reach the first column of row i+1.
        self.hi[:-1] = np.maximum(self.hi[:-1], self.lo[1:])
        self.width = int((self.hi - self.lo).max()) + 1
        self.cols = self.lo[:, None] + np.arange(self.width)[None, :]  # target prefix j per cell
        self.inside = self.cols <= self.hi[:, None]
        self.src_weights = _weights(src.lengths, config.length_power)
        self.tgt_weights = _weights(tgt.lengths, config.length_power)
        self.src_norms = _run_norms(src.vectors, self.src_weights, self.k)
        self.tgt_norms = _run_norms(tgt.vectors, self.tgt_weights, self.k)
        self.src_len_cum, self.tgt_len_cum = _cum(src.lengths), _cum(tgt.lengths)
        self.src_join_cum, self.tgt_join_cum = _cum(src.joins), _cum(tgt.joins)
        self._similarities()
        self.anchors = np.asarray(anchors, dtype=np.int64).reshape(-1, 2)
        self._length_ratio = _length_ratio(src.lengths, tgt.lengths)
        self.margin = self._median_best_margin()
        self.scale = self._scale() if config.scale_free else 1.0
        self.freedom = self._freedom()
        paragraphs = _has_paragraphs(src, tgt)
        self.turns = None if paragraphs or turns is None or not all(t.any() for t in turns) else turns
        if self.turns is not None:
            counts = self.turns[0].sum(), self.turns[1].sum()
            self.turn_agreement = float(min(counts) / max(counts))
        units = (src.paragraphs, tgt.paragraphs) if paragraphs else units
        shared = [_shared(ids) for ids in units] if units is not None else [np.zeros(self.n), np.zeros(self.m)]
        self.whole = (_paragraph_edges(src.paragraphs) + _paragraph_edges(tgt.paragraphs)
                      if config.paragraph_skip_penalty and paragraphs and (shared[0].any() or shared[1].any())
                      else None)
        counts = len(np.unique(src.paragraphs)), len(np.unique(tgt.paragraphs))
        self.paragraph_agreement = min(counts) / max(counts)
        # Only the link types the document can hold (a short document holds few of them).
        self.values = {t: self._values(*t) for t in self.types if 0 < t[0] <= self.n and 0 < t[1] <= self.m}
        extra_cost = self.freedom * (config.paragraph_skip_penalty if paragraphs else config.speech_skip_penalty)
        self.src_skip, self.tgt_skip = (config.skip_penalty + extra_cost * extra for extra in shared)
        self.tgt_skip_cum = _cum(self.tgt_skip)
        # Whole units (paragraphs, else speech units) of two or more sentences left out cost
        # the plain skip penalty each.
        runs = units if units is not None and config.paragraph_skip_penalty else None
        self.src_paragraphs = _paragraph_runs(runs[0]) if runs is not None else {}
        self.tgt_paragraphs = _paragraph_runs(runs[1]) if runs is not None else {}
        self.src_bounds = _paragraph_runs(src.paragraphs, 1) if self.whole is not None else {}
        self.tgt_bounds = _paragraph_runs(tgt.paragraphs, 1) if self.whole is not None else {}

    def _similarities(self) -> None:
        """Cosines of source sentence p with the targets its rows can reach, cumulated."""
        n, k = self.n, self.k
        self.sim_lo = np.maximum(self.lo[1:] - k, 0)
        sim_hi = np.minimum(self.hi[np.minimum(np.arange(1, n + 1) + k - 1, n)], self.m)
        self.sim_width = int((sim_hi - self.sim_lo).max()) + 1
        cols = self.sim_lo[:, None] + np.arange(self.sim_width)[None, :]
        valid = cols < self.m
        cols_clipped = np.minimum(cols, self.m - 1)
        sim = np.zeros((n, self.sim_width), dtype=np.float32)
        for start in range(0, n, 64):  # a matrix product per block of rows, then a gather
            rows = slice(start, min(start + 64, n))
            first, last = int(cols_clipped[rows].min()), int(cols_clipped[rows].max()) + 1
            block = self.src.vectors[rows] @ self.tgt.vectors[first:last].T
            picked = np.take_along_axis(block, cols_clipped[rows] - first, axis=1)
            sim[rows] = np.where(valid[rows], picked, 0.0)
        self.sim, self.sim_valid = sim, valid
        weighted = sim * self.tgt_weights[cols_clipped]
        self.sim_cum = np.concatenate([np.zeros((n, 1)), np.cumsum(weighted, axis=1, dtype=np.float64)], axis=1)
        self._neighbour_means()

    def _anchor_counts(self, a: int, b: int) -> np.ndarray:
        """Anchor pairs inside the link of a sources and b targets ending at each band cell."""
        counts = np.zeros(self.cols.shape)
        p, q = self.anchors.T
        for da in range(1, a + 1):
            for db in range(1, b + 1):
                i, j = p + da, q + db
                ok = (i <= self.n) & (j <= self.m)
                i, j = i[ok], j[ok]
                c = j - self.lo[i]
                inside = (c >= 0) & (c < self.width)
                np.add.at(counts, (i[inside], c[inside]), 1.0)
        return counts

    def _neighbour_means(self) -> None:
        """Mean of each sentence's k best cosines on the other side (the margin baseline)."""
        kn = self.config.neighbours
        masked = np.where(self.sim_valid, self.sim, -np.inf)
        top = -np.sort(-masked, axis=1)[:, : min(kn, masked.shape[1])]
        top = np.where(np.isfinite(top), top, np.nan)
        self.src_nn = np.nan_to_num(np.nanmean(top, axis=1), nan=0.0)
        rows, cols = np.nonzero(self.sim_valid)
        values = self.sim[rows, cols]
        targets = self.sim_lo[rows] + cols
        order = np.lexsort((-values, targets))
        targets, values = targets[order], values[order]
        starts = np.searchsorted(targets, np.arange(self.m))
        rank = np.arange(len(targets)) - starts[targets]
        keep = rank < kn
        sums = np.bincount(targets[keep], weights=values[keep], minlength=self.m)
        counts = np.bincount(targets[keep], minlength=self.m)
        self.tgt_nn = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
        self.src_nn_cum = np.concatenate([[0.0], np.cumsum(self.src_nn)])
        self.tgt_nn_cum = np.concatenate([[0.0], np.cumsum(self.tgt_nn)])

    def _median_best_margin(self) -> float:
        """Typical margin of a sentence's best 1-1 match (cosine units)."""
        margins = self.sim - 0.5 * (self.src_nn[:, None] + self.tgt_nn[np.minimum(
            self.sim_lo[:, None] + np.arange(self.sim_width)[None, :], self.m - 1)])
        best = np.where(self.sim_valid, margins, -np.inf).max(axis=1)
        return float(np.median(best[np.isfinite(best)]))

    def _scale(self) -> float:
        """The unit of every value and penalty: the median best margin, at least `min_scale`."""
        return max(self.margin, self.config.min_scale)

    def _freedom(self) -> float:
        """How much the structure rules weigh in this document: 1 for a free translation (median
        best margin at most `free_margin`), 0 for a close one (at least `close_margin`), linear
        between: where sentences match their renderings closely, a missing match is itself
        evidence of an omission; where every similarity is weak, only the structure can tell."""
        low, high = self.config.free_margin, self.config.close_margin
        if high <= low:
            return 1.0
        return float(np.clip((high - self.margin) / (high - low), 0.0, 1.0))

    def _gather_cum(self, p: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Weighted sum of cosines of source p with targets 0..j-1 in its stored range."""
        c = np.clip(j - self.sim_lo[p], 0, self.sim_width)
        return self.sim_cum[p, c]

    def _values(self, a: int, b: int) -> np.ndarray:
        """Value of link (sources i-a..i-1, targets j-b..j-1) for every band cell (i, j),
        worked out `VALUE_ROWS` rows at a time (the temporaries of a whole band are several
        times the band's size)."""
        values = np.empty(self.cols.shape)
        anchors = (self._anchor_counts(a, b) if self.config.anchor_bonus and len(self.anchors) else None)
        for start in range(0, self.n + 1, VALUE_ROWS):
            rows = slice(start, min(start + VALUE_ROWS, self.n + 1))
            values[rows] = self._value_rows(a, b, rows, None if anchors is None else anchors[rows])[0]
        return values

    def _agreement(self, a: int, b: int, i: int) -> np.ndarray:
        """The length agreement of link type (a, b) along band row i, worked out again for the
        re-check's few cells rather than kept for the whole band (the same elementwise
        operations: the same bits)."""
        return self._value_rows(a, b, slice(i, i + 1), None)[1][0]

    def _value_rows(self, a: int, b: int, block: slice, anchors: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """`_values` and the length agreement of the band rows ``block``."""
        cfg = self.config
        rows = np.arange(block.start, block.stop)[:, None]
        cols = self.cols[block]
        i = np.minimum(np.maximum(rows, a), self.n)  # cells out of reach are masked below
        j = np.minimum(np.maximum(cols, b), self.m)
        ia, jb = np.maximum(i - a, 0), np.maximum(j - b, 0)
        dot = np.zeros(cols.shape)
        for d in range(1, a + 1):
            p = np.broadcast_to(np.clip(i - d, 0, self.n - 1), j.shape)
            dot += self.src_weights[p] * (self._gather_cum(p, j) - self._gather_cum(p, jb))
        src_norm = self.src_norms[a][ia]
        tgt_norm = self.tgt_norms[b][jb]
        cos = dot / (src_norm * tgt_norm)
        nn = 0.5 * ((self.src_nn_cum[i] - self.src_nn_cum[ia]) / a
                    + (self.tgt_nn_cum[j] - self.tgt_nn_cum[jb]) / b)
        src_len = self.src_len_cum[i] - self.src_len_cum[ia]
        tgt_len = self.tgt_len_cum[j] - self.tgt_len_cum[jb]
        src_len = src_len * self._length_ratio
        agreement = np.log2(1.0 + np.minimum(src_len, tgt_len) / np.maximum(np.maximum(src_len, tgt_len), 1e-9))
        joins = (self.src_join_cum[np.maximum(i - 1, ia)] - self.src_join_cum[ia]
                 + self.tgt_join_cum[np.maximum(j - 1, jb)] - self.tgt_join_cum[jb])
        value = ((cos - nn) / self.scale * agreement - cfg.merge_penalty * (a + b - 2)
                 + cfg.continuation_bonus * joins)
        if anchors is not None:
            value = value + cfg.anchor_bonus * anchors
        if cfg.paragraph_penalty:
            sp, tp = self.src.paragraphs, self.tgt.paragraphs
            crossings = ((sp[i - 1] != sp[np.minimum(ia, self.n - 1)]).astype(float)
                         + (tp[j - 1] != tp[np.minimum(jb, self.m - 1)]))
            value = value - cfg.paragraph_penalty * crossings
        if (a, b) == (1, 1):
            value = np.maximum(value, cfg.substitution_margin - 2 * cfg.skip_penalty)
        elif self.whole is not None:  # a paragraph rendered by a paragraph, as for 1-1 above
            src_first, src_last, tgt_first, tgt_last = self.whole
            both = (src_first[ia] & src_last[i - 1] & (self.src.paragraphs[ia] == self.src.paragraphs[i - 1])
                    & tgt_first[jb] & tgt_last[j - 1] & (self.tgt.paragraphs[jb] == self.tgt.paragraphs[j - 1]))
            value = np.where(both, np.maximum(value, cfg.substitution_margin - (a + b) * cfg.skip_penalty), value)
        if self.turns is not None:
            mismatch = self.turns[0][ia] != self.turns[1][jb]
            value = value - cfg.turn_start_penalty * self.freedom * self.turn_agreement * mismatch
        if self.whole is not None and cfg.paragraph_start_penalty:
            mismatch = self.whole[0][ia] != self.whole[2][jb]
            value = value - cfg.paragraph_start_penalty * self.freedom * self.paragraph_agreement * mismatch
        reachable = self.inside[block] & (rows >= a) & (cols >= b) & (cols <= self.m)
        return np.where(reachable, value, -np.inf), agreement

    def recheck(self, links: list[Link], texts: tuple[Sequence[str], Sequence[str]],
                embed: Callable[[list[str], int], np.ndarray]) -> bool:
        """Embed the joined text of each 1-0/0-1 link's sentence with its neighbouring link
        on the path (before and after) and override the value of that merge: whether an
        unlinked sentence really belongs to its neighbour is the close call that vectors
        composed from single sentences get wrong. A piece shorter than `recheck_min_chars`
        is left alone (a joined embedding barely registers it). Two neighbouring links
        whose merge is valued within `recheck_close` of the two apart are re-scored the
        same way (two sides that split the same content at different points), and so is
        a merged link of the path within `recheck_close` of its best split
        (`recheck_splits`). Returns whether any value changed."""
        cfg = self.config
        cells: set[tuple[int, int, int, int]] = set()
        ends, i, j = [], 0, 0
        for link in links:
            i, j = i + len(link.src), j + len(link.tgt)
            ends.append((i, j, len(link.src), len(link.tgt)))
        for (i1, j1, a1, b1), (i, j, a2, b2) in pairwise(ends):
            a, b = a1 + a2, b1 + b2
            if not (a and b and (a, b) in self.values):
                continue
            if a1 and b1 and a2 and b2:  # two links: re-check their merge if it is a close call
                if (cfg.recheck_close >= 0 and self._value(i, j, a, b)
                        >= self._value(i1, j1, a1, b1) + self._value(i, j, a2, b2) - cfg.recheck_close):
                    cells.add((i, j, a, b))
            elif len(self._unlinked_text((i1, j1, a1, b1), (i, j, a2, b2), texts)) >= cfg.recheck_min_chars:
                cells.add((i, j, a, b))
        if cfg.recheck_splits and cfg.recheck_close >= 0:
            cells |= self._close_splits(ends)
        runs = sorted({(side, end - size, end) for i, j, a, b in cells
                       for side, end, size in ((0, i, a), (1, j, b)) if size > 1})
        if not runs:
            return False
        vectors = {}
        for side in (0, 1):
            spans = [run for run in runs if run[0] == side]
            if spans:
                vectors.update(zip(spans, embed([" ".join(texts[side][s:e]) for _, s, e in spans], side)))
        changed = False
        for i, j, a, b in cells:
            src_vec = vectors.get((0, i - a, i), _normalise(self.src.vectors[i - a:i].sum(0, keepdims=True))[0])
            tgt_vec = vectors.get((1, j - b, j), _normalise(self.tgt.vectors[j - b:j].sum(0, keepdims=True))[0])
            composed = self._composed_cosine(i, a, j, b)
            c = j - self.lo[i]
            if 0 <= c < self.width and np.isfinite(self.values[(a, b)][i, c]):
                gain = (float(src_vec @ tgt_vec) - composed) / self.scale
                self.values[(a, b)][i, c] += gain * self._agreement(a, b, i)[c]
                changed = True
        return changed

    def _close_splits(self, ends: list[tuple[int, int, int, int]]) -> set[tuple[int, int, int, int]]:
        """Links of the path (i, j, a, b: ending at (i, j)) with two or more sentences on
        each side whose best split into two links is valued within `recheck_close` of them."""
        cells = set()
        for i, j, a, b in ends:
            if (a, b) not in self.values:  # a paragraph pair: no split to weigh
                continue
            splits = [self._value(i - a + a1, j - b + b1, a1, b1) + self._value(i, j, a - a1, b - b1)
                      for a1 in range(1, a) for b1 in range(1, b)]
            if splits and max(splits) >= self._value(i, j, a, b) - self.config.recheck_close:
                cells.add((i, j, a, b))
        return cells

    def _value(self, i: int, j: int, a: int, b: int) -> float:
        """Value of the link of a sources and b targets ending at (i, j); -inf outside the band
        or for a size no link type has (a paragraph pair)."""
        c = j - self.lo[i]
        return float(self.values[(a, b)][i, c]) if 0 <= c < self.width and (a, b) in self.values else -np.inf

    @staticmethod
    def _unlinked_text(first: tuple[int, int, int, int], second: tuple[int, int, int, int],
                       texts: tuple[Sequence[str], Sequence[str]]) -> str:
        """The unlinked sentence of two neighbouring links (i, j, a, b: each ends at (i, j)
        and has a sources and b targets), one of them 1-0 or 0-1."""
        i, j, a, _ = first if first[2] + first[3] == 1 else second
        return texts[0][i - 1] if a else texts[1][j - 1]

    def _composed_cosine(self, i: int, a: int, j: int, b: int) -> float:
        src_sum = self.src_weights[i - a:i] @ self.src.vectors[i - a:i]
        tgt_sum = self.tgt_weights[j - b:j] @ self.tgt.vectors[j - b:j]
        return float(src_sum @ tgt_sum / (np.linalg.norm(src_sum) * np.linalg.norm(tgt_sum) + 1e-12))

    def run(self) -> list[Link]:
        n, width = self.n, self.width
        score = np.full((n + 1, width), -np.inf)
        back = np.full((n + 1, width), -1, dtype=np.int8)
        skip_type = self.types.index((0, 1))
        for i in range(n + 1):
            row, row_back = score[i], back[i]
            if i == 0:
                row[0] = 0.0  # lo[0] == 0
            for t, (a, b) in enumerate(self.types):
                if a == 0 or a > i or (b and (a, b) not in self.values):
                    continue  # 0-1 links are handled along the row below; a type too long for the document
                prev = i - a
                shift = int(self.lo[i] - b - self.lo[prev])
                start, stop = max(0, -shift), min(width, width - shift)
                if start >= stop:
                    continue
                cand = score[prev, start + shift: stop + shift] + (self.values[(a, b)][i, start:stop] if b
                                                                    else -self.src_skip[i - 1])
                better = cand > row[start:stop]
                row[start:stop][better] = cand[better]
                row_back[start:stop][better] = t
            if i in self.src_bounds and self.tgt_bounds:
                self._paragraph_pairs(i, score, back)
            if i in self.src_paragraphs:  # the source paragraph ending here left out whole
                prev = self.src_paragraphs[i]
                shift = int(self.lo[i] - self.lo[prev])
                start, stop = max(0, -shift), min(width, width - shift)
                if start < stop:
                    cand = score[prev, start + shift: stop + shift] - self.config.skip_penalty * (i - prev)
                    better = cand > row[start:stop]
                    row[start:stop][better] = cand[better]
                    row_back[start:stop][better] = _SRC_PARAGRAPH
            # 0-1 links: row[c] = max(row[c], row[c-1] - skip of target c-1), as one running maximum.
            ramp = self.tgt_skip_cum[np.minimum(self.cols[i], self.m)]
            self._skip_targets(row, row_back, ramp, skip_type)
            if self.tgt_paragraphs:
                lo, hi = int(self.lo[i]), int(self.lo[i]) + width - 1
                jumped = False
                for end in range(max(lo + 2, 1), min(hi, self.m) + 1):
                    begin = self.tgt_paragraphs.get(end)
                    if begin is None or begin < lo:
                        continue
                    cand = row[begin - lo] - self.config.skip_penalty * (end - begin)
                    if cand > row[end - lo] + 1e-9:
                        row[end - lo], row_back[end - lo], jumped = cand, _TGT_PARAGRAPH, True
                if jumped:
                    self._skip_targets(row, row_back, ramp, skip_type)
            row[~self.inside[i]] = -np.inf
        return self._trace(back)

    def _paragraph_pairs(self, i: int, score: np.ndarray, back: np.ndarray) -> None:
        """Links of a whole source paragraph ending at i with a whole target paragraph too
        long for any link type, valued at the substitution floor: never worse than leaving
        both paragraphs out (a paragraph split into many short sentences on one side)."""
        start = self.src_bounds[i]
        cfg = self.config
        for end_j in range(int(self.lo[i]), int(self.lo[i]) + self.width):
            begin = self.tgt_bounds.get(end_j)
            if begin is None or (i - start, end_j - begin) in self.values:
                continue
            c0 = begin - self.lo[start]
            if not 0 <= c0 < self.width:
                continue
            cand = score[start, c0] + cfg.substitution_margin - cfg.skip_penalty * (i - start + end_j - begin)
            c = end_j - self.lo[i]
            if cand > score[i, c]:
                score[i, c], back[i, c] = cand, _PARAGRAPH_PAIR

    @staticmethod
    def _skip_targets(row: np.ndarray, row_back: np.ndarray, ramp: np.ndarray, skip_type: int) -> None:
        running = np.maximum.accumulate(row + ramp) - ramp
        from_left = running > row + 1e-9  # tolerance: the ramp round trip is inexact
        row_back[from_left] = skip_type
        row[from_left] = running[from_left]

    def _trace(self, back: np.ndarray) -> list[Link]:
        links: list[Link] = []
        i, j = self.n, self.m
        while i > 0 or j > 0:
            code = int(back[i, j - self.lo[i]])
            if code == _PARAGRAPH_PAIR:
                start, begin = self.src_bounds[i], self.tgt_bounds[j]
                links.append(Link(tuple(range(start, i)), tuple(range(begin, j)), self._composed_cosine(
                    i, i - start, j, j - begin)))
                i, j = start, begin
                continue
            if code == _SRC_PARAGRAPH:
                start = self.src_paragraphs[i]
                links += [Link((p,), (), 0.0) for p in range(i - 1, start - 1, -1)]
                i = start
                continue
            if code == _TGT_PARAGRAPH:
                start = self.tgt_paragraphs[j]
                links += [Link((), (q,), 0.0) for q in range(j - 1, start - 1, -1)]
                j = start
                continue
            a, b = self.types[code]
            cosine = self._composed_cosine(i, a, j, b) if a and b else 0.0
            links.append(Link(tuple(range(i - a, i)), tuple(range(j - b, j)), cosine))
            i, j = i - a, j - b
        links.reverse()
        return links


# Back-pointer codes: a whole paragraph left out (source, target), a paragraph-pair link.
_SRC_PARAGRAPH, _TGT_PARAGRAPH, _PARAGRAPH_PAIR = -2, -3, -4


def _paragraph_runs(paragraphs: np.ndarray, least: int = 2) -> dict[int, int]:
    """End (exclusive) → start of each run of at least ``least`` sentences with one paragraph id."""
    runs, start = {}, 0
    for k in range(1, len(paragraphs) + 1):
        if k == len(paragraphs) or paragraphs[k] != paragraphs[start]:
            if k - start >= least:
                runs[k] = start
            start = k
    return runs


def _paragraph_edges(paragraphs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each sentence begins its paragraph, and whether it ends it."""
    change = paragraphs[1:] != paragraphs[:-1]
    return np.concatenate([[True], change]), np.concatenate([change, [True]])


def _has_paragraphs(src: Side, tgt: Side) -> bool:
    """Both sides have two or more paragraphs (one-sentence-per-line input has none)."""
    return len(np.unique(src.paragraphs)) > 1 and len(np.unique(tgt.paragraphs)) > 1


def _shared(units: np.ndarray) -> np.ndarray:
    """1 for each sentence that shares its unit (paragraph, speech) with another sentence."""
    _, inverse, counts = np.unique(units, return_inverse=True, return_counts=True)
    return (counts[inverse] > 1).astype(float)


def _weights(lengths: np.ndarray, power: float) -> np.ndarray:
    """Weight of each sentence in a composed merge: a power of its length relative to the mean."""
    return (np.maximum(lengths, 1.0) / max(float(lengths.mean()), 1.0)) ** power


def _cum(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values)])


def _length_ratio(src_lengths: np.ndarray, tgt_lengths: np.ndarray, prior: float = 10.0) -> float:
    """Target/source length ratio of the document, shrunk towards 1 for short documents."""
    ratio = max(tgt_lengths.sum(), 1.0) / max(src_lengths.sum(), 1.0)
    size = min(len(src_lengths), len(tgt_lengths))
    return float(np.exp(np.log(ratio) * size / (size + prior)))


def _run_norms(vectors: np.ndarray, weights: np.ndarray, k: int) -> dict[int, np.ndarray]:
    """norms[a][s] = |w_s v_s + ... + w_{s+a-1} v_{s+a-1}| for a = 1..k and every start s (1
    where the run leaves the end), from running sums built `VALUE_ROWS` rows at a time (each
    block starts from the last sum: the same additions in the same order as one cumsum)."""
    n = len(vectors)
    cum = np.zeros((n + 1, vectors.shape[1]))
    for start in range(0, n, VALUE_ROWS):
        stop = min(start + VALUE_ROWS, n)
        block = vectors[start:stop] * weights[start:stop, None]
        if start:
            block[0] += cum[start]
        np.add.accumulate(block, axis=0, out=cum[start + 1:stop + 1])
    norms = {}
    for a in range(1, k + 1):
        norm = np.ones(n + 1)
        for start in range(0, n - a + 1, VALUE_ROWS):
            stop = min(start + VALUE_ROWS, n - a + 1)
            norm[start:stop] = np.linalg.norm(cum[start + a:stop + a] - cum[start:stop], axis=1)
        norms[a] = np.maximum(norm, 1e-9)
    return norms
