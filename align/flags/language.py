"""Untranslated and wrong-language detectors: the English side is Russian, a copy of the source,
or keeps Russian words; or a target is in another language altogether (lingua, offline)."""

from __future__ import annotations

import re
from functools import lru_cache

from align.flags.config import FlagConfig
from align.flags.context import Detector, PairContext
from align.model import Flag
from align.text import CYRILLIC_RE, CYRILLIC_WORD_RE, LETTER_RE, WORD_RE, clip


def cyrillic_share(text: str) -> float:
    """Share of letters that are Cyrillic (0 when there are no letters)."""
    letters = LETTER_RE.findall(text)
    return sum(1 for ch in letters if CYRILLIC_RE.match(ch)) / len(letters) if letters else 0.0


# Russian words a translator quotes on purpose: inside quotes or brackets, or capitalised (a name).
QUOTED_RE = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|\([^)]*\)|\[[^\]]*\]")
# Languages told apart (the neighbours a target is mistaken for); ISO 639-1 codes.
LINGUA_LANGUAGES = ("en", "ru", "uk", "be", "bg", "sr", "kk", "de", "fr", "es", "it", "pt", "nl", "pl", "cs")


def mixed_words(tgt: str) -> list[re.Match]:
    """Lower-case Russian words in running English text, outside quotes and brackets: code-mixing."""
    quoted = [m.span() for m in QUOTED_RE.finditer(tgt)]
    return [m for m in CYRILLIC_WORD_RE.finditer(tgt)
            if m.group()[0].islower() and not any(a <= m.start() < b for a, b in quoted)]


def untranslated_flags(src: str, tgt: str, config: FlagConfig) -> list[Flag]:
    """Critical when the target is mostly Cyrillic or repeats the (Cyrillic) source; major when
    a lower-case Russian word is left in the running English text (code-mixing); minor when it
    keeps ``config.untranslated_min_words`` or more Russian words in quotes or as names (quoted
    terms are common)."""
    share = cyrillic_share(tgt)
    limit = config.untranslated_evidence_chars
    if _norm(src) == _norm(tgt) and cyrillic_share(src) > 0:
        return [Flag("untranslated", "critical", f"target repeats the source: {clip(tgt, limit)}", 1.0)]
    if share >= config.untranslated_share:
        return [Flag("untranslated", "critical", f"target is Russian ({share:.0%} Cyrillic): {clip(tgt, limit)}",
                     round(share, 3))]
    mixed = mixed_words(tgt)
    if mixed:
        shown = ", ".join(m.group() for m in mixed[:config.evidence_words])
        return [Flag("untranslated", "major", f"Russian words in the English text: {shown}",
                     round(max(share, config.untranslated_major_score), 3),
                     tgt_spans=tuple(m.span() for m in mixed[:config.evidence_words]))]
    kept = CYRILLIC_WORD_RE.findall(tgt)
    if len(kept) >= config.untranslated_min_words:
        shown = ", ".join(kept[:config.untranslated_shown_words])
        return [Flag("untranslated", "minor", f"Russian words kept: {shown}",
                     round(max(share, config.untranslated_minor_score), 3))]
    return []


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _untranslated(pair: PairContext) -> list[Flag]:
    return untranslated_flags(pair.src, pair.tgt, pair.config)


# Russian into English only: the other way round, a Cyrillic target is the translation.
UNTRANSLATED = Detector("untranslated", frozenset({"untranslated"}), frozenset({("ru", "en")}), _untranslated,
                        decisive=True)


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LINGUA_LANGUAGES]
    # Trigram models only: they load in 0.4 s instead of 5 s, and sentences of 40+ letters
    # (``config.language_min_letters``) need no more.
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def language_of(text: str) -> tuple[str, float]:
    """The most likely language of ``text`` among ``LINGUA_LANGUAGES`` and its confidence."""
    best = _detector().compute_language_confidence_values(text)[0]
    return best.language.iso_code_639_1.name.lower(), best.value


def wrong_language_flags(src: str, tgt: str, src_lang: str, tgt_lang: str, config: FlagConfig) -> list[Flag]:
    """Critical ``language`` flag when a target of ``config.language_min_letters`` letters or more
    (in lower-case words) is
    confidently in a third language (Ukrainian given as Russian, German as English); a target in
    the source language is the untranslated detector's (or the identical check's) business."""
    # Names belong to no language ("Grzegorz Sokolov" reads as Czech): only lower-case words count.
    plain = " ".join(w for w in WORD_RE.findall(tgt) if not w[0].isupper())
    if tgt_lang not in LINGUA_LANGUAGES or len(LETTER_RE.findall(plain)) < config.language_min_letters:
        return []
    found, confidence = language_of(plain)
    if found in (tgt_lang, src_lang) or confidence < config.language_confidence:
        return []
    return [Flag("language", "critical", f"target reads as {found}, not {tgt_lang} ({confidence:.0%})",
                 round(confidence, 3), tgt_spans=((0, len(tgt)),))]


def _wrong_language(pair: PairContext) -> list[Flag]:
    return wrong_language_flags(pair.src, pair.tgt, pair.src_lang, pair.tgt_lang, pair.config)


WRONG_LANGUAGE = Detector("wrong language", frozenset({"language"}), None, _wrong_language, decisive=True)
