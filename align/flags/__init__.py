"""Mismatch flags: a registry of small detectors, run on every link of an aligned document.

Kinds: omission / addition (whole sentences and words without counterpart),
mistranslation (similarity far below the document's own, negation on one side,
opposite direction of change), number / date, name, untranslated. Each detector says
which language pairs it applies to (``align.flags.registry``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from align.flags.config import FlagConfig
from align.flags.context import Detector, PairContext, Vocabulary, WordModel, pair_context
from align.flags.coverage import whole_flags
from align.flags.document import DocumentStats, document_stats
from align.flags.registry import DETECTORS
from align.model import Flag, Link, Texts, joined_texts
from align.tokens import Words

__all__ = ["DETECTORS", "WORDS_AT_ONCE", "Detector", "DocumentContext", "FlagConfig", "PairContext", "Vocabulary",
           "WordModel", "document_context", "flag_links", "flag_pair", "pair_context"]
WORDS_AT_ONCE = 512  # links whose word vectors are held at once (~60 KB a sentence as float64)


@dataclass(frozen=True)
class DocumentContext:
    """What each link's checks compare it with: the similarity of the document's links
    (mean, std; std inf with too few links for a distribution) and its length ratios and
    renderings. Worked out once per document, also when its links are flagged in pieces."""

    mean: float
    std: float
    stats: DocumentStats


def document_context(links: Sequence[Link], src_texts: Texts, tgt_texts: Texts, config: FlagConfig) -> DocumentContext:
    linked = [link for link in links if link.src and link.tgt]
    scores = [link.score for link in linked]
    # Too few links for a distribution: only the absolute floors apply.
    mean, std = ((float(np.mean(scores)), float(np.std(scores)) or 1.0) if len(scores) >= config.min_links
                 else (0.0, np.inf))
    return DocumentContext(mean, std, document_stats([joined_texts(link, src_texts, tgt_texts) for link in linked],
                                                     config.min_links))


def flag_links(links: Sequence[Link], src_texts: Texts, tgt_texts: Texts, src_lang: str, tgt_lang: str,
               config: FlagConfig, words: WordModel | None, vocabulary: Vocabulary | None, *,
               detectors: Sequence[Detector] = DETECTORS, only: Collection[int] | None = None,
               document: DocumentContext | None = None) -> list[Link]:
    """Attach flags to every link of one aligned document pair. ``words`` (None, or
    ``config.token_alignment`` off: no word alignment) gives the word vectors of linked pairs,
    asked for `WORDS_AT_ONCE` links at a time (memory); ``vocabulary`` tells the name detector
    which words are common. ``only``: flag just these links (by index), the others are
    returned as given (a realign re-flags only the links it changed); ``document``: the
    document's statistics when ``links`` are only some of its links (else from ``links``).
    The word alignment's matrix products are tiny: one BLAS thread (two took 5x the CPU
    time on shared cores)."""
    document = document or document_context(links, src_texts, tgt_texts, config)
    chosen = sorted(set(range(len(links))) if only is None else set(only))
    flagged = list(links)
    with _blas().limit(limits=1, user_api="blas"):
        for start in range(0, len(chosen), WORDS_AT_ONCE):
            part = chosen[start:start + WORDS_AT_ONCE]
            texts = {k: joined_texts(links[k], src_texts, tgt_texts) for k in part}
            wanted = [k for k in part if links[k].src and links[k].tgt]
            vectors: dict[int, tuple[Words, Words]] = {}
            if words is not None and config.token_alignment and wanted:
                src_words = words.words([texts[k][0] for k in wanted])
                tgt_words = words.words([texts[k][1] for k in wanted])
                vectors = {k: (s, t) for k, s, t in zip(wanted, src_words, tgt_words)}
            for k in part:
                flagged[k] = _flagged(links[k], *texts[k], src_lang, tgt_lang, config, vectors.get(k, (None, None)),
                                      vocabulary, document, detectors)
    return flagged


def _flagged(link: Link, src: str, tgt: str, src_lang: str, tgt_lang: str, config: FlagConfig,
             side_words: tuple[Words | None, Words | None], vocabulary: Vocabulary | None,
             document: DocumentContext, detectors: Sequence[Detector]) -> Link:
    if not link.tgt:
        flags = whole_flags(src, "omission", config)
    elif not link.src:
        flags = whole_flags(tgt, "addition", config)
    else:
        pair = pair_context(src=src, tgt=tgt, src_lang=src_lang, tgt_lang=tgt_lang, score=link.score,
                            mean=document.mean, std=document.std, config=config, src_words=side_words[0],
                            tgt_words=side_words[1], vocabulary=vocabulary, document=document.stats)
        flags = flag_pair(pair, detectors=detectors)
    return Link(link.src, link.tgt, link.score, tuple(flags))


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The process's thread pools, found once (finding them reads every loaded library:
    ~1.5 ms, which was most of a one-sentence pair's flagging)."""
    return ThreadpoolController()


def flag_pair(pair: PairContext, *, detectors: Sequence[Detector] = DETECTORS) -> list[Flag]:
    """The detectors that apply to the pair's languages, in order; a critical flag from a
    decisive one (untranslated, which runs first) ends the checks."""
    flags: list[Flag] = []
    for detector in detectors:
        if not detector.applies(pair.src_lang, pair.tgt_lang):
            continue
        found = detector.detect(pair)
        if detector.decisive and any(f.severity == "critical" for f in found):
            return [*flags, *found]
        flags += found
    return flags
