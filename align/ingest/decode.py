"""Turn the bytes of an input file into text, detecting the encoding.

Supported: UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or without one
when the pattern of high bytes 0x00/0x04 is unmistakable), CP1251 and KOI8-R (told apart by how
Russian the decoded letters look), and whatever charset-normalizer recognises for
other single-byte text. Line endings are kept exactly as decoded.
"""

from __future__ import annotations

import codecs
import math
import re
from pathlib import Path

import charset_normalizer

from align.errors import InputError

# Relative frequencies (per mille) of lowercase Russian letters in running text.
_RU_FREQ = dict(zip(
    "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
    (110, 85, 80, 74, 67, 63, 55, 47, 45, 44, 35, 32, 30, 28, 26, 20, 19, 17, 17, 16,
     16, 15, 12, 10, 9, 7, 6, 5, 4, 3, 3, 1, 1),
))
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_INVERTED = re.compile(r"(?<=[а-яё])[А-ЯЁ]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAGIC = {b"%PDF-": "a PDF file (extract its text first)", b"PK\x03\x04": "a ZIP/DOCX archive"}


def decode_bytes(data: bytes, path: Path | str | None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding name)``; raise InputError on bad input."""
    if not data.strip():
        raise InputError(path, "file is empty")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"binary file: looks like {what}, not text")
    text, encoding = _decode(data, path)
    if not text.strip():
        raise InputError(path, "file is empty (only whitespace)")
    sample = text[:100_000]
    if len(_CONTROL.findall(sample)) > 0.02 * len(sample):
        raise InputError(path, "binary file: too many control characters for text")
    return text, encoding


def _decode(data: bytes, path: Path | str | None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _strict(data[2:], name, path), name
    utf16 = _utf16_by_nuls(data)
    if utf16:
        return _strict(data, utf16, path), utf16
    if b"\x00" in data:
        raise InputError(path, "binary file: contains NUL bytes and is not UTF-16")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    as_1251 = data.decode("cp1251", errors="replace")
    letters = sum(ch.isalpha() for ch in as_1251)
    if letters and len(_CYRILLIC.findall(as_1251)) > 0.3 * letters:
        as_koi = data.decode("koi8_r")
        if russian_score(as_koi) > russian_score(as_1251):
            return as_koi, "koi8-r"
        return _strict(data, "cp1251", path), "cp1251"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(path, "cannot decode: not UTF-8, UTF-16, CP1251, KOI8-R or another known encoding")
    return str(best), best.encoding


def _strict(data: bytes, encoding: str, path: Path | str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(path, f"cannot decode as {encoding}: {err.reason} at byte {err.start}") from None


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without BOM: high bytes of Latin (0x00) or Cyrillic (0x04) characters fill
    most odd (LE) or even (BE) positions and few of the others."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even = (sample[0::2].count(0) + sample[0::2].count(4)) / half
    odd = (sample[1::2].count(0) + sample[1::2].count(4)) / half
    if odd > 0.6 and even < 0.1:
        return "utf-16-le"
    if even > 0.6 and odd < 0.1:
        return "utf-16-be"
    return None


def russian_score(text: str) -> float:
    """How Russian the Cyrillic letters of ``text`` look: letter frequencies plus case shape.

    Mis-decoded text (KOI8-R read as CP1251 or back) swaps the case of every letter,
    so words come out as ``пРИВЕТ`` (a capital after a lowercase letter), and maps
    frequent letters to rare ones; all-caps text is judged by frequencies alone.
    """
    letters = _CYRILLIC.findall(text)
    if not letters:
        return -math.inf
    logp = sum(math.log(_RU_FREQ.get(ch.lower(), 0.5)) for ch in letters) / len(letters)
    inverted = len(_INVERTED.findall(text)) / len(letters)
    return logp - 10.0 * inverted
