"""Brackets and quotes check (as in Xbench and Trados QA): the target leaves one unpaired where
the source pairs it, a formatting slip a reader trips over."""

from __future__ import annotations

from align.flags.context import Detector, PairContext
from align.model import Flag

PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ("«", "»"), ("“", "”"))
STRAIGHT = ('"',)  # quotes that open and close alike: paired when their count is even


def unpaired(text: str) -> list[tuple[str, int]]:
    """Unpaired brackets and quotes with their offsets (openings never closed, closings never opened)."""
    found: list[tuple[str, int]] = []
    for opening, closing in PAIRS:
        stack: list[int] = []
        for i, ch in enumerate(text):
            if ch == opening:
                stack.append(i)
            elif ch == closing:
                if stack:
                    stack.pop()
                else:
                    found.append((ch, i))
        found += [(opening, i) for i in stack]
    for quote in STRAIGHT:
        where = [i for i, ch in enumerate(text) if ch == quote]
        if len(where) % 2:
            found.append((quote, where[-1]))
    return sorted(found, key=lambda f: f[1])


def bracket_flags(src: str, tgt: str, score: float) -> list[Flag]:
    """Minor ``format`` flag when the target has an unpaired bracket or quote and the source has none."""
    bad = unpaired(tgt)
    if not bad or unpaired(src):
        return []
    shown = ", ".join(f"{ch!r} at {i}" for ch, i in bad[:2])
    return [Flag("format", "minor", f"unpaired in the target: {shown}", score,
                 tgt_spans=tuple((i, i + 1) for _, i in bad[:2]))]


def _brackets(pair: PairContext) -> list[Flag]:
    return bracket_flags(pair.src, pair.tgt, pair.config.format_score)


BRACKETS = Detector("brackets", frozenset({"format"}), None, _brackets)
