"""Which reader a file needs, told by its content (magic bytes, ZIP members), not its name.

``%PDF-`` is a PDF; a ZIP is an EPUB or an ODT text by its ``mimetype`` member and a DOCX
by ``word/document.xml``; an OLE compound file (old ``.doc``, or any password-protected
Office file) and RTF are refused with what to do; anything else is text, HTML when the
suffix says so.
"""

from __future__ import annotations

from pathlib import Path

from align.errors import InputError
from align.ingest.archive import Archive
from align.model import ReaderName

HTML_SUFFIXES = {".html", ".htm"}
EPUB_MIMETYPE = "application/epub+zip"
ODT_MIMETYPES = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template"}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes, path: Path, max_bytes: int) -> ReaderName:
    """The reader (`ReaderName`) for the file ``path`` holding ``data``; refused kinds raise InputError."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return container_format(Archive(data, path, max_bytes), path)
    if data.startswith(_CFB_MAGIC):
        raise InputError(path, "an old Word .doc or a password-protected Office file: save it as .docx "
                               "(without a password) or as plain text")
    if head.startswith(b"{\\rtf"):
        raise InputError(path, "an RTF file: save it as .docx or as plain text")
    return "html" if Path(path).suffix.lower() in HTML_SUFFIXES else "text"


def container_format(archive: Archive, path: Path) -> ReaderName:
    """``epub``, ``odt`` or ``docx`` for a ZIP archive, else an InputError naming what it is."""
    if archive.has("mimetype"):
        mimetype = archive.text("mimetype")
        if mimetype == EPUB_MIMETYPE:
            return "epub"
        if mimetype in ODT_MIMETYPES:
            return "odt"
        if mimetype.startswith("application/vnd.oasis.opendocument."):
            raise InputError(path, f"an OpenDocument file of type {mimetype.rsplit('.', 1)[-1]}, "
                                   "not a text document (ODT)")
    if archive.has("word/document.xml"):
        return "docx"
    raise InputError(path, "a ZIP archive that is not a DOCX, ODT or EPUB document")


def reader_name(data: bytes, path: Path, max_bytes: int) -> str:
    """The reader ``data`` goes to, or ``refused`` (the reader itself will say why)."""
    try:
        return detect_format(data, path, max_bytes)
    except InputError:
        return "refused"
