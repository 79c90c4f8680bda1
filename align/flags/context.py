"""What a detector sees and what it is: the typed seam between ``flag_links`` and the detectors.

``WordModel`` and ``Vocabulary`` are protocols over the two methods the flags use, so the
flags depend on no particular model (``align.tokens`` provides the real ones)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from align.flags.config import FlagConfig
from align.flags.document import DocumentStats
from align.flags.wordgaps import WordGaps, word_gaps
from align.model import Flag, FlagKind
from align.tokens import Words

LanguagePairs = frozenset[tuple[str, str]]
# Rules written for Russian and English (Russian/English regexes, romanisation), either direction.
RU_EN: LanguagePairs = frozenset({("ru", "en"), ("en", "ru")})


class WordModel(Protocol):
    """Word spans and vectors of texts, for the word alignment."""

    def words(self, texts: Sequence[str]) -> list[Words]: ...


class Vocabulary(Protocol):
    """A lexicon: frequent words are in it, rare names are not."""

    def is_common(self, word: str) -> bool: ...


@dataclass(frozen=True)
class PairContext:
    """One linked pair (both sides non-empty) as every detector sees it; built by ``pair_context``."""

    src: str
    tgt: str
    src_lang: str
    tgt_lang: str
    score: float  # the link's cosine
    mean: float  # the document's link scores (mean 0, std inf when too few links for a distribution)
    std: float
    config: FlagConfig
    src_words: Words | None  # word vectors of each side; None without a word alignment
    tgt_words: Words | None
    gaps: WordGaps | None  # content words without counterpart, from src_words / tgt_words
    vocabulary: Vocabulary | None  # None: no lexicon, every name counts as rare
    document: DocumentStats  # the document's length ratios and repeated sources

    @property
    def ru_en(self) -> tuple[str, str]:
        """The Russian and the English side, whichever is the source (for RU_EN detectors)."""
        return (self.src, self.tgt) if self.src_lang == "ru" else (self.tgt, self.src)

    def oriented(self, flags: list[Flag]) -> list[Flag]:
        """Flags whose spans a RU_EN detector gave as (Russian, English), as (source, target)."""
        if self.src_lang == "ru":
            return flags
        return [replace(f, src_spans=f.tgt_spans, tgt_spans=f.src_spans) for f in flags]


def pair_context(*, src: str, tgt: str, src_lang: str, tgt_lang: str, score: float, mean: float, std: float,
                 config: FlagConfig, src_words: Words | None, tgt_words: Words | None,
                 vocabulary: Vocabulary | None, document: DocumentStats | None = None) -> PairContext:
    """The detectors' view of one linked pair, word gaps computed once when both sides have word
    vectors; ``document`` None: the pair is read alone (no length or consistency checks)."""
    gaps = (word_gaps(src_words, tgt_words, src_lang, tgt_lang, config)
            if src_words is not None and tgt_words is not None else None)
    return PairContext(src=src, tgt=tgt, src_lang=src_lang, tgt_lang=tgt_lang, score=score, mean=mean, std=std,
                       config=config, src_words=src_words, tgt_words=tgt_words, gaps=gaps, vocabulary=vocabulary,
                       document=document or DocumentStats())


@dataclass(frozen=True)
class Detector:
    """One mismatch detector: the kinds it reports, the (source, target) language pairs it
    applies to (None: any pair), and the check. A critical flag from a ``decisive`` detector
    ends the pair's checks: once the target is a copy of the source, every other flag is noise."""

    name: str
    kinds: frozenset[FlagKind]
    languages: LanguagePairs | None
    detect: Callable[[PairContext], list[Flag]]
    decisive: bool = False

    def applies(self, src_lang: str, tgt_lang: str) -> bool:
        return self.languages is None or (src_lang, tgt_lang) in self.languages
