"""The layout of a bilingual reader edition, shared by the HTML and EPUB writers: rows of
paragraphs whose two sides begin and end together, each sentence keyed by its link (so a
reader can find its counterpart), headings for the table of contents, notes, verse lines,
omission and addition marks, and the title, author and translator.

A row closes only where both sides reach a paragraph boundary, so the columns stay level
however the translator merged or split paragraphs."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import count
from pathlib import Path

from align.export.lines import LineNumbers
from align.export.safe import plain
from align.ingest import HTML_SUFFIXES
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Link, Paragraph, Passage, Sentence

LANGUAGE_NAMES = {"ru": "Russian", "en": "English", "de": "German", "fr": "French", "uk": "Ukrainian",
                  "be": "Belarusian", "es": "Spanish", "it": "Italian", "zh": "Chinese", "is": "Icelandic"}
VERSE_SHARE = 0.75  # in a plain text, lines all under this share of the measure are verse, not wrapping
AUTHOR_LINE = 60  # a short first paragraph before the first heading names the author
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)  # in an HTML original a newline is a space
_TEXT_BREAK = re.compile(r"\n")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
SERIOUS = ("major", "critical")


@dataclass(frozen=True)
class Piece:
    """One sentence on one side: its link number (the counterpart key), its lines (one
    unless verse) and, for the marks shown on request, what it lacks on the other side."""

    link: int
    lines: tuple[str, ...]
    mark: str = ""  # "" | "omission" | "addition"
    note: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph (or heading) of one side, as the sentences of it that the row holds."""

    heading: bool
    verse: bool
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Row:
    """Paragraphs of both sides that begin and end together; ``units`` are its links, for
    the interlinear view (sentence under sentence)."""

    anchor: str
    heading: bool
    src: tuple[Block, ...]
    tgt: tuple[Block, ...]
    units: tuple[tuple[tuple[Piece, ...], tuple[Piece, ...]], ...]


@dataclass(frozen=True)
class Section:
    """A run of rows: a whole parallel text, or one located passage with a reference to
    where it sits in the Russian collection."""

    anchor: str
    reference: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Meta:
    """What a publisher puts on the title page and in the book's metadata."""

    title: str
    title_lang: str
    tgt_title: str
    author: str
    translator: str
    src_lang: str
    tgt_lang: str

    @property
    def languages(self) -> str:
        return " · ".join(LANGUAGE_NAMES.get(lang, lang) for lang in (self.src_lang, self.tgt_lang))


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    src: str
    tgt: str


@dataclass(frozen=True)
class Edition:
    stem: str
    meta: Meta
    sections: tuple[Section, ...]
    toc: tuple[TocEntry, ...]
    src_notes: tuple[str, ...]
    tgt_notes: tuple[str, ...]

    @property
    def identifier(self) -> str:
        """A stable id (same texts, same id), for the EPUB package."""
        text = "\n".join(p.lines[0] for s in self.sections for r in s.rows for b in r.src for p in b.pieces)
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.meta.title + chr(0) + text)}"


@dataclass(frozen=True)
class MetaOverrides:
    """Title, author and translator given on the command line (None: from the documents)."""

    title: str | None = None
    author: str | None = None
    translator: str | None = None


def editions_of(result: BuildResult, src_lang: str, tgt_lang: str, lines: LineNumbers | None = None,
                overrides: MetaOverrides | None = None) -> list[Edition]:
    """One edition per parallel pair, and one per located English text (its passages, each
    with its place in the Russian collection); stems are unique."""
    lines = lines or LineNumbers()
    editions: list[Edition] = []
    for pair in (p for p in result.pairs if p.mode == "parallel"):
        editions.append(parallel_edition(pair, src_lang, tgt_lang, overrides))
    for doc in result.tgt_docs:
        located = [p for p in result.pairs if p.mode == "located" and p.tgt is doc and p.links]
        if located:
            editions.append(located_edition(doc, located, src_lang, tgt_lang, lines, overrides))
    seen: dict[str, int] = {}
    unique = []
    for edition in editions:
        count = seen[edition.stem] = seen.get(edition.stem, 0) + 1
        unique.append(edition if count == 1 else replace(edition, stem=f"{edition.stem}-{count}"))
    return unique


def parallel_edition(pair: AlignedPair, src_lang: str, tgt_lang: str,
                     overrides: MetaOverrides | None = None) -> Edition:
    """The whole pair, row by row."""
    rows = _rows(pair, pair.links, count(1), _sides(pair))
    stem = pair.src.path.stem if pair.src.path.stem == pair.tgt.path.stem else (
        f"{pair.src.path.stem}--{pair.tgt.path.stem}")
    meta = _meta(pair.src.document.paragraphs, pair.tgt.document.paragraphs, pair.tgt.path, src_lang, tgt_lang,
                 overrides)
    section = Section("text", "", tuple(rows))
    toc = tuple(_toc_entry(row) for row in rows if row.heading)
    return Edition(_safe_stem(stem), meta, (section,), toc, _notes(pair.src), _notes(pair.tgt))


def located_edition(doc: EmbeddedDocument, pairs: list[AlignedPair], src_lang: str, tgt_lang: str,
                    lines: LineNumbers, overrides: MetaOverrides | None = None) -> Edition:
    """An English text's passages found in the Russian collection, in the English text's
    order, each headed by the Russian file and lines it renders."""
    counter = count(1)  # link numbers (the counterpart keys) unique across the sections
    found = sorted(((pair, passage) for pair in pairs for passage in pair.passages), key=lambda pp: pp[1].en_start)
    sections, labels = [], []
    sides: dict[int, tuple[_LineBreaks, _LineBreaks]] = {}
    for number, (pair, passage) in enumerate(found, 1):
        links = [link for link in pair.links if _inside(link, passage)]
        if not links:
            continue
        rows = _rows(pair, links, counter, sides.setdefault(id(pair), _sides(pair)), prefix=f"p{number}-")
        ru_lines = lines.words(pair.src, passage.ru_start, passage.ru_end - 1)
        en_lines = lines.words(doc, passage.en_start, passage.en_end - 1)
        reference = plain(f"{pair.src.path.name}, {ru_lines} ↔ {doc.path.name}, {en_lines}")
        sections.append(Section(f"passage-{number}", reference, tuple(rows)))
        labels.append(f"English {en_lines} · Russian {ru_lines}")
    meta = _meta((), doc.document.paragraphs, doc.path, src_lang, tgt_lang, overrides)
    toc = tuple(TocEntry(s.anchor, "", label) for s, label in zip(sections, labels, strict=True))
    src_notes = tuple(dict.fromkeys(note for pair, passage in found for note in _passage_notes(pair, passage)))
    return Edition(_safe_stem(doc.path.stem), meta, tuple(sections), toc, src_notes, _notes(doc))


def _passage_notes(pair: AlignedPair, passage: Passage) -> list[str]:
    """The Russian footnotes set among a passage's lines (ingest moved them out of the text)."""
    first, last = pair.src.sentences[passage.ru_start].start, pair.src.sentences[passage.ru_end - 1].end
    return [plain(note.text) for note in pair.src.document.footnotes if first <= note.start <= last]


def _inside(link: Link, passage: Passage) -> bool:
    if link.tgt:
        return passage.en_start <= link.tgt[0] < passage.en_end
    return passage.ru_start <= link.src[0] < passage.ru_end


class _LineBreaks:
    """Which paragraphs of a document keep their line breaks (verse), and its sentences'
    lines. An HTML original's ``<br>`` is always kept: its author put it there. In a plain
    text, where lines may be a PDF's wrapping, a paragraph is verse when its 2+ lines all
    stay well short of the text's measure (the 90th-percentile line): wrapped prose fills it."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.html = document.path.suffix.lower() in HTML_SUFFIXES
        self.pattern = _HTML_BREAK if self.html else _TEXT_BREAK
        lengths = sorted(len(line.strip()) for line in document.raw.splitlines() if line.strip())
        self.measure = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
        self._verse: dict[int, bool] = {}

    def verse(self, index: int) -> bool:
        if index not in self._verse:
            paragraph = self.document.paragraphs[index]
            lines = [line for line in self._split(paragraph.start, paragraph.end) if line]
            self._verse[index] = len(lines) >= 2 and (
                self.html or max(map(len, lines)) <= VERSE_SHARE * self.measure)
        return self._verse[index]

    def lines(self, sentence: Sentence) -> tuple[str, ...]:
        if not self.verse(sentence.paragraph):
            return (plain(sentence.text),)
        return tuple(line for line in self._split(sentence.start, sentence.end) if line) or (plain(sentence.text),)

    def _split(self, start: int, end: int) -> list[str]:
        return [_clean(line) for line in self.pattern.split(self.document.raw[start:end])]


def _sides(pair: AlignedPair) -> tuple[_LineBreaks, _LineBreaks]:
    return _LineBreaks(pair.src.document), _LineBreaks(pair.tgt.document)


def _rows(pair: AlignedPair, links: list[Link] | tuple[Link, ...], counter: Iterator[int],
          sides: tuple[_LineBreaks, _LineBreaks], prefix: str = "") -> list[Row]:
    groups: list[list[tuple[int, Link]]] = []
    last_src = last_tgt = -1
    for link in links:
        src_paras = [pair.src.sentences[i].paragraph for i in link.src]
        tgt_paras = [pair.tgt.sentences[j].paragraph for j in link.tgt]
        starts_row = (not src_paras or min(src_paras) > last_src) and (not tgt_paras or min(tgt_paras) > last_tgt)
        if starts_row or not groups:
            groups.append([])
        groups[-1].append((next(counter), link))
        last_src = max([last_src, *src_paras])
        last_tgt = max([last_tgt, *tgt_paras])
    return [_row(pair, group, f"{prefix}r{n}", sides) for n, group in enumerate(groups, 1)]


def _row(pair: AlignedPair, group: list[tuple[int, Link]], anchor: str,
         sides: tuple[_LineBreaks, _LineBreaks]) -> Row:
    src_breaks, tgt_breaks = sides
    units = []
    src_pieces: list[tuple[int, Piece]] = []
    tgt_pieces: list[tuple[int, Piece]] = []
    for number, link in group:
        omitted, added = _marks(link)
        src = [(pair.src.sentences[i].paragraph, Piece(number, src_breaks.lines(pair.src.sentences[i]), *omitted))
               for i in link.src]
        tgt = [(pair.tgt.sentences[j].paragraph, Piece(number, tgt_breaks.lines(pair.tgt.sentences[j]), *added))
               for j in link.tgt]
        src_pieces += src
        tgt_pieces += tgt
        units.append((tuple(p for _, p in src), tuple(p for _, p in tgt)))
    src_blocks = _blocks(src_breaks, src_pieces)
    tgt_blocks = _blocks(tgt_breaks, tgt_pieces)
    heading = all(b.heading for b in (*src_blocks, *tgt_blocks))
    return Row(anchor, heading, src_blocks, tgt_blocks, tuple(units))


def _marks(link: Link) -> tuple[tuple[str, str], tuple[str, str]]:
    """(mark, note) for the source and target pieces of a link."""
    if not link.tgt:
        return ("omission", "not rendered in the translation"), ("", "")
    if not link.src:
        return ("", ""), ("addition", "not in the original")
    omitted = [plain(f.evidence) for f in link.flags if f.kind == "omission" and f.severity in SERIOUS]
    added = [plain(f.evidence) for f in link.flags if f.kind == "addition" and f.severity in SERIOUS]
    return (("omission", "; ".join(omitted)) if omitted else ("", "")), (
        ("addition", "; ".join(added)) if added else ("", ""))


def _clean(text: str) -> str:
    """Visible text of a piece of the original file: tags dropped, entities decoded."""
    return plain(_SPACE.sub(" ", html.unescape(_TAG.sub("", text)))).strip()


def _blocks(breaks: _LineBreaks, pieces: list[tuple[int, Piece]]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    last = None
    for paragraph_index, piece in pieces:
        paragraph = breaks.document.paragraphs[paragraph_index]
        if paragraph_index != last:
            blocks.append(Block(paragraph.kind == "heading", breaks.verse(paragraph_index), ()))
            last = paragraph_index
        blocks[-1] = replace(blocks[-1], pieces=(*blocks[-1].pieces, piece))
    return tuple(blocks)


def _toc_entry(row: Row) -> TocEntry:
    def text(blocks: tuple[Block, ...]) -> str:
        return " ".join(line for b in blocks for p in b.pieces for line in p.lines)

    return TocEntry(row.anchor, text(row.src), text(row.tgt))


def _notes(doc: EmbeddedDocument) -> tuple[str, ...]:
    return tuple(plain(note.text) for note in doc.document.footnotes)


def _meta(src: tuple[Paragraph, ...], tgt: tuple[Paragraph, ...], tgt_path: Path, src_lang: str, tgt_lang: str,
          overrides: MetaOverrides | None) -> Meta:
    overrides = overrides or MetaOverrides()
    src_title, src_author = _title_and_author(src)
    tgt_title, tgt_author = _title_and_author(tgt)
    title = plain(overrides.title or src_title or tgt_title or tgt_path.stem.replace("_", " "))
    title_lang = src_lang if overrides.title or src_title else tgt_lang
    author = plain(overrides.author or src_author or tgt_author)
    return Meta(title, title_lang, tgt_title if tgt_title != title else "", author, plain(overrides.translator or ""),
                src_lang, tgt_lang)


def _title_and_author(paragraphs: tuple[Paragraph, ...]) -> tuple[str, str]:
    """The first heading, and a short paragraph standing alone before it (the author)."""
    first = next((i for i, p in enumerate(paragraphs[:3]) if p.kind == "heading"), None)
    if first is None:
        return "", ""
    before = paragraphs[0].text if first == 1 and len(paragraphs[0].text) <= AUTHOR_LINE else ""
    return _clean(paragraphs[first].text), _clean(before)


def _safe_stem(stem: str) -> str:
    """``stem`` as a file name of word characters, dots and dashes; "edition" when none is
    left (an input named ``:.txt`` must not fail the run when its outputs are written)."""
    return re.sub(r"[^\w.-]+", "_", stem).strip("._") or "edition"
