"""TMX (1.1–1.4) read as segments: each ``<tu>`` with a variant in the source language
and one in the target language. The source language is the one asked for, else the
header's ``srclang``; the target the one asked for, else the language most units also
have. Ids are the ``tuid`` (else the unit's number in the file)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from align.check.bilingual import BilingualFile, BilingualSegment, primary_language, unique_ids
from align.check.xmltext import inline_text, line_of, localname
from align.errors import InputError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_tmx(path: Path, root: etree._Element, src_lang: str = "", tgt_lang: str = "") -> BilingualFile:
    units = [unit for unit in root.iter() if localname(unit) == "tu"]
    variants = [_variants(unit) for unit in units]
    header = next((e for e in root if localname(e) == "header"), None)
    src = src_lang or primary_language(header.get("srclang") if header is not None else None)
    if not src:
        raise InputError(path, "TMX header names no source language (srclang): give --src-lang")
    kept = [(unit, found) for unit, found in zip(units, variants) if found.get(src)]
    if not kept:
        raise InputError(path, f"TMX file with no segments to check in {src}")
    others = Counter(lang for _, found in kept for lang in found if lang != src)
    tgt = tgt_lang or (others.most_common(1)[0][0] if others else "")
    if not tgt:
        raise InputError(path, f"TMX has no unit with a variant in {src} and another language")
    ids = unique_ids([(unit.get("tuid") or str(number),) for number, (unit, _) in enumerate(kept, start=1)])
    segments = tuple(BilingualSegment(i, found[src], found.get(tgt, ""), line_of(unit))
                     for i, (unit, found) in zip(ids, kept))
    return BilingualFile(Path(path), "tmx", src, tgt, segments)


def _variants(unit: etree._Element) -> dict[str, str]:
    """The unit's text per language (TMX 1.4 ``xml:lang``, older ``lang``); the first of a repeated language."""
    found: dict[str, str] = {}
    for variant in unit:
        if localname(variant) != "tuv":
            continue
        lang = primary_language(variant.get(XML_LANG) or variant.get("lang"))
        seg = next((e for e in variant if localname(e) == "seg"), None)
        if lang and lang not in found:
            found[lang] = inline_text(seg)
    return found
