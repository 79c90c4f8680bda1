"""PDF reader: pypdf's text layer, page by page, laid out as the plain-text cleaner expects.

pypdf reports each run of text with its position and font size. Runs on one baseline
make a line; a page's lines are put in reading order: top to bottom, and where lines start
right of 45% of the text's width beside lines on their left (half of them at least, and 3)
and about as long, in two columns (lines spanning both columns, a title, cut the page into bands read one
after the other).

The lines are written as hard-wrapped text in the layout of ``pdftext`` (every line
followed by a blank line), so the existing clean-up unwraps them, mends hyphens and moves
footnotes out: a line after a larger vertical gap than the page's usual line pitch, an
indented first line or a line in a larger font (a heading) gets a whitespace-only line
before it (a hard paragraph break), and so does a column's or page's first line after a
short one; lines in a smaller font below every line of the body's font (footnotes, in either column
or across the page) go last, after a footnote separator line. When the layout marks paragraphs (a break seen per 40 lines or fewer), only
its breaks end one: the cleaner's short-line rule counts characters, which a proportional
font does not line up.

Left out by the page geometry, which tells them apart better than the text cleaner (whose
window of 60 lines a two-column page outgrows): a lone number at the top or foot of a page
(its number), a line there that recurs on a third of the pages, figures aside (a running
header or footer), and raised small digits after a word (note markers). Each line's region
says its page and line (among the page's lines of text, counted in reading order from 1).

A PDF without a text layer is a scan: an error that says to run OCR first. Decoded page
content counts against ``max_input_mb``; a page drawing more than 4 MB is skipped.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from align.errors import InputError
from align.ingest.pdftext import SEPARATOR_MIN, clean_pdf_text
from align.model import Document, Location, Region

log = logging.getLogger("align.ingest")
# Two columns: at least MIN_COLUMN_LINES lines start right of COLUMN_SPLIT of the text's
# width, half of them have a line on their left at the same height, and they are about as
# long as those on the left (not a table's or a contents page's figures).
MIN_COLUMN_LINES = 3
TWO_COLUMN_SHARE = 0.5
COLUMN_FILL = 0.5
COLUMN_SPLIT = 0.45
CHAR_WIDTH = 0.5  # average glyph width in ems, to guess where a line ends
PARAGRAPH_GAP = 1.3  # a gap this many times the usual line pitch breaks a paragraph
SMALL_FONT = 0.9  # a font below this share of the body size is a footnote's
LARGE_FONT = 1.15  # above it, a heading's
SHORT_LINE = 0.8  # a line shorter than this share of a full one ends its paragraph (at a column's end)
LAYOUT_LINES = 40  # a paragraph break seen per this many lines or fewer: the layout marks paragraphs
MIN_CHARS_PER_PAGE = 10  # fewer on average: no text layer (a scan)
# A page of text draws some 2-50 KB; content past this (pure-Python parsing takes ~1 s per
# MB) is a drawing or a decompression bomb, and its text is skipped with a warning.
MAX_PAGE_CONTENT = 4_000_000
SUPERSCRIPT = 0.85  # digits raised or glued to a word, in a font below this share of the line's: a note marker
_MARKER = re.compile(r"\s*(?:\d{1,3}|[*†‡]{1,3})\s*")
EDGE_LINES = 2  # lines at the top and at the foot of a page searched for headers and footers
RUNNING_MIN_PAGES = 3  # a running header recurs on at least this many pages
RUNNING_SHARE = 0.3  # and this share of them
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"[\[(–-]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[\])–-]?", re.IGNORECASE)


@dataclass(eq=False)
class _Line:
    text: str
    x: float
    y: float
    size: float
    number: int = 0  # on its page, in reading order


def read_pdf(data: bytes, path: Path, lang: str, max_bytes: int) -> Document:
    """Read a PDF's text layer into a Document (raw: the laid-out text; regions: page and line);
    its pages' decoded content may take at most ``max_bytes`` in all."""
    pages, skipped = _pages(data, path, max_bytes)
    if sum(len(line.text.strip()) for page in pages for line in page) < MIN_CHARS_PER_PAGE * max(len(pages), 1):
        if skipped:
            raise InputError(path, f"no text read: {len(skipped)} page(s) (from page {skipped[0]}) draw over "
                                   f"{MAX_PAGE_CONTENT / 1e6:.0f} MB each (a drawing, or a decompression bomb)")
        raise InputError(path, "scanned PDF: it has no text layer (run OCR first)")
    body_size = _body_size(pages)
    measure = _measure(pages, body_size)
    furniture = _running_lines(pages)
    previous: _Line | None = None  # the last body line before this page
    chunks: list[str] = []
    regions: list[Region] = []
    pos = 0
    after_notes = False
    breaks = 0  # paragraph breaks seen in the layout
    for page_number, page in enumerate(pages, start=1):
        layout, previous = _layout(page, body_size, measure, previous, furniture)
        for k, (text, before, line) in enumerate(layout):
            if before:
                breaks += before == " "
                chunks.append(before + "\n\n")
                pos += len(before) + 2
            if k == 0 and after_notes:  # a leading space ends the last page's footnotes (pdftext)
                chunks.append(" ")
                pos += 1
            regions.append(Region(pos, Location("line", line.number, page=page_number)))
            chunks.append(text + "\n\n")
            pos += len(text) + 2
        after_notes = any(before.startswith(" " * SEPARATOR_MIN) for _, before, _ in layout) or (
            after_notes and not layout)
    raw = "".join(chunks)
    paragraphs, footnotes = clean_pdf_text(raw, "pdf", by_layout=breaks * LAYOUT_LINES >= len(regions))
    return Document(Path(path), lang, raw, tuple(paragraphs), tuple(footnotes), reader="pdf",
                    regions=tuple(regions))


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs every repair it makes to a damaged file; the run's log is not the place."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _pages(data: bytes, path: Path, max_bytes: int) -> tuple[list[list[_Line]], list[int]]:
    """Each page's lines, and the numbers of the pages skipped for their size."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        with _quiet_pypdf():
            return _read_pages(pypdf.PdfReader(io.BytesIO(data), strict=False), path, max_bytes)
    except InputError:
        raise
    except (DependencyError, FileNotDecryptedError, NotImplementedError):
        raise InputError(path, "encrypted PDF: it cannot be decrypted here; save an unprotected copy first") from None
    except Exception as err:  # pypdf raises many types (KeyError, ValueError, ...) on damaged files: bad input
        log.debug("pypdf failed on %s", path, exc_info=True)
        raise InputError(path, f"binary file: a broken PDF that cannot be read ({type(err).__name__}: "
                               f"{' '.join(str(err).split())[:120]})") from None


def _read_pages(reader, path: Path, max_bytes: int) -> tuple[list[list[_Line]], list[int]]:
    """The lines of every page of an open reader, within the content limits."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise InputError(path, "encrypted PDF: it needs a password; save an unprotected copy first")
    pages, skipped, total = [], [], 0
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        total += size
        if total > max_bytes:
            raise InputError(path, f"refused: its pages' content expands past the limit of "
                                   f"{max_bytes / 1e6:.1f} MB (raise it with --set max_input_mb=N)")
        if size > MAX_PAGE_CONTENT:
            log.warning("%s: page %d draws %.1f MB of content (a drawing, or a bomb); its text is left out",
                        path, number, size / 1e6)
            pages.append([])
            skipped.append(number)
            continue
        pages.append(_lines(page))
    return pages, skipped


def _lines(page) -> list[_Line]:
    """The page's lines, in the order the page draws them: a run continues the run before
    when it sits on the same baseline (a superscript within half the font size) and starts
    right of it, not past where that line must end plus a word gap (another column)."""
    lines: list[_Line] = []

    def visit(text: str, cm, tm, font, font_size) -> None:
        if not text.strip():
            return
        size = abs(font_size) * math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2]))
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        for k, piece in enumerate(text.split("\n")):
            if not piece.strip():
                continue
            last = lines[-1] if lines else None
            if (k == 0 and last is not None and abs(last.y - y) < 0.5 * max(size, last.size, 1)
                    and last.x <= x <= last.x + CHAR_WIDTH * last.size * len(last.text) + 1.5 * max(size, last.size)):
                if _MARKER.fullmatch(piece) and size < SUPERSCRIPT * last.size and (
                        y > last.y or not last.text[-1:].isspace()):  # raised, or by text rise pypdf ignores
                    continue  # a note marker: the note itself is read at the foot of the page
                last.text += piece
                last.size = max(last.size, size)
            else:
                lines.append(_Line(piece, x, y, size))

    page.extract_text(visitor_text=visit)
    return lines


def _body_size(pages: list[list[_Line]]) -> float:
    """The font size of most characters."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _reading_order(page: list[_Line], width: float) -> list[_Line]:
    """Top to bottom; two columns when enough lines start right of the split."""
    if not page:
        return []
    ordered = sorted(page, key=lambda line: (-line.y, line.x))
    split = min(line.x for line in page) + COLUMN_SPLIT * width
    right = [line for line in ordered if line.x >= split]
    left = [line for line in ordered if line.x < split]
    left_heights = sorted(line.y for line in left)
    beside = sum(1 for line in right if _near(left_heights, line.y, 0.5 * line.size))
    if (len(right) < MIN_COLUMN_LINES or beside < TWO_COLUMN_SHARE * len(right)
            or _median_length(right) < COLUMN_FILL * _median_length(left)):
        return ordered
    result: list[_Line] = []
    left_band: list[_Line] = []
    right_band: list[_Line] = []
    for line in ordered:
        spans = line.x < split and line.x + CHAR_WIDTH * line.size * len(line.text) > split + 0.1 * width
        if spans:
            result += left_band + right_band + [line]
            left_band, right_band = [], []
        else:
            (right_band if line.x >= split else left_band).append(line)
    return result + left_band + right_band


def _median_length(lines: list[_Line]) -> float:
    lengths = sorted(len(line.text.strip()) for line in lines)
    return lengths[len(lengths) // 2] if lengths else 0.0


def _near(heights: list[float], y: float, tolerance: float) -> bool:
    """Some height of the sorted ``heights`` lies within ``tolerance`` of ``y``."""
    i = bisect.bisect_left(heights, y - tolerance)
    return i < len(heights) and heights[i] <= y + tolerance


def _layout(page: list[_Line], body_size: float, measure: float, previous: _Line | None,
            furniture: set[str]) -> tuple[list[tuple[str, str, _Line]], _Line | None]:
    """(line text, what to write before it, line) for the page's lines but its page number and
    running header or footer (``furniture``), and the page's last body line (``previous``: the
    one before the page)."""
    if not page:
        return [], previous
    edges = set(_edge_lines(page))
    kept = [line for line in page if line not in edges or not (
        _PAGE_NUMBER.fullmatch(line.text.strip()) or _running_key(line) in furniture)]
    if not kept:
        return [], previous
    width = max(line.x + CHAR_WIDTH * line.size * len(line.text) for line in kept) - min(line.x for line in kept)
    body, below = _foot_notes(kept, body_size)
    text_lines = _reading_order(body, max(width, 1.0)) + _reading_order(below, max(width, 1.0))
    for number, line in enumerate(text_lines, start=1):
        line.number = number
    notes = len(body) if below and body else len(text_lines)
    pitch = _pitch(text_lines[:notes])
    result = []
    for k, line in enumerate(text_lines):
        before = ""
        if k == notes:
            before = " " * SEPARATOR_MIN
        elif previous is not None and k < notes and _breaks(previous, line, pitch, body_size, measure, k == 0):
            before = " "
        result.append((line.text.rstrip(), before, line))
        if k < notes:
            previous = line
    return result, previous


def _edge_lines(page: list[_Line]) -> list[_Line]:
    """The two lines at the top and the two at the foot of a page, where headers and footers sit."""
    by_height = sorted(page, key=lambda line: line.y)
    return by_height[-EDGE_LINES:] + by_height[:EDGE_LINES]


def _running_key(line: _Line) -> str:
    return _DIGITS.sub("#", " ".join(line.text.split()).lower())


def _running_lines(pages: list[list[_Line]]) -> set[str]:
    """Texts (figures as ``#``) at a page's top or foot on at least 3 pages and a third of them:
    running headers and footers ("Chapter 2 · 17", "Page 3 of 10")."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_running_key(line) for line in _edge_lines(page)})
    least = max(RUNNING_MIN_PAGES, RUNNING_SHARE * len(pages))
    return {key for key, count in counts.items() if count >= least}


def _foot_notes(lines: list[_Line], body_size: float) -> tuple[list[_Line], list[_Line]]:
    """The page's lines but its footnotes, and its footnotes: lines in a small font below
    every line in the body's font (at the foot of either column, or across the page)."""
    body_font = [line.y for line in lines if line.size >= SMALL_FONT * body_size]
    floor = min(body_font) if body_font else -math.inf
    below = [line for line in lines if line.size < SMALL_FONT * body_size and line.y < floor]
    return [line for line in lines if line not in below], below


def _pitch(lines: list[_Line]) -> float:
    """The usual distance between consecutive lines of a column."""
    gaps = sorted(a.y - b.y for a, b in zip(lines, lines[1:]) if 0 < a.y - b.y < 4 * max(a.size, 1))
    return gaps[len(gaps) // 2] if gaps else 0.0


def _measure(pages: list[list[_Line]], body_size: float) -> float:
    """The length in characters of a full body line (90th percentile)."""
    lengths = sorted(len(line.text.strip()) for page in pages for line in page
                     if abs(line.size - body_size) < 0.1 * body_size)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0.0


def _breaks(a: _Line, b: _Line, pitch: float, body_size: float, measure: float, new_page: bool) -> bool:
    """A paragraph break between lines a and b is certain: a heading's font; in a column, a
    wide gap or an indent; into a new column or page, a short line a (a proportional font
    makes characters only a rough measure, so only here, where there is no better one)."""
    if b.size > LARGE_FONT * body_size or a.size > LARGE_FONT * body_size:
        return True
    if new_page or b.y >= a.y:
        return len(a.text.strip()) < SHORT_LINE * measure
    gap = a.y - b.y
    return (pitch > 0 and gap > PARAGRAPH_GAP * pitch) or (abs(b.x - a.x) < 3 * body_size and b.x > a.x + 0.8 * body_size)
