"""Untranslated detector: the English side is Russian, a copy of the source, or keeps Russian words."""

from __future__ import annotations

import re

from align.flags.config import FlagConfig
from align.flags.context import Detector, PairContext
from align.model import Flag
from align.text import CYRILLIC_RE, CYRILLIC_WORD_RE, LETTER_RE, clip


def cyrillic_share(text: str) -> float:
    """Share of letters that are Cyrillic (0 when there are no letters)."""
    letters = LETTER_RE.findall(text)
    return sum(1 for ch in letters if CYRILLIC_RE.match(ch)) / len(letters) if letters else 0.0


def untranslated_flags(src: str, tgt: str, config: FlagConfig) -> list[Flag]:
    """Critical when the target is mostly Cyrillic or repeats the (Cyrillic) source;
    minor when it keeps ``config.untranslated_min_words`` or more Russian words (quoted terms are common)."""
    share = cyrillic_share(tgt)
    limit = config.untranslated_evidence_chars
    if _norm(src) == _norm(tgt) and cyrillic_share(src) > 0:
        return [Flag("untranslated", "critical", f"target repeats the source: {clip(tgt, limit)}", 1.0)]
    if share >= config.untranslated_share:
        return [Flag("untranslated", "critical", f"target is Russian ({share:.0%} Cyrillic): {clip(tgt, limit)}",
                     round(share, 3))]
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
