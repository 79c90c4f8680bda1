"""Mismatch flags: one small detector per kind, run on every link of an aligned document.

Kinds: omission / addition (whole sentences and words without counterpart),
mistranslation (similarity far below the document's own, negation on one side,
opposite direction of change), number / date, name, untranslated.
"""

from __future__ import annotations

import os

import numpy as np

from align.cache import resolve_cache
from align.flags.config import DEFAULT_CONFIG, FlagConfig
from align.flags.coverage import (
    expanded_abbreviation,
    partial_flags,
    unmatched_words,
    whole_flags,
)
from align.flags.language import untranslated_flags
from align.flags.meaning import direction_flags, negation_flags, similarity_flags
from align.flags.names import name_flags
from align.flags.numbers import number_flags, numbers_in
from align.model import Flag, Link
from align.tokens import E5Words
from align.wordcache import CachedWordModel

__all__ = ["FlagConfig", "flag_links", "flag_pair", "number_flags", "numbers_in"]


def flag_links(links: list[Link], src_texts: list[str], tgt_texts: list[str],
               src_lang: str, tgt_lang: str, config: FlagConfig = DEFAULT_CONFIG) -> list[Link]:
    """Attach flags to every link of one aligned document pair."""
    full = [link.score for link in links if link.src and link.tgt]
    # Too few links for a distribution: only the absolute floors apply.
    mean, std = (float(np.mean(full)), float(np.std(full)) or 1.0) if len(full) >= config.min_links else (0.0, np.inf)
    pairs = [(" ".join(src_texts[i] for i in link.src), " ".join(tgt_texts[j] for j in link.tgt)) for link in links]
    linked = [k for k, link in enumerate(links) if link.src and link.tgt]
    words: dict[int, tuple] = {}
    if config.token_alignment and linked:
        cache = resolve_cache(None, os.environ)  # transitional, until flag_links takes a WordModel
        model = CachedWordModel(E5Words(cache.e5_model, config.token_layer), cache.embeddings)
        src_words = model.words([pairs[k][0] for k in linked])
        tgt_words = model.words([pairs[k][1] for k in linked])
        words = {k: (s, t) for k, s, t in zip(linked, src_words, tgt_words)}
    flagged = []
    for k, link in enumerate(links):
        src, tgt = pairs[k]
        if not link.tgt:
            flags = whole_flags(src, "omission", config)
        elif not link.src:
            flags = whole_flags(tgt, "addition", config)
        else:
            flags = flag_pair(src, tgt, src_lang, tgt_lang, link.score, mean, std, config, words.get(k))
        flagged.append(Link(link.src, link.tgt, link.score, tuple(flags)))
    return flagged


def flag_pair(src: str, tgt: str, src_lang: str, tgt_lang: str, score: float, mean: float, std: float,
              config: FlagConfig, words: tuple | None = None) -> list[Flag]:
    """Every detector on one linked pair; ``words`` are the two sides' word vectors if computed."""
    ru, en = (src, tgt) if src_lang == "ru" else (tgt, src)
    if tgt_lang == "en" and src_lang == "ru":
        untranslated = untranslated_flags(src, tgt, config.untranslated_share)
        if untranslated and untranslated[0].severity == "critical":
            return untranslated
    else:
        untranslated = []
    coverage = None
    partial = []
    if words is not None:
        omitted = unmatched_words(words[0], words[1], src_lang, config)
        added = unmatched_words(words[1], words[0], tgt_lang, config)
        coverage = (omitted.coverage + added.coverage) / 2
        expands = expanded_abbreviation(added, src) if (src_lang, tgt_lang) == ("ru", "en") else None
        partial = partial_flags(omitted, "omission", config) + partial_flags(added, "addition", config, expands)
    flags = [*untranslated, *similarity_flags(score, mean, std, config, coverage), *partial]
    if config.negation:
        flags += negation_flags(ru, en) + direction_flags(ru, en)
    flags += number_flags(src, tgt, src_lang, tgt_lang)
    if config.names:
        flags += name_flags(ru, en)
    return flags
