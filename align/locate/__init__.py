"""Comparable-corpus mode: find the source passages that an English text renders.

1. Retrieval (``search.py``): the best Russian rows of each English sentence, margin-scored.
2. Evidence (``evidence.py``): quotations searched on their own; numbers and names
   (transliterated) shared or contradicted, and length agreement, adjust each candidate's score.
3. Chaining (``passages.py``): renderings come in runs, in order. A Viterbi pass over the
   English sentences picks for each one either "no source" or one of its candidates,
   rewarding a candidate that follows the previous pick in the same document. Runs of
   picks that pass the acceptance thresholds become passages.
4. Duplicates: the Russian rows of accepted passages are masked and the search is
   repeated, so a text quoted twice in the collection yields a passage per copy.
5. Aligning (``aligning.py``): each passage, with context, goes through the sentence
   aligner; context left at its edges is trimmed.
"""

from align.locate.aligning import locate_and_align, trim_edges, unlinked_targets
from align.locate.config import LocateConfig
from align.locate.evidence import evidence, quotations, with_quotations
from align.locate.passages import find_passages, merge_overlapping
from align.locate.search import AnnSearch, Candidates, ExactSearch, Search, build_ivf, make_search, retrieve

__all__ = ["AnnSearch", "Candidates", "ExactSearch", "LocateConfig", "Search", "build_ivf", "evidence",
           "find_passages", "locate_and_align", "make_search", "merge_overlapping",
           "quotations", "retrieve", "trim_edges", "unlinked_targets", "with_quotations"]
