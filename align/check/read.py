"""The bilingual reader for a file, chosen by its content (not its name): XML whose root
is ``<xliff>`` (1.2, 2.0, SDLXLIFF) or ``<tmx>``, else a two-column TSV."""

from __future__ import annotations

import codecs
from pathlib import Path

from align.check.bilingual import BilingualFile, primary_language
from align.check.tmx import read_tmx
from align.check.tsv import read_tsv
from align.check.xliff import read_xliff
from align.check.xmltext import localname, parse_xml, read_bytes
from align.errors import InputError
from align.ingest import MAX_INPUT_BYTES

UNKNOWN = "unknown format: not XLIFF (1.2, 2.0, SDLXLIFF), TMX or a two-column TSV"


def read_bilingual(path: Path, max_bytes: int = MAX_INPUT_BYTES, src_lang: str = "",
                   tgt_lang: str = "") -> BilingualFile:
    """The segments of ``path``; ``src_lang``/``tgt_lang`` choose a TMX's variants (else its header's)."""
    path = Path(path)
    data = read_bytes(path, max_bytes)
    if _is_xml(data):
        root = parse_xml(path, data)
        name = localname(root)
        if name == "xliff":
            return read_xliff(path, root)
        if name == "tmx":
            return read_tmx(path, root, primary_language(src_lang), primary_language(tgt_lang))
        raise InputError(path, f"{UNKNOWN} (XML whose root is <{name}>)")
    if b"\0" in data[:4096] or b"\t" not in data:
        raise InputError(path, UNKNOWN)
    return read_tsv(path, data)


def _is_xml(data: bytes) -> bool:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):len(bom) + 200].decode(codec, errors="ignore").lstrip().startswith("<")
    return data.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")
