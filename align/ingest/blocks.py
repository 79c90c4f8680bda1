"""The shared end of the DOCX, ODT and EPUB readers: blocks (paragraphs as found) -> Document.

A container format has no text for offsets to point into, so the document's ``raw`` is
built from its blocks, one block per line (a line break inside a paragraph becomes a
space, so line N of ``raw`` is block N). Each block's text is kept verbatim in ``raw``;
the paragraph text collapses whitespace runs to one space, and its ``pieces`` map back
(as the plain-text cleaner does). A region per block says where it starts in the
original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from align.model import Document, Location, Paragraph, ReaderName, Region

_RUN = re.compile(r"\S+(?: \S+)*")
_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\v": " ", "\f": " ", "\u2028": " ", "\u2029": " "})


@dataclass(frozen=True)
class Block:
    """A paragraph as a reader found it: its text verbatim, its kind (body, heading or
    footnote) and where it starts in the original."""

    text: str
    kind: str
    location: Location


def has_text(text: str) -> bool:
    return bool(text.strip())


def assemble(path: Path, lang: str, blocks: Iterable[Block], reader: ReaderName) -> Document:
    """The Document of ``blocks`` in reading order: body and headings as paragraphs,
    footnotes apart, blocks without text left out."""
    lines: list[str] = []
    regions: list[Region] = []
    paragraphs: list[Paragraph] = []
    footnotes: list[Paragraph] = []
    pos = 0
    for block in blocks:
        text = block.text.translate(_LINE_BREAKS)
        if not has_text(text):
            continue
        target = footnotes if block.kind == "footnote" else paragraphs
        target.append(_paragraph(text, pos, len(target), block.kind))
        regions.append(Region(pos, block.location))
        lines.append(text)
        pos += len(text) + 1
    return Document(Path(path), lang, "\n".join(lines), tuple(paragraphs), tuple(footnotes), reader=reader,
                    regions=tuple(regions))


def _paragraph(text: str, offset: int, index: int, kind: str) -> Paragraph:
    """``text`` (at ``offset`` in raw) with whitespace runs collapsed, mapped back by pieces."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    pos = 0
    for m in _RUN.finditer(text):
        if parts:
            parts.append(" ")
            pos += 1
        pieces.append((pos, offset + m.start(), m.end() - m.start()))
        parts.append(m.group())
        pos += m.end() - m.start()
    first, last = pieces[0], pieces[-1]
    return Paragraph(index, "".join(parts), first[1], last[1] + last[2], kind, tuple(pieces))
