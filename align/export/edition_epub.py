"""The EPUB 3 reader edition, written with zipfile and lxml (ebooklib is AGPL-3.0).

Reading mode: alternating paragraphs (each original paragraph, then its translation in
italics with its own ``lang``), not the translation as popup notes. Alternating text
needs no scripts, no popup support and no taps, so it reads the same on every e-ink
reader (noteref popups become jumps to the back of the book on many of them), and it is
the convention of bilingual_book_maker's editions. ``lang`` and ``xml:lang`` are on the
root and on every passage in the other language, for text-to-speech and hyphenation."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from align.export.edition import Block, Edition, Row
from align.version import __version__

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Fixed, so that the same texts give the same bytes (run.json holds the run's date).
MODIFIED = "2000-01-01T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHAPTER_ROWS = 300  # rows per content file at most: large files are slow on e-ink readers
MIN_CHAPTER_ROWS = 4  # a heading after fewer rows (an author's line, a motto) stays in their file
CSS = Path(__file__).parent / "templates" / "edition-epub.css"


@dataclass(frozen=True)
class _Chapter:
    name: str
    rows: tuple[Row, ...]
    reference: str  # a located passage's place in the Russian collection, at its start
    anchor: str  # the section's anchor, at its start


def edition_epub(edition: Edition) -> bytes:
    chapters = _chapters(edition)
    where = {anchor: c.name for c in chapters for anchor in (c.anchor, *(row.anchor for row in c.rows)) if anchor}
    files: dict[str, bytes] = {"EPUB/title.xhtml": _title_page(edition)}
    for chapter in chapters:
        files[f"EPUB/{chapter.name}"] = _chapter(edition, chapter)
    if edition.src_notes or edition.tgt_notes:
        files["EPUB/notes.xhtml"] = _notes(edition)
    files["EPUB/nav.xhtml"] = _nav(edition, where, chapters)
    files["EPUB/style.css"] = _css()
    files["EPUB/package.opf"] = _package(edition, [c.name for c in chapters], "EPUB/notes.xhtml" in files)
    return _zip(files)


@cache
def _css() -> bytes:
    return CSS.read_bytes()


def _chapters(edition: Edition) -> list[_Chapter]:
    """Content files: a new one at each heading (after ``MIN_CHAPTER_ROWS`` rows) and each
    located passage, and every ``CHAPTER_ROWS`` rows."""
    groups: list[tuple[list[Row], str, str]] = []
    for section in edition.sections:
        groups.append(([], section.reference, section.anchor))
        for row in section.rows:
            held = len(groups[-1][0])
            if (row.heading and held >= MIN_CHAPTER_ROWS) or held >= CHAPTER_ROWS:
                groups.append(([], "", ""))
            groups[-1][0].append(row)
    return [_Chapter(f"text-{n:03d}.xhtml", tuple(rows), reference, anchor)
            for n, (rows, reference, anchor) in enumerate((g for g in groups if g[0]), 1)]


def _document(edition: Edition, title: str) -> tuple[etree._Element, etree._Element]:
    lang = edition.meta.src_lang
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": EPUB}, attrib={"lang": lang, XML_LANG: lang})
    head = etree.SubElement(root, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = title
    etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", type="text/css", href="style.css")
    return root, etree.SubElement(root, f"{{{XHTML}}}body")


def _el(parent: etree._Element, tag: str, text: str | None = None, lang: str | None = None,
        **attrib: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{XHTML}}}{tag}",
                               attrib={k.rstrip("_"): v for k, v in attrib.items() if v is not None})
    if lang:
        element.set("lang", lang)
        element.set(XML_LANG, lang)
    if text is not None:
        element.text = text
    return element


def _lines(element: etree._Element, block: Block) -> None:
    """The block's sentences as text, verse lines split by <br/>."""
    lines: list[str] = []
    for piece in block.pieces:
        if block.verse:
            lines.extend(piece.lines)
        elif lines:
            lines[-1] += " " + " ".join(piece.lines)
        else:
            lines.append(" ".join(piece.lines))
    element.text = lines[0] if lines else ""
    for line in lines[1:]:
        etree.SubElement(element, f"{{{XHTML}}}br").tail = line


def _chapter(edition: Edition, chapter: _Chapter) -> bytes:
    meta = edition.meta
    root, body = _document(edition, meta.title)
    if chapter.reference:
        _el(body, "p", chapter.reference, class_="ref", lang=meta.tgt_lang, id=chapter.anchor)
    for row in chapter.rows:
        if row.heading:
            heading = _el(body, "h2", id=row.anchor)
            for block in row.src:
                _lines(_el(heading, "span"), block)
            for block in row.tgt:
                _lines(_el(heading, "span", class_="tr", lang=meta.tgt_lang), block)
            continue
        first = True
        for block in row.src:
            _lines(_el(body, "p", class_="verse" if block.verse else None, id=row.anchor if first else None), block)
            first = False
        for block in row.tgt:
            _lines(_el(body, "p", class_="tr verse" if block.verse else "tr", lang=meta.tgt_lang,
                       id=row.anchor if first else None), block)
            first = False
    return _xhtml(root)


def _title_page(edition: Edition) -> bytes:
    meta = edition.meta
    root, body = _document(edition, meta.title)
    _el(body, "h1", meta.title, class_="title main",
        lang=meta.title_lang if meta.title_lang != meta.src_lang else None)
    if meta.tgt_title:
        _el(body, "p", meta.tgt_title, class_="title sub", lang=meta.tgt_lang)
    if meta.author:
        _el(body, "p", meta.author, class_="title")
    if meta.translator:
        _el(body, "p", f"Translated by {meta.translator}", class_="title", lang="en")
    _el(body, "p", meta.languages, class_="title", lang="en")
    return _xhtml(root)


def _notes(edition: Edition) -> bytes:
    meta = edition.meta
    root, body = _document(edition, "Notes")
    section = _el(body, "section")
    section.set(f"{{{EPUB}}}type", "endnotes")
    _el(section, "h2", "Notes", lang="en")
    for lang, notes in ((meta.src_lang, edition.src_notes), (meta.tgt_lang, edition.tgt_notes)):
        if notes:
            listing = _el(section, "ol", class_="notes", lang=None if lang == meta.src_lang else lang)
            for note in notes:
                _el(listing, "li", note)
    return _xhtml(root)


def _nav(edition: Edition, where: dict[str, str], chapters: list[_Chapter]) -> bytes:
    meta = edition.meta
    root, body = _document(edition, "Contents")
    toc = _el(body, "nav", id="toc")
    toc.set(f"{{{EPUB}}}type", "toc")
    _el(toc, "h1", "Contents", lang="en")
    entries = _el(toc, "ol")
    _el(_el(entries, "li"), "a", meta.title, href="title.xhtml")
    for entry in edition.toc:
        link = _el(_el(entries, "li"), "a", href=f"{where[entry.anchor]}#{entry.anchor}")
        if entry.src:
            link.text = entry.src
        if entry.tgt:
            _el(link, "span", f" / {entry.tgt}" if entry.src else entry.tgt, lang=meta.tgt_lang)
    if edition.src_notes or edition.tgt_notes:
        _el(_el(entries, "li"), "a", "Notes", href="notes.xhtml", lang="en")
    landmarks = _el(body, "nav", hidden="hidden")
    landmarks.set(f"{{{EPUB}}}type", "landmarks")
    marks = _el(landmarks, "ol")
    for kind, href, label in (("toc", "nav.xhtml#toc", "Contents"), ("bodymatter", chapters[0].name, "Text")):
        _el(_el(marks, "li"), "a", label, href=href, lang="en").set(f"{{{EPUB}}}type", kind)
    return _xhtml(root)


def _package(edition: Edition, chapters: list[str], notes: bool) -> bytes:
    meta = edition.meta
    root = etree.Element(f"{{{OPF}}}package", nsmap={None: OPF, "dc": DC},
                         attrib={"version": "3.0", "unique-identifier": "book-id", XML_LANG: meta.src_lang})
    metadata = etree.SubElement(root, f"{{{OPF}}}metadata")
    etree.SubElement(metadata, f"{{{DC}}}identifier", id="book-id").text = edition.identifier
    etree.SubElement(metadata, f"{{{DC}}}title", attrib={XML_LANG: meta.title_lang}).text = meta.title
    for lang in dict.fromkeys((meta.src_lang, meta.tgt_lang)):
        etree.SubElement(metadata, f"{{{DC}}}language").text = lang
    for tag, person, role in (("creator", meta.author, "aut"), ("contributor", meta.translator, "trl")):
        if person:
            etree.SubElement(metadata, f"{{{DC}}}{tag}", id=role).text = person
            etree.SubElement(metadata, f"{{{OPF}}}meta", refines=f"#{role}", property="role",
                             scheme="marc:relators").text = role
    etree.SubElement(metadata, f"{{{OPF}}}meta", property="dcterms:modified").text = MODIFIED
    etree.SubElement(metadata, f"{{{OPF}}}meta", name="generator", content=f"align {__version__}")
    manifest = etree.SubElement(root, f"{{{OPF}}}manifest")
    items = [("title", "title.xhtml", None), ("nav", "nav.xhtml", "nav"),
             *((name.removesuffix(".xhtml"), name, None) for name in chapters),
             *((("notes", "notes.xhtml", None),) if notes else ())]
    for item_id, href, properties in items:
        attrib = {"id": item_id, "href": href, "media-type": "application/xhtml+xml"}
        if properties:
            attrib["properties"] = properties
        etree.SubElement(manifest, f"{{{OPF}}}item", attrib=attrib)
    etree.SubElement(manifest, f"{{{OPF}}}item", id="css", href="style.css", attrib={"media-type": "text/css"})
    spine = etree.SubElement(root, f"{{{OPF}}}spine")
    for item_id, _, _ in items:
        etree.SubElement(spine, f"{{{OPF}}}itemref", idref=item_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xhtml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>")


CONTAINER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             b'<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>'
             b'</rootfiles></container>\n')


def _zip(files: dict[str, bytes]) -> bytes:
    """``mimetype`` first and stored (readers sniff it at a fixed offset), the rest deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", ZIP_DATE), b"application/epub+zip", zipfile.ZIP_STORED)
        for name, data in (("META-INF/container.xml", CONTAINER), *files.items()):
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED, 9)
    return buffer.getvalue()

