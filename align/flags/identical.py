"""Target-equals-source check for any language pair (Russian into English has the untranslated
detector, which runs first): a segment copied over instead of translated."""

from __future__ import annotations

from align.flags.context import Detector, PairContext
from align.flags.document import normalised
from align.model import Flag


def identical_flags(src: str, tgt: str, min_words: int) -> list[Flag]:
    """Critical ``untranslated`` flag when both sides are the same words, ``min_words`` or more
    (shorter ones are names, figures and titles that stay as they are)."""
    same = normalised(src)
    if same != normalised(tgt) or sum(1 for w in same.split() if not w.isdigit()) < min_words:
        return []
    return [Flag("untranslated", "critical", "target equals the source", 1.0, src_spans=((0, len(src)),),
                 tgt_spans=((0, len(tgt)),))]


def _identical(pair: PairContext) -> list[Flag]:
    return identical_flags(pair.src, pair.tgt, pair.config.identical_min_words)


IDENTICAL = Detector("target equals source", frozenset({"untranslated"}), None, _identical, decisive=True)
