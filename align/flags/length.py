"""Length-ratio check: a target far longer or shorter than the document's own ratio (Russian runs
longer than English; each pair of languages and translator has its ratio), a hint of text lost
or added that the word alignment may miss."""

from __future__ import annotations

from align.flags.context import Detector, PairContext
from align.flags.document import log_ratio
from align.model import Flag


def length_flags(pair: PairContext) -> list[Flag]:
    """Minor ``length`` flag when the log length ratio is ``config.length_z`` document standard
    deviations from the document's mean (a side of ``config.length_min_chars`` or more)."""
    config, stats = pair.config, pair.document
    if max(len(pair.src), len(pair.tgt)) < config.length_min_chars:
        return []
    z = (log_ratio(pair.src, pair.tgt) - stats.ratio_mean) / stats.ratio_std
    if abs(z) < config.length_z:
        return []
    side = "longer" if z > 0 else "shorter"
    evidence = f"target {side} than usual: {len(pair.tgt)} vs {len(pair.src)} characters (z = {z:.1f})"
    return [Flag("length", "minor", evidence, round(min(1.0, abs(z) / (2 * config.length_z)), 3))]


LENGTH = Detector("length ratio", frozenset({"length"}), None, length_flags)
