"""Reading input files: bytes -> the format's reader -> checked, cleaned paragraphs.

``read_document`` picks the reader by content (:mod:`align.ingest.formats`): a PDF goes
to :mod:`pdffile` (its text layer, then the clean-up of :mod:`pdftext`), a DOCX, ODT or
EPUB archive to :mod:`docxfile`, :mod:`odtfile` or :mod:`epubfile` (blocks assembled by
:mod:`blocks`); other files are decoded as text, ``.html``/``.htm`` read by the lxml block
reader, everything else (``.txt``, ``.md``, no suffix, ...) by the text cleaner of
:mod:`pdftext`. Other binary files fail in decoding whatever their suffix. ``read_lines``
reads presegmented files: one line (of a DOCX, ODT or EPUB: one paragraph), one paragraph,
verbatim.
"""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

from align.errors import InputError
from align.ingest.archive import Archive
from align.ingest.blocks import assemble
from align.ingest.decode import decode_bytes
from align.ingest.docxfile import read_docx
from align.ingest.epubfile import read_epub
from align.ingest.formats import HTML_SUFFIXES, detect_format
from align.ingest.htmltext import read_html
from align.ingest.odtfile import read_odt
from align.ingest.pdffile import read_pdf
from align.ingest.pdftext import clean_pdf_text, split_lines
from align.model import Document, Paragraph

CONTAINER_READERS = {"docx": read_docx, "odt": read_odt, "epub": read_epub}
# Inputs larger than this are refused (`Settings.max_input_mb` sets it): an archive's
# largest text is a few MB; a larger file is most likely not what the user meant.
MAX_INPUT_BYTES = 100_000_000

__all__ = ["HTML_SUFFIXES", "MAX_INPUT_BYTES", "check_readable", "read_document", "read_lines"]


def check_readable(path: Path, max_bytes: int) -> None:
    """A regular file of at most ``max_bytes``, else an InputError (a FIFO or a device such
    as /dev/zero would read forever; a huge file is most likely a mistake)."""
    try:
        info = Path(path).stat()
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "not a regular file (a folder, pipe or device): give a text file")
    if info.st_size > max_bytes:
        raise InputError(path, f"file is {info.st_size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB "
                               "(raise it with --set max_input_mb=N)")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    check_readable(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise InputError(path, f"file grew past the limit of {max_bytes / 1e6:.1f} MB while being read")
    if not data.strip():
        raise InputError(path, "file is empty")
    return data


def read_document(path: Path, lang: str, max_bytes: int = MAX_INPUT_BYTES) -> Document:
    """Read, decode and clean ``path`` into a Document of language ``lang``, by the reader its
    content needs; ``max_bytes`` bounds the file and what an archive's text may expand to
    (whether it is in that language is `align.ingest.language.check_language`'s business)."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    reader = detect_format(data, path, max_bytes)
    if reader == "pdf":
        document = read_pdf(data, path, lang, max_bytes)
    elif reader in CONTAINER_READERS:
        document = _container(data, path, lang, reader, max_bytes)
    else:
        raw, encoding = decode_bytes(data, path)
        paragraphs, footnotes = (read_html(raw), []) if reader == "html" else clean_pdf_text(raw)
        document = Document(path, lang, raw, tuple(paragraphs), tuple(footnotes), encoding, reader)
    if not document.paragraphs:
        raise InputError(path, "no text paragraphs found")
    return document


def _container(data: bytes, path: Path, lang: str, reader: str, max_bytes: int) -> Document:
    return assemble(path, lang, CONTAINER_READERS[reader](Archive(data, path, max_bytes), path), reader)


def read_lines(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> Document:
    """Presegmented input: each line is one paragraph (blank lines kept as empty ones).

    No clean-up: the text is the line without its line break, offsets are exact. A DOCX,
    ODT or EPUB gives one paragraph per paragraph of the original (notes left out).
    The language is left empty; no language check is made.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    reader = detect_format(data, path, max_bytes)
    if reader == "pdf":
        raise InputError(path, "a PDF has no lines of its own: presegmented input must be text, DOCX, ODT or EPUB")
    if reader in CONTAINER_READERS:
        document = _container(data, path, "", reader, max_bytes)
        if not document.paragraphs:
            raise InputError(path, "no text paragraphs found")
        return replace(document, footnotes=())
    raw, encoding = decode_bytes(data, path)
    paragraphs = tuple(
        Paragraph(i, line.text, line.start, line.end, "body",
                  ((0, line.start, len(line.text)),) if line.text else ())
        for i, line in enumerate(split_lines(raw))
    )
    return Document(path, "", raw, paragraphs, (), encoding)
