"""What the checks that compare a pair with the rest of its document need: the length ratios of
the document's links and how each repeated source sentence is rendered (built once per document)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentStats:
    """Log length ratios (target / source characters) of the linked pairs and the renderings of
    every source sentence; without enough links the length distribution is unknown (std inf)."""

    ratio_mean: float = 0.0
    ratio_std: float = math.inf
    renderings: Mapping[str, frozenset[str]] = field(default_factory=dict)


def normalised(text: str) -> str:
    """Lower-case words only: two renderings differing in punctuation or spacing are the same."""
    return " ".join(re.findall(r"\w+", text.lower()))


def log_ratio(src: str, tgt: str) -> float:
    return math.log((len(tgt) + 1) / (len(src) + 1))


def document_stats(pairs: Sequence[tuple[str, str]], min_links: int) -> DocumentStats:
    """Statistics over the document's linked (source, target) pairs."""
    ratios = [log_ratio(s, t) for s, t in pairs]
    renderings: dict[str, set[str]] = defaultdict(set)
    for s, t in pairs:
        renderings[normalised(s)].add(normalised(t))
    frozen = {k: frozenset(v) for k, v in renderings.items() if len(v) > 1}
    if len(ratios) < min_links:
        return DocumentStats(renderings=frozen)
    mean = sum(ratios) / len(ratios)
    std = math.sqrt(sum((r - mean) ** 2 for r in ratios) / len(ratios)) or 1.0
    return DocumentStats(mean, std, frozen)
