"""Untranslated detector: the English side is Russian, a copy of the source, or keeps Russian words."""

from __future__ import annotations

import re

from align.model import Flag

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LETTER = re.compile(r"[^\W\d_]")
_CYR_WORD = re.compile(r"\b[А-Яа-яЁё][А-Яа-яЁё-]+\b")


def cyrillic_share(text: str) -> float:
    """Share of letters that are Cyrillic (0 when there are no letters)."""
    letters = _LETTER.findall(text)
    return sum(1 for ch in letters if _CYRILLIC.match(ch)) / len(letters) if letters else 0.0


def untranslated_flags(src: str, tgt: str, min_share: float = 0.5, min_words: int = 2) -> list[Flag]:
    """Critical when the target is mostly Cyrillic or repeats the (Cyrillic) source;
    minor when it keeps ``min_words`` or more Russian words (quoted terms are common)."""
    share = cyrillic_share(tgt)
    if _norm(src) == _norm(tgt) and cyrillic_share(src) > 0:
        return [Flag("untranslated", "critical", f"target repeats the source: {_clip(tgt)}", 1.0)]
    if share >= min_share:
        return [Flag("untranslated", "critical", f"target is Russian ({share:.0%} Cyrillic): {_clip(tgt)}",
                     round(share, 3))]
    kept = _CYR_WORD.findall(tgt)
    if len(kept) >= min_words:
        return [Flag("untranslated", "minor", f"Russian words kept: {', '.join(kept[:8])}", round(max(share, 0.2), 3))]
    return []


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
