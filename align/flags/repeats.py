"""Repeated-word check (as in CAT tools): "the the", «в в» in the target, a typing slip, unless
the source repeats the word too («очень-очень», "no, no")."""

from __future__ import annotations

import re

from align.flags.context import Detector, PairContext
from align.model import Flag

REPEAT_RE = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


def repeat_flags(src: str, tgt: str, score: float) -> list[Flag]:
    """Minor ``repetition`` flag for a word written twice in a row in the target (not the source)."""
    if REPEAT_RE.search(src):
        return []
    found = [m for m in REPEAT_RE.finditer(tgt) if not m.group(1).isdigit()]
    if not found:
        return []
    return [Flag("repetition", "minor", f"repeated: {found[0].group()}", score, tgt_spans=(found[0].span(),))]


def _repeats(pair: PairContext) -> list[Flag]:
    return repeat_flags(pair.src, pair.tgt, pair.config.format_score)


REPEATS = Detector("repeated words", frozenset({"repetition"}), None, _repeats)
