"""Reading input files: bytes -> decoded text -> checked, cleaned paragraphs.

``read_document`` picks the reader by suffix: ``.html``/``.htm`` go to the lxml
block reader, everything else (``.txt``, ``.text``, ``.md``, no suffix, ...) to the
text cleaner of :mod:`align.ingest.pdftext`. Binary files fail in decoding
whatever their suffix. ``read_lines`` reads presegmented files: one line, one
paragraph, verbatim.
"""

from __future__ import annotations

from pathlib import Path

from align.errors import InputError
from align.ingest.decode import decode_bytes
from align.ingest.htmltext import read_html
from align.ingest.language import check_language
from align.ingest.pdftext import clean_pdf_text, split_lines
from align.model import Document, Paragraph

HTML_SUFFIXES = {".html", ".htm"}

__all__ = ["read_document", "read_lines"]


def _read(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from None
    return decode_bytes(data, path)


def read_document(path: Path, lang: str) -> Document:
    """Read, decode, check and clean ``path`` into a Document of language ``lang``."""
    path = Path(path)
    raw, encoding = _read(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        paragraphs, footnotes = read_html(raw), []
    else:
        paragraphs, footnotes = clean_pdf_text(raw)
    if not paragraphs:
        raise InputError(path, "no text paragraphs found")
    check_language("\n".join(p.text for p in paragraphs), lang, path)
    return Document(path, lang, raw, tuple(paragraphs), tuple(footnotes), encoding)


def read_lines(path: Path) -> Document:
    """Presegmented input: each line is one paragraph (blank lines kept as empty ones).

    No clean-up: the text is the line without its line break, offsets are exact.
    The language is left empty; no language check is made.
    """
    path = Path(path)
    raw, encoding = _read(path)
    paragraphs = tuple(
        Paragraph(i, line.text, line.start, line.end, "body",
                  ((0, line.start, len(line.text)),) if line.text else ())
        for i, line in enumerate(split_lines(raw))
    )
    return Document(path, "", raw, paragraphs, (), encoding)
