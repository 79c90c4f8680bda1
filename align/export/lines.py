"""Line numbers (1-based, in the original file) of runs of sentences, shared by the
writers that cite lines (review, coverage): each document's line breaks are found once.
A DOCX, ODT, EPUB or PDF has no lines of its own: a reader is told where the run starts
in the original (`Document.location`: page and line, paragraph, spine item)."""

from __future__ import annotations

import re
from bisect import bisect_right

from align.export.safe import md_path
from align.model import EmbeddedDocument


class LineNumbers:
    """Line ranges of runs of sentences, per document."""

    def __init__(self) -> None:
        self._breaks: dict[EmbeddedDocument, list[int]] = {}  # offsets of each document's line breaks

    def span(self, doc: EmbeddedDocument, first: int, last: int) -> tuple[int, int]:
        """First and last line that sentences ``first``..``last`` of ``doc`` occupy."""
        if doc not in self._breaks:
            self._breaks[doc] = [m.start() for m in re.finditer("\n", doc.document.raw)]
        breaks = self._breaks[doc]
        start, end = doc.sentences[first].start, doc.sentences[last].end
        return bisect_right(breaks, start - 1) + 1, bisect_right(breaks, max(end - 1, start) - 1) + 1

    def of(self, doc: EmbeddedDocument, first: int, last: int) -> str:
        """``a-b``, the lines of sentences ``first``..``last`` (as in coverage.tsv)."""
        return "{}-{}".format(*self.span(doc, first, last))

    def words(self, doc: EmbeddedDocument, first: int, last: int) -> str:
        """``line a`` or ``lines a-b``, for a reader; ``page 3, line 12, char 0`` (where
        the run starts) for a file that is not plain text; for a bilingual file (`align check`)
        the segment ids (``segment `12` ``, ``segments `12`–`14` ``), which the CAT tool shows."""
        segments = doc.segments(range(first, last + 1))
        if segments:
            ends = dict.fromkeys((segments[0], segments[-1]))
            return ("segment " if len(ends) == 1 else "segments ") + "–".join(md_path(s) for s in ends)
        where = self.origin(doc, first)
        if where is not None:
            return where
        a, b = self.span(doc, first, last)
        return f"line {a}" if a == b else f"lines {a}-{b}"

    @staticmethod
    def origin(doc: EmbeddedDocument, first: int) -> str | None:
        """Where sentence ``first`` starts in a DOCX, ODT, EPUB or PDF original (None for text)."""
        location = doc.document.location(doc.sentences[first].start)
        return None if location is None else location.describe()
