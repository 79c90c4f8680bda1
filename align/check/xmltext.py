"""XML of bilingual files, parsed safely, and the plain text of a segment.

The parser resolves no entities, loads no DTD and touches no network; a file that
declares entities at all (the vehicle of XXE and of "billion laughs" expansion) is
refused, as no XLIFF or TMX needs one. Inline tags become plain text: the content of
markup that wraps text (``<g>``, ``<mrk>``, ``<pc>``, ``<hi>``) is kept; codes that stand
for native markup (``<x/>``, ``<ph>``, ``<bpt>``/``<ept>``, ``<it>``, ``<sc/>``/``<ec/>``…)
are dropped, a placeholder leaving a space. No visible token (``{1}``) stands in for
them: the number and bracket flags would read it as a figure or a bracket."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from align.errors import InputError
from align.ingest import check_readable

# Codes whose content is native markup, not text; the standalone ones sit between words.
STANDALONE_CODES = {"x", "ph", "cp"}
PAIRED_CODES = {"bpt", "ept", "bx", "ex", "it", "ut", "sc", "ec", "sm", "em"}
_DECLARES_ENTITY = re.compile(rb"<!DOCTYPE[^\[>]*\[[^\]]*<!ENTITY")
ENTITIES_REFUSED = ("declares XML entities (<!ENTITY>): refused, a bilingual file needs none and they can "
                    "read local files or expand without end")


def parse_xml(path: Path, data: bytes) -> etree._Element:
    """The root element of ``data``; any XML fault or a declared entity is an `InputError`."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=False, strip_cdata=False)
    doctype = data.find(b"<!DOCTYPE")  # one anchored try: a search would rescan at every "<!DOCTYPE"
    if doctype >= 0 and _DECLARES_ENTITY.match(data, doctype):  # before libxml2 meets them (UTF-16: after parsing)
        raise InputError(path, ENTITIES_REFUSED)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InputError(path, f"broken XML: {_one_line(err.msg)}") from None
    if root is None:
        raise InputError(path, "broken XML: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(path, ENTITIES_REFUSED)
    if any(True for _ in root.iter(etree.Entity)):
        raise InputError(path, "uses XML entity references other than the five predefined ones: refused")
    return root


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (a regular file within the size limit)."""
    check_readable(path, max_bytes)
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read file: {err.strerror or err}") from None


def localname(element: etree._Element) -> str:
    """The element's name without its namespace ("" for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def inline_text(element: etree._Element | None) -> str:
    """The segment text of ``element``: inline markup resolved as the module says, runs of
    white space as one space, stripped."""
    if element is None:
        return ""
    parts: list[str] = []
    _collect(element, parts)
    return " ".join("".join(parts).split())


def _collect(element: etree._Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        name = localname(child)
        if name in STANDALONE_CODES:
            parts.append(" ")
        elif name and name not in PAIRED_CODES:
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def line_of(element: etree._Element) -> str:
    return f"line {element.sourceline}" if element.sourceline else ""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
