"""Write back: a copy of the XLIFF with each segment's flags as notes, which CAT tools
show beside the segment. 1.2: ``<note from="align" priority="1|2|3">`` at the end of the
``<trans-unit>``; 2.0: ``<note category="align" …>`` in the ``<unit>``'s ``<notes>`` (made
before the unit's ``<originalData>``/segments where it has none, as the schema orders them).

The notes are inserted into the file's own text, so every other byte stays as it was
(declaration, namespaces and prefixes, inline tags, entities, white space); lxml only
finds which units get which notes. The original file is never written."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from align.check.bilingual import BilingualFile
from align.check.xliff import is_xliff_2, xliff_units
from align.check.xmltext import localname, parse_xml
from align.errors import InputError
from align.export.safe import plain
from align.model import AlignedPair, Flag

PRIORITY = {"critical": 1, "major": 2, "minor": 3}  # XLIFF's 1 (highest) … 10
_TOKEN = re.compile(r"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"""
                    r"""|<(/?)([^\s/>!?]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""", re.S)


@dataclass
class _Span:
    """An element in the file's text: its qualified name, where its start tag begins and
    its end tag begins (the same place for an empty-element tag), and its parent."""

    name: str
    start: int
    end_tag: int
    parent: int


def annotated_name(path: Path) -> str:
    """``memo.sdlxliff`` → ``memo.annotated.sdlxliff``."""
    return f"{path.stem}.annotated{path.suffix}"


def segment_notes(pair: AlignedPair) -> dict[str, list[tuple[Flag, tuple[str, ...]]]]:
    """Each link's flags under the first segment it spans (source side first), with all
    the segments it spans (more than one after ``--realign``)."""
    notes: dict[str, list[tuple[Flag, tuple[str, ...]]]] = {}
    for link in pair.links:
        if not link.flags:
            continue
        spanned = tuple(dict.fromkeys(pair.src.segments(link.src) + pair.tgt.segments(link.tgt)))
        for flag in link.flags:
            notes.setdefault(spanned[0], []).append((flag, spanned))
    return notes


def annotate_xliff(path: Path, data: bytes, file: BilingualFile, pair: AlignedPair) -> bytes:
    """The bytes of ``data`` (the XLIFF ``file`` was read from) with the pair's flags as notes."""
    if not file.format.startswith(("xliff", "sdlxliff")):
        raise InputError(path, f"--annotate writes XLIFF notes; this is a {file.format.upper()} file")
    root = parse_xml(path, data)
    read, units = xliff_units(path, root)
    if read.segments != file.segments:
        raise InputError(path, "changed while it was being checked; run the check again")
    version_2 = is_xliff_2(root)
    unit_name = "unit" if version_2 else "trans-unit"
    order = {e: k for k, e in enumerate(e for e in root.iter() if localname(e) == unit_name)}  # document order
    per_unit = _notes_by_unit([s.id for s in read.segments], [order[unit] for unit in units], segment_notes(pair))
    bom, codec = _codec(data, root.getroottree().docinfo.encoding)
    text = data[len(bom):].decode(codec)
    spans = _spans(text)
    unit_spans = [k for k, span in enumerate(spans) if _local(span.name) == unit_name]
    children: dict[int, list[_Span]] = {}
    for span in spans:
        children.setdefault(span.parent, []).append(span)
    inserts = [_insertion(spans[unit_spans[k]], children.get(unit_spans[k], []), flags, version_2, text)
               for k, flags in per_unit.items()]
    pieces, done = [], 0
    for at, piece in sorted(inserts):
        pieces += [text[done:at], piece]
        done = at
    return bom + "".join([*pieces, text[done:]]).encode(codec, errors="xmlcharrefreplace")


def _notes_by_unit(ids: list[str], unit_of: list[int], notes: dict[str, list[tuple[Flag, tuple[str, ...]]]]
                   ) -> dict[int, list[tuple[Flag, str]]]:
    """Per unit (by its number in the file), its flags with the label naming the segments
    when the unit holds several segments or the flag's link spans several."""
    shared = {unit for unit, count in Counter(unit_of).items() if count > 1}
    per_unit: dict[int, list[tuple[Flag, str]]] = {}
    for segment_id, unit in zip(ids, unit_of):
        for flag, spanned in notes.get(segment_id, ()):
            label = ("segments " + ", ".join(spanned) + ": " if len(spanned) > 1 else
                     f"segment {segment_id}: " if unit in shared else "")
            per_unit.setdefault(unit, []).append((flag, label))
    return per_unit


def _note(flag: Flag, label: str, prefix: str, version_2: bool) -> str:
    origin = 'category="align"' if version_2 else 'from="align"'
    body = escape(plain(f"{label}{flag.kind} ({flag.severity}): {flag.evidence}").replace("\n", " "))
    return f'<{prefix}note {origin} priority="{PRIORITY[flag.severity]}">{body}</{prefix}note>'


def _insertion(unit: _Span, children: list[_Span], flags: list[tuple[Flag, str]], version_2: bool,
               text: str) -> tuple[int, str]:
    """Where the unit's notes go and the text to insert (indented like the unit's children);
    the notes take the unit's namespace prefix."""
    prefix = unit.name[:-len(_local(unit.name))]
    notes = [_note(flag, label, prefix, version_2) for flag, label in flags]
    if not version_2:
        return _before(unit.end_tag, notes, text)
    existing = next((s for s in children if _local(s.name) == "notes"), None)
    if existing is not None:
        return _before(existing.end_tag, notes, text)
    first = next((s for s in children if _local(s.name) in ("originalData", "segment", "ignorable")), None)
    at = first.start if first is not None else unit.end_tag
    indent = _indent(text, at)
    inner = "".join(f"{indent}  {n}" for n in notes) if indent else "".join(notes)
    return at, f"<{prefix}notes>{inner}{indent}</{prefix}notes>{indent}"


def _before(at: int, notes: list[str], text: str) -> tuple[int, str]:
    """Notes just before the end tag at ``at``: each on a line of its own, indented two
    spaces past the end tag, when the file is laid out in lines."""
    indent = _indent(text, at)
    return at, "".join(f"  {n}{indent}" for n in notes) if indent else "".join(notes)


def _indent(text: str, at: int) -> str:
    """The line break and spaces just before ``at`` ("" when a tag precedes it on its line)."""
    line_start = text.rfind("\n", 0, at)
    run = text[line_start:at]
    return run if line_start >= 0 and not run.strip() else ""


def _spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    stack: list[int] = []
    for match in _TOKEN.finditer(text):
        closing, name, _, empty = match.groups()
        if name is None:
            continue  # a comment, CDATA section, processing instruction or doctype
        if closing:
            spans[stack.pop()].end_tag = match.start()
            continue
        spans.append(_Span(name, match.start(), match.start(), stack[-1] if stack else -1))
        if not empty:
            stack.append(len(spans) - 1)
    return spans


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _codec(data: bytes, declared: str | None) -> tuple[bytes, str]:
    """The byte-order mark (kept as it was) and the codec of the rest."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return bom, codec
    return b"", declared or "utf-8"

