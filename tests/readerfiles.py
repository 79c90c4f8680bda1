"""Builders of the DOCX, ODT, EPUB and PDF files the reader tests read, each made with the
library or format the reader does not use to read it back (python-docx writes, zipfile +
lxml build ODT and EPUB, reportlab draws the PDF), from one `Book`."""

from __future__ import annotations

import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree


@dataclass(frozen=True)
class Book:
    """A heading, body paragraphs (the first carries the footnote's marker after its first
    word), one footnote and a table."""

    heading: str
    paragraphs: tuple[str, ...]
    footnote: str
    table: tuple[tuple[str, str], ...] = field(default=())

    def plain_text(self) -> str:
        """The same text as a plain file: one paragraph per block, the table's cells as paragraphs."""
        cells = [cell for row in self.table for cell in row]
        return "\n\n".join([self.heading, *self.paragraphs, *cells]) + "\n"


# --- DOCX -------------------------------------------------------------------

def make_docx(path: Path, book: Book, tracked: tuple[str, str] | None = None) -> Path:
    """A DOCX written by python-docx: Heading 1, paragraphs, the table; the footnote part is
    added as a package part (python-docx has no footnote API). ``tracked`` = (inserted,
    deleted) adds a paragraph with a tracked insertion and a tracked deletion."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_heading(book.heading, level=1)
    for k, text in enumerate(book.paragraphs):
        if k == 0:
            first, rest = text.split(" ", 1)
            paragraph = document.add_paragraph(first)
            run = paragraph.add_run()
            run._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="1"/>'))
            paragraph.add_run(" " + rest)
        else:
            document.add_paragraph(text)
    if book.table:
        table = document.add_table(rows=len(book.table), cols=2)
        for row, cells in zip(table.rows, book.table):
            for cell, text in zip(row.cells, cells):
                cell.text = text
    if tracked:
        inserted, deleted = tracked
        document.element.body.insert(len(document.element.body) - 1, parse_xml(
            f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">Kept words </w:t></w:r>'
            f'<w:ins w:id="7" w:author="editor"><w:r><w:t xml:space="preserve">{inserted} </w:t></w:r></w:ins>'
            f'<w:del w:id="8" w:author="editor"><w:r><w:delText>{deleted} </w:delText></w:r></w:del>'
            '<w:r><w:t>end.</w:t></w:r></w:p>'))
    notes = (f'<w:footnotes {nsdecls("w")}>'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
             '</w:p></w:footnote>'
             f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {book.footnote}'
             '</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                notes.encode(), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    document.save(str(path))
    return path


def rewrite_member(path: Path, member: str, data: bytes, out: Path) -> Path:
    """A copy of the archive ``path`` with ``member`` replaced by ``data``."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == member else source.read(info.filename))
    return out


# --- ODT --------------------------------------------------------------------

ODF = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}


def _odf(prefix: str, name: str) -> str:
    return f"{{{ODF[prefix]}}}{name}"


def make_odt(path: Path, book: Book, deleted: str = "") -> Path:
    """An ODT built with zipfile + lxml: ``text:h``, paragraphs (the first with an inline
    ``text:note``), a table, and (``deleted``) a tracked deletion LibreOffice keeps apart."""
    root = etree.Element(_odf("office", "document-content"), nsmap=ODF)
    root.set(_odf("office", "version"), "1.3")
    text = etree.SubElement(etree.SubElement(root, _odf("office", "body")), _odf("office", "text"))
    if deleted:
        changes = etree.SubElement(text, _odf("text", "tracked-changes"))
        region = etree.SubElement(changes, _odf("text", "changed-region"))
        etree.SubElement(etree.SubElement(region, _odf("text", "deletion")), _odf("text", "p")).text = deleted
    heading = etree.SubElement(text, _odf("text", "h"))
    heading.set(_odf("text", "outline-level"), "1")
    heading.text = book.heading
    for k, body in enumerate(book.paragraphs):
        paragraph = etree.SubElement(text, _odf("text", "p"))
        if k == 0:
            first, rest = body.split(" ", 1)
            paragraph.text = first
            note = etree.SubElement(paragraph, _odf("text", "note"))
            note.set(_odf("text", "note-class"), "footnote")
            etree.SubElement(note, _odf("text", "note-citation")).text = "1"
            etree.SubElement(etree.SubElement(note, _odf("text", "note-body")), _odf("text", "p")).text = book.footnote
            note.tail = " " + rest
        else:
            paragraph.text = body
    if book.table:
        table = etree.SubElement(text, _odf("table", "table"))
        for cells in book.table:
            row = etree.SubElement(table, _odf("table", "table-row"))
            for cell_text in cells:
                cell = etree.SubElement(row, _odf("table", "table-cell"))
                etree.SubElement(cell, _odf("text", "p")).text = cell_text
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


# --- EPUB -------------------------------------------------------------------

def _xhtml(title: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>')


def make_epub(path: Path, chapters: list[Book]) -> Path:
    """An EPUB 3 built with zipfile: one XHTML document per chapter (h1, paragraphs, the
    footnote as an ``aside epub:type="footnote"`` referenced by a ``noteref``), a nav document,
    and a manifest listed in the reverse of the spine's order."""
    files = {}
    for k, book in enumerate(chapters, start=1):
        first, rest = book.paragraphs[0].split(" ", 1)
        body = [f"<h1>{book.heading}</h1>",
                f'<p>{first}<a epub:type="noteref" href="#n{k}"><sup>1</sup></a> {rest}</p>',
                *(f"<p>{p}</p>" for p in book.paragraphs[1:]),
                f'<aside epub:type="footnote" id="n{k}"><p>{book.footnote}</p></aside>']
        files[f"OEBPS/text/chapter{k}.xhtml"] = _xhtml(book.heading, "".join(body))
    files["OEBPS/nav.xhtml"] = _xhtml("Contents", '<nav epub:type="toc"><ol>' + "".join(
        f'<li><a href="text/chapter{k}.xhtml">{b.heading}</a></li>' for k, b in enumerate(chapters, 1)) + "</ol></nav>")
    items = [f'<item id="c{k}" href="text/chapter{k}.xhtml" media-type="application/xhtml+xml"/>'
             for k in range(len(chapters), 0, -1)]
    opf = ('<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<dc:identifier id="id">test</dc:identifier><dc:title>Test</dc:title><dc:language>ru</dc:language>'
           '</metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
           'properties="nav"/>' + "".join(items) + '</manifest><spine><itemref idref="nav"/>'
           + "".join(f'<itemref idref="c{k}"/>' for k in range(1, len(chapters) + 1)) + "</spine></package>")
    container = ('<?xml version="1.0"?><container version="1.0" '
                 'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                 '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                 '</rootfiles></container>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", container)
        archive.writestr("OEBPS/content.opf", opf)
        for name, content in files.items():
            archive.writestr(name, content)
    return path


# --- PDF --------------------------------------------------------------------

@dataclass(frozen=True)
class DrawnLine:
    """A line as drawn: page (1-based), line number in reading order on that page, its text,
    its column (0 left, 1 right)."""

    page: int
    line: int
    text: str
    column: int


PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
RUNNING_HEADER = "A Book of Tests, page"
COLUMN_CHARS = 44


def make_pdf(path: Path, books: list[Book], lines_per_column: int = 40, font: str = "Helvetica",
             header: bool = True) -> list[DrawnLine]:
    """A two-column PDF drawn line by line with reportlab's canvas: each book's heading (in
    a larger font) and paragraphs (a blank line between paragraphs), wrapped at
    ``COLUMN_CHARS``; the page number is drawn first at the foot of each page and a running
header (`RUNNING_HEADER` and the page number) at its top; the first book's
    footnote marker sits after its first word and its footnote, in a small font, at the foot
    of the right column of page 1. Returns the body lines as drawn, in reading order
    (numbered on each page from 1, header and page number not counted)."""
    from reportlab.pdfgen import canvas

    flow: list[tuple[str, str]] = []  # (kind, text): heading, body, marker-body, gap
    for k, book in enumerate(books):
        flow += [("heading", book.heading), ("gap", "")]
        for j, paragraph in enumerate(book.paragraphs):
            for n, line in enumerate(textwrap.wrap(paragraph, COLUMN_CHARS)):
                flow.append(("marker" if (k, j, n) == (0, 0, 0) else "body", line))
            flow.append(("gap", ""))
    pdf = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    drawn: list[DrawnLine] = []
    columns = (50.0, 310.0)
    page, slot, column, number = 1, 0, 0, 0

    def start_page() -> None:
        pdf.setFont(font, 9)
        pdf.drawCentredString(PAGE_WIDTH / 2, 30, str(page))
        if header:
            pdf.drawString(columns[0], PAGE_HEIGHT - 35, f"{RUNNING_HEADER} {page}")

    start_page()
    for kind, text in flow:
        if slot == lines_per_column:
            slot, column = 0, column + 1
            if column == 2:
                if page == 1:
                    _footnote(pdf, books[0].footnote, columns[1], font, lines_per_column)
                pdf.showPage()
                page, column, number = page + 1, 0, 0
                start_page()
        y = PAGE_HEIGHT - 60 - 16 * slot
        slot += 1
        if kind == "gap":
            continue
        number += 1
        x = columns[column]
        if kind == "heading":
            pdf.setFont(font + "-Bold", 14)
            pdf.drawString(x, y, text)
        elif kind == "marker":
            first, rest = text.split(" ", 1)
            pdf.setFont(font, 10)
            pdf.drawString(x, y, first)
            width = pdf.stringWidth(first, font, 10)
            pdf.setFont(font, 6)
            pdf.drawString(x + width, y + 4, "1")
            pdf.setFont(font, 10)
            pdf.drawString(x + width + pdf.stringWidth("1", font, 6), y, " " + rest)
        else:
            pdf.setFont(font, 10)
            pdf.drawString(x, y, text)
        drawn.append(DrawnLine(page, number, text, column))
    if page == 1:
        _footnote(pdf, books[0].footnote, columns[1], font, lines_per_column)
    pdf.showPage()
    pdf.save()
    return drawn


def _footnote(pdf, text: str, x: float, font: str, lines_per_column: int) -> None:
    """The footnote under the column's last line, above the page number."""
    top = min(80.0, PAGE_HEIGHT - 60 - 16 * (lines_per_column - 1) - 18)
    pdf.setFont(font, 7)
    for k, line in enumerate(textwrap.wrap("1 " + text, 60)):
        pdf.drawString(x, top - 9 * k, line)


def make_pdf_bomb(path: Path, padding: int) -> Path:
    """A one-page PDF, written by hand, whose Flate content stream inflates to ``padding``
    spaces after one line of text (a decompression bomb: ~1 KB per MB)."""
    import zlib

    stream = zlib.compress(b"BT /F1 10 Tf 50 700 Td (Hello world) Tj ET\n" + b" " * padding, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def make_epub2(path: Path, book: Book) -> Path:
    """An EPUB 2 built with zipfile: an NCX table of contents (not in the spine), an XHTML 1.1
    chapter with its DOCTYPE, an ``&nbsp;`` entity and a bare ``<sup><a>1</a></sup>``
    note reference, and the note in a non-linear notes document."""
    doctype = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
               '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n')
    first, rest = book.paragraphs[0].split(" ", 1)
    second_first, second_rest = book.paragraphs[1].split(" ", 1)
    chapter = (doctype + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>1</title></head><body>'
               f'<div class="chapter"><h2>{book.heading}</h2>'
               f'<p>{first}<sup><a href="notes.xhtml#n1" id="r1">1</a></sup> {rest}</p>'
               f'<p>{second_first}&nbsp;{second_rest}</p>'
               + "".join(f"<p>{p}</p>" for p in book.paragraphs[2:]) + "</div></body></html>")
    notes = (doctype + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Notes</title></head><body>'
             f'<p id="n1"><a href="chapter.xhtml#r1">1</a> {book.footnote}</p></body></html>')
    ncx = ('<?xml version="1.0" encoding="UTF-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
           f'<navMap><navPoint id="p1"><navLabel><text>{book.heading}</text></navLabel>'
           '<content src="chapter.xhtml"/></navPoint></navMap></ncx>')
    opf = ('<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
           'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<dc:identifier id="id">test2</dc:identifier><dc:title>Test</dc:title></metadata><manifest>'
           '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
           '<item id="ch" href="chapter.xhtml" media-type="application/xhtml+xml"/>'
           '<item id="notes" href="notes.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine toc="ncx"><itemref idref="ch"/><itemref idref="notes" linear="no"/></spine></package>')
    container = ('<?xml version="1.0"?><container version="1.0" '
                 'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                 '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
                 '</rootfiles></container>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", container)
        for name, content in (("content.opf", opf), ("toc.ncx", ncx), ("chapter.xhtml", chapter),
                              ("notes.xhtml", notes)):
            archive.writestr(name, content)
    return path
