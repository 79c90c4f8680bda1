"""Thresholds of the mismatch detectors, calibrated on WMT21 ru-en and MLQE-PE dev
(``scripts/bench_flags.py``; see docs/BENCHMARKS.md, "Mismatch flags")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlagConfig:
    """Switches and thresholds. Mistranslation cut-offs are z-scores of the link score
    within the document's own links (needs ``min_links`` links; else only the absolute floors)."""

    mistranslation_z_minor: float = -1.5
    mistranslation_z_major: float = -3.5
    mistranslation_cosine_major: float = 0.35
    mistranslation_cosine_critical: float = 0.15
    # A z-score below the major cut-off is major only when the word alignment agrees: the mean
    # best word cosine of both sides at most this (0.5 % quantile of correct WMT21 pairs).
    mistranslation_coverage_major: float = 0.63
    min_links: int = 8
    omission_major_words: int = 6  # a 1-0 / 0-1 sentence this long is major
    # Partial omission / addition from word alignment (e5-small token embeddings).
    token_alignment: bool = True
    token_layer: int = 8
    token_sim: float = 0.55  # a content word whose best match is below this (and not mutual) has no counterpart
    partial_min_words: int = 2  # unmatched content words needed for a flag
    partial_major_run: int = 3  # ... and in a row (a phrase, not scattered words) for a major one
    names: bool = True
    negation: bool = True
    untranslated_share: float = 0.5  # Cyrillic share of the English side's letters


DEFAULT_CONFIG = FlagConfig()
