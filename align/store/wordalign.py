"""The word alignment of each link, stored so that queries never recompute it: the flags'
word model gives each side's word vectors (cached on disk: a re-run reads them back), and
a source word is aligned to a target word when each is the other's best match (SimAlign's
argmax intersection, as in `align.tokens.best_matches`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from align.model import AlignedPair, joined_texts
from align.tokens import WordModel, Words


@dataclass(frozen=True)
class WordPair:
    """A source word aligned to a target word: character spans into the link's two texts
    (its sentences joined by a space, as the flags see them) and the cosine."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    score: float


def link_texts(pair: AlignedPair) -> list[tuple[str, str]]:
    """Each link's source and target text (sentences joined by a space)."""
    src, tgt = pair.src.texts, pair.tgt.texts
    return [joined_texts(link, src, tgt) for link in pair.links]


def mutual_pairs(src: Words, tgt: Words) -> list[WordPair]:
    """Word pairs that are each other's best match."""
    if not len(src.spans) or not len(tgt.spans):
        return []
    sim = src.vectors @ tgt.vectors.T
    fwd, bwd = sim.argmax(axis=1), sim.argmax(axis=0)
    return [WordPair(*src.spans[i], *tgt.spans[j], float(sim[i, j]))
            for i, j in enumerate(fwd.tolist()) if bwd[j] == i]


def align_words(texts: Sequence[tuple[str, str]], model: WordModel | None) -> list[list[WordPair]]:
    """Word pairs of each (source, target) text pair; none for a one-sided link, or
    without a word model (token alignment switched off)."""
    out: list[list[WordPair]] = [[] for _ in texts]
    both = [k for k, (s, t) in enumerate(texts) if s and t]
    if model is None or not both:
        return out
    src_words = model.words([texts[k][0] for k in both])
    tgt_words = model.words([texts[k][1] for k in both])
    for k, s, t in zip(both, src_words, tgt_words):
        out[k] = mutual_pairs(s, t)
    return out

