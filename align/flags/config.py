"""Thresholds and scores of the mismatch detectors, calibrated on WMT21 ru-en and MLQE-PE dev
(``scripts/bench_flags.py``; see docs/BENCHMARKS.md, "Mismatch flags")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlagConfig:
    """Switches, cut-offs and the scores flags carry. Mistranslation cut-offs are z-scores of the
    link score within the document's own links (needs ``min_links`` links; else only the absolute floors)."""

    mistranslation_z_minor: float = -1.5
    mistranslation_z_major: float = -3.5
    mistranslation_cosine_major: float = 0.35
    mistranslation_cosine_critical: float = 0.15
    # A z-score below the major cut-off is major only when the word alignment agrees: the mean
    # best word cosine of both sides at most this (0.5 % quantile of correct WMT21 pairs).
    mistranslation_coverage_major: float = 0.63
    mistranslation_risk_z: float = 4.0  # a similarity flag's score is -z / this, clipped to 0..1
    mistranslation_critical_score: float = 0.9  # ... and at least this when critical
    mistranslation_major_score: float = 0.6  # ... and at least this when major
    min_links: int = 8
    omission_major_words: int = 6  # a 1-0 / 0-1 sentence this long is major
    whole_evidence_chars: int = 200  # a 1-0 / 0-1 sentence quoted as evidence is cut to this length
    # Partial omission / addition from word alignment (e5-small token embeddings).
    token_alignment: bool = True
    token_layer: int = 8  # layer of the e5-small word vectors (read where the word model is built)
    token_sim: float = 0.55  # a content word whose best match is below this (and not mutual) has no counterpart
    token_min_letters: int = 3  # shorter words without a digit are not content words
    token_shortfall_margin: float = 0.15  # a non-mutual word adds to the risk while below token_sim + this
    token_shortfall_scale: float = 0.5  # word-gap risk = 1 - exp(-summed shortfall / this)
    partial_min_words: int = 2  # unmatched content words needed for a flag
    partial_major_run: int = 3  # ... and in a row (a phrase, not scattered words) for a major one
    # One noun, verb or name (``align.flags.morph``) whose best cosine is below this is major alone:
    # a word that surely has no counterpart, not a paraphrase.
    token_content_major_sim: float = 0.37
    evidence_words: int = 2  # words named (and highlighted) on each side of a word-level flag
    names: bool = True
    name_major_replaced_score: float = 0.9  # a rare name missing, a rare English one in its place
    name_major_missing_score: float = 0.7  # a rare name missing, nothing rare instead
    name_minor_russian_score: float = 0.5  # minor: a Russian name (abbreviation, common word) unrendered
    name_minor_english_score: float = 0.3  # minor: English-only names (translators add first names)
    negation: bool = True
    negation_score: float = 0.5  # negation on one side only (minor: often a rephrasing)
    negation_major_score: float = 0.8  # ... major: a bare particle with nothing negative on the other side
    # Word-level meaning signals (negation, person) are major when the link's similarity z-score
    # is at most this: the document's own distribution supports them, never decides alone.
    meaning_support_z: float = -2.0
    person_score: float = 0.6  # first person on one side only
    direction_score: float = 0.8  # opposite directions of change (major)
    number_minor_score: float = 0.4  # only number words or scale words left over
    number_major_score: float = 0.8  # a figure on one side only
    number_changed_score: float = 1.0  # figures left over on both sides: a changed value
    untranslated_share: float = 0.5  # Cyrillic share of the English side's letters
    untranslated_min_words: int = 2  # Russian words kept in the English side for a minor flag
    untranslated_minor_score: float = 0.2  # a minor flag's score: the Cyrillic share, at least this
    untranslated_major_score: float = 0.7  # ... a major one's (lower-case Russian words in running English)
    language_min_letters: int = 40  # targets with fewer letters in lower-case words are too short to tell
    language_confidence: float = 0.9  # lingua's confidence in a third language for a critical flag
    untranslated_shown_words: int = 8  # kept Russian words listed in the evidence
    untranslated_evidence_chars: int = 120  # an untranslated target quoted as evidence is cut to this length
    # CAT-tool checks (align/flags/brackets.py, repeats.py, urls.py, identical.py, length.py, consistency.py).
    format_score: float = 0.3  # minor formatting slips: unpaired bracket, repeated word, inconsistency
    url_score: float = 0.8  # a URL or e-mail address on one side only (major)
    identical_min_words: int = 3  # target equal to source with this many words is untranslated
    length_z: float = 3.0  # log length ratio this many document standard deviations away (minor)
    length_min_chars: int = 30  # pairs whose longer side is shorter have too noisy a ratio
    consistency_min_words: int = 4  # repeated sources this long must be rendered alike
