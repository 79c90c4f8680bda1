"""Typed, immutable data that flows between the pipeline stages."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np

FlagKind = Literal["omission", "addition", "mistranslation", "number", "date", "name", "untranslated",
                   "language", "format", "repetition", "inconsistency", "length", "segmentation"]
Span = tuple[int, int]  # character offsets into a sentence (end exclusive)
Severity = Literal["minor", "major", "critical"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of cleaned text with a map back into the original file.

    ``pieces`` is a tuple of ``(clean_start, original_start, length)`` runs: the
    cleaned text ``text[clean_start:clean_start+length]`` was copied verbatim from
    ``original[original_start:original_start+length]``. Characters of ``text``
    outside every run (joining spaces) map to the nearest preceding run.
    """

    index: int
    text: str
    start: int
    end: int
    kind: str = "body"  # body | heading | footnote
    pieces: tuple[tuple[int, int, int], ...] = ()
    # The id of the bilingual file's segment this paragraph is (`align check`: an XLIFF
    # segment, a TMX tuid, a TSV line), so a translator finds it in the CAT tool; "" in running text.
    segment: str = ""

    def original_offset(self, clean_offset: int) -> int:
        """Offset in the original file of the character at ``clean_offset``."""
        if not self.pieces:
            return self.start + clean_offset
        starts = [p[0] for p in self.pieces]
        i = max(bisect.bisect_right(starts, clean_offset) - 1, 0)
        clean_start, original_start, length = self.pieces[i]
        return original_start + min(clean_offset - clean_start, max(length - 1, 0))

    def original_span(self, clean_start: int, clean_end: int) -> tuple[int, int]:
        """Original-file span (end exclusive) of the cleaned span ``[clean_start, clean_end)``."""
        if clean_end <= clean_start:
            start = self.original_offset(clean_start)
            return start, start
        return self.original_offset(clean_start), self.original_offset(clean_end - 1) + 1


LocationUnit = Literal["paragraph", "footnote", "endnote", "line"]
ReaderName = Literal["text", "html", "docx", "odt", "epub", "pdf"]


@dataclass(frozen=True)
class Location:
    """Where a text starts in a DOCX, ODT, EPUB or PDF original, in units a person can find
    there again (a plain text's character offsets need none): ``unit`` ``number`` (1-based:
    the paragraph, in an EPUB within its spine ``item``; the note; the line on ``page``),
    and ``offset`` characters into it."""

    unit: LocationUnit
    number: int
    offset: int = 0
    page: int = 0  # PDF only
    item: str = ""  # EPUB only: the spine item's path in the archive

    def describe(self) -> str:
        """``page 3, line 12, char 5``; ``OEBPS/ch2.xhtml, paragraph 4, char 0``; ``footnote 2, char 0``."""
        parts = ([f"page {self.page}"] if self.page else []) + ([self.item] if self.item else [])
        return ", ".join([*parts, f"{self.unit} {self.number}", f"char {self.offset}"])


@dataclass(frozen=True)
class Region:
    """From ``start`` in ``Document.raw`` (to the next region's start) the text of the
    original at ``location``, character for character."""

    start: int
    location: Location


@dataclass(frozen=True)
class Document:
    """A decoded input file: ``raw`` as read, cleaned paragraphs with offsets into it.

    A DOCX, ODT, EPUB or PDF has no text to point into: its ``raw`` is the text its reader
    extracted (one paragraph, or a PDF's line, per line) and ``regions`` map that back to
    the original's paragraphs, notes, pages and lines. ``reader`` names the reader."""

    path: Path
    lang: str
    raw: str
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Paragraph, ...] = ()
    encoding: str = "utf-8"
    reader: ReaderName = "text"
    regions: tuple[Region, ...] = ()

    @property
    def text(self) -> str:
        """The cleaned running text, one paragraph per line."""
        return "\n".join(p.text for p in self.paragraphs)

    def location(self, offset: int) -> Location | None:
        """Where the character at ``offset`` of ``raw`` lies in the original (None for plain text)."""
        if not self.regions:
            return None
        i = max(bisect.bisect_right(self.regions, offset, key=lambda r: r.start) - 1, 0)
        region = self.regions[i]
        return replace(region.location, offset=region.location.offset + max(offset - region.start, 0))


@dataclass(frozen=True)
class Sentence:
    """One sentence; ``start``/``end`` are offsets into the original file (end exclusive)."""

    doc: str
    index: int
    paragraph: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Flag:
    """A mismatch found on a link: what kind, how serious, and the evidence; ``src_spans`` /
    ``tgt_spans`` point at the words that matter in the link's joined source / target text
    (empty when the evidence is the whole pair)."""

    kind: FlagKind
    severity: Severity
    evidence: str
    score: float = 1.0
    src_spans: tuple[Span, ...] = ()
    tgt_spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Link:
    """An aligned unit: sentence ids on each side (either may be empty)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    flags: tuple[Flag, ...] = field(default=())

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


PairMode = Literal["parallel", "located"]


@dataclass(frozen=True, eq=False)
class EmbeddedDocument:
    """A document split into sentences, one L2-normalised vector per sentence."""

    document: Document
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def lang(self) -> str:
        return self.document.lang

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    def segments(self, ids: tuple[int, ...] | list[int] | range) -> tuple[str, ...]:
        """The bilingual-file segment ids holding sentences ``ids``, each once, in order
        (empty for running text, whose paragraphs have no segment id)."""
        by_paragraph = self._segment_of
        if not by_paragraph:
            return ()
        return tuple(dict.fromkeys(by_paragraph[self.sentences[i].paragraph] for i in ids))

    @cached_property
    def _segment_of(self) -> dict[int, str]:
        return {p.index: p.segment for p in self.document.paragraphs if p.segment}


Relation = Literal["translation", "partial", "retelling"]


@dataclass(frozen=True)
class RelationEvidence:
    """What a located passage's relation label was decided from (``locate/relation.py``):
    shares in 0..1 unless said otherwise; ``ru_words``/``en_words`` are None without a word model."""

    links: int  # links with both sides
    cosine: float  # median cosine of the links' summed sentence vectors
    ru_words: float | None  # Russian content words with a counterpart (word alignment)
    en_words: float | None  # English content words with a counterpart
    order: float  # consecutive English sentences whose best Russian sentence moves forward
    shared: float | None  # English figures and names found in the Russian passage (None: none)
    length_ratio: float  # English characters / Russian characters of the linked sentences
    ru_linked: float  # Russian sentences of the passage in a link with both sides
    quoted: float | None  # English content words inside quotations with a counterpart (None: no quotation)
    rendered: float | None  # links whose Russian and English words both have counterparts (a close rendering)


@dataclass(frozen=True)
class Passage:
    """English sentences [en_start, en_end) render Russian rows [ru_start, ru_end);
    ``relation`` says how (a located passage's label, with its evidence)."""

    en_start: int
    en_end: int
    ru_start: int
    ru_end: int
    score: float
    relation: Relation = "translation"
    evidence: RelationEvidence | None = None


Texts = Sequence[str] | Mapping[int, str]  # a side's sentence texts by id (all of them, or those of some links)


def joined_texts(link: Link, src_texts: Texts, tgt_texts: Texts) -> tuple[str, str]:
    """The texts of a link's two sides, each side's sentences joined by a space."""
    return " ".join(src_texts[i] for i in link.src), " ".join(tgt_texts[j] for j in link.tgt)


def passage_of(passages: Sequence[Passage], src: Sequence[int], tgt: Sequence[int]) -> int | None:
    """The index of the located passage holding a link: the one with its first target
    sentence, else (a link with no target) its first source sentence."""
    return next((k for k, p in enumerate(passages)
                 if (tgt and p.en_start <= tgt[0] < p.en_end) or (not tgt and src and p.ru_start <= src[0] < p.ru_end)),
                None)


@dataclass(frozen=True, eq=False)
class AlignedPair:
    """Links between a source and a target document (ids are sentence indices); a located
    pair also has the passages found (sentence ranges of each side)."""

    src: EmbeddedDocument
    tgt: EmbeddedDocument
    links: tuple[Link, ...]
    mode: PairMode
    passages: tuple[Passage, ...] = field(default=())


@dataclass(frozen=True)
class BuildResult:
    """Everything a run produced: the documents read, their aligned pairs, and per target
    file the sentence ids left without a source (located targets only)."""

    src_docs: tuple[EmbeddedDocument, ...]
    tgt_docs: tuple[EmbeddedDocument, ...]
    pairs: tuple[AlignedPair, ...]
    unmatched: dict[str, tuple[int, ...]]
