"""Clean text extracted from PDFs (and plain text files) into paragraphs with offsets.

The mode is chosen per file:

* ``pdf`` -- hard-wrapped text: most text lines are followed by a blank line and
  most do not end with sentence punctuation. Blank lines are ignored; a paragraph
  ends between text lines A and B when B is not a lowercase continuation and

  - A is short: ``len(A) + 1 + len(first word of B)`` is below the document's wrap
    width (5th percentile of that sum over lines certainly continued, i.e. followed
    by a lowercase line; 84 on the Trotsky corpus file), i.e. B's first word would
    have fitted on A's line; or
  - A ends with sentence punctuation followed by two or more spaces; or
  - a whitespace-only line (not a footnote separator) lies between A and B; or
  - A or B is a heading line (all capitals, ``№ 12``) or B is a list item (``б)``)
    after punctuation.

  Footnote blocks start at a separator line of >= 20 spaces: a lone number line
  (or a first line ``17 text``) starts each footnote, whose text runs over wrapped
  lines until a line starting with a space that does not follow a number line (the
  next page). Blocks longer than 40 lines are not footnotes (tables): only the
  first lone number is dropped. Other lone 1-3 digit lines between blank lines
  are page numbers and dropped. Footnote markers glued to a word, closing quote or
  period (``Троцкого5``, ``Сталина»9``, ``руководстве.10``) are removed only for
  numbers of footnotes in that block, searched in order on the same page.

* ``blocks`` -- lines wrapped within blank-line separated blocks: one block is one
  paragraph.
* ``lines`` -- otherwise every non-empty line is a paragraph (e.g. web articles).

Hyphen at a line end (letter + ``-``): the hyphen is kept when a side has digits,
the second half is capitalised, the first half is a prefix like ``из``/``по``/
``кое`` or the second a particle like ``то``/``либо``/``нибудь``; otherwise the
document decides: the hyphenated or the joined form, whichever occurs more often
(as a whole word, else as a word prefix), wins. With no evidence the hyphen stays,
since on the corpus file no-evidence cases are real compounds (``российско-
американского``); PDF soft hyphenation gets resolved by evidence.

Headings: single lines that are all capitals, ``№ N`` lines, date lines, titles
right after a ``№ N`` heading (no final punctuation), and short lines (< 60
characters) without final punctuation that do not start lowercase.

Joined lines get one space (outside ``pieces``); internal whitespace runs collapse
to one space; a mended hyphen drops the hyphen and the line break.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from align.model import Paragraph

Segment = tuple[int, int, str]  # raw start, raw end, joiner placed before it ("" or " ")

FINAL = ".!?…:;»\"”)"
_RUN = re.compile(r"\S+(?: \S+)*")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_LONE_NUMBER = re.compile(r"\s*(\d{1,3})\s*")
_INLINE_NOTE = re.compile(r"\s*(\d{1,3})\s+\S")
_NUMBER_HEADING = re.compile(r"№\s*\S{0,12}")
_DATE = re.compile(r"(?:\d{1,2}[./][\dIVX]{1,4}[./-]\S{2,6}|\d{1,2}\s+[а-яё]+\s+\d{4})\s*(?:г\.?|года)?",
                   re.IGNORECASE)
_LIST_ITEM = re.compile(r"(?:[а-яa-z]|\d{1,2})\)\s")
KEEP_PREFIXES = {"из", "по", "во", "в", "кое", "кой", "контр"}
KEEP_PARTICLES = {"то", "либо", "нибудь", "таки", "ка", "де", "тка"}
SEPARATOR_MIN = 20
MAX_FOOTNOTE_LINES = 40
SHORT_HEADING = 60
PAGE_LINES = 60  # text lines searched for footnote markers before a footnote block


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, before "\r\n" / "\n"
    text: str

    @property
    def strip(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def separator(self) -> bool:
        return self.blank and len(self.text) >= SEPARATOR_MIN


def split_lines(raw: str) -> list[Line]:
    """Lines of ``raw`` with their offsets; ``\\r\\n`` counts as one line break."""
    lines, pos = [], 0
    for chunk in raw.split("\n"):
        end = pos + len(chunk)
        text = chunk[:-1] if chunk.endswith("\r") else chunk
        lines.append(Line(pos, pos + len(text), text))
        pos = end + 1
    if lines and not lines[-1].text and lines[-1].start == len(raw):
        lines.pop()
    return lines


def clean_pdf_text(raw: str, mode: str | None = None,
                   by_layout: bool = False) -> tuple[list[Paragraph], list[Paragraph]]:
    """Body paragraphs (incl. headings) and footnote paragraphs of ``raw``; ``mode`` is
    detected unless given (the PDF reader lays its text out in ``pdf`` mode). ``by_layout``:
    the hard breaks already mark every paragraph (the PDF reader saw gaps and indents), so a
    short line does not end one (in a proportional font characters do not measure a line).

    A footnote's text excludes its number; its ``start`` is the offset of the number.
    """
    lines = split_lines(raw)
    mode = mode or detect_mode(lines)
    hyphens = _Hyphens(raw)
    if mode == "lines":
        groups = [[line] for line in lines if not line.blank]
        return _finish(raw, [_segments(g, set(), hyphens) for g in groups]), []
    if mode == "blocks":
        groups, current = [], []
        for line in lines + [Line(len(raw), len(raw), "")]:
            if line.blank:
                if current:
                    groups.append(current)
                current = []
            else:
                current.append(line)
        return _finish(raw, [_segments(g, set(), hyphens) for g in groups]), []
    body, notes, removed = _split_footnotes(lines)
    paragraphs = _finish(raw, [_segments(g, removed, hyphens) for g in _paragraph_groups(body, by_layout)])
    footnotes: list[Paragraph] = []
    for number_start, note_lines in notes:
        segments = _segments(note_lines, set(), hyphens)
        if segments:
            footnotes.append(_paragraph(raw, len(footnotes), segments, "footnote", number_start))
    return paragraphs, footnotes


def detect_mode(lines: list[Line]) -> str:
    """``pdf``, ``blocks`` or ``lines`` (see the module docstring)."""
    text = [i for i, line in enumerate(lines) if not line.blank]
    if not text:
        return "lines"
    final = sum(lines[i].strip.endswith(tuple(FINAL)) for i in text) / len(text)
    gapped = sum(i + 2 < len(lines) and lines[i + 1].blank and not lines[i + 2].blank for i in text)
    glued = sum(i + 1 < len(lines) and not lines[i + 1].blank for i in text)
    if final >= 0.5:
        return "lines"
    if gapped >= 0.5 * len(text):
        return "pdf"
    return "blocks" if glued >= 0.5 * len(text) else "lines"


def _split_footnotes(lines: list[Line]) -> tuple[list[tuple[Line, bool]], list[tuple[int, list[Line]]], set[int]]:
    """Body lines (with a "hard break before" flag), footnotes (number offset, lines), removed offsets."""
    body: list[tuple[Line, bool]] = []
    notes: list[tuple[int, list[Line]]] = []
    removed: set[int] = set()
    page_start = 0  # index into body where the current page began
    hard = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.separator:
            if line.blank:
                hard = hard or bool(line.text)
            elif not _page_number(lines, i):
                body.append((line, hard))
                hard = False
            i += 1
            continue
        block, end = _footnote_block(lines, i + 1)
        if block is None:
            skip = i + 1
            while skip < len(lines) and lines[skip].blank:
                skip += 1
            i = skip + 1 if skip < len(lines) and _LONE_NUMBER.fullmatch(lines[skip].text) else i + 1
            continue
        page = body[max(page_start, len(body) - PAGE_LINES):]
        removed |= _note_references(page, [n for n, _, _ in block])
        notes.extend((start, text) for _, start, text in block)
        page_start = len(body)
        i = end
    return body, notes, removed


def _page_number(lines: list[Line], i: int) -> bool:
    """A lone 1-3 digit number between blank lines (outside footnote blocks) is a page number."""
    return (0 < i < len(lines) - 1 and lines[i - 1].blank and lines[i + 1].blank
            and bool(_LONE_NUMBER.fullmatch(lines[i].text)))


def _footnote_block(lines: list[Line], i: int) -> tuple[list[tuple[str, int, list[Line]]] | None, int]:
    """Footnotes after a separator: [(number, number offset, text lines)], index after the block."""
    block: list[tuple[str, int, list[Line]]] = []
    after_number = False
    start = i
    while i < len(lines) and i - start <= MAX_FOOTNOTE_LINES:
        line = lines[i]
        if line.blank:
            if line.text:
                return (block or None), i
            i += 1
            continue
        lone = _LONE_NUMBER.fullmatch(line.text)
        inline = _INLINE_NOTE.match(line.text) if not block else None
        if lone:
            block.append((lone.group(1), line.start + lone.start(1), []))
            after_number = True
        elif inline:
            number_end = line.start + inline.end(1)
            rest = Line(number_end, line.end, line.text[inline.end(1):])
            block.append((inline.group(1), line.start + inline.start(1), [rest]))
            after_number = False
        elif not block or (line.text.startswith(" ") and not after_number):
            return (block or None), i
        else:
            block[-1][2].append(line)
            after_number = False
        i += 1
    return (block, i) if i >= len(lines) and block else (None, start)


def _note_references(page: list[tuple[Line, bool]], numbers: list[str]) -> set[int]:
    """Raw offsets of footnote markers glued to words on ``page``, found in order."""
    removed: set[int] = set()
    li, col = 0, 0
    for number in numbers:
        pattern = re.compile(rf"(?<=[^\s\d]){number}(?![^\W_])")
        for j in range(li, len(page)):
            text = page[j][0].text
            found = None
            for m in pattern.finditer(text, col if j == li else 0):
                before = text[m.start() - 1]
                if before.isalpha() or (before in FINAL + "’»"
                                        and not (m.start() >= 2 and text[m.start() - 2].isdigit())):
                    found = m
                    break
            if found:
                start = page[j][0].start + found.start()
                removed.update(range(start, start + len(number)))
                li, col = j, found.end()
                break
    return removed


def _paragraph_groups(body: list[tuple[Line, bool]], by_layout: bool = False) -> list[list[Line]]:
    """Group body lines into paragraphs by the break rules of the module docstring (with
    ``by_layout``, no line is short: a width of 0)."""
    width = 0 if by_layout else _wrap_width([line for line, _ in body])
    groups: list[list[Line]] = []
    for k, (line, hard) in enumerate(body):
        if k == 0 or _breaks(body[k - 1][0], line, hard, width):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _wrap_width(lines: list[Line]) -> int:
    """5th percentile of ``len(A) + 1 + len(first word of B)`` over lines A continued by B
    (with under 20 such pairs: 90% of the 90th-percentile line length)."""
    sums = sorted(len(a.strip) + 1 + len(b.strip.split()[0]) for a, b in zip(lines, lines[1:])
                  if b.strip[:1].islower() and not a.strip.endswith("-"))
    if len(sums) < 20:
        lengths = sorted(len(line.strip) for line in lines)  # few samples: 90% of long lines
        return int(0.9 * lengths[int(0.9 * (len(lengths) - 1))]) if lengths else 60
    return sums[len(sums) // 20]


def _heading_line(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return (len(letters) >= 3 and all(ch.isupper() for ch in letters)) or bool(_NUMBER_HEADING.fullmatch(text))


def _breaks(a: Line, b: Line, hard: bool, width: int) -> bool:
    a_text, b_text = a.strip, b.strip
    lower = b_text[:1].islower()
    if hard and not lower:
        return True
    if re.search(r"\w-$", a_text):
        return False
    if _LIST_ITEM.match(b_text):
        return a_text.endswith(tuple(FINAL + ",")) or len(a_text) < width
    if lower:
        return False
    if len(a_text) + 1 + len(b_text.split()[0]) < width:
        return True
    if a_text.endswith(tuple(FINAL)) and a.text.endswith("  "):
        return True
    return _heading_line(a_text) or _heading_line(b_text)


class _Hyphens:
    """Decides whether a line-end hyphen is part of the word, by evidence in the document."""

    def __init__(self, raw: str):
        self.raw = raw
        self._counts: Counter[str] | None = None
        self._sorted: list[str] = []

    def keep(self, left: str, right: str) -> bool:
        """True to keep ``left-right``; False to mend it to ``leftright``."""
        if not left.isalpha() or not right.isalpha() or right[:1].isupper():
            return True
        if left.lower() in KEEP_PREFIXES or right.lower() in KEEP_PARTICLES:
            return True
        if self._counts is None:
            self._counts = Counter(w.lower() for w in _WORD.findall(self.raw))
            self._sorted = sorted(self._counts)
        hyphened, joined = f"{left}-{right}".lower(), f"{left}{right}".lower()
        h, j = self._counts[hyphened], self._counts[joined]
        if h or j:
            return h >= j
        stem = len(left) + min(3, len(right))
        return not self._has_prefix(joined[:stem]) or self._has_prefix(hyphened[:stem + 1])

    def _has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)


def _segments(lines: list[Line], removed: set[int], hyphens: _Hyphens) -> list[Segment]:
    """Verbatim runs of ``lines`` with joiners: whitespace collapsed, hyphens mended, markers dropped."""
    segments: list[Segment] = []
    for line in lines:
        joiner = " "
        if segments:
            joiner = _mend(segments, line.strip, hyphens)
        for m in _RUN.finditer(line.text):
            for k, (start, end) in enumerate(_without(line.start + m.start(), line.start + m.end(), removed)):
                segments.append((start, end, joiner if k == 0 else ""))
                joiner = " "
    return segments


def _mend(segments: list[Segment], next_text: str, hyphens: _Hyphens) -> str:
    """Joiner before the next line; drops the hyphen ending the last segment if the word is mended."""
    start, end, joiner = segments[-1]
    raw = hyphens.raw
    if end - start < 2 or raw[end - 1] != "-" or not raw[end - 2].isalnum():
        return " "
    word_start = end - 1
    while word_start > start and raw[word_start - 1].isalnum():
        word_start -= 1
    right = re.match(r"[^\W_]+", next_text)
    if right and not hyphens.keep(raw[word_start:end - 1], right.group()):
        segments[-1] = (start, end - 1, joiner)
    return ""


def _without(start: int, end: int, removed: set[int]) -> list[tuple[int, int]]:
    """Split ``[start, end)`` around the removed offsets."""
    if not removed:
        return [(start, end)]
    parts, run_start = [], start
    for pos in range(start, end):
        if pos in removed:
            if pos > run_start:
                parts.append((run_start, pos))
            run_start = pos + 1
    if end > run_start:
        parts.append((run_start, end))
    return parts


def _finish(raw: str, groups: list[list[Segment]]) -> list[Paragraph]:
    """Body paragraphs from segment groups, with heading kinds assigned."""
    paragraphs: list[Paragraph] = []
    after_number = False
    for segments in groups:
        if not segments:
            continue
        paragraph = _paragraph(raw, len(paragraphs), segments, "body")
        text = paragraph.text
        heading = (_heading_line(text) or bool(_DATE.fullmatch(text))
                   or (after_number and len(text) < 400 and not text.endswith(tuple(FINAL)))
                   or (len(text) < SHORT_HEADING and not text.endswith(tuple(FINAL + ",-–"))
                       and not text[:1].islower()))
        if heading:
            paragraph = Paragraph(paragraph.index, text, paragraph.start, paragraph.end, "heading",
                                  paragraph.pieces)
        after_number = bool(_NUMBER_HEADING.fullmatch(text))
        paragraphs.append(paragraph)
    return paragraphs


def _paragraph(raw: str, index: int, segments: list[Segment], kind: str,
               start: int | None = None) -> Paragraph:
    """Build a Paragraph from non-empty segments; ``start`` overrides the span start (footnote number)."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    pos = 0
    for seg_start, seg_end, joiner in segments:
        if parts and joiner:
            parts.append(joiner)
            pos += len(joiner)
        length = seg_end - seg_start
        if pieces and pieces[-1][0] + pieces[-1][2] == pos and pieces[-1][1] + pieces[-1][2] == seg_start:
            pieces[-1] = (pieces[-1][0], pieces[-1][1], pieces[-1][2] + length)
        else:
            pieces.append((pos, seg_start, length))
        parts.append(raw[seg_start:seg_end])
        pos += length
    return Paragraph(index, "".join(parts), segments[0][0] if start is None else start,
                     segments[-1][1], kind, tuple(pieces))
