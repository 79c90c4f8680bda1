"""ODT reader: lxml on the archive's ``content.xml`` (no ODF library needed).

Blocks in reading order: ``text:p`` and ``text:h`` (headings) of the body, of lists, of
sections and of tables' cells (row by row); notes (``text:note``, inline in a paragraph)
leave the paragraph and follow the body, footnotes then endnotes, in citation order.
Tracked changes read as accepted: LibreOffice keeps deleted text apart in
``text:tracked-changes``, which is skipped, and inserted text in place. Generated indexes
(tables of contents) and comments are left out. Locations: ``paragraph N`` counts the
paragraphs that hold text from 1; ``footnote N``/``endnote N`` count notes in order.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from align.errors import InputError
from align.ingest.archive import Archive
from align.ingest.blocks import Block, has_text
from align.model import Location

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_PARAGRAPHS = {TEXT + "p", TEXT + "h"}
_CONTAINERS = {TEXT + "list", TEXT + "list-item", TEXT + "list-header", TEXT + "section", TABLE + "table",
               TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row", TABLE + "table-cell",
               TABLE + "table-row-group", TEXT + "numbered-paragraph"}
_SKIPPED = {TEXT + "tracked-changes", TEXT + "table-of-content", TEXT + "alphabetical-index",
            TEXT + "illustration-index", TEXT + "table-index", TEXT + "object-index", TEXT + "user-index",
            TEXT + "bibliography", TEXT + "sequence-decls", TEXT + "variable-decls", TEXT + "user-field-decls",
            OFFICE + "annotation", OFFICE + "annotation-end", OFFICE + "forms", TEXT + "note-citation",
            "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame", TABLE + "covered-table-cell"}


def read_odt(archive: Archive, path: Path) -> list[Block]:
    """The blocks of the ODT held by ``archive``."""
    root = archive.xml("content.xml")
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise InputError(path, "broken ODT: content.xml has no office:text body")
    notes: list[etree._Element] = []
    blocks = []
    number = 0
    for paragraph in _paragraphs(body):
        text = _text(paragraph, notes)
        if has_text(text):
            number += 1
            kind = "heading" if paragraph.tag == TEXT + "h" else "body"
            blocks.append(Block(text, kind, Location("paragraph", number)))
    for unit in ("footnote", "endnote"):
        chosen = [note for note in notes if note.get(TEXT + "note-class", "footnote") == unit]
        for number, note in enumerate(chosen, start=1):
            note_body = note.find(TEXT + "note-body")
            for paragraph in _paragraphs(note_body) if note_body is not None else ():
                text = _text(paragraph, [])  # a note inside a note is not a thing ODF writers make
                if has_text(text):
                    blocks.append(Block(text, "footnote", Location(unit, number)))
    return blocks


def _paragraphs(container: etree._Element):
    for child in container:
        if child.tag in _PARAGRAPHS:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _paragraphs(child)


def _text(paragraph: etree._Element, notes: list[etree._Element]) -> str:
    parts: list[str] = []
    _walk(paragraph, parts, notes)
    return "".join(parts)


def _walk(element: etree._Element, parts: list[str], notes: list[etree._Element]) -> None:
    """Mixed content in order: text, spans, links, spaces (``text:s``), tabs, line breaks;
    notes are collected in ``notes``, their text left out."""
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if tag == TEXT + "s":
            parts.append(" " * _count(child))
        elif tag == TEXT + "tab":
            parts.append("\t")
        elif tag == TEXT + "line-break":
            parts.append("\n")
        elif tag == TEXT + "note":
            notes.append(child)
        elif isinstance(tag, str) and tag not in _SKIPPED:
            _walk(child, parts, notes)
        if child.tail:
            parts.append(child.tail)


def _count(element: etree._Element) -> int:
    try:
        return max(1, min(int(element.get(TEXT + "c", "1")), 1000))
    except ValueError:
        return 1
