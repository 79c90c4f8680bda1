"""DOCX reader: python-docx opens the package and names the styles; the text is walked in
the XML so that tracked changes read as accepted (``w:ins`` and ``w:moveTo`` kept,
``w:del`` and ``w:moveFrom`` dropped, a deleted paragraph mark joins its paragraph to the
next) and footnotes and endnotes, which python-docx does not read, come from their parts.

Blocks in reading order: body paragraphs and the paragraphs of tables' cells (row by row)
and content controls; a heading is a paragraph with an outline level of its own or whose
style (or a style it is based on) is a Heading/Title style or has one. Notes follow the
body in the order of their first reference. Locations: ``paragraph N`` counts the paragraphs that hold text, tables'
included, from 1; ``footnote N``/``endnote N`` count notes in reference order.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from align.errors import InputError
from align.ingest.archive import Archive
from align.ingest.blocks import Block, has_text
from align.model import Location

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DROPPED = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "delInstrText", W + "pPr", W + "rPr",
            W + "drawing", W + "pict", W + "object", MC + "AlternateContent", W + "commentReference"}
_CHARACTERS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_NOTE_PARTS = (("footnote", "word/footnotes.xml", W + "footnoteReference"),
               ("endnote", "word/endnotes.xml", W + "endnoteReference"))
_HEADING_NAMES = ("heading", "title", "subtitle")


def read_docx(archive: Archive, path: Path) -> list[Block]:
    """The blocks of a DOCX held by ``archive`` (checked for zip bombs before python-docx reads it)."""
    archive.check_members()
    try:
        document = docx.Document(io.BytesIO(archive.data))
        body = document.element.body
        headings = _heading_styles(document)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
        raise InputError(path, f"broken or truncated archive: {' '.join(str(err).split())[:120]}") from None
    except (PackageNotFoundError, KeyError, ValueError, TypeError, AttributeError, etree.XMLSyntaxError) as err:
        raise InputError(path, f"broken DOCX: {' '.join(str(err).split())[:120] or type(err).__name__}") from None
    if body is None:
        raise InputError(path, "broken DOCX: word/document.xml has no body")
    references: dict[str, list[str]] = {unit: [] for unit, _, _ in _NOTE_PARTS}
    blocks = []
    number = 0
    for paragraph in _merged(_paragraphs(body)):
        text = _text(paragraph, references)
        if has_text(text):
            number += 1
            kind = "heading" if _heading(paragraph, headings) else "body"
            blocks.append(Block(text, kind, Location("paragraph", number)))
    for unit, part, _ in _NOTE_PARTS:
        if archive.has(part):
            blocks.extend(_notes(archive.xml(part), unit, references[unit]))
    return blocks


def _heading_styles(document: docx.document.Document) -> set[str]:
    """Ids of the paragraph styles that make headings, following each style's base styles."""
    found = set()
    for style in document.styles:
        seen, current = set(), style
        while current is not None and current.style_id not in seen:
            seen.add(current.style_id)
            name = (current.name or "").lower()
            outline = current.element.find(f"{W}pPr/{W}outlineLvl")
            if name.startswith(_HEADING_NAMES) or (outline is not None and _level(outline) < 9):
                found.add(style.style_id)
                break
            current = getattr(current, "base_style", None)
    return found


def _level(outline: etree._Element) -> int:
    """A ``w:outlineLvl`` value: 0-8 are outline levels, 9 is body text."""
    try:
        return int(outline.get(W + "val", "9"))
    except ValueError:
        return 9


def _heading(paragraph: etree._Element, heading_styles: set[str]) -> bool:
    """A heading by its style, or by an outline level set on the paragraph itself."""
    outline = paragraph.find(f"{W}pPr/{W}outlineLvl")
    return _style_id(paragraph) in heading_styles or (outline is not None and _level(outline) < 9)


def _style_id(paragraph: etree._Element) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val", "") if style is not None else ""


def _paragraphs(container: etree._Element) -> Iterator[etree._Element]:
    """The ``w:p`` of a body, cell or note in reading order (tables row by row, deleted rows left out)."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            yield child
        elif tag == W + "tbl":
            for row in child.iter(W + "tr"):
                if row.find(f"{W}trPr/{W}del") is None:
                    for cell in row.iterfind(W + "tc"):
                        yield from _paragraphs(cell)
        elif tag in (W + "sdt", W + "customXml", W + "ins", W + "moveTo"):
            content = child.find(W + "sdtContent") if tag == W + "sdt" else child
            if content is not None:  # an empty content control holds nothing
                yield from _paragraphs(content)


def _merged(paragraphs: Iterator[etree._Element]) -> Iterator[etree._Element]:
    """Paragraphs as accepted: one whose mark was deleted is joined to the next."""
    pending: list[etree._Element] = []
    for paragraph in paragraphs:
        pending.append(paragraph)
        if paragraph.find(f"{W}pPr/{W}rPr/{W}del") is None:
            yield _join(pending)
            pending = []
    if pending:
        yield _join(pending)


def _join(paragraphs: list[etree._Element]) -> etree._Element:
    if len(paragraphs) == 1:
        return paragraphs[0]
    joined = etree.Element(W + "p")
    first_properties = paragraphs[-1].find(W + "pPr")  # the surviving mark is the last one's
    if first_properties is not None:
        joined.append(etree.fromstring(etree.tostring(first_properties)))
    for paragraph in paragraphs:
        for child in paragraph:
            if child.tag != W + "pPr":
                joined.append(etree.fromstring(etree.tostring(child)))
    return joined


def _text(element: etree._Element, references: dict[str, list[str]]) -> str:
    """The visible text of a paragraph, changes accepted; note references are recorded, not read."""
    parts: list[str] = []
    _walk(element, parts, references)
    return "".join(parts)


def _walk(element: etree._Element, parts: list[str], references: dict[str, list[str]]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DROPPED:
            continue
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag in _CHARACTERS:
            parts.append(_CHARACTERS[tag])
        elif tag == W + "sym":
            parts.append(_symbol(child))
        else:
            for unit, _, reference in _NOTE_PARTS:
                if tag == reference:
                    references[unit].append(child.get(W + "id", ""))
                    break
            else:
                _walk(child, parts, references)


def _symbol(element: etree._Element) -> str:
    """A ``w:sym`` character (hex code; symbol-font codes F0xx map to their ASCII position)."""
    try:
        code = int(element.get(W + "char", ""), 16)
    except ValueError:
        return ""
    code = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""  # no character: nothing


def _notes(root: etree._Element, unit: str, referenced: list[str]) -> list[Block]:
    """Footnote or endnote blocks: referenced notes in reference order, then any others."""
    notes = {note.get(W + "id", ""): note for note in root.iterfind(f"{W}{unit}")
             if note.get(W + "type", "normal") == "normal"}
    order = list(dict.fromkeys([i for i in referenced if i in notes] + list(notes)))
    blocks = []
    for number, note_id in enumerate(order, start=1):
        for paragraph in _merged(_paragraphs(notes[note_id])):
            text = _text(paragraph, {u: [] for u, _, _ in _NOTE_PARTS})
            if has_text(text):
                blocks.append(Block(text, "footnote", Location(unit, number)))
    return blocks
