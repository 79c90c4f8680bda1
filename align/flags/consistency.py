"""Consistency check (as in Xbench): the same source sentence rendered differently elsewhere in
the document pair; one of the renderings is probably a slip, or the terminology drifts."""

from __future__ import annotations

from align.flags.context import Detector, PairContext
from align.flags.document import normalised
from align.model import Flag


def consistency_flags(pair: PairContext) -> list[Flag]:
    """Minor ``inconsistency`` flag on a source of ``config.consistency_min_words`` or more words
    that the document renders in more than one way."""
    key = normalised(pair.src)
    others = pair.document.renderings.get(key, frozenset()) - {normalised(pair.tgt)}
    if len(key.split()) < pair.config.consistency_min_words or not others:
        return []
    return [Flag("inconsistency", "minor", f"the same source is also rendered: {sorted(others)[0]}",
                 pair.config.format_score)]


CONSISTENCY = Detector("consistency", frozenset({"inconsistency"}), None, consistency_flags)
