"""Settings of comparable-corpus search (one default for every collection)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocateConfig:
    candidates: int = 8
    neighbours: int = 4
    # Near-identical Russian rows (cosine above this) count once among the neighbours.
    duplicate_cosine: float = 0.93
    # Evidence weights, added to the margin: shared/contradicted numbers, shared names,
    # length agreement (log2(1 + short/long) - 1, in [-1, 0]).
    number_weight: float = 0.08
    name_weight: float = 0.05
    length_weight: float = 0.1
    # A lone sentence counts as a rendering only with a high margin and cosine and
    # enough words (short captions match anything).
    single_margin: float = 1.36
    single_cosine: float = 0.7
    single_words: int = 5
    # A lone quotation ("Trotsky wrote: “...”") claims to render something: its own
    # search hit counts at a lower bar.
    quote_margin: float = 1.25
    quote_cosine: float = 0.6
    # A lone sentence whose candidate lies inside (or within ``context`` rows of) a
    # passage the text already renders counts at the run bar and this cosine: the
    # text comes back to a document it quotes.
    region_cosine: float = 0.6
    # A run of two or more counts when its mean and best margins are high enough.
    run_mean_margin: float = 1.18
    run_best_margin: float = 1.3
    # Margin above which a sentence inside a run counts (the run supports it).
    run_margin: float = 1.06
    # Reward for a pick that continues the previous one in the same document within
    # max_forward rows; no penalty within skip_forward (abridged quotes), else a penalty.
    continuity: float = 0.12
    max_forward: int = 6
    skip_forward: int = 40
    max_backward: int = 1
    # An accepted run grows by neighbouring sentences whose candidate, within
    # skip_forward rows of its edge, has at least this margin.
    extend_margin: float = 0.95
    # Picks closer than this (English sentences) join one run.
    merge_gap_en: int = 2
    # Search rounds: each round masks the rows already found, to report every copy.
    rounds: int = 3
    # A later copy of an English passage must match within this cosine of the first.
    copy_tolerance: float = 0.04
    # Sentences of context added on each side of a passage before it is aligned.
    context: int = 2
    # Links at the edges of an aligned passage below this cosine are dropped as context.
    edge_cosine: float = 0.45
    # Relation labels (locate/relation.py). A content word has a counterpart when it is a
    # mutual best word match with at least relation_word_cosine. A passage where neither
    # side has retelling_words of its content words covered is partial when at least
    # quote_words of the English words inside quotations have a counterpart (the author
    # quotes the Russian), when at least rendered_links of its links are covered on both
    # sides, or when its median link cosine reaches translation_cosine; else a retelling
    # (so is one whose order is broken: forward steps below retelling_order). A
    # translation covers retelling_words of both sides on average. Without a word model: a
    # retelling when the links' median cosine is below retelling_cosine, or the order is
    # broken and it is below translation_cosine.
    relation_word_cosine: float = 0.5
    retelling_words: float = 0.7
    quote_words: float = 0.5
    rendered_links: float = 0.5
    translation_cosine: float = 0.8
    retelling_cosine: float = 0.53
    retelling_order: float = 0.5
    # Partial: fewer than this share of the Russian sentences linked (abridged), English
    # words covered this much less than the Russian (a quotation in a frame), or the
    # English/Russian length ratio below this (or above its inverse).
    partial_linked: float = 0.8
    partial_word_gap: float = 0.2
    partial_length_ratio: float = 0.6
    # Retellings become links too (by default they are listed in coverage only).
    keep_retellings: bool = False
    # Collections with more rows than this are searched through a cached ANN index.
    ann_threshold: int = 200_000
    ann_probe: int = 32
