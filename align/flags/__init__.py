"""Mismatch flags: a registry of small detectors, run on every link of an aligned document.

Kinds: omission / addition (whole sentences and words without counterpart),
mistranslation (similarity far below the document's own, negation on one side,
opposite direction of change), number / date, name, untranslated. Each detector says
which language pairs it applies to (``align.flags.registry``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from align.flags.config import FlagConfig
from align.flags.context import Detector, PairContext, Vocabulary, WordModel, pair_context
from align.flags.coverage import whole_flags
from align.flags.document import document_stats
from align.flags.registry import DETECTORS
from align.model import Flag, Link
from align.tokens import Words

__all__ = ["DETECTORS", "Detector", "FlagConfig", "PairContext", "Vocabulary", "WordModel", "flag_links", "flag_pair",
           "pair_context"]


def flag_links(links: list[Link], src_texts: list[str], tgt_texts: list[str], src_lang: str, tgt_lang: str,
               config: FlagConfig, words: WordModel | None, vocabulary: Vocabulary | None, *,
               detectors: Sequence[Detector] = DETECTORS, only: Collection[int] | None = None) -> list[Link]:
    """Attach flags to every link of one aligned document pair. ``words`` (None, or
    ``config.token_alignment`` off: no word alignment) gives the word vectors of linked pairs;
    ``vocabulary`` tells the name detector which words are common. ``only``: flag just these
    links (by index; the document's statistics still come from all), the others are
    returned as given (a realign re-flags only the links it changed). The word alignment's
    matrix products are tiny: one BLAS thread (two took 5x the CPU time on shared cores)."""
    full = [link.score for link in links if link.src and link.tgt]
    # Too few links for a distribution: only the absolute floors apply.
    mean, std = (float(np.mean(full)), float(np.std(full)) or 1.0) if len(full) >= config.min_links else (0.0, np.inf)
    pairs = [(" ".join(src_texts[i] for i in link.src), " ".join(tgt_texts[j] for j in link.tgt)) for link in links]
    linked = [k for k, link in enumerate(links) if link.src and link.tgt]
    document = document_stats([pairs[k] for k in linked], config.min_links)
    chosen = set(range(len(links)) if only is None else only)
    wanted = [k for k in linked if k in chosen]
    vectors: dict[int, tuple[Words, Words]] = {}
    if words is not None and config.token_alignment and wanted:
        src_words = words.words([pairs[k][0] for k in wanted])
        tgt_words = words.words([pairs[k][1] for k in wanted])
        vectors = {k: (s, t) for k, s, t in zip(wanted, src_words, tgt_words)}
    flagged = []
    with _blas().limit(limits=1, user_api="blas"):
        for k, link in enumerate(links):
            src, tgt = pairs[k]
            if k not in chosen:
                flags = list(link.flags)
            elif not link.tgt:
                flags = whole_flags(src, "omission", config)
            elif not link.src:
                flags = whole_flags(tgt, "addition", config)
            else:
                side_words = vectors.get(k, (None, None))
                pair = pair_context(src=src, tgt=tgt, src_lang=src_lang, tgt_lang=tgt_lang, score=link.score, mean=mean,
                                    std=std, config=config, src_words=side_words[0], tgt_words=side_words[1],
                                    vocabulary=vocabulary, document=document)
                flags = flag_pair(pair, detectors=detectors)
            flagged.append(Link(link.src, link.tgt, link.score, tuple(flags)))
    return flagged


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
