"""EPUB 2/3 reader: zipfile + lxml, following the package's spine (not ebooklib: AGPL).

``META-INF/container.xml`` names the package document; its spine lists the content
documents in reading order (the EPUB 3 navigation document is left out: it repeats the
headings). In each XHTML document the innermost block elements are paragraphs (``h1``-
``h6`` headings); notes (``epub:type`` footnote/endnote/rearnote/note, ARIA
``doc-footnote``/``doc-endnote``, ``aside``) are footnotes, and note references (``epub:type
noteref``, ``doc-noteref``, or a link whose text is a bare number) are dropped from the
text. A content document that is not well-formed XML is read by the HTML parser. A spine
item named in ``META-INF/encryption.xml`` is DRM-protected: an error; a non-linear one
(``linear="no"``: notes) gives footnotes. EPUB 2's HTML entities (``&nbsp;``), unresolved
without a DTD, are read by the standard table. Locations: the spine
item's path in the archive and ``paragraph N`` (or ``footnote N``) counted from 1 within it.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

import lxml.html
from lxml import etree

from align.errors import InputError
from align.ingest.archive import Archive, safe_xml_parser, without_entities
from align.ingest.blocks import Block, has_text
from align.model import Location

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
OPF = "{http://www.idpf.org/2007/opf}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
ENC = "{http://www.w3.org/2001/04/xmlenc#}"
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "section", "article", "aside",
          "header", "footer", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
          "caption", "ul", "ol", "dl", "dt", "dd", "pre", "body", "main", "nav", "hr", "address"}
_SKIPPED = {"script", "style", "head", "rt", "rp", "svg", "math", "img", "audio", "video", "object"}
_NOTE_TYPES = {"footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote", "doc-rearnote"}
_NOTEREF_TYPES = {"noteref", "doc-noteref"}
_MARKER = re.compile(r"\s*[\[(]?(?:\d{1,3}|[*†‡]+)[\])]?\s*")
_XHTML_TYPES = {"application/xhtml+xml", "text/html"}


def read_epub(archive: Archive, path: Path) -> list[Block]:
    """The blocks of the EPUB held by ``archive``, spine item by spine item."""
    blocks = []
    encrypted = _encrypted(archive)
    for item, linear in _spine(archive, path):
        if item in encrypted:
            raise InputError(path, f"DRM-protected EPUB ({item} is encrypted): it cannot be read")
        blocks.extend(_item_blocks(_content(archive, item, path), item, notes=not linear))
    return blocks


def _spine(archive: Archive, path: Path) -> list[tuple[str, bool]]:
    """Archive paths of the spine's content documents in reading order, each with whether it
    is linear (``linear="no"``: notes or other matter outside the reading order)."""
    rootfile = archive.xml("META-INF/container.xml").find(f".//{CONTAINER}rootfile")
    package_path = rootfile.get("full-path", "") if rootfile is not None else ""
    if not archive.has(package_path):
        raise InputError(path, f"broken EPUB: the package document {package_path or '(none)'} is missing")
    package = archive.xml(package_path)
    base = posixpath.dirname(package_path)
    manifest = {}
    for item in package.iterfind(f"{OPF}manifest/{OPF}item"):
        manifest[item.get("id")] = item
    items = []
    for ref in package.iterfind(f"{OPF}spine/{OPF}itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _XHTML_TYPES or "nav" in item.get("properties", "").split():
            continue
        href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", "").split("#")[0])))
        if archive.has(href) and href not in (known for known, _ in items):
            items.append((href, ref.get("linear", "yes") != "no"))
    if not items:
        raise InputError(path, "broken EPUB: the spine names no content document in the archive")
    return items


def _encrypted(archive: Archive) -> set[str]:
    if not archive.has("META-INF/encryption.xml"):
        return set()
    root = archive.xml("META-INF/encryption.xml")
    return {posixpath.normpath(unquote(ref.get("URI", ""))) for ref in root.iter(f"{ENC}CipherReference")}


def _content(archive: Archive, item: str, path: Path) -> etree._Element:
    """The content document's root: safe XML, or the HTML parser when it is not well-formed."""
    data = archive.read(item)
    try:
        return without_entities(etree.fromstring(data, safe_xml_parser()), path, item)
    except etree.XMLSyntaxError:
        try:
            return lxml.html.fromstring(data, parser=lxml.html.HTMLParser(no_network=True))
        except (etree.ParserError, ValueError) as err:
            raise InputError(path, f"broken EPUB: {item} cannot be parsed ({err})") from None


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def _types(element: etree._Element) -> set[str]:
    return set((element.get(EPUB_TYPE, "") + " " + element.get("epub:type", "") + " "
                + element.get("role", "")).split())


def _item_blocks(root: etree._Element, item: str, notes: bool) -> list[Block]:
    """The blocks of one content document; all of them footnotes when ``notes``."""
    body = next((e for e in root.iter() if _name(e) == "body"), root)
    found: list[tuple[str, str]] = []  # (kind, text)
    _blocks(body, found, in_note=notes)
    blocks, counts = [], {"paragraph": 0, "footnote": 0}
    for kind, text in found:
        unit = "footnote" if kind == "footnote" else "paragraph"
        counts[unit] += 1
        blocks.append(Block(text, kind, Location(unit, counts[unit], item=item)))
    return blocks


def _blocks(element: etree._Element, found: list[tuple[str, str]], in_note: bool) -> None:
    """Innermost blocks under ``element`` in document order, with their kinds."""
    for child in element:
        name = _name(child)
        if not name or name in _SKIPPED:
            continue
        note = in_note or name == "aside" or bool(_types(child) & _NOTE_TYPES)
        if name not in BLOCKS or any(_name(d) in BLOCKS for d in child.iterdescendants()):
            _blocks(child, found, note)
            continue
        text = _inline(child)
        if has_text(text):
            kind = "footnote" if note else ("heading" if name[:1] == "h" and name[1:].isdigit() else "body")
            found.append((kind, text))


def _inline(element: etree._Element) -> str:
    parts: list[str] = []
    _walk(element, parts)
    return "".join(parts)


def _walk(element: etree._Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        name = _name(child)
        if isinstance(child, etree._Entity):
            parts.append(_entity(child))
        elif name == "br":
            parts.append("\n")
        elif name and name not in _SKIPPED and not _noteref(child, name):
            _walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def _entity(entity: etree._Entity) -> str:
    """An HTML entity an EPUB 2 document uses without its DTD (``&nbsp;``, ``&mdash;``) by the
    standard table; any other (a declared one, external or not) is left out unread."""
    text = html.unescape(entity.text or "")
    return "" if text.startswith("&") else text


def _noteref(element: etree._Element, name: str) -> bool:
    """A note reference: typed so, or a link to an anchor (alone or in a ``sup``) whose text is a
    bare number or mark."""
    if _types(element) & _NOTEREF_TYPES:
        return True
    link = element if name == "a" else None
    if name == "sup":
        link = next((d for d in element.iterdescendants() if _name(d) == "a"), None)
    return (link is not None and "#" in link.get("href", "")
            and bool(_MARKER.fullmatch("".join(element.itertext()))))
