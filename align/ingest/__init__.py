"""Reading input files: bytes -> decoded text -> checked, cleaned paragraphs.

``read_document`` picks the reader by suffix: ``.html``/``.htm`` go to the lxml
block reader, everything else (``.txt``, ``.text``, ``.md``, no suffix, ...) to the
text cleaner of :mod:`align.ingest.pdftext`. Binary files fail in decoding
whatever their suffix. ``read_lines`` reads presegmented files: one line, one
paragraph, verbatim.
"""

from __future__ import annotations

import stat
from pathlib import Path

from align.errors import InputError
from align.ingest.decode import decode_bytes
from align.ingest.htmltext import read_html
from align.ingest.pdftext import clean_pdf_text, split_lines
from align.model import Document, Paragraph

HTML_SUFFIXES = {".html", ".htm"}
# Inputs larger than this are refused (`Settings.max_input_mb` sets it): an archive's
# largest text is a few MB; a larger file is most likely not what the user meant.
MAX_INPUT_BYTES = 100_000_000

__all__ = ["MAX_INPUT_BYTES", "check_readable", "read_document", "read_lines"]


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


def _read(path: Path, max_bytes: int) -> tuple[str, str]:
    check_readable(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise InputError(path, f"file grew past the limit of {max_bytes / 1e6:.1f} MB while being read")
    return decode_bytes(data, path)


def read_document(path: Path, lang: str, max_bytes: int = MAX_INPUT_BYTES) -> Document:
    """Read, decode, check and clean ``path`` into a Document of language ``lang`` (whether
    it is in that language is `align.ingest.language.check_language`'s business)."""
    path = Path(path)
    raw, encoding = _read(path, max_bytes)
    if path.suffix.lower() in HTML_SUFFIXES:
        paragraphs, footnotes = read_html(raw), []
    else:
        paragraphs, footnotes = clean_pdf_text(raw)
    if not paragraphs:
        raise InputError(path, "no text paragraphs found")
    return Document(path, lang, raw, tuple(paragraphs), tuple(footnotes), encoding)


def read_lines(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> Document:
    """Presegmented input: each line is one paragraph (blank lines kept as empty ones).

    No clean-up: the text is the line without its line break, offsets are exact.
    The language is left empty; no language check is made.
    """
    path = Path(path)
    raw, encoding = _read(path, max_bytes)
    paragraphs = tuple(
        Paragraph(i, line.text, line.start, line.end, "body",
                  ((0, line.start, len(line.text)),) if line.text else ())
        for i, line in enumerate(split_lines(raw))
    )
    return Document(path, "", raw, paragraphs, (), encoding)
