"""A two-column TSV (source TAB target, one segment a line, no quoting) read as segments;
the id is the line number. A first line of two language codes (``ru<TAB>en``) is a
header naming the languages; ``source<TAB>target`` a header naming none."""

from __future__ import annotations

import re
from pathlib import Path

from align.check.bilingual import BilingualFile, BilingualSegment, primary_language
from align.errors import InputError
from align.ingest.decode import decode_bytes

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_HEADER_WORDS = {("source", "target"), ("src", "tgt")}


def read_tsv(path: Path, data: bytes) -> BilingualFile:
    text, _ = decode_bytes(data, path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    src_lang = tgt_lang = ""
    segments = []
    first = True
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 2:
            raise InputError(path, f"line {number} has {len(cells)} tab-separated columns; a bilingual TSV "
                                   "has two (source, target)")
        source, target = (" ".join(c.split()) for c in cells)
        header, first = first and _is_header(source, target), False
        if header:
            src_lang, tgt_lang = (primary_language(c) if _LANGUAGE_CODE.fullmatch(c) else "" for c in (source, target))
            continue
        if source:
            segments.append(BilingualSegment(str(number), source, target, f"line {number}"))
    if not segments:
        raise InputError(path, "TSV file with no segments to check")
    return BilingualFile(Path(path), "tsv", src_lang, tgt_lang, tuple(segments))


def _is_header(first: str, second: str) -> bool:
    """Two different language codes, or the words source and target."""
    if (first.lower(), second.lower()) in _HEADER_WORDS:
        return True
    return first != second and all(_LANGUAGE_CODE.fullmatch(c) for c in (first, second))
