"""Turn the bytes of an input file into text, detecting the encoding.

Supported: UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or without one
when the pattern of high bytes 0x00/0x04 is unmistakable), CP1251 and KOI8-R (told apart by how
Russian the decoded letters look), and whatever charset-normalizer recognises for
other single-byte text. Line endings are kept exactly as decoded.
"""

from __future__ import annotations

import codecs
import logging
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
_WORD = re.compile(r"[\u0400-\u04ff]+")
_VOWEL = re.compile(r"[аеёиоуыэюя]")
_BAD_SHORT_I = re.compile(r"[бвгджзклмнпрстфхцчшщ]й")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Inputs reach the PDF and archive readers first (align.ingest.formats); only text that must
# be text (a pairs.csv manifest) meets these here.
_MAGIC = {b"%PDF-": "a PDF file", b"PK\x03\x04": "a ZIP archive"}
log = logging.getLogger("align.ingest")
# A file that is valid UTF-8 but for a few stray bytes (a bad copy, an encoded lone
# surrogate) is UTF-8: at most this many bad sequences (or one per this many bytes in a
# large file), with at least this many well-formed non-ASCII characters per bad one.
MAX_BAD_UTF8 = 8
BAD_UTF8_PER_BYTES = 10_000
UTF8_EVIDENCE = 5
# Decoded Cyrillic whose letters score below this (`russian_score`; Russian text scores
# about 3.8, KOI8-R read as CP1251 about 3.0, random bytes 0.5-1.8) reads as no language.
NO_LANGUAGE_SCORE = 2.3
NO_LANGUAGE_MIN_LETTERS = 40


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
    mended = _mostly_utf8(data, path)
    if mended is not None:
        return mended, "utf-8"
    as_1251 = data.decode("cp1251", errors="replace")
    letters = sum(ch.isalpha() for ch in as_1251)
    if letters and len(_CYRILLIC.findall(as_1251)) > 0.3 * letters:
        as_koi = data.decode("koi8_r")
        text, name = (as_koi, "koi8-r") if russian_score(as_koi) > russian_score(as_1251) else (None, "cp1251")
        text = text if text is not None else _strict(data, "cp1251", path)
        cyrillic = len(_CYRILLIC.findall(text))
        if cyrillic >= NO_LANGUAGE_MIN_LETTERS and russian_score(text) < NO_LANGUAGE_SCORE:
            raise InputError(path, f"reads as no language in {name} or any other encoding tried "
                                   "(random bytes, or an encoding this tool does not know)")
        return text, name
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(path, "cannot decode: not UTF-8, UTF-16, CP1251, KOI8-R or another known encoding")
    return str(best), best.encoding


def _mostly_utf8(data: bytes, path: Path | str | None) -> str | None:
    """``data`` as UTF-8 with each bad sequence read as U+FFFD, when it is UTF-8 but for a
    few stray bytes (a warning names their offsets); None when it is not UTF-8."""
    limit = max(MAX_BAD_UTF8, len(data) // BAD_UTF8_PER_BYTES)
    parts: list[str] = []
    bad: list[int] = []
    pos = 0
    while True:
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as err:
            parts.append(data[pos:pos + err.start].decode("utf-8"))
            parts.append("\ufffd")
            bad.append(pos + err.start)
            pos += err.end
            if len(bad) > limit:
                return None
    text = "".join(parts)
    if sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd") < UTF8_EVIDENCE * len(bad):
        return None
    log.warning("%s: %d byte sequence(s) are not UTF-8 (at byte %s); read as U+FFFD",
                path, len(bad), ", ".join(map(str, bad)))
    return text


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
    frequent letters to rare ones; all-caps text is judged by frequencies and by its
    opening capital.
    """
    letters = _CYRILLIC.findall(text)
    if not letters:
        return -math.inf
    logp = sum(math.log(_RU_FREQ.get(ch.lower(), 0.5)) for ch in letters) / len(letters)
    inverted = len(_INVERTED.findall(text)) / len(letters)
    # Mis-decoding an all-caps heading («ЦК ВКП(б)», «ОГПУ») gives an all-lowercase one
    # whose letter frequencies look as Russian: but a text opens with a capital, and a
    # lowercase word of two or more letters has a vowel and no й after a consonant (an
    # all-caps one is an abbreviation).
    words = _WORD.findall(text)
    vowelless = sum(1 for w in words if len(w) > 1 and w.islower() and (not _VOWEL.search(w) or _BAD_SHORT_I.search(w)))
    return (logp - 10.0 * inverted - 0.2 * letters[0].islower()
            - 0.5 * vowelless / max(len(words), 1))
