"""HTML reader: block elements become paragraphs with offsets into the decoded file."""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

from align.model import Paragraph

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}
_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>|&#?\w+;", re.S | re.I)


def visible_text(raw: str) -> tuple[str, list[int]]:
    """Text of ``raw`` outside tags, entities decoded, and each character's offset in ``raw``.

    A decoded entity maps to the offset of its ``&``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _MARKUP.finditer(raw + "<>"):
        chars.append(raw[pos:m.start()])
        offsets.extend(range(pos, m.start()))
        if m.group().startswith("&"):
            decoded = html.unescape(m.group())
            chars.append(decoded)
            offsets.extend([m.start()] * len(decoded))
        pos = m.end()
    return "".join(chars), offsets


def read_html(raw: str) -> list[Paragraph]:
    """Innermost block elements (p, h1-h6, li, blockquote) as paragraphs; h1-h6 are headings.
    A file with no elements at all (only a comment, say) has no paragraphs."""
    try:
        root = lxml.html.fromstring(raw.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except etree.ParserError:
        return []
    visible, offsets = visible_text(raw)
    cursor = 0
    paragraphs: list[Paragraph] = []
    for element in root.iter(*BLOCKS):
        if any(child.tag in BLOCKS for child in element.iterdescendants()):
            continue
        words = etree.tostring(element, method="text", encoding="unicode", with_tail=False).split()
        parts, pieces, pos = [], [], 0
        for word in words:
            found = visible.find(word, cursor)
            if found < 0:
                continue
            cursor = found + len(word)
            if parts:
                parts.append(" ")
                pos += 1
            for k in range(len(word)):
                raw_pos = offsets[found + k]
                last = pieces[-1] if pieces else None
                if last and last[0] + last[2] == pos + k and last[1] + last[2] == raw_pos:
                    pieces[-1] = (last[0], last[1], last[2] + 1)
                else:
                    pieces.append((pos + k, raw_pos, 1))
            parts.append(word)
            pos += len(word)
        if parts:
            kind = "heading" if element.tag[:1] == "h" and element.tag[1:].isdigit() else "body"
            end = pieces[-1][1] + pieces[-1][2]
            paragraphs.append(Paragraph(len(paragraphs), "".join(parts), pieces[0][1], end, kind,
                                        tuple(pieces)))
    return paragraphs
