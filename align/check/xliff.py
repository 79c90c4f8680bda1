"""XLIFF 1.2 and 2.0 (and SDLXLIFF, which is XLIFF 1.2 with Trados' segments) read as the
segments a CAT tool shows.

1.2: each ``<trans-unit>`` (``translate="no"`` left out) is a segment, or, when it has a
``<seg-source>``, each ``<mrk mtype="seg">`` in it, paired with the target's ``<mrk>`` of
the same ``mid`` (SDLXLIFF's segment numbers). 2.0: each ``<segment>`` of a ``<unit>``.
Ids are the shortest unique tail of (file, unit, segment), see `unique_ids`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from align.check.bilingual import BilingualFile, BilingualSegment, primary_language, unique_ids
from align.check.xmltext import inline_text, line_of, localname
from align.errors import InputError

SDL_NAMESPACE = "http://sdl.com/FileTypes/SdlXliff/1.0"
# (id path, source, target, location, the unit element that holds the segment)
Found = tuple[tuple[str, ...], str, str, str, etree._Element]


def is_xliff_2(root: etree._Element) -> bool:
    return (root.get("version") or "").startswith("2")


def read_xliff(path: Path, root: etree._Element) -> BilingualFile:
    return xliff_units(path, root)[0]


def xliff_units(path: Path, root: etree._Element) -> tuple[BilingualFile, list[etree._Element]]:
    """The file's segments, and per segment the element notes go into (1.2: the
    ``<trans-unit>``, 2.0: the ``<unit>``)."""
    namespace = etree.QName(root).namespace
    if is_xliff_2(root):
        found = list(_segments_2(root, namespace))
        src_lang, tgt_lang, kind = root.get("srcLang"), root.get("trgLang"), "xliff-2.0"
    else:
        found = list(_segments_1(root, namespace))
        first = root.find(_tag(namespace, "file"))
        src_lang, tgt_lang = (None, None) if first is None else (first.get("source-language"),
                                                                 first.get("target-language"))
        kind = "sdlxliff" if SDL_NAMESPACE in root.nsmap.values() else "xliff-1.2"
    found = [f for f in found if f[1]]  # a segment with no source text has nothing to check
    if not found:
        raise InputError(path, f"{kind.upper()} file with no segments to check")
    ids = unique_ids([f[0] for f in found])
    segments = tuple(BilingualSegment(i, source, target, location)
                     for i, (_, source, target, location, _) in zip(ids, found))
    bilingual = BilingualFile(Path(path), kind, primary_language(src_lang), primary_language(tgt_lang), segments)
    return bilingual, [f[4] for f in found]


def _segments_1(root: etree._Element, namespace: str | None) -> Iterator[Found]:
    ordinal = 0
    for file in root.iter(_tag(namespace, "file")):
        name = file.get("original") or ""
        for unit in file.iter(_tag(namespace, "trans-unit")):
            ordinal += 1
            if unit.get("translate") == "no":
                continue
            unit_id = unit.get("id") or str(ordinal)
            source, seg_source, target = (unit.find(_tag(namespace, n)) for n in ("source", "seg-source", "target"))
            marks = _seg_marks(seg_source)
            if not marks:
                yield (name, unit_id), inline_text(source), inline_text(target), line_of(unit), unit
                continue
            targets = {m.get("mid"): m for m in _seg_marks(target)}
            for number, mark in enumerate(marks, start=1):
                mid = mark.get("mid") or str(number)
                yield ((name, unit_id, mid), inline_text(mark), inline_text(targets.get(mark.get("mid"))),
                       line_of(mark), unit)


def _seg_marks(element: etree._Element | None) -> list[etree._Element]:
    if element is None:
        return []
    return [m for m in element.iter() if localname(m) == "mrk" and m.get("mtype") == "seg"]


def _segments_2(root: etree._Element, namespace: str | None) -> Iterator[Found]:
    for file in root.iter(_tag(namespace, "file")):
        name = file.get("id") or ""
        for ordinal, unit in enumerate(file.iter(_tag(namespace, "unit")), start=1):
            if unit.get("translate") == "no":
                continue
            unit_id = unit.get("id") or str(ordinal)
            for number, segment in enumerate(unit.iterchildren(_tag(namespace, "segment")), start=1):
                source, target = segment.find(_tag(namespace, "source")), segment.find(_tag(namespace, "target"))
                yield ((name, unit_id, segment.get("id") or str(number)), inline_text(source), inline_text(target),
                       line_of(segment), unit)


def _tag(namespace: str | None, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name
